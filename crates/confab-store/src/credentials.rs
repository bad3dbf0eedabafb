//! API keys (secret and site) and the lookup of any presented credential.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::{SystemTx, TenantTx};
use confab_core::Timestamp;
use confab_core::id::{KeyId, MemberId, TokenId, WorkspaceId};
use confab_core::member::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Site,
}

impl KeyKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            KeyKind::Secret => "secret",
            KeyKind::Site => "site",
        }
    }
}

/// An API key as stored (never the secret itself).
#[derive(Clone, Debug)]
pub struct KeyRow {
    pub id: KeyId,
    pub workspace_id: WorkspaceId,
    pub livemode: bool,
    pub member_id: Option<MemberId>,
    pub kind: KeyKind,
    pub last4: String,
    pub label: String,
    pub scopes: Vec<String>,
    pub allowed_origins: Vec<String>,
    /// A site key's own text (public by design, shown in the embed snippet); `None` for
    /// secret keys and for site keys made before it was kept.
    pub site_key: Option<String>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

pub(crate) const KEY_COLUMNS: &str = "id, workspace_id, livemode, member_id, kind, last4, label, scopes, allowed_origins, site_key, created_at, revoked_at";

pub(crate) fn decode_key(row: &AnyRow) -> Result<KeyRow> {
    let kind: String = row.try_get("kind").classified()?;
    let json_list = |col: &str| -> Result<Vec<String>> {
        let raw: String = row.try_get(col).classified()?;
        serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    Ok(KeyRow {
        id: KeyId::from_trusted(row.try_get("id").classified()?),
        workspace_id: WorkspaceId::from_trusted(row.try_get("workspace_id").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        member_id: row
            .try_get::<Option<String>, _>("member_id")
            .classified()?
            .map(MemberId::from_trusted),
        kind: match kind.as_str() {
            "secret" => KeyKind::Secret,
            "site" => KeyKind::Site,
            other => return Err(StoreError::Corrupt(format!("key kind {other}"))),
        },
        last4: row.try_get("last4").classified()?,
        label: row.try_get("label").classified()?,
        scopes: json_list("scopes")?,
        allowed_origins: json_list("allowed_origins")?,
        site_key: row.try_get("site_key").classified()?,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        revoked_at: row
            .try_get::<Option<i64>, _>("revoked_at")
            .classified()?
            .map(Timestamp::from_millis),
    })
}

/// Stores a key in the transaction's workspace and mode.
pub async fn insert_key(tx: &mut TenantTx, key: &KeyRow, key_hash: &str) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO api_keys (id, workspace_id, livemode, member_id, kind, key_hash, last4, label, scopes, allowed_origins, site_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
    )
    .bind(key.id.as_str())
    .bind(ws)
    .bind(live)
    .bind(key.member_id.as_ref().map(|m| m.as_str().to_owned()))
    .bind(key.kind.as_str())
    .bind(key_hash)
    .bind(&key.last4)
    .bind(&key.label)
    .bind(serde_json::to_string(&key.scopes).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&key.allowed_origins).unwrap_or_else(|_| "[]".into()))
    .bind(key.site_key.as_deref())
    .bind(key.created_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Finds a key by the hash of the presented secret, revoked or not (a revoked key is
/// answered with its own error code).
pub async fn find_key_by_hash(tx: &mut SystemTx, key_hash: &str) -> Result<Option<KeyRow>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key_hash)
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    row.as_ref().map(decode_key).transpose()
}

/// What a member token resolves to.
#[derive(Clone, Debug)]
pub struct TokenLookup {
    pub token_id: TokenId,
    pub workspace_id: WorkspaceId,
    pub member_id: MemberId,
    pub role: Role,
    pub revoked: bool,
}

pub async fn find_token_by_hash(
    tx: &mut SystemTx,
    token_hash: &str,
) -> Result<Option<TokenLookup>> {
    let row = sqlx::query(
        "SELECT t.id, t.workspace_id, t.member_id, t.revoked_at, m.role, m.deleted_at \
         FROM member_tokens t JOIN members m ON m.id = t.member_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(tx.conn())
    .await
    .classified()?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role").classified()?;
    let revoked = row
        .try_get::<Option<i64>, _>("revoked_at")
        .classified()?
        .is_some()
        || row
            .try_get::<Option<i64>, _>("deleted_at")
            .classified()?
            .is_some();
    Ok(Some(TokenLookup {
        token_id: TokenId::from_trusted(row.try_get("id").classified()?),
        workspace_id: WorkspaceId::from_trusted(row.try_get("workspace_id").classified()?),
        member_id: MemberId::from_trusted(row.try_get("member_id").classified()?),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        revoked,
    }))
}

/// Keys of one kind in the transaction's workspace and mode, newest first.
pub async fn list_keys(tx: &mut TenantTx, kind: KeyKind) -> Result<Vec<KeyRow>> {
    let (ws, live) = tx.scope();
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE workspace_id = $1 AND livemode = $2 AND kind = $3 \
         ORDER BY created_at DESC, id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .bind(kind.as_str())
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter().map(decode_key).collect()
}

/// Sets the origins every site key of the transaction's workspace and mode accepts
/// (the widget settings keep one list per mode).
pub async fn set_site_origins(tx: &mut TenantTx, origins: &[String], now: Timestamp) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE api_keys SET allowed_origins = $3, updated_at = $4 \
         WHERE workspace_id = $1 AND livemode = $2 AND kind = 'site'",
    )
    .bind(ws)
    .bind(live)
    .bind(serde_json::to_string(origins).unwrap_or_else(|_| "[]".into()))
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Revokes every live site key of the transaction's workspace and mode (a new one
/// replaces them).
pub async fn revoke_site_keys(tx: &mut TenantTx, now: Timestamp) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE api_keys SET revoked_at = $3, updated_at = $3 \
         WHERE workspace_id = $1 AND livemode = $2 AND kind = 'site' AND revoked_at IS NULL",
    )
    .bind(ws)
    .bind(live)
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}
