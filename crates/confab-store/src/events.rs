//! The event log, written in the same transaction as the change it records
//! (transactional outbox). Webhooks and live streams read from here.

use confab_core::object::ObjectName;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Sql, fetch_by_id, fetch_page};
use crate::{SystemTx, TenantTx};
use confab_core::Timestamp;
use confab_core::event::{Event, EventType};
use confab_core::id::{ContactId, ConversationId, EventId, WorkspaceId};
use confab_core::page::{Page, PageRequest};

const COLUMNS: &str = "id, type, livemode, data, created_at";

fn decode(row: &AnyRow) -> Result<Event> {
    let data: String = row.try_get("data").classified()?;
    Ok(Event {
        id: EventId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        event_type: row.try_get("type").classified()?,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        data: serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

/// Appends an event in the transaction's workspace and mode. `contact` names the person
/// the event is about, so erasure can find it.
pub async fn append(
    tx: &mut TenantTx,
    event_type: EventType,
    data: Value,
    contact: Option<&ContactId>,
    conversation: Option<&ConversationId>,
    now: Timestamp,
) -> Result<Event> {
    let (ws, live) = tx.scope();
    let event = Event {
        id: EventId::generate(),
        object: ObjectName::new(),
        event_type: event_type.as_str().to_owned(),
        created_at: now,
        livemode: live != 0,
        data,
    };
    sqlx::query(
        "INSERT INTO events (id, workspace_id, livemode, type, contact_id, conversation_id, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(event.id.as_str())
    .bind(ws)
    .bind(live)
    .bind(event.event_type.clone())
    .bind(contact.map(|c| c.to_string()))
    .bind(conversation.map(|c| c.to_string()))
    .bind(event.data.to_string())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(event)
}

pub async fn get(tx: &mut TenantTx, id: &EventId) -> Result<Option<Event>> {
    let select = format!("SELECT {COLUMNS} FROM events");
    fetch_by_id(tx, &select, "", id, decode).await
}

/// Newest first, optionally of one type.
pub async fn list(
    tx: &mut TenantTx,
    event_type: Option<&str>,
    page: &PageRequest,
) -> Result<Page<Event>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM events WHERE workspace_id = "
    ));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live));
    if let Some(t) = event_type {
        sql.push(" AND type = ").bind(Arg::Text(t.to_owned()));
    }
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |e| {
        (e.created_at.millis(), e.id.to_string())
    })
    .await
}

/// Erasure: replaces the payload of every event about `contact` with `redacted`, so the
/// log keeps its shape (ids, types, times) but no personal data.
pub async fn redact_contact(
    tx: &mut TenantTx,
    contact: &ContactId,
    redacted: &Value,
) -> Result<u64> {
    let (ws, live) = tx.scope();
    let done = sqlx::query(
        "UPDATE events SET data = $4 WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(contact.as_str())
    .bind(redacted.to_string())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(done.rows_affected())
}

/// Replaces one event's payload (erasure of what it carried).
pub async fn redact(tx: &mut TenantTx, id: &EventId, redacted: &Value) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE events SET data = $4 WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(id.to_string())
    .bind(redacted.to_string())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Every event about one contact, oldest first (data-protection export).
pub async fn list_for_contact(tx: &mut TenantTx, contact: &ContactId) -> Result<Vec<Event>> {
    let (ws, live) = tx.scope();
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3 ORDER BY created_at, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .bind(contact.as_str())
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter().map(decode).collect()
}

/// An event with its position in the global log, for live streams.
#[derive(Clone, Debug)]
pub struct Sequenced {
    pub seq: i64,
    pub workspace_id: WorkspaceId,
    pub conversation_id: Option<ConversationId>,
    pub event: Event,
}

const SEQ_COLUMNS: &str =
    "seq, workspace_id, conversation_id, id, type, livemode, data, created_at";

fn decode_sequenced(row: &AnyRow) -> Result<Sequenced> {
    Ok(Sequenced {
        seq: row.try_get("seq").classified()?,
        workspace_id: WorkspaceId::from_trusted(row.try_get("workspace_id").classified()?),
        conversation_id: row
            .try_get::<Option<String>, _>("conversation_id")
            .classified()?
            .map(ConversationId::from_trusted),
        event: decode(row)?,
    })
}

/// The newest position in the log (0 when empty).
pub async fn max_seq(tx: &mut SystemTx) -> Result<i64> {
    sqlx::query("SELECT coalesce(MAX(seq), 0) AS n FROM events")
        .fetch_one(tx.conn())
        .await
        .classified()?
        .try_get::<i64, _>("n")
        .classified()
}

/// Events of every tenant after `seq`, in log order (the one shared reader).
pub async fn after_seq(tx: &mut SystemTx, seq: i64, limit: i64) -> Result<Vec<Sequenced>> {
    let sql = format!("SELECT {SEQ_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(seq)
        .bind(limit)
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter().map(decode_sequenced).collect()
}

/// This tenant's events after `seq`, in log order (a stream's catch-up on resume).
pub async fn tenant_after_seq(tx: &mut TenantTx, seq: i64, limit: i64) -> Result<Vec<Sequenced>> {
    scoped_after_seq(tx, None, seq, limit).await
}

/// One conversation's events after `seq`, in log order (a widget stream's catch-up).
pub async fn conversation_after_seq(
    tx: &mut TenantTx,
    conversation: &ConversationId,
    seq: i64,
    limit: i64,
) -> Result<Vec<Sequenced>> {
    scoped_after_seq(tx, Some(conversation), seq, limit).await
}

async fn scoped_after_seq(
    tx: &mut TenantTx,
    conversation: Option<&ConversationId>,
    seq: i64,
    limit: i64,
) -> Result<Vec<Sequenced>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {SEQ_COLUMNS} FROM events WHERE workspace_id = "
    ));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live))
        .push(" AND seq > ")
        .bind(Arg::Int(seq));
    if let Some(c) = conversation {
        sql.push(" AND conversation_id = ")
            .bind(Arg::Text(c.to_string()));
    }
    sql.push(" ORDER BY seq LIMIT ").bind(Arg::Int(limit));
    let rows = sql.build().fetch_all(tx.conn()).await.classified()?;
    rows.iter().map(decode_sequenced).collect()
}

/// The log position of one of this tenant's events.
pub async fn seq_of(tx: &mut TenantTx, id: &EventId) -> Result<Option<i64>> {
    let (ws, live) = tx.scope();
    let row =
        sqlx::query("SELECT seq FROM events WHERE workspace_id = $1 AND livemode = $2 AND id = $3")
            .bind(ws)
            .bind(live)
            .bind(id.to_string())
            .fetch_optional(tx.conn())
            .await
            .classified()?;
    row.map(|r| r.try_get::<i64, _>("seq").classified())
        .transpose()
}

/// Retention: drops events older than `before`, across tenants.
pub async fn purge_before(tx: &mut SystemTx, before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM events WHERE created_at < $1")
        .bind(before.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(done.rows_affected())
}
