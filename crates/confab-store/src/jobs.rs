//! The durable job queue. Jobs are written in the transaction of the change that needs
//! them; workers claim them with a lease (PostgreSQL also skips rows another worker has
//! locked), so a crash mid-job leaves it to be claimed again when the lease runs out.

use serde_json::Value;
use sqlx::Row;

use crate::error::{Classify, Result};
use crate::{Backend, SystemTx, TenantTx};
use confab_core::Timestamp;
use confab_core::id::{JobId, WorkspaceId};
use confab_core::job::{JobKind, Work};

#[derive(Clone, Debug)]
pub struct Job {
    pub id: JobId,
    pub workspace_id: WorkspaceId,
    pub livemode: bool,
    /// What to do, or why the stored job cannot be read (its worker fails it).
    pub work: std::result::Result<Work, String>,
    pub attempts: i64,
    /// When this run was due (for latency metrics).
    pub run_at: Timestamp,
}

/// Queues `work` in the caller's transaction. Idempotent: the same work queued again
/// (by [`Work::dedupe_key`]) is dropped.
pub async fn enqueue(tx: &mut TenantTx, work: &Work, run_at: Timestamp) -> Result<()> {
    let kind = work.kind().as_str();
    enqueue_unchecked(tx, kind, &work.dedupe_key(), &work.payload(), run_at).await
}

/// Queues any kind and payload under `dedupe_key`, unchecked. Only for tests that
/// inject a job as a crash or an older version could leave it; everything else queues
/// [`Work`] with [`enqueue`].
pub async fn enqueue_unchecked(
    tx: &mut TenantTx,
    kind: &str,
    dedupe_key: &str,
    payload: &Value,
    run_at: Timestamp,
) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO jobs (id, workspace_id, livemode, kind, dedupe_key, payload, status, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $7, $7) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(JobId::generate().to_string())
    .bind(ws)
    .bind(live)
    .bind(kind)
    .bind(dedupe_key)
    .bind(payload.to_string())
    .bind(run_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Claims the next due job of one of `kinds` for `lease_ms`, across all tenants.
pub async fn claim(
    tx: &mut SystemTx,
    kinds: &[JobKind],
    now: Timestamp,
    lease_ms: i64,
) -> Result<Option<Job>> {
    // The kinds are ours (`ai_reply`, `task`), so they are written into the query.
    let kinds_sql = kinds
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let lock = if tx.backend() == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2 \
         WHERE id = (SELECT id FROM jobs WHERE kind IN ({kinds_sql}) AND status IN ('queued', 'running') AND run_at <= $2 \
         AND (locked_until IS NULL OR locked_until < $2) ORDER BY run_at, id LIMIT 1{lock}) \
         RETURNING id, workspace_id, livemode, kind, payload, attempts, run_at"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now.millis() + lease_ms)
        .bind(now.millis())
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    let Some(row) = row else { return Ok(None) };
    let payload: String = row.try_get("payload").classified()?;
    let kind: String = row.try_get("kind").classified()?;
    let work = serde_json::from_str::<Value>(&payload)
        .map_err(|e| e.to_string())
        .and_then(|payload| Work::read(&kind, &payload));
    Ok(Some(Job {
        id: JobId::from_trusted(row.try_get("id").classified()?),
        workspace_id: WorkspaceId::from_trusted(row.try_get("workspace_id").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        work,
        attempts: row.try_get("attempts").classified()?,
        run_at: Timestamp::from_millis(row.try_get("run_at").classified()?),
    }))
}

/// Extends the lease of a job still running (its worker's heartbeat).
pub async fn renew(tx: &mut SystemTx, id: &JobId, until: Timestamp) -> Result<()> {
    sqlx::query("UPDATE jobs SET locked_until = $2 WHERE id = $1 AND status = 'running'")
        .bind(id.as_str())
        .bind(until.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}

/// Marks a job finished.
pub async fn complete(tx: &mut TenantTx, id: &JobId, now: Timestamp) -> Result<()> {
    set_status(tx, id, "done", None, None, now).await
}

/// Schedules another attempt.
pub async fn retry(
    tx: &mut TenantTx,
    id: &JobId,
    run_at: Timestamp,
    error: &str,
    now: Timestamp,
) -> Result<()> {
    set_status(tx, id, "queued", Some(run_at), Some(error), now).await
}

/// Gives up on a job.
pub async fn fail(tx: &mut TenantTx, id: &JobId, error: &str, now: Timestamp) -> Result<()> {
    set_status(tx, id, "failed", None, Some(error), now).await
}

async fn set_status(
    tx: &mut TenantTx,
    id: &JobId,
    status: &str,
    run_at: Option<Timestamp>,
    error: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "UPDATE jobs SET status = $3, run_at = coalesce($4, run_at), last_error = coalesce($5, last_error), \
         locked_until = NULL, updated_at = $6 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id.as_str())
    .bind(status)
    .bind(run_at.map(Timestamp::millis))
    .bind(error.map(str::to_owned))
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Jobs queued or running per kind, across tenants (`/metrics`).
pub async fn unfinished_by_kind(tx: &mut SystemTx) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT kind, COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running') GROUP BY kind ORDER BY kind",
    )
    .fetch_all(tx.conn())
    .await
    .classified()?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("kind").classified()?,
                row.try_get("n").classified()?,
            ))
        })
        .collect()
}

/// Jobs not yet finished, across tenants (tests and metrics).
pub async fn count_unfinished(tx: &mut SystemTx) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')")
        .fetch_one(tx.conn())
        .await
        .classified()?
        .try_get::<i64, _>("n")
        .classified()
}

/// When the next job of `kind` may be claimed, across tenants: the earliest due time of
/// a queued one, or the earliest lease of a running one to run out (its worker may
/// have died). `None` when there is none. Workers sleep until then (or a wake-up).
pub async fn next_due(tx: &mut SystemTx, kind: JobKind) -> Result<Option<Timestamp>> {
    let row = sqlx::query(
        "SELECT MIN(CASE WHEN status = 'queued' THEN run_at ELSE locked_until END) AS due \
         FROM jobs WHERE kind = $1 AND status IN ('queued', 'running')",
    )
    .bind(kind.as_str())
    .fetch_one(tx.conn())
    .await
    .classified()?;
    let due: Option<i64> = row.try_get("due").classified()?;
    Ok(due.map(Timestamp::from_millis))
}
