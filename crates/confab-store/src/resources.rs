//! Bookable resources.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Columns, Sql, fetch_by_id, fetch_page, lock_by_id};
use crate::{Locked, TenantTx};
use confab_core::booking::BookableResource;
use confab_core::hours::{self, RawWeek, WeeklyHours};
use confab_core::id::ResourceId;
use confab_core::page::{Page, PageRequest};
use confab_core::{FieldErrors, Timestamp};

const SELECT: &str = "SELECT id, livemode, name, timezone, working_hours, slot_minutes, closed_dates, \
    min_notice_minutes, horizon_days, created_at, updated_at FROM resources";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn decode(row: &AnyRow) -> Result<BookableResource> {
    let zone: String = row.try_get("timezone").classified()?;
    let week: String = row.try_get("working_hours").classified()?;
    let raw: RawWeek = serde_json::from_str(&week).map_err(corrupt)?;
    let dates: String = row.try_get("closed_dates").classified()?;
    let dates: Vec<String> = serde_json::from_str(&dates).map_err(corrupt)?;
    let int = |col: &str| -> Result<u32> {
        let v: i64 = row.try_get(col).classified()?;
        u32::try_from(v).map_err(corrupt)
    };
    Ok(BookableResource {
        id: ResourceId::from_trusted(row.try_get("id").classified()?),
        name: row.try_get("name").classified()?,
        timezone: hours::timezone(&zone).map_err(corrupt)?,
        working_hours: WeeklyHours::parse(&raw, "working_hours", &mut FieldErrors::new())
            .ok_or_else(|| corrupt(format!("working hours {week}")))?,
        slot_minutes: int("slot_minutes")?,
        closed_dates: dates
            .iter()
            .map(|d| d.parse().map_err(corrupt))
            .collect::<Result<_>>()?,
        min_notice_minutes: int("min_notice_minutes")?,
        horizon_days: int("horizon_days")?,
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
    })
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

const COLUMNS: Columns<BookableResource> = Columns {
    table: "resources",
    fixed: &[
        ("id", |r| Arg::Text(r.id.to_string())),
        ("created_at", |r| Arg::Int(r.created_at.millis())),
    ],
    mutable: &[
        ("name", |r| Arg::Text(r.name.clone())),
        ("timezone", |r| Arg::Text(r.timezone.name().to_owned())),
        ("working_hours", |r| {
            Arg::Text(json(&r.working_hours.to_raw()))
        }),
        ("slot_minutes", |r| Arg::Int(i64::from(r.slot_minutes))),
        ("closed_dates", |r| {
            let dates: Vec<String> = r.closed_dates.iter().map(|d| d.to_string()).collect();
            Arg::Text(json(&dates))
        }),
        ("min_notice_minutes", |r| {
            Arg::Int(i64::from(r.min_notice_minutes))
        }),
        ("horizon_days", |r| Arg::Int(i64::from(r.horizon_days))),
        ("updated_at", |r| Arg::Int(r.updated_at.millis())),
    ],
};

pub async fn insert(tx: &mut TenantTx, r: &BookableResource) -> Result<()> {
    COLUMNS.insert(tx, r).await
}

/// Rewrites a resource this transaction holds locked.
pub async fn update(tx: &mut TenantTx, r: &Locked<BookableResource>) -> Result<()> {
    COLUMNS.update(tx, r.id.as_str(), r).await?;
    Ok(())
}

pub async fn delete(tx: &mut TenantTx, id: &ResourceId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query("DELETE FROM resources WHERE workspace_id = $1 AND livemode = $2 AND id = $3")
        .bind(ws)
        .bind(live)
        .bind(id.as_str())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &ResourceId) -> Result<Option<BookableResource>> {
    fetch_by_id(tx, SELECT, "", id, decode).await
}

/// [`get`] under a row lock. Booking takes it too: bookings of one resource are made
/// one at a time, so two can never both find a slot free.
pub async fn get_for_update(
    tx: &mut TenantTx,
    id: &ResourceId,
) -> Result<Option<Locked<BookableResource>>> {
    lock_by_id(tx, SELECT, "", id, decode).await
}

pub async fn list(tx: &mut TenantTx, page: &PageRequest) -> Result<Page<BookableResource>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live));
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |r| {
        (r.created_at.millis(), r.id.to_string())
    })
    .await
}
