//! Webhook deliveries as a tenant sees them: created with the event they carry,
//! listed with their attempts, rescheduled by a retry or a replay. The dispatcher's
//! cross-tenant claim and bookkeeping are in `webhook_dispatch`.

use confab_core::object::ObjectName;
use std::collections::HashMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::TenantTx;
use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Sql, fetch_page, ts};
use confab_core::Timestamp;
use confab_core::id::{ContactId, EventId, WebhookDeliveryId, WebhookEndpointId};
use confab_core::page::{Page, PageRequest};
use confab_core::webhook::{DeliveryAttempt, DeliveryStatus, WebhookDelivery};

const COLUMNS: &str = "id, livemode, endpoint_id, event_id, event_type, status, next_attempt_at, delivered_at, created_at";

fn decode(row: &AnyRow) -> Result<WebhookDelivery> {
    let status: String = row.try_get("status").classified()?;
    Ok(WebhookDelivery {
        id: WebhookDeliveryId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        endpoint_id: WebhookEndpointId::from_trusted(row.try_get("endpoint_id").classified()?),
        event_id: EventId::from_trusted(row.try_get("event_id").classified()?),
        event_type: row.try_get("event_type").classified()?,
        status: DeliveryStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery status {status:?}")))?,
        attempts: Vec::new(),
        next_attempt_at: ts(row, "next_attempt_at")?,
        delivered_at: ts(row, "delivered_at")?,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
    })
}

/// A delivery to create in the event's own transaction.
pub struct NewDelivery<'a> {
    pub endpoint_id: &'a WebhookEndpointId,
    pub event_id: &'a EventId,
    pub event_type: &'a str,
    pub event_created_at: Timestamp,
    pub first_attempt_at: Timestamp,
}

/// Queues one event for one endpoint; a second call for the same pair does nothing.
/// The event's log position is read in the same statement, so deliveries replay in
/// log order.
pub async fn insert(tx: &mut TenantTx, d: &NewDelivery<'_>) -> Result<WebhookDeliveryId> {
    let (ws, live) = tx.scope();
    let id = WebhookDeliveryId::generate();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, workspace_id, livemode, endpoint_id, event_id, event_type, event_seq, \
         event_created_at, status, schedule_from, next_attempt_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT seq FROM events WHERE id = $5), $7, 'pending', $7, $8, $7, $7) \
         ON CONFLICT (endpoint_id, event_id) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(ws)
    .bind(live)
    .bind(d.endpoint_id.as_str())
    .bind(d.event_id.as_str())
    .bind(d.event_type)
    .bind(d.event_created_at.millis())
    .bind(d.first_attempt_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(id)
}

pub async fn get(tx: &mut TenantTx, id: &WebhookDeliveryId) -> Result<Option<WebhookDelivery>> {
    let select = format!("SELECT {COLUMNS} FROM webhook_deliveries");
    let Some(mut delivery) = crate::sql::fetch_by_id(tx, &select, "", id, decode).await? else {
        return Ok(None);
    };
    attach_attempts(tx, std::slice::from_mut(&mut delivery)).await?;
    Ok(Some(delivery))
}

/// One endpoint's deliveries, newest first, each with its attempts.
pub async fn list(
    tx: &mut TenantTx,
    endpoint: &WebhookEndpointId,
    status: Option<DeliveryStatus>,
    page: &PageRequest,
) -> Result<Page<WebhookDelivery>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE workspace_id = "
    ));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live))
        .push(" AND endpoint_id = ")
        .bind(Arg::Text(endpoint.to_string()));
    if let Some(status) = status {
        sql.push(" AND status = ")
            .bind(Arg::Text(status.as_str().to_owned()));
    }
    sql.newest_first("", page);
    let mut found = fetch_page(sql, tx, page, decode, |d| {
        (d.created_at.millis(), d.id.to_string())
    })
    .await?;
    attach_attempts(tx, &mut found.data).await?;
    Ok(found)
}

