//! The dispatcher's side of the delivery queue, across tenants: claim due deliveries in
//! batches under a lease, then record what each attempt did, many per transaction.
//! Rows are always named by the ids a claim returned.
//!
//! A claim sets `locked_until`; recording an attempt clears it. If the process dies in
//! between, the lease runs out and the delivery is claimed again (same event, same
//! `webhook-id`): nothing is lost, at worst something is sent twice. On PostgreSQL the
//! candidate rows are locked with `SKIP LOCKED`, so nodes claiming at once never wait
//! for each other or take the same row; SQLite has one writer, which serializes claims.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result};
use crate::sql::{Arg, Sql};
use crate::{Backend, SystemTx};
use confab_core::Timestamp;
use confab_core::id::{EventId, WebhookDeliveryId, WebhookEndpointId, WorkspaceId};

/// A delivery claimed for one attempt, with what it takes to send it.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub delivery_id: WebhookDeliveryId,
    pub workspace_id: WorkspaceId,
    pub livemode: bool,
    pub endpoint_id: WebhookEndpointId,
    pub url: String,
    pub secret: String,
    /// The rotated-out secret while it still signs.
    pub previous_secret: Option<String>,
    /// Which attempt of the current cycle this is (0-based).
    pub cycle_attempt: i64,
    /// When the current cycle began (the event, or a retry or replay).
    pub schedule_from: Timestamp,
    /// The event as the log has it now; `None` once retention removed it.
    pub event: Option<EventRow>,
    /// Set when the endpoint is an API key's `response_url`: the delivery carries a
    /// task's result, not the event itself.
    pub api_key_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct EventRow {
    pub id: EventId,
    pub event_type: String,
    /// The event's `data`, as stored (JSON text).
    pub data: String,
    pub created_at: Timestamp,
}

const CANDIDATES: &str = "SELECT d.id, d.workspace_id, d.livemode, d.endpoint_id, d.cycle_attempt, d.schedule_from, \
    p.url, p.secret, p.previous_secret, p.previous_secret_expires_at, p.api_key_id, \
    e.id AS event_id, e.type AS event_type, e.data AS event_data, e.created_at AS event_created_at \
    FROM webhook_deliveries d \
    JOIN webhook_endpoints p ON p.id = d.endpoint_id \
    LEFT JOIN events e ON e.id = d.event_id \
    WHERE d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= $1 \
    AND (d.locked_until IS NULL OR d.locked_until < $1) AND p.enabled = 1 \
    ORDER BY d.next_attempt_at, d.event_seq LIMIT $2";

fn decode(row: &AnyRow, now: Timestamp) -> Result<Claimed> {
    let previous_until: Option<i64> = row.try_get("previous_secret_expires_at").classified()?;
    let previous_secret = row
        .try_get::<Option<String>, _>("previous_secret")
        .classified()?
        .filter(|_| previous_until.is_some_and(|until| until > now.millis()));
    let event = match row.try_get::<Option<String>, _>("event_id").classified()? {
        None => None,
        Some(id) => Some(EventRow {
            id: EventId::from_trusted(id),
            event_type: row.try_get("event_type").classified()?,
            data: row.try_get("event_data").classified()?,
            created_at: Timestamp::from_millis(row.try_get("event_created_at").classified()?),
        }),
    };
    Ok(Claimed {
        delivery_id: WebhookDeliveryId::from_trusted(row.try_get("id").classified()?),
        workspace_id: WorkspaceId::from_trusted(row.try_get("workspace_id").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        endpoint_id: WebhookEndpointId::from_trusted(row.try_get("endpoint_id").classified()?),
        url: row.try_get("url").classified()?,
        secret: row.try_get("secret").classified()?,
        previous_secret,
        cycle_attempt: row.try_get("cycle_attempt").classified()?,
        schedule_from: Timestamp::from_millis(row.try_get("schedule_from").classified()?),
        event,
        api_key_id: row.try_get("api_key_id").classified()?,
    })
}

/// Claims up to `limit` due deliveries of enabled endpoints, earliest due first and in
/// event order, until `lease_until`. `room` says how many more an endpoint may take
/// (its in-flight bound), so one endpoint's backlog never fills a whole batch.
pub async fn claim(
    tx: &mut SystemTx,
    now: Timestamp,
    lease_until: Timestamp,
    limit: usize,
    mut room: impl FnMut(&WebhookEndpointId) -> usize,
) -> Result<Vec<Claimed>> {
    let lock = if tx.backend() == Backend::Postgres {
        " FOR UPDATE OF d SKIP LOCKED"
    } else {
        ""
    };
    // Read a few times the batch so endpoints without room can be passed over.
    let sql = format!("{CANDIDATES}{lock}");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now.millis())
        .bind((limit * 4) as i64)
        .fetch_all(tx.conn())
        .await
        .classified()?;
    let mut taken: Vec<(WebhookEndpointId, usize)> = Vec::new();
    let mut claimed = Vec::new();
    for row in &rows {
        if claimed.len() == limit {
            break;
        }
        let c = decode(row, now)?;
        let used = match taken.iter_mut().find(|(id, _)| *id == c.endpoint_id) {
            Some((_, n)) => n,
            None => {
                taken.push((c.endpoint_id.clone(), 0));
                &mut taken.last_mut().expect("just pushed").1
            }
        };
        if *used < room(&c.endpoint_id) {
            *used += 1;
            claimed.push(c);
        }
    }
    if claimed.is_empty() {
        return Ok(claimed);
    }
    let mut update = Sql::new("UPDATE webhook_deliveries SET locked_until = ");
    update
        .bind(Arg::Int(lease_until.millis()))
        .push(" WHERE id IN (");
    for (i, c) in claimed.iter().enumerate() {
        if i > 0 {
            update.push(", ");
        }
        update.bind(Arg::Text(c.delivery_id.to_string()));
    }
    update.push(")");
    update.build().execute(tx.conn()).await.classified()?;
    Ok(claimed)
}

