//! `GET /v1/events/stream`: the workspace's events as server-sent events.

use std::convert::Infallible;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::{Stream, StreamExt};

use confab_app::live;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};

/// Stream events live. Each SSE message has `id:` (the event id) and `data:` (the event
/// JSON); send `Last-Event-ID` to resume after an event without loss or repetition.
/// A comment line every 15 s keeps proxies from closing an idle stream.
#[utoipa::path(get, path = "/v1/events/stream", tag = "Events",
    params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id.")),
    responses((status = 200, content_type = "text/event-stream", description = "Server-sent events."), (status = 401, body = ErrorBody)))]
pub async fn stream(
    Auth(ctx): Auth,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let events = live::subscribe(&ctx, last_event_id(&headers)).await?;
    let frames = events.map(|e| {
        let data = serde_json::to_string(&e.event).unwrap_or_else(|_| "{}".into());
        Ok(SseEvent::default().id(e.event.id.to_string()).data(data))
    });
    Ok(Sse::new(frames).keep_alive(keep_alive()))
}

/// The `Last-Event-ID` a reconnecting client sends.
pub fn last_event_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("last-event-id").and_then(|v| v.to_str().ok())
}

/// A comment line every 15 s keeps proxies from closing an idle stream.
pub fn keep_alive() -> KeepAlive {
    KeepAlive::new()
        .interval(Duration::from_secs(15))
        .text("keep-alive")
}
