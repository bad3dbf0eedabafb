//! `/v1/widget/*`: the public API the chat widget and the hosted chat page call with a
//! site key (`X-Site-Key` or `?site_key=`). A visitor's conversation is named by the
//! token their browser generated.

use std::convert::Infallible;

use axum::extract::Multipart;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::response::sse::{Event as SseEvent, Sse};
use futures::{Stream, StreamExt};

use confab_app::files::FileObject;
use confab_app::widget::conversations::{
    self, WidgetConversationCreate, WidgetConversationStarted,
};
use confab_app::widget::live::{self, TypingView, WidgetFrame};
use confab_app::widget::messages::{self, WidgetMessageCreate};
use confab_app::widget::{self, Identity};
use confab_core::page::Page;
use confab_core::widget::{VisitorConversation, VisitorMessage, WidgetConfig};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, QueryMap};
use crate::json::{ApiJson, Created, Json};
use crate::routes::files::{disposition, file_response, read_upload};
use crate::routes::stream::{keep_alive, last_event_id};
use crate::site_key::Visitor;

/// The widget's look and words (set with `PUT /v1/settings/widget`).
#[utoipa::path(get, path = "/v1/widget/config", tag = "Widget", security(("site_key" = [])),
    responses((status = 200, body = WidgetConfig), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn config(visitor: Visitor) -> ApiResult<Json<WidgetConfig>> {
    Ok(Json(widget::settings::public_config(&visitor.ctx).await?))
}

/// Start a conversation with the visitor's first message. The AI answers it when the
/// workspace's agent can (`auto_reply`); follow along with `…/stream`.
#[utoipa::path(post, path = "/v1/widget/conversations", tag = "Widget", security(("site_key" = [])),
    request_body = WidgetConversationCreate,
    responses((status = 201, body = WidgetConversationStarted), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "CONTACT_BLOCKED, or an origin the site key does not accept"),
        (status = 409, body = ErrorBody, description = "VISITOR_TOKEN_TAKEN"), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    visitor: Visitor,
    ApiJson(input): ApiJson<WidgetConversationCreate>,
) -> ApiResult<Created<WidgetConversationStarted>> {
    Ok(Created(
        conversations::start(&visitor.ctx, input, visitor.context).await?,
    ))
}

