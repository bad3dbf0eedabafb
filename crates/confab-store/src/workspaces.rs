//! Workspaces: the tenants.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::{Backend, SystemTx, TenantTx};
use confab_core::hours::{self, RawWeek, Tz, WeeklyHours};
use confab_core::id::WorkspaceId;
use confab_core::{FieldErrors, Timestamp};

#[derive(Clone, Debug)]
pub struct WorkspaceRow {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: String,
    pub identity_secret: String,
    /// IANA name; the working hours are in it.
    pub timezone: Tz,
    /// `None`: no working hours set.
    pub working_hours: Option<WeeklyHours>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, name, plan, identity_secret, timezone, working_hours, created_at";

fn decode(row: &AnyRow) -> Result<WorkspaceRow> {
    let zone: String = row.try_get("timezone").classified()?;
    let hours: Option<String> = row.try_get("working_hours").classified()?;
    let working_hours = hours
        .map(|text| {
            let raw: RawWeek =
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            WeeklyHours::parse(&raw, "working_hours", &mut FieldErrors::new())
                .ok_or_else(|| StoreError::Corrupt(format!("working hours {text}")))
        })
        .transpose()?;
    Ok(WorkspaceRow {
        id: WorkspaceId::from_trusted(row.try_get("id").classified()?),
        name: row.try_get("name").classified()?,
        plan: row.try_get("plan").classified()?,
        identity_secret: row.try_get("identity_secret").classified()?,
        timezone: hours::timezone(&zone)
            .map_err(|_| StoreError::Corrupt(format!("timezone {zone}")))?,
        working_hours,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
    })
}

pub async fn insert(tx: &mut SystemTx, row: &WorkspaceRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO workspaces (id, name, plan, identity_secret, timezone, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.id.as_str())
    .bind(&row.name)
    .bind(&row.plan)
    .bind(&row.identity_secret)
    .bind(row.timezone.name())
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
    fetch(tx, "").await
}

/// The transaction's own workspace under a row lock, for a change written back with
/// [`update`].
pub async fn current_for_update(tx: &mut TenantTx) -> Result<WorkspaceRow> {
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    fetch(tx, lock).await
}

async fn fetch(tx: &mut TenantTx, lock: &str) -> Result<WorkspaceRow> {
    let id = tx.workspace().as_str().to_owned();
    let sql = format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1{lock}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(tx.conn())
        .await
        .classified()?;
    decode(&row)
}

/// Writes back the workspace's name, timezone and working hours.
pub async fn update(tx: &mut TenantTx, row: &WorkspaceRow) -> Result<()> {
    let id = tx.workspace().as_str().to_owned();
    let hours = row
        .working_hours
        .as_ref()
        .map(|w| serde_json::to_string(&w.to_raw()).unwrap_or_else(|_| "{}".into()));
    sqlx::query("UPDATE workspaces SET name = $2, timezone = $3, working_hours = $4 WHERE id = $1")
        .bind(id)
        .bind(&row.name)
        .bind(row.timezone.name())
        .bind(hours)
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}
