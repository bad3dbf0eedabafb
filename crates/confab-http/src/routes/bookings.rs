//! `/v1/resources`, `/v1/availability` and `/v1/bookings`: bookable resources, their
//! free slots, and bookings (with an `.ics` for the customer's calendar).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use confab_app::bookings::{self, BookingCreate, BookingQuery, BookingUpdate, BookingView};
use confab_app::resources::{self, Availability, AvailabilityQuery, ResourceInput, ResourceView};
use confab_core::booking::BookingStatus;
use confab_core::id::{BookingId, ResourceId};
use confab_core::page::Page;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::{ApiJson, Created, Json};

/// List resources, newest first.
#[utoipa::path(get, path = "/v1/resources", tag = "Bookings",
    params(
        ("limit" = Option<i64>, Query, description = "1–100, default 25."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses((status = 200, body = Page<ResourceView>), (status = 422, body = ErrorBody)))]
pub async fn list_resources(
    Auth(ctx): Auth,
    query: QueryMap,
) -> ApiResult<Json<Page<ResourceView>>> {
    let page = query.page()?;
    Ok(Json(resources::list(&ctx, &page).await?))
}

/// Create a bookable resource (owners, admins, keys with `settings:write`).
#[utoipa::path(post, path = "/v1/resources", tag = "Bookings",
    request_body = ResourceInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = ResourceView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_resource(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<ResourceInput>,
) -> ApiResult<Created<ResourceView>> {
    Ok(Created(resources::create(&ctx, input).await?))
}

/// Get a resource.
#[utoipa::path(get, path = "/v1/resources/{id}", tag = "Bookings",
    params(("id" = String, Path)),
    responses((status = 200, body = ResourceView), (status = 404, body = ErrorBody)))]
pub async fn get_resource(
    Auth(ctx): Auth,
    PathId(id): PathId<ResourceId>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(resources::get(&ctx, &id).await?))
}

/// Change a resource: absent fields stay; bookings already made stay as they are.
#[utoipa::path(patch, path = "/v1/resources/{id}", tag = "Bookings",
    params(("id" = String, Path)),
    request_body = ResourceInput,
    responses((status = 200, body = ResourceView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_resource(
    Auth(ctx): Auth,
    PathId(id): PathId<ResourceId>,
    ApiJson(input): ApiJson<ResourceInput>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(resources::update(&ctx, &id, input).await?))
}

/// Delete a resource with no upcoming bookings (409 otherwise).
#[utoipa::path(delete, path = "/v1/resources/{id}", tag = "Bookings",
    params(("id" = String, Path)),
    responses((status = 200, body = ResourceView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_resource(
    Auth(ctx): Auth,
    PathId(id): PathId<ResourceId>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(resources::delete(&ctx, &id).await?))
}

/// The free slots of a resource on a local date, for a booking of `duration_minutes`
/// (default the resource's `slot_minutes`), in its timezone with the UTC offset.
#[utoipa::path(get, path = "/v1/availability", tag = "Bookings",
    params(
        ("resource_id" = String, Query),
        ("date" = String, Query, description = "The resource's local date, `YYYY-MM-DD`."),
        ("duration_minutes" = Option<u32>, Query, minimum = 5, maximum = 1440, description = "5–1,440."),
    ),
    responses((status = 200, body = Availability), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn availability(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Availability>> {
    let q = AvailabilityQuery {
        resource_id: query.owned("resource_id"),
        date: query.owned("date"),
        duration_minutes: query.owned("duration_minutes"),
    };
    Ok(Json(resources::availability(&ctx, q).await?))
}

/// List bookings, newest first.
#[utoipa::path(get, path = "/v1/bookings", tag = "Bookings",
    params(
        ("resource_id" = Option<String>, Query),
        ("contact_id" = Option<String>, Query),
        ("status" = Option<BookingStatus>, Query),
        ("limit" = Option<i64>, Query, description = "1–100, default 25."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses((status = 200, body = Page<BookingView>), (status = 422, body = ErrorBody)))]
pub async fn list_bookings(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<BookingView>>> {
    let page = query.page()?;
    let q = BookingQuery {
        resource_id: query.owned("resource_id"),
        contact_id: query.owned("contact_id"),
        status: query.owned("status"),
    };
    Ok(Json(bookings::list(&ctx, q, &page).await?))
}

/// Book a resource. Outside its hours, in the past, sooner than its notice or beyond
/// its horizon: 422 with the reason; overlapping another booking: 409 `SLOT_TAKEN`.
#[utoipa::path(post, path = "/v1/bookings", tag = "Bookings",
    request_body = BookingCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = BookingView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_booking(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<BookingCreate>,
) -> ApiResult<Created<BookingView>> {
    Ok(Created(bookings::create(&ctx, input).await?))
}

/// Get a booking.
#[utoipa::path(get, path = "/v1/bookings/{id}", tag = "Bookings",
    params(("id" = String, Path)),
    responses((status = 200, body = BookingView), (status = 404, body = ErrorBody)))]
pub async fn get_booking(
    Auth(ctx): Auth,
    PathId(id): PathId<BookingId>,
) -> ApiResult<Json<BookingView>> {
    Ok(Json(bookings::get(&ctx, &id).await?))
}

/// Move a booking (`start`, `duration_minutes`: the same rules as a new one) or change
/// its notes.
#[utoipa::path(patch, path = "/v1/bookings/{id}", tag = "Bookings",
    params(("id" = String, Path)),
    request_body = BookingUpdate,
    responses((status = 200, body = BookingView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_booking(
    Auth(ctx): Auth,
    PathId(id): PathId<BookingId>,
    ApiJson(input): ApiJson<BookingUpdate>,
) -> ApiResult<Json<BookingView>> {
    Ok(Json(bookings::update(&ctx, &id, input).await?))
}

/// Delete a booking's record (a confirmed one is cancelled by it).
#[utoipa::path(delete, path = "/v1/bookings/{id}", tag = "Bookings",
    params(("id" = String, Path)),
    responses((status = 200, body = BookingView), (status = 404, body = ErrorBody)))]
pub async fn delete_booking(
    Auth(ctx): Auth,
    PathId(id): PathId<BookingId>,
) -> ApiResult<Json<BookingView>> {
    Ok(Json(bookings::delete(&ctx, &id).await?))
}

/// Cancel a booking; its slot is free at once (409 when already cancelled).
#[utoipa::path(post, path = "/v1/bookings/{id}/cancel", tag = "Bookings",
    params(("id" = String, Path)),
    responses((status = 200, body = BookingView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_booking(
    Auth(ctx): Auth,
    PathId(id): PathId<BookingId>,
) -> ApiResult<Json<BookingView>> {
    Ok(Json(bookings::cancel(&ctx, &id).await?))
}

/// The booking as an iCalendar file (RFC 5545) to add to a calendar.
#[utoipa::path(get, path = "/v1/bookings/{id}/ics", tag = "Bookings",
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn booking_ics(Auth(ctx): Auth, PathId(id): PathId<BookingId>) -> ApiResult<Response> {
    let text = bookings::calendar(&ctx, &id).await?;
    let mut response = text.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.ics\"")) {
        h.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