/// The conversation's state: open or resolved, and who is answering.
#[utoipa::path(get, path = "/v1/widget/conversations/{visitor_token}", tag = "Widget", security(("site_key" = [])),
    params(("visitor_token" = String, Path)),
    responses((status = 200, body = VisitorConversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    visitor: Visitor,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<VisitorConversation>> {
    Ok(Json(conversations::get(&visitor.ctx, &token).await?))
}

/// The history the visitor may see (no notes, no internal fields), oldest first. Poll
/// with `since` where server-sent events are not available.
#[utoipa::path(get, path = "/v1/widget/conversations/{visitor_token}/messages", tag = "Widget", security(("site_key" = [])),
    params(("visitor_token" = String, Path),
        ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339: messages at or after this time."),
        ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<VisitorMessage>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_messages(
    visitor: Visitor,
    ApiPath(token): ApiPath<String>,
    q: QueryMap,
) -> ApiResult<Json<Page<VisitorMessage>>> {
    let page = q.page()?;
    Ok(Json(
        messages::list(&visitor.ctx, &token, q.get("since"), &page).await?,
    ))
}

/// The visitor writes. Reopens a resolved conversation; the AI answers while it handles
/// the conversation.
#[utoipa::path(post, path = "/v1/widget/conversations/{visitor_token}/messages", tag = "Widget", security(("site_key" = [])),
    params(("visitor_token" = String, Path)), request_body = WidgetMessageCreate,
    responses((status = 201, body = VisitorMessage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send_message(
    visitor: Visitor,
    ApiPath(token): ApiPath<String>,
    ApiJson(input): ApiJson<WidgetMessageCreate>,
) -> ApiResult<Created<VisitorMessage>> {
    Ok(Created(messages::send(&visitor.ctx, &token, input).await?))
}

/// The visitor asks for a person: the AI stands down (`handoff.requested`). Asking
/// again while one is awaited answers the conversation unchanged.
#[utoipa::path(post, path = "/v1/widget/conversations/{visitor_token}/handoff", tag = "Widget", security(("site_key" = [])),
    params(("visitor_token" = String, Path)),
    responses((status = 200, body = VisitorConversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn handoff(
    visitor: Visitor,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<VisitorConversation>> {
    Ok(Json(
        conversations::request_handoff(&visitor.ctx, &token).await?,
    ))
}

/// Link the conversation to the host page's signed-in user (identity verification:
/// `user_hash` = hex HMAC-SHA256 of `external_id` keyed with the identity secret).
#[utoipa::path(post, path = "/v1/widget/conversations/{visitor_token}/identify", tag = "Widget", security(("site_key" = [])),
    params(("visitor_token" = String, Path)), request_body = Identity,
    responses((status = 200, body = VisitorConversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A missing field, or a user_hash that does not match external_id")))]
pub async fn identify(
    visitor: Visitor,
    ApiPath(token): ApiPath<String>,
    ApiJson(input): ApiJson<Identity>,
) -> ApiResult<Json<VisitorConversation>> {
    Ok(Json(
        conversations::identify(&visitor.ctx, &token, input).await?,
    ))
}

/// Upload an attachment into the conversation (multipart, a part named `file`, at most
/// 25 MiB); then send its id with a message.
#[utoipa::path(post, path = "/v1/widget/conversations/{visitor_token}/files", tag = "Widget", security(("site_key" = [])),
    params(("visitor_token" = String, Path)),
    request_body(content_type = "multipart/form-data", content = crate::routes::files::FileUpload),
    responses((status = 201, body = FileObject), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn upload_file(
    visitor: Visitor,
    ApiPath(token): ApiPath<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Created<FileObject>> {
    let (filename, bytes) = read_upload(multipart).await?;
    Ok(Created(
        widget::files::upload(&visitor.ctx, &token, &filename, bytes).await?,
    ))
}

/// Download an attachment of the conversation.
#[utoipa::path(get, path = "/v1/widget/conversations/{visitor_token}/files/{file_id}", tag = "Widget", security(("site_key" = [])),
    params(("visitor_token" = String, Path), ("file_id" = String, Path),
        ("disposition" = Option<crate::routes::files::Disposition>, Query, description = "inline (default) | attachment")),
    responses((status = 200, description = "The file's bytes, with its sniffed type."), (status = 404, body = ErrorBody)))]
pub async fn file_content(
    visitor: Visitor,
    ApiPath((token, file_id)): ApiPath<(String, String)>,
    q: QueryMap,
) -> ApiResult<Response> {
    let disposition = disposition(q.get("disposition"))?;
    let file_id = confab_app::input::id(&file_id)?;
    let (file, bytes) = widget::files::content(&visitor.ctx, &token, &file_id).await?;
    Ok(file_response(&file, bytes, disposition))
}

/// Server-sent events for the conversation: `message` (a visible message, with its
/// event id), `status` (hand-off, take-over, release, resolve) and `typing` (no id).
/// Resume with `Last-Event-ID`.
#[utoipa::path(get, path = "/v1/widget/conversations/{visitor_token}/stream", tag = "Widget", security(("site_key" = [])),
    params(("visitor_token" = String, Path),
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id.")),
    responses((status = 200, content_type = "text/event-stream", description = "Server-sent events: message, status, typing.", body = TypingView),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn stream(
    visitor: Visitor,
    ApiPath(token): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let frames = live::stream(&visitor.ctx, &token, last_event_id(&headers)).await?;
    let events = frames.map(|frame| {
        let event = match frame {
            WidgetFrame::Message(id, message) => SseEvent::default()
                .event("message")
                .id(id.to_string())
                .data(to_json(&message)),
            WidgetFrame::Status(id, conversation) => SseEvent::default()
                .event("status")
                .id(id.to_string())
                .data(to_json(&conversation)),
            WidgetFrame::Typing(typing) => {
                SseEvent::default().event("typing").data(to_json(&typing))
            }
        };
        Ok(event)
    });
    Ok(Sse::new(events).keep_alive(keep_alive()))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}
