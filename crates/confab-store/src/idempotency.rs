//! Stored responses for `Idempotency-Key`. A key is claimed in its own short
//! transaction; the response is written in the transaction that carries the effect, so
//! both commit or neither does.

use sqlx::Row;

use crate::error::{Classify, Result};
use crate::{SystemTx, TenantTx};
use confab_core::Timestamp;

/// Who is asking, in which tenant and mode, with which key.
#[derive(Clone, Debug)]
pub struct IdempotencyScope {
    pub credential_id: String,
    pub key: String,
}

/// What the store knows about a key when a request arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request owns the key now and must run.
    Acquired,
    /// A request with the same key finished; replay it if the fingerprint matches.
    Completed {
        fingerprint: String,
        status: u16,
        body: String,
    },
    /// A request with the same key is still running (its lease has not run out): it
    /// renews the lease while it runs, so `locked_until` is when a dead one's ends.
    InFlight {
        fingerprint: String,
        locked_until: Timestamp,
    },
}

/// Claims `scope.key` for `lease_ms`, or reports how it is already held. A claim whose
/// lease ran out without a stored response (its request crashed before committing, so
/// its effect never happened) is taken over.
pub async fn claim(
    tx: &mut TenantTx,
    scope: &IdempotencyScope,
    fingerprint: &str,
    now: Timestamp,
    lease_ms: i64,
) -> Result<Claim> {
    let (ws, live) = tx.scope();
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (workspace_id, livemode, credential_id, key, fingerprint, locked_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(ws.clone())
    .bind(live)
    .bind(scope.credential_id.clone())
    .bind(scope.key.clone())
    .bind(fingerprint)
    .bind(now.millis() + lease_ms)
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Acquired);
    }
    let row = sqlx::query(
        "SELECT fingerprint, status_code, response_body, locked_until FROM idempotency_keys \
         WHERE workspace_id = $1 AND livemode = $2 AND credential_id = $3 AND key = $4",
    )
    .bind(ws.clone())
    .bind(live)
    .bind(scope.credential_id.clone())
    .bind(scope.key.clone())
    .fetch_one(tx.conn())
    .await
    .classified()?;
    let stored_fp: String = row.try_get("fingerprint").classified()?;
    let status: Option<i64> = row.try_get("status_code").classified()?;
    let body: Option<String> = row.try_get("response_body").classified()?;
    let locked_until: i64 = row.try_get("locked_until").classified()?;
    if let (Some(status), Some(body)) = (status, body) {
        return Ok(Claim::Completed {
            fingerprint: stored_fp,
            status: status as u16,
            body,
        });
    }
    let in_flight = |fingerprint| Claim::InFlight {
        fingerprint,
        locked_until: Timestamp::from_millis(locked_until),
    };
    if locked_until > now.millis() || stored_fp != fingerprint {
        return Ok(in_flight(stored_fp));
    }
    let taken = sqlx::query(
        "UPDATE idempotency_keys SET locked_until = $5, created_at = $6 \
         WHERE workspace_id = $1 AND livemode = $2 AND credential_id = $3 AND key = $4 \
         AND status_code IS NULL AND locked_until <= $6",
    )
    .bind(ws)
    .bind(live)
    .bind(scope.credential_id.clone())
    .bind(scope.key.clone())
    .bind(now.millis() + lease_ms)
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(if taken.rows_affected() == 1 {
        Claim::Acquired
    } else {
        in_flight(stored_fp)
    })
}

/// Extends the lease of a claim still running (its request's heartbeat); a finished
/// or released key is left alone.
pub async fn renew(tx: &mut TenantTx, scope: &IdempotencyScope, until: Timestamp) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE idempotency_keys SET locked_until = $5 \
         WHERE workspace_id = $1 AND livemode = $2 AND credential_id = $3 AND key = $4 AND status_code IS NULL",
    )
    .bind(ws)
    .bind(live)
    .bind(scope.credential_id.clone())
    .bind(scope.key.clone())
    .bind(until.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Stores the response of a claimed key (in the effect's transaction).
pub async fn complete(
    tx: &mut TenantTx,
    scope: &IdempotencyScope,
    status: u16,
    body: &str,
) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE idempotency_keys SET status_code = $5, response_body = $6 \
         WHERE workspace_id = $1 AND livemode = $2 AND credential_id = $3 AND key = $4",
    )
    .bind(ws)
    .bind(live)
    .bind(scope.credential_id.clone())
    .bind(scope.key.clone())
    .bind(status as i64)
    .bind(body)
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Gives a key back (the request failed with a 5xx, which is not stored, so a retry
/// may run again).
pub async fn release(tx: &mut TenantTx, scope: &IdempotencyScope) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE workspace_id = $1 AND livemode = $2 AND credential_id = $3 AND key = $4 \
         AND status_code IS NULL",
    )
    .bind(ws)
    .bind(live)
    .bind(scope.credential_id.clone())
    .bind(scope.key.clone())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Erasure: drops stored responses that mention `needle` (an object id).
pub async fn forget_mentions(tx: &mut TenantTx, needle: &str) -> Result<u64> {
    let (ws, live) = tx.scope();
    let done = sqlx::query(
        "DELETE FROM idempotency_keys WHERE workspace_id = $1 AND livemode = $2 AND response_body LIKE $3",
    )
    .bind(ws)
    .bind(live)
    .bind(format!("%{needle}%"))
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(done.rows_affected())
}

/// Drops keys older than `before` across all tenants (the 24-hour retention).
pub async fn purge_before(tx: &mut SystemTx, before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(done.rows_affected())
}
