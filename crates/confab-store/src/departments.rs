//! Departments: workspace-wide (like the members who belong to them), not per mode.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result};
use crate::sql::{Arg, Sql, fetch_page, for_update};
use crate::{Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::id::{DepartmentId, MemberId};
use confab_core::object::ObjectName;
use confab_core::page::{Page, PageRequest};
use confab_core::ticket::Department;

const SELECT: &str =
    "SELECT id, name, description, last_assignee_id, created_at, updated_at FROM departments";

fn decode(row: &AnyRow) -> Result<Department> {
    Ok(Department {
        id: DepartmentId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        name: row.try_get("name").classified()?,
        description: row.try_get("description").classified()?,
        last_assignee_id: row
            .try_get::<Option<String>, _>("last_assignee_id")
            .classified()?
            .map(MemberId::from_trusted),
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
    })
}

pub async fn insert(tx: &mut TenantTx, d: &Department) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "INSERT INTO departments (id, workspace_id, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(d.id.as_str())
    .bind(ws)
    .bind(&d.name)
    .bind(d.description.clone())
    .bind(d.created_at.millis())
    .bind(d.updated_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Rewrites a department this transaction holds locked (also round robin's place).
pub async fn update(tx: &mut TenantTx, d: &Locked<Department>) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "UPDATE departments SET name = $3, description = $4, last_assignee_id = $5, updated_at = $6 \
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(d.id.as_str())
    .bind(&d.name)
    .bind(d.description.clone())
    .bind(d.last_assignee_id.as_ref().map(|m| m.to_string()))
    .bind(d.updated_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

pub async fn delete(tx: &mut TenantTx, id: &DepartmentId) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query("DELETE FROM departments WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id.as_str())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}

async fn fetch(tx: &mut TenantTx, id: &DepartmentId, lock: &str) -> Result<Option<Department>> {
    let (ws, _) = tx.scope();
    let sql = format!("{SELECT} WHERE workspace_id = $1 AND id = $2{lock}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(id.as_str())
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    row.as_ref().map(decode).transpose()
}

pub async fn get(tx: &mut TenantTx, id: &DepartmentId) -> Result<Option<Department>> {
    fetch(tx, id, "").await
}

/// [`get`] under a row lock: routing a ticket takes it, so turns are handed out one at
/// a time.
pub async fn get_for_update(
    tx: &mut TenantTx,
    id: &DepartmentId,
) -> Result<Option<Locked<Department>>> {
    let lock = for_update(tx.backend(), "");
    Ok(fetch(tx, id, &lock).await?.map(Locked::new))
}

pub async fn list(tx: &mut TenantTx, page: &PageRequest) -> Result<Page<Department>> {
    let (ws, _) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE workspace_id = "));
    sql.bind(Arg::Text(ws));
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |d| {
        (d.created_at.millis(), d.id.to_string())
    })
    .await
}

/// Which of `ids` name departments of the workspace.
pub async fn existing(tx: &mut TenantTx, ids: &[String]) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for id in ids {
        if let Some(d) = DepartmentId::parse(id)
            && get(tx, &d).await?.is_some()
        {
            found.push(id.clone());
        }
    }
    Ok(found)
}
