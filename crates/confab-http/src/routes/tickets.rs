//! `/v1/departments` and `/v1/tickets` (with replies): support tickets routed to
//! departments.

use confab_app::departments::{self, DepartmentCreate, DepartmentInput};
use confab_app::tickets::{self, ReplyCreate, TicketCreate, TicketQuery, TicketUpdate};
use confab_core::id::{DepartmentId, TicketId};
use confab_core::page::Page;
use confab_core::ticket::{Department, Priority, Ticket, TicketReply, TicketStatus};

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::{ApiJson, Created, Json};

/// List departments, newest first.
#[utoipa::path(get, path = "/v1/departments", tag = "Tickets",
    params(
        ("limit" = Option<i64>, Query, description = "1–100, default 25."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses((status = 200, body = Page<Department>), (status = 422, body = ErrorBody)))]
pub async fn list_departments(
    Auth(ctx): Auth,
    query: QueryMap,
) -> ApiResult<Json<Page<Department>>> {
    let page = query.page()?;
    Ok(Json(departments::list(&ctx, &page).await?))
}

/// Create a department (owners and admins; both modes share it). Members join it
/// through their `department_ids`.
#[utoipa::path(post, path = "/v1/departments", tag = "Tickets",
    request_body = DepartmentCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = Department), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_department(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<DepartmentCreate>,
) -> ApiResult<Created<Department>> {
    Ok(Created(departments::create(&ctx, input).await?))
}

/// Get a department.
#[utoipa::path(get, path = "/v1/departments/{id}", tag = "Tickets",
    params(("id" = String, Path)),
    responses((status = 200, body = Department), (status = 404, body = ErrorBody)))]
pub async fn get_department(
    Auth(ctx): Auth,
    PathId(id): PathId<DepartmentId>,
) -> ApiResult<Json<Department>> {
    Ok(Json(departments::get(&ctx, &id).await?))
}

/// Rename a department or change its description.
#[utoipa::path(patch, path = "/v1/departments/{id}", tag = "Tickets",
    params(("id" = String, Path)),
    request_body = DepartmentInput,
    responses((status = 200, body = Department), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_department(
    Auth(ctx): Auth,
    PathId(id): PathId<DepartmentId>,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> ApiResult<Json<Department>> {
    Ok(Json(departments::update(&ctx, &id, input).await?))
}

/// Delete a department nobody belongs to (409 otherwise).
#[utoipa::path(delete, path = "/v1/departments/{id}", tag = "Tickets",
    params(("id" = String, Path)),
    responses((status = 200, body = Department), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_department(
    Auth(ctx): Auth,
    PathId(id): PathId<DepartmentId>,
) -> ApiResult<Json<Department>> {
    Ok(Json(departments::delete(&ctx, &id).await?))
}

/// List tickets, newest first.
#[utoipa::path(get, path = "/v1/tickets", tag = "Tickets",
    params(
        ("status" = Option<TicketStatus>, Query),
        ("priority" = Option<Priority>, Query),
        ("department_id" = Option<String>, Query),
        ("assignee_id" = Option<String>, Query),
        ("contact_id" = Option<String>, Query),
        ("limit" = Option<i64>, Query, description = "1–100, default 25."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses((status = 200, body = Page<Ticket>), (status = 422, body = ErrorBody)))]
pub async fn list_tickets(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<Ticket>>> {
    let page = query.page()?;
    let q = TicketQuery {
        status: query.owned("status"),
        priority: query.owned("priority"),
        department_id: query.owned("department_id"),
        assignee_id: query.owned("assignee_id"),
        contact_id: query.owned("contact_id"),
    };
    Ok(Json(tickets::list(&ctx, q, &page).await?))
}

/// Open a ticket. With a `department_id` and no `assignee_id` it goes to the
/// department's next member in turn who is not away; with a `conversation_id` it links
/// both ways and the customer is told its reference in the conversation.
#[utoipa::path(post, path = "/v1/tickets", tag = "Tickets",
    request_body = TicketCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = Ticket), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_ticket(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<TicketCreate>,
) -> ApiResult<Created<Ticket>> {
    Ok(Created(tickets::create(&ctx, input).await?))
}

/// Get a ticket.
#[utoipa::path(get, path = "/v1/tickets/{id}", tag = "Tickets",
    params(("id" = String, Path)),
    responses((status = 200, body = Ticket), (status = 404, body = ErrorBody)))]
pub async fn get_ticket(Auth(ctx): Auth, PathId(id): PathId<TicketId>) -> ApiResult<Json<Ticket>> {
    Ok(Json(tickets::get(&ctx, &id).await?))
}

/// Change a ticket: subject, description, priority, status (one state machine: 409
/// when a move is not allowed), department, assignee.
#[utoipa::path(patch, path = "/v1/tickets/{id}", tag = "Tickets",
    params(("id" = String, Path)),
    request_body = TicketUpdate,
    responses((status = 200, body = Ticket), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_ticket(
    Auth(ctx): Auth,
    PathId(id): PathId<TicketId>,
    ApiJson(input): ApiJson<TicketUpdate>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(tickets::update(&ctx, &id, input).await?))
}

/// Delete a ticket and its replies (its conversation is unlinked).
#[utoipa::path(delete, path = "/v1/tickets/{id}", tag = "Tickets",
    params(("id" = String, Path)),
    responses((status = 200, body = Ticket), (status = 404, body = ErrorBody)))]
pub async fn delete_ticket(
    Auth(ctx): Auth,
    PathId(id): PathId<TicketId>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(tickets::delete(&ctx, &id).await?))
}

/// A ticket's replies and notes, oldest first.
#[utoipa::path(get, path = "/v1/tickets/{id}/replies", tag = "Tickets",
    params(
        ("id" = String, Path),
        ("limit" = Option<i64>, Query, description = "1–100, default 25."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses((status = 200, body = Page<TicketReply>), (status = 404, body = ErrorBody)))]
pub async fn list_replies(
    Auth(ctx): Auth,
    PathId(id): PathId<TicketId>,
    query: QueryMap,
) -> ApiResult<Json<Page<TicketReply>>> {
    let page = query.page()?;
    Ok(Json(tickets::replies(&ctx, &id, &page).await?))
}

/// Reply to the customer (in the linked conversation) or add an internal note.
#[utoipa::path(post, path = "/v1/tickets/{id}/replies", tag = "Tickets",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    request_body = ReplyCreate,
    responses((status = 201, body = TicketReply), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_reply(
    Auth(ctx): Auth,
    PathId(id): PathId<TicketId>,
    ApiJson(input): ApiJson<ReplyCreate>,
) -> ApiResult<Created<TicketReply>> {
    Ok(Created(tickets::reply(&ctx, &id, input).await?))
}