async fn attach_attempts(tx: &mut TenantTx, deliveries: &mut [WebhookDelivery]) -> Result<()> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(
        "SELECT delivery_id, at, status_code, latency_ms, error, response_body FROM webhook_attempts WHERE workspace_id = ",
    );
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live))
        .push(" AND delivery_id IN (");
    for (i, d) in deliveries.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Arg::Text(d.id.to_string()));
    }
    sql.push(") ORDER BY delivery_id, n");
    let rows = sql.build().fetch_all(tx.conn()).await.classified()?;
    let mut by_delivery: HashMap<String, Vec<DeliveryAttempt>> = HashMap::new();
    for row in &rows {
        let delivery_id: String = row.try_get("delivery_id").classified()?;
        by_delivery
            .entry(delivery_id)
            .or_default()
            .push(DeliveryAttempt {
                at: Timestamp::from_millis(row.try_get("at").classified()?),
                status_code: row
                    .try_get::<Option<i64>, _>("status_code")
                    .classified()?
                    .map(|c| c as u16),
                latency_ms: row.try_get("latency_ms").classified()?,
                error: row.try_get("error").classified()?,
                response_body: row.try_get("response_body").classified()?,
            });
    }
    for d in deliveries {
        d.attempts = by_delivery.remove(d.id.as_str()).unwrap_or_default();
    }
    Ok(())
}

/// Starts a new cycle of the schedule from `now` for one delivery (a manual retry).
pub async fn reschedule(tx: &mut TenantTx, id: &WebhookDeliveryId, now: Timestamp) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', cycle_attempt = 0, schedule_from = $4, \
         next_attempt_at = $4, locked_until = NULL, updated_at = $4 \
         WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(id.as_str())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Starts a new cycle from `now` for every delivery of `endpoint` whose event is at or
/// after `since` and whose status is one of `statuses`. All become due at once and the
/// dispatcher takes due deliveries in event order. Returns how many.
pub async fn replay(
    tx: &mut TenantTx,
    endpoint: &WebhookEndpointId,
    since: Timestamp,
    statuses: &[DeliveryStatus],
    now: Timestamp,
) -> Result<u64> {
    let (ws, live) = tx.scope();
    // The rows are locked in id order, as the dispatcher's recorder takes them, so a
    // replay and a batch of recorded attempts never wait on each other in a cycle.
    let mut sql = Sql::new(
        "UPDATE webhook_deliveries SET status = 'pending', cycle_attempt = 0, locked_until = NULL, schedule_from = ",
    );
    sql.bind(Arg::Int(now.millis()))
        .push(", next_attempt_at = ")
        .bind(Arg::Int(now.millis()))
        .push(", updated_at = ")
        .bind(Arg::Int(now.millis()))
        .push(" WHERE id IN (SELECT id FROM webhook_deliveries WHERE workspace_id = ")
        .bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live))
        .push(" AND endpoint_id = ")
        .bind(Arg::Text(endpoint.to_string()))
        .push(" AND event_created_at >= ")
        .bind(Arg::Int(since.millis()))
        .push(" AND status IN (");
    for (i, s) in statuses.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Arg::Text(s.as_str().to_owned()));
    }
    let lock = crate::sql::for_update(tx.backend(), "");
    sql.push(&format!(") ORDER BY id{lock})"));
    let done = sql.build().execute(tx.conn()).await.classified()?;
    Ok(done.rows_affected())
}

/// Erasure: drops the stored response bodies of attempts that carried events about
/// `contact` (a receiver may echo what it was sent).
pub async fn redact_contact(tx: &mut TenantTx, contact: &ContactId) -> Result<u64> {
    let (ws, live) = tx.scope();
    let done = sqlx::query(
        "UPDATE webhook_attempts SET response_body = NULL WHERE workspace_id = $1 AND livemode = $2 AND delivery_id IN \
         (SELECT d.id FROM webhook_deliveries d JOIN events e ON e.id = d.event_id \
          WHERE d.workspace_id = $1 AND d.livemode = $2 AND e.contact_id = $3)",
    )
    .bind(ws)
    .bind(live)
    .bind(contact.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(done.rows_affected())
}

/// Forgets the stored response bodies of attempts that carried the event `event_id`
/// (erasure: a receiver may echo what it was sent).
pub async fn redact_event(tx: &mut TenantTx, event_id: &EventId) -> Result<u64> {
    let (ws, live) = tx.scope();
    let done = sqlx::query(
        "UPDATE webhook_attempts SET response_body = NULL WHERE workspace_id = $1 AND livemode = $2 AND delivery_id IN \
         (SELECT id FROM webhook_deliveries WHERE workspace_id = $1 AND livemode = $2 AND event_id = $3)",
    )
    .bind(ws)
    .bind(live)
    .bind(event_id.to_string())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(done.rows_affected())
}
