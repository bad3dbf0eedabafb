//! Secret keys as `/v1/api-keys` manages them: the key row (`credentials`) plus where
//! its task results go and what it may spend. Keys are identity rows: one workspace,
//! either mode, so these queries take the mode to show (`None`: both) rather than
//! the transaction's.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::TenantTx;
use crate::credentials::{KEY_COLUMNS, KeyKind, KeyRow, decode_key};
use crate::error::{Classify, Result};
use crate::sql::{Arg, Sql, fetch_page, for_update};
use confab_core::Timestamp;
use confab_core::id::KeyId;
use confab_core::page::{Page, PageRequest};

/// A secret key with its task settings.
#[derive(Clone, Debug)]
pub struct ManagedKey {
    pub key: KeyRow,
    pub response_url: Option<String>,
    /// The cap in whole US cents per period; `None`: no cap.
    pub budget_cents: Option<i64>,
    /// `daily`, `monthly` or `total`.
    pub budget_period: String,
    pub updated_at: Timestamp,
}

/// The settings a key's owner may change.
#[derive(Clone, Debug)]
pub struct KeySettings {
    pub label: String,
    pub scopes: Vec<String>,
    pub response_url: Option<String>,
    pub budget_cents: Option<i64>,
    pub budget_period: String,
}

fn columns() -> String {
    format!("{KEY_COLUMNS}, response_url, budget_cents, budget_period, updated_at")
}

fn decode(row: &AnyRow) -> Result<ManagedKey> {
    Ok(ManagedKey {
        key: decode_key(row)?,
        response_url: row.try_get("response_url").classified()?,
        budget_cents: row.try_get("budget_cents").classified()?,
        budget_period: row.try_get("budget_period").classified()?,
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
    })
}

/// Stores a new secret key in `key.livemode` (which may differ from the transaction's
/// mode: a member manages both modes' keys).
pub async fn insert(
    tx: &mut TenantTx,
    key: &KeyRow,
    key_hash: &str,
    settings: &KeySettings,
) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "INSERT INTO api_keys (id, workspace_id, livemode, member_id, kind, key_hash, last4, label, scopes, allowed_origins, \
         response_url, budget_cents, budget_period, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '[]', $10, $11, $12, $13, $13)",
    )
    .bind(key.id.as_str())
    .bind(ws)
    .bind(key.livemode as i64)
    .bind(key.member_id.as_ref().map(|m| m.as_str().to_owned()))
    .bind(KeyKind::Secret.as_str())
    .bind(key_hash)
    .bind(&key.last4)
    .bind(&settings.label)
    .bind(serde_json::to_string(&settings.scopes).unwrap_or_else(|_| "[]".into()))
    .bind(settings.response_url.clone())
    .bind(settings.budget_cents)
    .bind(&settings.budget_period)
    .bind(key.created_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// A secret key of this workspace by id, in `livemode` (`None`: either mode).
pub async fn get(
    tx: &mut TenantTx,
    id: &KeyId,
    livemode: Option<bool>,
) -> Result<Option<ManagedKey>> {
    fetch(tx, id, livemode, "").await
}

/// [`get`] under a row lock: a change of a key's settings is decided on the row as it
/// is, not as another request left it a moment before.
pub async fn get_for_update(
    tx: &mut TenantTx,
    id: &KeyId,
    livemode: Option<bool>,
) -> Result<Option<ManagedKey>> {
    let lock = for_update(tx.backend(), "");
    fetch(tx, id, livemode, &lock).await
}

async fn fetch(
    tx: &mut TenantTx,
    id: &KeyId,
    livemode: Option<bool>,
    lock: &str,
) -> Result<Option<ManagedKey>> {
    let (ws, _) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM api_keys WHERE workspace_id = ",
        columns()
    ));
    sql.bind(Arg::Text(ws))
        .push(" AND kind = 'secret' AND id = ")
        .bind(Arg::Text(id.to_string()));
    if let Some(live) = livemode {
        sql.push(" AND livemode = ").bind(Arg::Int(live as i64));
    }
    sql.push(lock);
    let row = sql.build().fetch_optional(tx.conn()).await.classified()?;
    row.as_ref().map(decode).transpose()
}

/// Secret keys, newest first, in `livemode` (`None`: both modes).
pub async fn list(
    tx: &mut TenantTx,
    livemode: Option<bool>,
    page: &PageRequest,
) -> Result<Page<ManagedKey>> {
    let (ws, _) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM api_keys WHERE workspace_id = ",
        columns()
    ));
    sql.bind(Arg::Text(ws)).push(" AND kind = 'secret'");
    if let Some(live) = livemode {
        sql.push(" AND livemode = ").bind(Arg::Int(live as i64));
    }
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |k| {
        (k.key.created_at.millis(), k.key.id.to_string())
    })
    .await
}

/// Rewrites what an owner may change.
pub async fn update(
    tx: &mut TenantTx,
    id: &KeyId,
    settings: &KeySettings,
    now: Timestamp,
) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "UPDATE api_keys SET label = $3, scopes = $4, response_url = $5, budget_cents = $6, budget_period = $7, \
         updated_at = $8 WHERE workspace_id = $1 AND id = $2 AND kind = 'secret'",
    )
    .bind(ws)
    .bind(id.to_string())
    .bind(&settings.label)
    .bind(serde_json::to_string(&settings.scopes).unwrap_or_else(|_| "[]".into()))
    .bind(settings.response_url.clone())
    .bind(settings.budget_cents)
    .bind(&settings.budget_period)
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Revokes a key; from now on it gets 403 `KEY_REVOKED`.
pub async fn revoke(tx: &mut TenantTx, id: &KeyId, now: Timestamp) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3), updated_at = $3 \
         WHERE workspace_id = $1 AND id = $2 AND kind = 'secret'",
    )
    .bind(ws)
    .bind(id.to_string())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}
