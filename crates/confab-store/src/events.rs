//! The event log, written in the same transaction as the change it records
//! (transactional outbox). Webhooks and live streams read from here.

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::TenantTx;
use crate::error::{Classify, Result, StoreError};
use crate::members::cursor_bounds;
use crate::sql::{Arg, Sql};
use confab_core::Timestamp;
use confab_core::event::{Event, EventType};
use confab_core::id::{ContactId, EventId};
use confab_core::page::{Cursor, Page, PageRequest};

const COLUMNS: &str = "id, type, livemode, data, created_at";

fn decode(row: &AnyRow) -> Result<Event> {
    let data: String = row.try_get("data").classified()?;
    Ok(Event {
        id: EventId::from_trusted(row.try_get("id").classified()?),
        object: "event",
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
    now: Timestamp,
) -> Result<Event> {
    let (ws, live) = tx.scope();
    let event = Event {
        id: EventId::generate(),
        object: "event",
        event_type: event_type.as_str().to_owned(),
        created_at: now,
        livemode: live != 0,
        data,
    };
    sqlx::query(
        "INSERT INTO events (id, workspace_id, livemode, type, contact_id, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(event.id.as_str())
    .bind(ws)
    .bind(live)
    .bind(event.event_type.clone())
    .bind(contact.map(|c| c.to_string()))
    .bind(event.data.to_string())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(event)
}

pub async fn get(tx: &mut TenantTx, id: &str) -> Result<Option<Event>> {
    let (ws, live) = tx.scope();
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE workspace_id = $1 AND livemode = $2 AND id = $3"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .bind(id)
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    row.as_ref().map(decode).transpose()
}

/// Newest first, optionally of one type.
pub async fn list(
    tx: &mut TenantTx,
    event_type: Option<&str>,
    page: &PageRequest,
) -> Result<Page<Event>> {
    let (ws, live) = tx.scope();
    let (after_ts, after_id) = cursor_bounds(page.after.as_ref());
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM events WHERE workspace_id = "
    ));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live));
    if let Some(t) = event_type {
        sql.push(" AND type = ").bind(Arg::Text(t.to_owned()));
    }
    sql.push(" AND (created_at < ")
        .bind(Arg::Int(after_ts))
        .push(" OR (created_at = ")
        .bind(Arg::Int(after_ts))
        .push(" AND id < ")
        .bind(Arg::Text(after_id))
        .push(")) ORDER BY created_at DESC, id DESC LIMIT ")
        .bind(Arg::Int(page.limit + 1));
    let rows = sql.build().fetch_all(tx.conn()).await.classified()?;
    let events = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(events, page.limit, |e| Cursor {
        created_at: e.created_at.millis(),
        id: e.id.to_string(),
    }))
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
