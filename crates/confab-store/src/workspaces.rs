//! Workspaces: the tenants.

use sqlx::Row;

use crate::error::{Classify, Result};
use crate::{SystemTx, TenantTx};
use confab_core::Timestamp;
use confab_core::id::WorkspaceId;

#[derive(Clone, Debug)]
pub struct WorkspaceRow {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: String,
    pub identity_secret: String,
    pub created_at: Timestamp,
}

pub async fn insert(tx: &mut SystemTx, row: &WorkspaceRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO workspaces (id, name, plan, identity_secret, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(row.id.as_str())
    .bind(&row.name)
    .bind(&row.plan)
    .bind(&row.identity_secret)
    .bind(row.created_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// How many workspaces exist (first-start bootstrap runs only on an empty database).
pub async fn count(tx: &mut SystemTx) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM workspaces")
        .fetch_one(tx.conn())
        .await
        .classified()?;
    row.try_get::<i64, _>("n").classified()
}

/// Every workspace's id, oldest first.
pub async fn ids(tx: &mut SystemTx) -> Result<Vec<WorkspaceId>> {
    let rows = sqlx::query("SELECT id FROM workspaces ORDER BY created_at, id")
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter()
        .map(|row| Ok(WorkspaceId::from_trusted(row.try_get("id").classified()?)))
        .collect()
}

/// The transaction's own workspace.
pub async fn current(tx: &mut TenantTx) -> Result<WorkspaceRow> {
    let id = tx.workspace().as_str().to_owned();
    let row = sqlx::query(
        "SELECT id, name, plan, identity_secret, created_at FROM workspaces WHERE id = $1",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await
    .classified()?;
    Ok(WorkspaceRow {
        id: WorkspaceId::from_trusted(row.try_get("id").classified()?),
        name: row.try_get("name").classified()?,
        plan: row.try_get("plan").classified()?,
        identity_secret: row.try_get("identity_secret").classified()?,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
    })
}
