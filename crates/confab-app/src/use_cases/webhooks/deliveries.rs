//! Deliveries as a tenant sees them: list with every attempt, retry one, replay many,
//! send a test event. Each of these writes through a `Uow`, whose commit wakes the
//! dispatcher.

use confab_core::object::ObjectName;
use serde::{Deserialize, Serialize};
use serde_json::json;

use confab_core::event::EventType;
use confab_core::id::{WebhookDeliveryId, WebhookEndpointId};
use confab_core::page::{Page, PageRequest};
use confab_core::webhook::{DeliveryStatus, WebhookDelivery};
use confab_core::{ErrorCode, Timestamp};
use confab_store::webhook_deliveries;
use confab_store::{TenantTx, webhook_dispatch};

use super::endpoints::load as load_endpoint;
use crate::{Access, App, AppError, AppResult, Ctx, Resource};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayInput {
    /// Replay deliveries of events at or after this time (RFC 3339).
    #[schema(value_type = String, required = true, format = DateTime)]
    pub since: Option<String>,
    /// Only deliveries in this status (`pending`, `delivered`, `failed`, `dead`);
    /// every status when absent.
    #[schema(value_type = Option<confab_core::webhook::DeliveryStatus>)]
    pub status: Option<String>,
}

/// What `POST /v1/webhook-endpoints/{id}/replay` answers: the replay is queued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Replay {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub endpoint_id: WebhookEndpointId,
    pub since: Timestamp,
    pub status: Option<DeliveryStatus>,
    /// How many deliveries were queued again, to go out in event order.
    pub replayed: u64,
    pub livemode: bool,
}

confab_core::named!(Replay => "webhook_replay");

fn parse_status(raw: Option<&str>) -> AppResult<Option<DeliveryStatus>> {
    raw.map(|s| {
        DeliveryStatus::parse(s).ok_or_else(|| {
            AppError::field("status", "must be one of pending, delivered, failed, dead")
        })
    })
    .transpose()
}

/// 409 unless the endpoint is enabled: a disabled endpoint's deliveries wait, so a
/// retry or test would silently do nothing.
fn ensure_enabled(enabled: bool, what: &str) -> AppResult<()> {
    if enabled {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "This webhook endpoint is disabled; enable it (PATCH with enabled: true) to {what}."
            ),
        ))
    }
}

/// One endpoint's deliveries, newest first, optionally in one status.
pub async fn list(
    ctx: &Ctx,
    endpoint_id: &WebhookEndpointId,
    status: Option<&str>,
    page: &PageRequest,
) -> AppResult<Page<WebhookDelivery>> {
    ctx.authorize(Resource::Webhooks, Access::Read)?;
    let status = parse_status(status)?;
    let mut tx = ctx.read().await?;
    let endpoint = load_endpoint(&mut tx, endpoint_id).await?;
    Ok(webhook_deliveries::list(&mut tx, &endpoint.id, status, page).await?)
}

pub async fn get(ctx: &Ctx, id: &WebhookDeliveryId) -> AppResult<WebhookDelivery> {
    ctx.authorize(Resource::Webhooks, Access::Read)?;
    let mut tx = ctx.read().await?;
    load(&mut tx, id).await
}

async fn load(tx: &mut TenantTx, id: &WebhookDeliveryId) -> AppResult<WebhookDelivery> {
    webhook_deliveries::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("webhook delivery", id))
}

/// Sends one delivery again now, starting a new cycle of the schedule (same
/// `webhook-id`, so a receiver that already has it can drop it).
pub async fn retry(ctx: &Ctx, id: &WebhookDeliveryId) -> AppResult<WebhookDelivery> {
    ctx.authorize(Resource::Webhooks, Access::Write)?;
    let mut uow = ctx.write().await?;
    let delivery = load(uow.tx(), id).await?;
    let endpoint = load_endpoint(uow.tx(), &delivery.endpoint_id).await?;
    ensure_enabled(endpoint.enabled, "retry")?;
    let now = uow.now;
    webhook_deliveries::reschedule(uow.tx(), &delivery.id, now).await?;
    let delivery = load(uow.tx(), id).await?;
    uow.commit().await?;
    Ok(delivery)
}

/// Sends again, in event order, the endpoint's deliveries of events since `since`
/// (only those in `status` when given).
pub async fn replay(
    ctx: &Ctx,
    endpoint_id: &WebhookEndpointId,
    input: ReplayInput,
) -> AppResult<Replay> {
    ctx.authorize(Resource::Webhooks, Access::Write)?;
    let since = match input.since.as_deref() {
        None => return Err(AppError::field("since", "is required (an RFC 3339 time)")),
        Some(raw) => Timestamp::parse_rfc3339(raw)
            .ok_or_else(|| AppError::field("since", "is not an RFC 3339 time"))?,
    };
    let status = parse_status(input.status.as_deref())?;
    let mut uow = ctx.write().await?;
    let endpoint = load_endpoint(uow.tx(), endpoint_id).await?;
    ensure_enabled(endpoint.enabled, "replay")?;
    let statuses: Vec<DeliveryStatus> = match status {
        Some(s) => vec![s],
        None => DeliveryStatus::ALL.to_vec(),
    };
    let now = uow.now;
    let replayed =
        webhook_deliveries::replay(uow.tx(), &endpoint.id, since, &statuses, now).await?;
    uow.commit().await?;
    Ok(Replay {
        object: ObjectName::new(),
        endpoint_id: endpoint.id,
        since,
        status,
        replayed,
        livemode: ctx.livemode(),
    })
}

/// Sends a `webhook.test` event to this endpoint only (other endpoints never receive
/// test events, whatever their filter).
pub async fn send_test(ctx: &Ctx, endpoint_id: &WebhookEndpointId) -> AppResult<WebhookDelivery> {
    ctx.authorize(Resource::Webhooks, Access::Write)?;
    let mut uow = ctx.write().await?;
    let endpoint = load_endpoint(uow.tx(), endpoint_id).await?;
    ensure_enabled(endpoint.enabled, "send a test")?;
    let event = uow
        .emit(
            EventType::WebhookTest,
            json!({"endpoint_id": endpoint.id, "message": "A test event from Confab."}),
            None,
        )
        .await?;
    let id = uow.deliver_to(&endpoint.id, &event).await?;
    let delivery = load(uow.tx(), &id).await?;
    uow.commit().await?;
    Ok(delivery)
}

/// Retention: drops deliveries older than the event log keeps events. Run by the
/// cleaner.
pub async fn purge_expired(app: &App) -> AppResult<u64> {
    let before = Timestamp::from_millis(app.clock.now().millis() - app.config.event_retention_ms);
    let mut tx = app.store.system().await?;
    let n = webhook_dispatch::purge_before(&mut tx, before).await?;
    tx.commit().await?;
    Ok(n)
}
