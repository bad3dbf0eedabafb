//! Reading the event log.

use confab_core::event::{Event, EventType};
use confab_core::id::EventId;
use confab_core::page::{Page, PageRequest};
use confab_store::events;

use crate::{Access, AppError, AppResult, Ctx, Resource};

pub async fn list(
    ctx: &Ctx,
    event_type: Option<&str>,
    page: &PageRequest,
) -> AppResult<Page<Event>> {
    ctx.authorize(Resource::Events, Access::Read)?;
    if let Some(t) = event_type
        && EventType::parse(t).is_none()
    {
        return Err(AppError::field("type", "is not a known event type"));
    }
    let mut tx = ctx.read().await?;
    Ok(events::list(&mut tx, event_type, page).await?)
}

pub async fn get(ctx: &Ctx, id: &EventId) -> AppResult<Event> {
    ctx.authorize(Resource::Events, Access::Read)?;
    let mut tx = ctx.read().await?;
    events::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("event", id))
}

/// Retention: deletes events older than the configured period (30 days), across
/// tenants. Run by the cleaner.
pub async fn purge_expired(app: &crate::App) -> AppResult<u64> {
    let before = confab_core::Timestamp::from_millis(
        app.clock.now().millis() - app.config.event_retention_ms,
    );
    let mut tx = app.store.system().await?;
    let n = events::purge_before(&mut tx, before).await?;
    tx.commit().await?;
    Ok(n)
}
