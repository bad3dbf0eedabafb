//! Team members and their access tokens.

use confab_core::object::ObjectName;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Sql, fetch_page};
use crate::{Backend, Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::id::{MemberId, TokenId};
use confab_core::member::{Member, MemberToken, Role};
use confab_core::page::{Page, PageRequest};

const COLUMNS: &str = "id, workspace_id, name, display_name, email, role, department_ids, away, created_at, updated_at";

fn decode(row: &AnyRow) -> Result<Member> {
    let role: String = row.try_get("role").classified()?;
    let departments: String = row.try_get("department_ids").classified()?;
    Ok(Member {
        id: MemberId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        workspace_id: confab_core::id::WorkspaceId::from_trusted(
            row.try_get("workspace_id").classified()?,
        ),
        name: row.try_get("name").classified()?,
        display_name: row.try_get("display_name").classified()?,
        email: row.try_get("email").classified()?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        department_ids: serde_json::from_str(&departments)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        away: row.try_get::<i64, _>("away").classified()? != 0,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
    })
}

pub async fn insert(tx: &mut TenantTx, member: &Member) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "INSERT INTO members (id, workspace_id, name, email, role, department_ids, created_at, updated_at, \
         display_name, away) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(member.id.as_str())
    .bind(ws)
    .bind(&member.name)
    .bind(&member.email)
    .bind(member.role.as_str())
    .bind(serde_json::to_string(&member.department_ids).unwrap_or_else(|_| "[]".into()))
    .bind(member.created_at.millis())
    .bind(member.updated_at.millis())
    .bind(member.display_name.clone())
    .bind(i64::from(member.away))
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &MemberId) -> Result<Option<Member>> {
    fetch(tx, id, "").await
}

/// [`get`] under a row lock, for a read that the transaction will write back.
pub async fn get_for_update(tx: &mut TenantTx, id: &MemberId) -> Result<Option<Locked<Member>>> {
    let lock = lock_clause(tx);
    Ok(fetch(tx, id, lock).await?.map(Locked::new))
}

fn lock_clause(tx: &TenantTx) -> &'static str {
    match tx.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

async fn fetch(tx: &mut TenantTx, id: &MemberId, lock: &str) -> Result<Option<Member>> {
    let (ws, _) = tx.scope();
    let sql = format!(
        "SELECT {COLUMNS} FROM members WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL{lock}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(id.to_string())
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    row.as_ref().map(decode).transpose()
}

pub async fn list(tx: &mut TenantTx, page: &PageRequest) -> Result<Page<Member>> {
    let (ws, _) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM members WHERE workspace_id = "
    ));
    sql.bind(Arg::Text(ws))
        .push(" AND deleted_at IS NULL")
        .newest_first("", page);
    fetch_page(sql, tx, page, decode, |m| {
        (m.created_at.millis(), m.id.to_string())
    })
    .await
}

/// Rewrites a member this transaction holds locked.
pub async fn update(tx: &mut TenantTx, member: &Locked<Member>) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "UPDATE members SET name = $3, email = $4, role = $5, department_ids = $6, updated_at = $7, \
         display_name = $8, away = $9 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(ws)
    .bind(member.id.as_str())
    .bind(&member.name)
    .bind(&member.email)
    .bind(member.role.as_str())
    .bind(serde_json::to_string(&member.department_ids).unwrap_or_else(|_| "[]".into()))
    .bind(member.updated_at.millis())
    .bind(member.display_name.clone())
    .bind(i64::from(member.away))
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Removes a member from the team and revokes every token they hold. The row stays
/// (marked deleted) so history that names them still resolves.
pub async fn delete(tx: &mut TenantTx, id: &MemberId, now: Timestamp) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query("UPDATE members SET deleted_at = $3 WHERE workspace_id = $1 AND id = $2")
        .bind(ws.clone())
        .bind(id.as_str())
        .bind(now.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    sqlx::query(
        "UPDATE member_tokens SET revoked_at = $3 WHERE workspace_id = $1 AND member_id = $2 AND revoked_at IS NULL",
    )
    .bind(ws)
    .bind(id.as_str())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// The workspace's longest-standing owner still on the team.
pub async fn first_owner(tx: &mut TenantTx) -> Result<Option<Member>> {
    let (ws, _) = tx.scope();
    let sql = format!(
        "SELECT {COLUMNS} FROM members WHERE workspace_id = $1 AND role = 'owner' AND deleted_at IS NULL \
         ORDER BY created_at, id LIMIT 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    row.as_ref().map(decode).transpose()
}

/// Owners still on the team (the last one cannot be removed or demoted), with their
/// rows locked until the transaction ends: two owners demoting each other at once
/// would otherwise each count two and leave none.
pub async fn count_owners(tx: &mut TenantTx) -> Result<i64> {
    let (ws, _) = tx.scope();
    let sql = format!(
        "SELECT id FROM members WHERE workspace_id = $1 AND role = 'owner' AND deleted_at IS NULL ORDER BY id{}",
        lock_clause(tx)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .fetch_all(tx.conn())
        .await
        .classified()?;
    Ok(rows.len() as i64)
}

pub async fn insert_token(tx: &mut TenantTx, token: &MemberToken, token_hash: &str) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "INSERT INTO member_tokens (id, workspace_id, member_id, token_hash, last4, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.id.as_str())
    .bind(ws)
    .bind(token.member_id.as_str())
    .bind(token_hash)
    .bind(&token.last4)
    .bind(token.created_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

pub async fn list_tokens(tx: &mut TenantTx, member: &MemberId) -> Result<Vec<MemberToken>> {
    let (ws, _) = tx.scope();
    let rows = sqlx::query(
        "SELECT id, member_id, last4, created_at FROM member_tokens \
         WHERE workspace_id = $1 AND member_id = $2 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
    )
    .bind(ws)
    .bind(member.as_str())
    .fetch_all(tx.conn())
    .await
    .classified()?;
    rows.iter()
        .map(|row| {
            Ok(MemberToken {
                id: TokenId::from_trusted(row.try_get("id").classified()?),
                object: ObjectName::new(),
                member_id: MemberId::from_trusted(row.try_get("member_id").classified()?),
                token: None,
                last4: row.try_get("last4").classified()?,
                created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
            })
        })
        .collect()
}

/// Revokes one token; false when no live token had that id.
pub async fn revoke_token(
    tx: &mut TenantTx,
    member: &MemberId,
    token: &TokenId,
    now: Timestamp,
) -> Result<bool> {
    let (ws, _) = tx.scope();
    let done = sqlx::query(
        "UPDATE member_tokens SET revoked_at = $4 WHERE workspace_id = $1 AND member_id = $2 AND id = $3 AND revoked_at IS NULL",
    )
    .bind(ws)
    .bind(member.as_str())
    .bind(token.as_str())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(done.rows_affected() == 1)
}

/// Every current member of the workspace, by id (routing scans these; a team is small).
pub async fn all(tx: &mut TenantTx) -> Result<Vec<Member>> {
    let (ws, _) = tx.scope();
    let sql = format!(
        "SELECT {COLUMNS} FROM members WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter().map(decode).collect()
}
