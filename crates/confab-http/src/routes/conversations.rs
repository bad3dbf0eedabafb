//! `/v1/conversations`: conversations, their messages and the hand-off actions.

use confab_app::conversations::{self, ConversationCreate, ConversationUpdate, ListFilter};
use confab_app::handoff::{self, AssignInput, HandoffInput, ResolveInput, TakeOverInput};
use confab_app::messages::{self, MessageCreate};
use confab_app::typing::{self, TypingSignal};
use confab_core::conversation::{Channel, Conversation, HandledBy, Message, Status};
use confab_core::id::ConversationId;
use confab_core::page::Page;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::{Accepted, ApiJson, Created, Json, OptionalJson};

/// List conversations, newest first.
#[utoipa::path(get, path = "/v1/conversations", tag = "Conversations",
    params(
        ("status" = Option<Status>, Query, description = "open | resolved"),
        ("handled_by" = Option<HandledBy>, Query, description = "ai | human | pending"),
        ("channel" = Option<Channel>, Query, description = "web | api | whatsapp | instagram | telegram"),
        ("contact_id" = Option<String>, Query), ("assignee_id" = Option<String>, Query),
        ("search" = Option<String>, Query, max_length = 200, description = "The contact's name, email or phone."),
        ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = Page<Conversation>), (status = 422, body = ErrorBody)))]
pub async fn list(Auth(ctx): Auth, q: QueryMap) -> ApiResult<Json<Page<Conversation>>> {
    let page = q.page()?;
    let filter = ListFilter {
        status: q.owned("status"),
        handled_by: q.owned("handled_by"),
        channel: q.owned("channel"),
        contact_id: q.owned("contact_id"),
        assignee_id: q.owned("assignee_id"),
        search: q.owned("search"),
    };
    Ok(Json(conversations::list(&ctx, filter, &page).await?))
}

/// Start a conversation; with `message`, deliver the customer's first message too.
#[utoipa::path(post, path = "/v1/conversations", tag = "Conversations",
    request_body = ConversationCreate,
    responses((status = 201, body = Conversation), (status = 422, body = ErrorBody)))]
pub async fn create(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<ConversationCreate>,
) -> ApiResult<Created<Conversation>> {
    Ok(Created(conversations::create(&ctx, input).await?))
}

/// Get a conversation; `?include=messages` embeds the whole history.
#[utoipa::path(get, path = "/v1/conversations/{id}", tag = "Conversations",
    params(("id" = String, Path), ("include" = Option<String>, Query, description = "`messages`")),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody)))]
pub async fn get(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
    q: QueryMap,
) -> ApiResult<Json<Conversation>> {
    let include_messages = q
        .get("include")
        .is_some_and(|i| i.split(',').any(|p| p.trim() == "messages"));
    Ok(Json(conversations::get(&ctx, &id, include_messages).await?))
}

/// Update a conversation's metadata or agent.
#[utoipa::path(patch, path = "/v1/conversations/{id}", tag = "Conversations",
    params(("id" = String, Path)), request_body = ConversationUpdate,
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
    ApiJson(input): ApiJson<ConversationUpdate>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(conversations::update(&ctx, &id, input).await?))
}

/// Post a message: `customer` (reopens a resolved conversation), `agent` (409 when
/// resolved; a person answering takes over from the AI) or `note` (never shown to the customer).
#[utoipa::path(post, path = "/v1/conversations/{id}/messages", tag = "Conversations",
    params(("id" = String, Path)), request_body = MessageCreate,
    responses((status = 201, body = Message), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_message(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
    ApiJson(input): ApiJson<MessageCreate>,
) -> ApiResult<Created<Message>> {
    Ok(Created(messages::post(&ctx, &id, input).await?))
}

/// List a conversation's messages, oldest first.
#[utoipa::path(get, path = "/v1/conversations/{id}/messages", tag = "Conversations",
    params(("id" = String, Path),
        ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339: messages at or after this time."),
        ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<Message>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_messages(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
    q: QueryMap,
) -> ApiResult<Json<Page<Message>>> {
    let page = q.page()?;
    Ok(Json(
        messages::list(&ctx, &id, q.get("since"), &page).await?,
    ))
}

/// The AI stands down; the conversation waits for a person (`handoff.requested`).
#[utoipa::path(post, path = "/v1/conversations/{id}/handoff", tag = "Conversations",
    params(("id" = String, Path)), request_body(content = Option<HandoffInput>),
    responses((status = 200, body = Conversation), (status = 409, body = ErrorBody)))]
pub async fn request_handoff(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
    OptionalJson(input): OptionalJson<HandoffInput>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(
        handoff::request(&ctx, &id, input.unwrap_or_default()).await?,
    ))
}

/// A person takes over; the AI stops replying at once (`agent.assigned`).
#[utoipa::path(post, path = "/v1/conversations/{id}/take-over", tag = "Conversations",
    params(("id" = String, Path)), request_body(content = Option<TakeOverInput>),
    responses((status = 200, body = Conversation), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn take_over(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
    OptionalJson(input): OptionalJson<TakeOverInput>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(
        handoff::take_over(&ctx, &id, input.unwrap_or_default()).await?,
    ))
}

/// Back to the AI (`conversation.released`).
#[utoipa::path(post, path = "/v1/conversations/{id}/release", tag = "Conversations",
    params(("id" = String, Path)),
    responses((status = 200, body = Conversation), (status = 409, body = ErrorBody)))]
pub async fn release(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(handoff::release(&ctx, &id).await?))
}

/// Assign a member (`agent.assigned`).
#[utoipa::path(post, path = "/v1/conversations/{id}/assign", tag = "Conversations",
    params(("id" = String, Path)), request_body = AssignInput,
    responses((status = 200, body = Conversation), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(handoff::assign(&ctx, &id, input).await?))
}

/// Resolve, optionally with an outcome (`conversation.resolved`).
#[utoipa::path(post, path = "/v1/conversations/{id}/resolve", tag = "Conversations",
    params(("id" = String, Path)), request_body(content = Option<ResolveInput>),
    responses((status = 200, body = Conversation), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resolve(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
    OptionalJson(input): OptionalJson<ResolveInput>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(
        handoff::resolve(&ctx, &id, input.unwrap_or_default()).await?,
    ))
}

/// Tell the visitor a person is typing (an ephemeral `typing` frame on the widget's
/// stream, shown for `ttl_ms`; send again every few seconds while typing).
#[utoipa::path(post, path = "/v1/conversations/{id}/typing", tag = "Conversations",
    params(("id" = String, Path)),
    responses((status = 202, body = TypingSignal), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn typing(
    Auth(ctx): Auth,
    PathId(id): PathId<ConversationId>,
) -> ApiResult<Accepted<TypingSignal>> {
    Ok(Accepted(typing::agent_typing(&ctx, &id).await?))
}