/// What happens to a delivery after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Delivered,
    RetryAt(Timestamp),
    Dead,
}

/// What happens to the endpoint after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointEffect {
    /// A success: clears the endpoint's failing state.
    Succeeded,
    /// A failure: marks the endpoint failing (once).
    Failed,
    /// 410 Gone: disables the endpoint.
    Gone,
}

/// One attempt to record.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub delivery_id: WebhookDeliveryId,
    pub workspace_id: WorkspaceId,
    pub livemode: bool,
    pub endpoint_id: WebhookEndpointId,
    pub at: Timestamp,
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub response_body: Option<String>,
    pub next: Next,
    pub effect: EndpointEffect,
}

/// Writes the attempt and moves the delivery on. A retry or replay that arrived while
/// the attempt was in flight cleared the lease; the delivery then keeps its new cycle.
/// Returns, for a success that ended an endpoint's failure, whether it has
/// `auto_recover` on.
/// A delivery deleted with its endpoint while its attempt was in flight is not
/// recorded at all (there is nothing left to record it on).
pub async fn record(tx: &mut SystemTx, r: &Recorded, now: Timestamp) -> Result<Option<bool>> {
    // Lock the delivery first: an endpoint deleted meanwhile takes its deliveries
    // with it, and recording an attempt for one of them would fail the whole batch on
    // the foreign key, every cycle, for ever.
    let lock = if tx.backend() == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT id FROM webhook_deliveries WHERE id = $1{lock}");
    let exists = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(r.delivery_id.as_str())
        .fetch_optional(tx.conn())
        .await
        .classified()?
        .is_some();
    if !exists {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, n, workspace_id, livemode, at, status_code, latency_ms, error, response_body) \
         VALUES ($1, (SELECT coalesce(MAX(n), 0) + 1 FROM webhook_attempts WHERE delivery_id = $1), $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(r.delivery_id.as_str())
    .bind(r.workspace_id.as_str())
    .bind(r.livemode as i64)
    .bind(r.at.millis())
    .bind(r.status_code.map(i64::from))
    .bind(r.latency_ms)
    .bind(r.error.clone())
    .bind(r.response_body.clone())
    .execute(tx.conn())
    .await
    .classified()?;
    let (status, next_at, delivered_at) = match r.next {
        Next::Delivered => ("delivered", None, Some(now.millis())),
        Next::RetryAt(at) => ("failed", Some(at.millis()), None),
        Next::Dead => ("dead", None, None),
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $2, attempt_count = attempt_count + 1, cycle_attempt = cycle_attempt + 1, \
         next_attempt_at = $3, delivered_at = coalesce($4, delivered_at), locked_until = NULL, updated_at = $5 \
         WHERE id = $1 AND locked_until IS NOT NULL",
    )
    .bind(r.delivery_id.as_str())
    .bind(status)
    .bind(next_at)
    .bind(delivered_at)
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    let endpoint = r.endpoint_id.as_str();
    match r.effect {
        EndpointEffect::Succeeded => {
            let row = sqlx::query(
                "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL \
                 RETURNING auto_recover",
            )
            .bind(endpoint)
            .fetch_optional(tx.conn())
            .await
            .classified()?;
            row.map(|row| Ok(row.try_get::<i64, _>("auto_recover").classified()? != 0))
                .transpose()
        }
        EndpointEffect::Failed | EndpointEffect::Gone => {
            // Failing from the first failure on; a 410 also disables the endpoint.
            let sql = if r.effect == EndpointEffect::Gone {
                "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'gone', \
                 failing_since = coalesce(failing_since, $2), updated_at = $2 WHERE id = $1"
            } else {
                "UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1 AND failing_since IS NULL"
            };
            sqlx::query(sql)
                .bind(endpoint)
                .bind(now.millis())
                .execute(tx.conn())
                .await
                .classified()?;
            Ok(None)
        }
    }
}

/// `auto_recover`: a new cycle from `now` for the endpoint's dead deliveries whose
/// event is at or after `since`. Returns how many.
pub async fn recover_dead(
    tx: &mut SystemTx,
    endpoint: &WebhookEndpointId,
    since: Timestamp,
    now: Timestamp,
) -> Result<u64> {
    // Locked in id order, like every multi-row change of deliveries.
    let lock = crate::sql::for_update(tx.backend(), "");
    let sql = format!(
        "UPDATE webhook_deliveries SET status = 'pending', cycle_attempt = 0, schedule_from = $3, \
         next_attempt_at = $3, locked_until = NULL, updated_at = $3 \
         WHERE id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'dead' \
         AND event_created_at >= $2 ORDER BY id{lock})"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(endpoint.as_str())
        .bind(since.millis())
        .bind(now.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(done.rows_affected())
}

/// Deliveries with an attempt still to make, across tenants (tests, metrics).
pub async fn count_unfinished(tx: &mut SystemTx) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL")
        .fetch_one(tx.conn())
        .await
        .classified()?
        .try_get::<i64, _>("n")
        .classified()
}

/// Retention: drops deliveries (and their attempts) created before `before`.
pub async fn purge_before(tx: &mut SystemTx, before: Timestamp) -> Result<u64> {
    sqlx::query(
        "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE created_at < $1)",
    )
    .bind(before.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    let done = sqlx::query("DELETE FROM webhook_deliveries WHERE created_at < $1")
        .bind(before.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(done.rows_affected())
}
