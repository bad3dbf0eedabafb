//! Knowledge-base entries, and the revision counter that tells each node's in-memory
//! index whether it is stale.

use confab_core::object::ObjectName;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Columns, Sql, fetch_by_id, fetch_page, lock_by_id};
use crate::{Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::id::KnowledgeId;
use confab_core::knowledge::KnowledgeEntry;
use confab_core::page::{Page, PageRequest};

const SELECT: &str = "SELECT id, livemode, title, body, questions, intent, lang, tags, enabled, created_at, updated_at \
    FROM knowledge_entries";

fn list_of(raw: String) -> Result<Vec<String>> {
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode(row: &AnyRow) -> Result<KnowledgeEntry> {
    Ok(KnowledgeEntry {
        id: KnowledgeId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        title: row.try_get("title").classified()?,
        body: row.try_get("body").classified()?,
        questions: list_of(row.try_get("questions").classified()?)?,
        intent: row.try_get("intent").classified()?,
        lang: row.try_get("lang").classified()?,
        tags: list_of(row.try_get("tags").classified()?)?,
        enabled: row.try_get::<i64, _>("enabled").classified()? != 0,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
    })
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

pub async fn insert(tx: &mut TenantTx, e: &KnowledgeEntry) -> Result<()> {
    insert_all(tx, std::slice::from_ref(e)).await
}

/// Inserts many entries (an import) and moves the revision once.
pub async fn insert_all(tx: &mut TenantTx, entries: &[KnowledgeEntry]) -> Result<()> {
    for e in entries {
        insert_row(tx, e).await?;
    }
    bump_revision(tx).await
}

/// The written columns: an entry's id and creation are fixed, the rest moves.
const COLUMNS: Columns<KnowledgeEntry> = Columns {
    table: "knowledge_entries",
    fixed: &[
        ("id", |e| Arg::Text(e.id.to_string())),
        ("created_at", |e| Arg::Int(e.created_at.millis())),
    ],
    mutable: &[
        ("title", |e| Arg::Text(e.title.clone())),
        ("body", |e| Arg::Text(e.body.clone())),
        ("questions", |e| Arg::Text(json_list(&e.questions))),
        ("intent", |e| Arg::OptText(e.intent.clone())),
        ("lang", |e| Arg::OptText(e.lang.clone())),
        ("tags", |e| Arg::Text(json_list(&e.tags))),
        ("enabled", |e| Arg::Int(e.enabled as i64)),
        ("updated_at", |e| Arg::Int(e.updated_at.millis())),
    ],
};

async fn insert_row(tx: &mut TenantTx, e: &KnowledgeEntry) -> Result<()> {
    COLUMNS.insert(tx, e).await
}

pub async fn update(tx: &mut TenantTx, e: &Locked<KnowledgeEntry>) -> Result<()> {
    COLUMNS.update(tx, e.id.as_str(), e).await?;
    bump_revision(tx).await
}

pub async fn delete(tx: &mut TenantTx, id: &KnowledgeId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "DELETE FROM knowledge_entries WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(id.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    bump_revision(tx).await
}

pub async fn get(tx: &mut TenantTx, id: &KnowledgeId) -> Result<Option<KnowledgeEntry>> {
    fetch_by_id(tx, SELECT, "", id, decode).await
}

/// [`get`] under a row lock, for a read that the transaction will write back.
pub async fn get_for_update(
    tx: &mut TenantTx,
    id: &KnowledgeId,
) -> Result<Option<Locked<KnowledgeEntry>>> {
    lock_by_id(tx, SELECT, "", id, decode).await
}

/// List filters; every one is optional.
#[derive(Clone, Debug, Default)]
pub struct KnowledgeFilter {
    pub lang: Option<String>,
    pub intent: Option<String>,
    pub enabled: Option<bool>,
}

pub async fn list(
    tx: &mut TenantTx,
    filter: &KnowledgeFilter,
    page: &PageRequest,
) -> Result<Page<KnowledgeEntry>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live));
    if let Some(lang) = &filter.lang {
        sql.push(" AND lang = ").bind(Arg::Text(lang.clone()));
    }
    if let Some(intent) = &filter.intent {
        sql.push(" AND intent = ").bind(Arg::Text(intent.clone()));
    }
    if let Some(enabled) = filter.enabled {
        sql.push(" AND enabled = ").bind(Arg::Int(enabled as i64));
    }
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |e| {
        (e.created_at.millis(), e.id.to_string())
    })
    .await
}

/// Every enabled entry of the transaction's workspace and mode (for the index).
pub async fn all_enabled(tx: &mut TenantTx) -> Result<Vec<KnowledgeEntry>> {
    let (ws, live) = tx.scope();
    let sql =
        format!("{SELECT} WHERE workspace_id = $1 AND livemode = $2 AND enabled = 1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter().map(decode).collect()
}

/// The workspace and mode's knowledge revision (0 before the first change).
pub async fn revision(tx: &mut TenantTx) -> Result<i64> {
    let (ws, live) = tx.scope();
    let row = sqlx::query(
        "SELECT revision FROM knowledge_revisions WHERE workspace_id = $1 AND livemode = $2",
    )
    .bind(ws)
    .bind(live)
    .fetch_optional(tx.conn())
    .await
    .classified()?;
    match row {
        Some(row) => row.try_get::<i64, _>("revision").classified(),
        None => Ok(0),
    }
}

async fn bump_revision(tx: &mut TenantTx) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO knowledge_revisions (workspace_id, livemode, revision) VALUES ($1, $2, 1) \
         ON CONFLICT (workspace_id, livemode) DO UPDATE SET revision = knowledge_revisions.revision + 1",
    )
    .bind(ws)
    .bind(live)
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}
