//! Bookings of resources.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Columns, Sql, fetch_by_id, fetch_page, lock_by_id, ts};
use crate::{Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::booking::{Booking, BookingStatus};
use confab_core::id::{BookingId, ContactId, ResourceId};
use confab_core::page::{Page, PageRequest};

const SELECT: &str = "SELECT id, livemode, resource_id, contact_id, start_at, end_at, notes, status, \
    cancelled_at, created_at, updated_at FROM bookings";

fn instant(row: &AnyRow, col: &str) -> Result<DateTime<Utc>> {
    Ok(Timestamp::from_millis(row.try_get(col).classified()?).to_datetime())
}

fn decode(row: &AnyRow) -> Result<Booking> {
    let status: String = row.try_get("status").classified()?;
    Ok(Booking {
        id: BookingId::from_trusted(row.try_get("id").classified()?),
        resource_id: ResourceId::from_trusted(row.try_get("resource_id").classified()?),
        contact_id: ContactId::from_trusted(row.try_get("contact_id").classified()?),
        start: instant(row, "start_at")?,
        end: instant(row, "end_at")?,
        notes: row.try_get("notes").classified()?,
        status: BookingStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("booking status {status}")))?,
        cancelled_at: ts(row, "cancelled_at")?,
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
    })
}

const COLUMNS: Columns<Booking> = Columns {
    table: "bookings",
    fixed: &[
        ("id", |b| Arg::Text(b.id.to_string())),
        ("resource_id", |b| Arg::Text(b.resource_id.to_string())),
        ("created_at", |b| Arg::Int(b.created_at.millis())),
    ],
    mutable: &[
        ("contact_id", |b| Arg::Text(b.contact_id.to_string())),
        ("start_at", |b| Arg::Int(b.start.timestamp_millis())),
        ("end_at", |b| Arg::Int(b.end.timestamp_millis())),
        ("notes", |b| Arg::OptText(b.notes.clone())),
        ("status", |b| Arg::Text(b.status.as_str().to_owned())),
        ("cancelled_at", |b| {
            Arg::OptInt(b.cancelled_at.map(Timestamp::millis))
        }),
        ("updated_at", |b| Arg::Int(b.updated_at.millis())),
    ],
};

pub async fn insert(tx: &mut TenantTx, b: &Booking) -> Result<()> {
    COLUMNS.insert(tx, b).await
}

/// Rewrites a booking this transaction holds locked.
pub async fn update(tx: &mut TenantTx, b: &Locked<Booking>) -> Result<()> {
    COLUMNS.update(tx, b.id.as_str(), b).await?;
    Ok(())
}

pub async fn delete(tx: &mut TenantTx, id: &BookingId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query("DELETE FROM bookings WHERE workspace_id = $1 AND livemode = $2 AND id = $3")
        .bind(ws)
        .bind(live)
        .bind(id.as_str())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &BookingId) -> Result<Option<Booking>> {
    fetch_by_id(tx, SELECT, "", id, decode).await
}

pub async fn get_for_update(tx: &mut TenantTx, id: &BookingId) -> Result<Option<Locked<Booking>>> {
    lock_by_id(tx, SELECT, "", id, decode).await
}

/// The confirmed bookings of a resource that overlap `[from, to)`, but `except` (a
/// booking being moved), oldest start first.
pub async fn confirmed_between(
    tx: &mut TenantTx,
    resource: &ResourceId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&BookingId>,
) -> Result<Vec<Booking>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live))
        .push(" AND resource_id = ")
        .bind(Arg::Text(resource.to_string()))
        .push(" AND status = 'confirmed' AND start_at < ")
        .bind(Arg::Int(to.timestamp_millis()))
        .push(" AND end_at > ")
        .bind(Arg::Int(from.timestamp_millis()))
        .push(" AND id <> ")
        .bind(Arg::Text(except.map(|b| b.to_string()).unwrap_or_default()))
        .push(" ORDER BY start_at, id");
    let rows = sql.build().fetch_all(tx.conn()).await.classified()?;
    rows.iter().map(decode).collect()
}

/// What a list of bookings is narrowed to.
#[derive(Debug, Default)]
pub struct BookingFilter {
    pub resource_id: Option<ResourceId>,
    pub contact_id: Option<ContactId>,
    pub status: Option<BookingStatus>,
}

pub async fn list(
    tx: &mut TenantTx,
    filter: &BookingFilter,
    page: &PageRequest,
) -> Result<Page<Booking>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live));
    if let Some(r) = &filter.resource_id {
        sql.push(" AND resource_id = ")
            .bind(Arg::Text(r.to_string()));
    }
    if let Some(c) = &filter.contact_id {
        sql.push(" AND contact_id = ")
            .bind(Arg::Text(c.to_string()));
    }
    if let Some(s) = filter.status {
        sql.push(" AND status = ")
            .bind(Arg::Text(s.as_str().to_owned()));
    }
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |b| {
        (b.created_at.millis(), b.id.to_string())
    })
    .await
}

/// Whether a resource has confirmed bookings ending after `now` (it cannot be deleted
/// while it has).
pub async fn any_upcoming(
    tx: &mut TenantTx,
    resource: &ResourceId,
    now: Timestamp,
) -> Result<bool> {
    let (ws, live) = tx.scope();
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM bookings WHERE workspace_id = $1 AND livemode = $2 \
         AND resource_id = $3 AND status = 'confirmed' AND end_at > $4",
    )
    .bind(ws)
    .bind(live)
    .bind(resource.as_str())
    .bind(now.millis())
    .fetch_one(tx.conn())
    .await
    .classified()?;
    Ok(row.try_get::<i64, _>("n").classified()? > 0)
}

/// Deletes a resource's past and cancelled bookings (before the resource goes).
pub async fn delete_of_resource(tx: &mut TenantTx, resource: &ResourceId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "DELETE FROM bookings WHERE workspace_id = $1 AND livemode = $2 AND resource_id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(resource.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Erasure: a contact's bookings go (who comes when, and their notes, are about them).
pub async fn delete_for_contact(tx: &mut TenantTx, contact: &ContactId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "DELETE FROM bookings WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(contact.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}
