//! Webhook endpoints. The signing secrets are stored in clear (they must sign) and are
//! read only by the dispatcher's claim (`webhook_dispatch`); every read here returns
//! the endpoint without them.
//!
//! An API key's `response_url` is an endpoint too, owned by the key (`api_key_id`):
//! it carries the key's signing secret, receives only that key's task results, and is
//! invisible to everything the tenant manages (get, list, the event fan-out).

use confab_core::object::ObjectName;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Columns, Sql, fetch_by_id, fetch_page, lock_by_id};
use crate::{Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::id::{KeyId, WebhookEndpointId};
use confab_core::page::{Page, PageRequest};
use confab_core::webhook::WebhookEndpoint;

const COLUMNS: &str = "id, livemode, url, description, events, enabled, auto_recover, disabled_reason, created_at, updated_at";

fn decode(row: &AnyRow) -> Result<WebhookEndpoint> {
    let events: String = row.try_get("events").classified()?;
    Ok(WebhookEndpoint {
        id: WebhookEndpointId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        url: row.try_get("url").classified()?,
        events: serde_json::from_str(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        description: row.try_get("description").classified()?,
        enabled: row.try_get::<i64, _>("enabled").classified()? != 0,
        auto_recover: row.try_get::<i64, _>("auto_recover").classified()? != 0,
        disabled_reason: row.try_get("disabled_reason").classified()?,
        secret: None,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
    })
}

fn events_json(e: &WebhookEndpoint) -> String {
    serde_json::to_string(&e.events).unwrap_or_else(|_| "[]".into())
}

/// The written columns: an endpoint's id and creation are fixed, the rest moves (its
/// secrets are written apart: they are never part of the object).
const WRITTEN: Columns<WebhookEndpoint> = Columns {
    table: "webhook_endpoints",
    fixed: &[
        ("id", |e| Arg::Text(e.id.to_string())),
        ("created_at", |e| Arg::Int(e.created_at.millis())),
    ],
    mutable: &[
        ("url", |e| Arg::Text(e.url.clone())),
        ("description", |e| Arg::OptText(e.description.clone())),
        ("events", |e| Arg::Text(events_json(e))),
        ("enabled", |e| Arg::Int(e.enabled as i64)),
        ("auto_recover", |e| Arg::Int(e.auto_recover as i64)),
        ("disabled_reason", |e| {
            Arg::OptText(e.disabled_reason.clone())
        }),
        ("updated_at", |e| Arg::Int(e.updated_at.millis())),
    ],
};

/// Inserts a new endpoint with its first signing secret.
pub async fn insert(tx: &mut TenantTx, e: &WebhookEndpoint, secret: &str) -> Result<()> {
    WRITTEN
        .insert_with(tx, e, vec![("secret", Arg::Text(secret.to_owned()))])
        .await
}

/// An endpoint the tenant manages (a key's response endpoint is not one of them).
pub async fn get(tx: &mut TenantTx, id: &WebhookEndpointId) -> Result<Option<WebhookEndpoint>> {
    fetch_by_id(tx, &managed(), "v.", id, decode).await
}

/// [`get`] under a row lock, for a read that the transaction will write back.
pub async fn get_for_update(
    tx: &mut TenantTx,
    id: &WebhookEndpointId,
) -> Result<Option<Locked<WebhookEndpoint>>> {
    lock_by_id(tx, &managed(), "v.", id, decode).await
}

fn managed() -> String {
    format!("SELECT {COLUMNS} FROM (SELECT * FROM webhook_endpoints WHERE api_key_id IS NULL) v")
}

/// Newest first.
pub async fn list(tx: &mut TenantTx, page: &PageRequest) -> Result<Page<WebhookEndpoint>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE workspace_id = "
    ));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live))
        .push(" AND api_key_id IS NULL");
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |e| {
        (e.created_at.millis(), e.id.to_string())
    })
    .await
}

/// Rewrites the fields a client may change (and the server's `disabled_reason`).
pub async fn update(tx: &mut TenantTx, e: &Locked<WebhookEndpoint>) -> Result<()> {
    WRITTEN.update(tx, e.id.as_str(), e).await?;
    Ok(())
}

