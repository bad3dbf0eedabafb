//! What API keys spend: one counter row per key and budget period (`key_usage`) and a
//! ledger of every charge (`task_charges`).
//!
//! A charge moves the counter with one conditional `UPDATE … WHERE spent < cap`. On
//! PostgreSQL concurrent charges of one key queue on that row's lock and each re-reads
//! the committed total before deciding (READ COMMITTED re-evaluates the condition);
//! SQLite has one writer. So every admitted charge saw a total under the cap, and the
//! total can pass the cap by at most the price of the last admitted charge.

use sqlx::Row;

use crate::error::{Classify, Result};
use crate::{SystemTx, TenantTx};
use confab_core::Timestamp;
use confab_core::id::{ChargeId, TaskId};
use confab_core::money::Microcents;

/// One key's counter for one period.
#[derive(Clone, Copy, Debug)]
pub struct Period<'a> {
    pub key_id: &'a str,
    /// `daily`, `monthly` or `total`.
    pub period: &'a str,
    pub start: Timestamp,
}

/// A period's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub spent: Microcents,
    pub requests: i64,
    pub tasks: i64,
}

/// One line of the ledger.
#[derive(Clone, Debug)]
pub struct Charge {
    pub id: ChargeId,
    pub task_id: Option<TaskId>,
    /// `action` (a tool the agent ran) or `model` (a language-model call).
    pub kind: String,
    pub description: String,
    pub amount: Microcents,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
}

/// Creates the period's counter when it is the first use of the period.
async fn ensure(tx: &mut TenantTx, p: Period<'_>, now: Timestamp) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO key_usage (workspace_id, livemode, key_id, period, period_start, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key_id, period, period_start) DO NOTHING",
    )
    .bind(ws)
    .bind(live)
    .bind(p.key_id.to_owned())
    .bind(p.period.to_owned())
    .bind(p.start.millis())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// The period's totals (zero when nothing happened yet).
pub async fn usage(tx: &mut TenantTx, p: Period<'_>) -> Result<Usage> {
    let (ws, _) = tx.scope();
    let row = sqlx::query(
        "SELECT spent_microcents, requests, tasks FROM key_usage \
         WHERE workspace_id = $1 AND key_id = $2 AND period = $3 AND period_start = $4",
    )
    .bind(ws)
    .bind(p.key_id.to_owned())
    .bind(p.period.to_owned())
    .bind(p.start.millis())
    .fetch_optional(tx.conn())
    .await
    .classified()?;
    let Some(row) = row else {
        return Ok(Usage::default());
    };
    Ok(Usage {
        spent: Microcents(row.try_get("spent_microcents").classified()?),
        requests: row.try_get("requests").classified()?,
        tasks: row.try_get("tasks").classified()?,
    })
}

/// Counts an accepted task in the period.
pub async fn count_task(tx: &mut TenantTx, p: Period<'_>, now: Timestamp) -> Result<()> {
    ensure(tx, p, now).await?;
    move_period(tx, p, "tasks = tasks + $5", 1, now).await
}

/// `UPDATE key_usage SET {set}` on the period's row, with `$5` bound to `value`.
async fn move_period(
    tx: &mut TenantTx,
    p: Period<'_>,
    set: &'static str,
    value: i64,
    now: Timestamp,
) -> Result<()> {
    let (ws, _) = tx.scope();
    let sql = format!(
        "UPDATE key_usage SET {set}, updated_at = $6 \
         WHERE workspace_id = $1 AND key_id = $2 AND period = $3 AND period_start = $4"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(p.key_id.to_owned())
        .bind(p.period.to_owned())
        .bind(p.start.millis())
        .bind(value)
        .bind(now.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}

/// Charges `charge.amount` to the period if its total is still under `cap` (`None`:
/// no cap), and writes the ledger line; false (and nothing written) when the cap is
/// reached.
pub async fn charge_under_cap(
    tx: &mut TenantTx,
    p: Period<'_>,
    cap: Option<Microcents>,
    charge: &Charge,
    now: Timestamp,
) -> Result<bool> {
    ensure(tx, p, now).await?;
    let (ws, live) = tx.scope();
    let moved = sqlx::query(
        "UPDATE key_usage SET spent_microcents = spent_microcents + $5, requests = requests + 1, updated_at = $7 \
         WHERE workspace_id = $1 AND key_id = $2 AND period = $3 AND period_start = $4 \
         AND ($6 < 0 OR spent_microcents < $6)",
    )
    .bind(ws.clone())
    .bind(p.key_id.to_owned())
    .bind(p.period.to_owned())
    .bind(p.start.millis())
    .bind(charge.amount.0)
    .bind(cap.map_or(-1, |c| c.0))
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?
    .rows_affected();
    if moved == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO task_charges (id, workspace_id, livemode, key_id, task_id, kind, description, amount_microcents, \
         input_tokens, output_tokens, period, period_start, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(charge.id.to_string())
    .bind(ws)
    .bind(live)
    .bind(p.key_id.to_owned())
    .bind(charge.task_id.as_ref().map(TaskId::to_string))
    .bind(charge.kind.clone())
    .bind(charge.description.clone())
    .bind(charge.amount.0)
    .bind(charge.input_tokens)
    .bind(charge.output_tokens)
    .bind(p.period.to_owned())
    .bind(p.start.millis())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(true)
}

/// Replaces an earlier charge's amount with what it really cost (a model call is
/// charged its upper bound first), moving the period it was charged to by the
/// difference. Returns the difference.
pub async fn settle(
    tx: &mut TenantTx,
    charge_id: &ChargeId,
    amount: Microcents,
    input_tokens: i64,
    output_tokens: i64,
    now: Timestamp,
) -> Result<Microcents> {
    let (ws, _) = tx.scope();
    let row = sqlx::query(
        "SELECT key_id, period, period_start, amount_microcents FROM task_charges WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws.clone())
    .bind(charge_id.to_string())
    .fetch_optional(tx.conn())
    .await
    .classified()?;
    let Some(row) = row else {
        return Ok(Microcents::ZERO);
    };
    let before = Microcents(row.try_get("amount_microcents").classified()?);
    let delta = amount - before;
    sqlx::query(
        "UPDATE task_charges SET amount_microcents = $3, input_tokens = $4, output_tokens = $5 \
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws.clone())
    .bind(charge_id.to_string())
    .bind(amount.0)
    .bind(input_tokens)
    .bind(output_tokens)
    .execute(tx.conn())
    .await
    .classified()?;
    let (key_id, period): (String, String) = (
        row.try_get("key_id").classified()?,
        row.try_get("period").classified()?,
    );
    let charged = Period {
        key_id: &key_id,
        period: &period,
        start: Timestamp::from_millis(row.try_get("period_start").classified()?),
    };
    move_period(
        tx,
        charged,
        "spent_microcents = spent_microcents + $5",
        delta.0,
        now,
    )
    .await?;
    Ok(delta)
}

/// Retention of the ledger: charges older than `before`.
pub async fn purge_before(tx: &mut SystemTx, before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM task_charges WHERE created_at < $1")
        .bind(before.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(done.rows_affected())
}
