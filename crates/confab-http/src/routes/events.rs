//! `/v1/events`: the event log.

use confab_app::events;
use confab_core::event::Event;
use confab_core::id::EventId;
use confab_core::page::Page;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::Json;

/// List events, newest first (kept 30 days).
#[utoipa::path(get, path = "/v1/events", tag = "Events",
    params(
        ("type" = Option<confab_core::event::EventType>, Query, description = "Only events of this type, e.g. `contact.created`."),
        ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = Page<Event>), (status = 422, body = ErrorBody)))]
pub async fn list(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<Event>>> {
    let page = query.page()?;
    Ok(Json(events::list(&ctx, query.get("type"), &page).await?))
}

/// Get one event.
#[utoipa::path(get, path = "/v1/events/{id}", tag = "Events",
    params(("id" = String, Path)),
    responses((status = 200, body = Event), (status = 404, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth, PathId(id): PathId<EventId>) -> ApiResult<Json<Event>> {
    Ok(Json(events::get(&ctx, &id).await?))
}
