//! AI agents.

use confab_core::object::ObjectName;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Columns, Sql, fetch_by_id, fetch_page, lock_by_id};
use crate::{Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::agent::Agent;
use confab_core::id::AgentId;
use confab_core::page::{Page, PageRequest};

const SELECT: &str = "SELECT id, livemode, name, persona, instructions, greeting, provider, knowledge_tags, languages, \
    handoff, channels, is_default, created_at, updated_at FROM agents";

fn parse<T: serde::de::DeserializeOwned>(raw: String) -> Result<T> {
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn decode(row: &AnyRow) -> Result<Agent> {
    Ok(Agent {
        id: AgentId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        name: row.try_get("name").classified()?,
        persona: row.try_get("persona").classified()?,
        instructions: row.try_get("instructions").classified()?,
        greeting: row.try_get("greeting").classified()?,
        provider: parse(row.try_get("provider").classified()?)?,
        knowledge_tags: parse(row.try_get("knowledge_tags").classified()?)?,
        languages: parse(row.try_get("languages").classified()?)?,
        handoff: parse(row.try_get("handoff").classified()?)?,
        channels: parse(row.try_get("channels").classified()?)?,
        is_default: row.try_get::<i64, _>("is_default").classified()? != 0,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
    })
}

/// The written columns: an agent's id and creation are fixed, the rest moves.
const COLUMNS: Columns<Agent> = Columns {
    table: "agents",
    fixed: &[
        ("id", |a| Arg::Text(a.id.to_string())),
        ("created_at", |a| Arg::Int(a.created_at.millis())),
    ],
    mutable: &[
        ("name", |a| Arg::Text(a.name.clone())),
        ("persona", |a| Arg::Text(a.persona.clone())),
        ("instructions", |a| Arg::Text(a.instructions.clone())),
        ("greeting", |a| Arg::OptText(a.greeting.clone())),
        ("provider", |a| Arg::Text(text(&a.provider))),
        ("knowledge_tags", |a| Arg::Text(text(&a.knowledge_tags))),
        ("languages", |a| Arg::Text(text(&a.languages))),
        ("handoff", |a| Arg::Text(text(&a.handoff))),
        ("channels", |a| Arg::Text(text(&a.channels))),
        ("is_default", |a| Arg::Int(a.is_default as i64)),
        ("updated_at", |a| Arg::Int(a.updated_at.millis())),
    ],
};

pub async fn insert(tx: &mut TenantTx, a: &Agent) -> Result<()> {
    COLUMNS.insert(tx, a).await
}

/// Rewrites an agent this transaction holds locked.
pub async fn update(tx: &mut TenantTx, a: &Locked<Agent>) -> Result<()> {
    COLUMNS.update(tx, a.id.as_str(), a).await?;
    Ok(())
}

/// Makes no agent the default (before another becomes it).
pub async fn clear_default(tx: &mut TenantTx) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query("UPDATE agents SET is_default = 0 WHERE workspace_id = $1 AND livemode = $2 AND is_default = 1")
        .bind(ws)
        .bind(live)
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}

pub async fn delete(tx: &mut TenantTx, id: &AgentId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query("DELETE FROM agents WHERE workspace_id = $1 AND livemode = $2 AND id = $3")
        .bind(ws)
        .bind(live)
        .bind(id.as_str())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &AgentId) -> Result<Option<Agent>> {
    fetch_by_id(tx, SELECT, "", id, decode).await
}

/// [`get`] under a row lock, for a read that the transaction will write back.
pub async fn get_for_update(tx: &mut TenantTx, id: &AgentId) -> Result<Option<Locked<Agent>>> {
    lock_by_id(tx, SELECT, "", id, decode).await
}

pub async fn list(tx: &mut TenantTx, page: &PageRequest) -> Result<Page<Agent>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live));
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |a| {
        (a.created_at.millis(), a.id.to_string())
    })
    .await
}

/// Every agent of the workspace and mode, oldest first (agent choice scans these; a
/// workspace has a handful).
pub async fn all(tx: &mut TenantTx) -> Result<Vec<Agent>> {
    let (ws, live) = tx.scope();
    let sql = format!("{SELECT} WHERE workspace_id = $1 AND livemode = $2 ORDER BY created_at, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter().map(decode).collect()
}