/// Replaces the secret; the old one keeps signing alongside until `previous_until`.
pub async fn rotate_secret(
    tx: &mut TenantTx,
    id: &WebhookEndpointId,
    secret: &str,
    previous_until: Timestamp,
    now: Timestamp,
) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = $5, secret = $4, \
         updated_at = $6 WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(id.as_str())
    .bind(secret)
    .bind(previous_until.millis())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Deletes the endpoint with its deliveries and their attempts.
pub async fn delete(tx: &mut TenantTx, id: &WebhookEndpointId) -> Result<()> {
    let (ws, live) = tx.scope();
    for sql in [
        "DELETE FROM webhook_attempts WHERE workspace_id = $1 AND livemode = $2 AND delivery_id IN \
         (SELECT id FROM webhook_deliveries WHERE workspace_id = $1 AND livemode = $2 AND endpoint_id = $3)",
        "DELETE FROM webhook_deliveries WHERE workspace_id = $1 AND livemode = $2 AND endpoint_id = $3",
        "DELETE FROM webhook_endpoints WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
    ] {
        sqlx::query(sql)
            .bind(ws.clone())
            .bind(live)
            .bind(id.as_str())
            .execute(tx.conn())
            .await
            .classified()?;
    }
    Ok(())
}

/// Where this workspace and mode's events go: every enabled endpoint and its filter.
pub async fn routes(tx: &mut TenantTx) -> Result<Vec<(WebhookEndpointId, Vec<String>)>> {
    let (ws, live) = tx.scope();
    let rows = sqlx::query(
        "SELECT id, events FROM webhook_endpoints WHERE workspace_id = $1 AND livemode = $2 AND enabled = 1 \
         AND api_key_id IS NULL",
    )
    .bind(ws)
    .bind(live)
    .fetch_all(tx.conn())
    .await
    .classified()?;
    rows.iter()
        .map(|row| {
            let events: String = row.try_get("events").classified()?;
            Ok((
                WebhookEndpointId::from_trusted(row.try_get("id").classified()?),
                serde_json::from_str(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ))
        })
        .collect()
}

/// A key's response endpoint: where its task results go.
#[derive(Clone, Debug)]
pub struct KeyEndpoint {
    pub id: WebhookEndpointId,
    /// The key has a `response_url` (an endpoint without one waits, disabled).
    pub enabled: bool,
}

/// Creates the response endpoint of a new key, with the key's signing secret; it is
/// disabled until the key has a `response_url`.
pub async fn insert_for_key(
    tx: &mut TenantTx,
    key_id: &KeyId,
    livemode: bool,
    url: Option<&str>,
    secret: &str,
    now: Timestamp,
) -> Result<WebhookEndpointId> {
    let (ws, _) = tx.scope();
    let id = WebhookEndpointId::generate();
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, workspace_id, livemode, url, description, events, enabled, auto_recover, \
         secret, api_key_id, created_at, updated_at) VALUES ($1, $2, $3, $4, NULL, '[]', $5, 0, $6, $7, $8, $8)",
    )
    .bind(id.as_str())
    .bind(ws)
    .bind(livemode as i64)
    .bind(url.unwrap_or_default().to_owned())
    .bind(url.is_some() as i64)
    .bind(secret)
    .bind(key_id.to_string())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(id)
}

/// Points a key's response endpoint at `url` (`None`: no more deliveries).
pub async fn set_key_url(
    tx: &mut TenantTx,
    key_id: &KeyId,
    url: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "UPDATE webhook_endpoints SET url = $3, enabled = $4, disabled_reason = NULL, updated_at = $5 \
         WHERE workspace_id = $1 AND api_key_id = $2",
    )
    .bind(ws)
    .bind(key_id.to_string())
    .bind(url.unwrap_or_default().to_owned())
    .bind(url.is_some() as i64)
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// The response endpoint of a key, if it has one.
pub async fn for_key(tx: &mut TenantTx, key_id: &KeyId) -> Result<Option<KeyEndpoint>> {
    let (ws, _) = tx.scope();
    let row = sqlx::query(
        "SELECT id, enabled FROM webhook_endpoints WHERE workspace_id = $1 AND api_key_id = $2",
    )
    .bind(ws)
    .bind(key_id.to_string())
    .fetch_optional(tx.conn())
    .await
    .classified()?;
    row.map(|row| {
        Ok(KeyEndpoint {
            id: WebhookEndpointId::from_trusted(row.try_get("id").classified()?),
            enabled: row.try_get::<i64, _>("enabled").classified()? != 0,
        })
    })
    .transpose()
}
