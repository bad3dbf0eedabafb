//! `Idempotency-Key` (DESIGN §3): same key and request → the stored response, byte for
//! byte; same key and another request → 422; same key while the first still runs → 409.
//! The stored response commits in the effect's own transaction, so a retry after a
//! crash or a timeout can never write twice.
//!
//! A claim is a lease (`idempotency_lease`) that a heartbeat renews every third of it
//! while the request runs. A request that died with its node stops renewing, so its
//! key is free again within one lease, and the 409 says when (`Retry-After`).

use std::sync::{Arc, Mutex};

use confab_core::ErrorCode;
use confab_store::TenantTx;
use confab_store::idempotency::{self as store, Claim, IdempotencyScope};

use crate::infra::lease::Heartbeat;
use crate::{AppError, AppResult, Ctx};

pub const MAX_KEY_LEN: usize = 255;

/// The claim a running request holds, and the parked transaction of its effect.
pub struct IdemSlot {
    scope: IdempotencyScope,
    parked: Mutex<Option<TenantTx>>,
    /// Renews the lease until the request is answered (stopped when dropped).
    heartbeat: Heartbeat,
}

impl std::fmt::Debug for IdemSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdemSlot")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl IdemSlot {
    /// Parks the effect's transaction until the response is stored with it. A use case
    /// opens at most one write unit under a key: a second one is refused (and rolled
    /// back) rather than silently replacing the first, whose effect would be lost.
    pub(crate) fn park(&self, tx: TenantTx) -> AppResult<()> {
        let mut parked = self.parked.lock().expect("idempotency slot poisoned");
        if parked.is_some() {
            return Err(second_unit());
        }
        *parked = Some(tx);
        Ok(())
    }

    /// Refuses to open a second write unit while one is parked: on SQLite it would wait
    /// for the single writer connection the parked one holds.
    pub(crate) fn refuse_second_unit(&self) -> AppResult<()> {
        match self
            .parked
            .lock()
            .expect("idempotency slot poisoned")
            .is_some()
        {
            true => Err(second_unit()),
            false => Ok(()),
        }
    }

    fn take(&self) -> Option<TenantTx> {
        self.parked
            .lock()
            .expect("idempotency slot poisoned")
            .take()
    }
}

fn second_unit() -> AppError {
    AppError::Internal("a second unit of work was opened under one idempotency key".into())
}

/// What to do with an incoming request that carries a key.
pub enum Begin {
    /// Run it; pass the slot in the request's [`Ctx`] and call [`finish`] afterwards.
    Run(Arc<IdemSlot>),
    /// Answer with the stored response.
    Replay { status: u16, body: String },
    /// Answer 409: the same request is running; retry after `retry_after_secs`, when
    /// its lease ends unless it is still alive to renew it.
    InUse {
        error: AppError,
        retry_after_secs: u64,
    },
}

/// Validates the key and claims it for this request.
pub async fn begin(ctx: &Ctx, key: &str, fingerprint: &str) -> AppResult<Begin> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || key.chars().any(|c| c.is_control()) {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!("The Idempotency-Key header must be 1 to {MAX_KEY_LEN} printable characters."),
        ));
    }
    let scope = IdempotencyScope {
        credential_id: ctx.credential_id(),
        key: key.to_owned(),
    };
    let now = ctx.app.clock.now();
    let mut tx = ctx
        .app
        .store
        .tenant(&ctx.workspace_id, ctx.livemode())
        .await?;
    let claim = store::claim(
        &mut tx,
        &scope,
        fingerprint,
        now,
        ctx.app.config.idempotency_lease_ms,
    )
    .await?;
    tx.commit().await?;
    match claim {
        Claim::Acquired => Ok(Begin::Run(Arc::new(IdemSlot {
            heartbeat: heartbeat(ctx, scope.clone()),
            scope,
            parked: Mutex::new(None),
        }))),
        Claim::Completed {
            fingerprint: stored,
            status,
            body,
        } => {
            if stored == fingerprint {
                Ok(Begin::Replay { status, body })
            } else {
                Err(reused())
            }
        }
        Claim::InFlight {
            fingerprint: stored,
            locked_until,
        } => {
            if stored == fingerprint {
                let left_ms = locked_until.millis() - now.millis();
                Ok(Begin::InUse {
                    error: AppError::new(
                        ErrorCode::IdempotencyKeyInUse,
                        "A request with this Idempotency-Key is still being processed; retry after the time in Retry-After.",
                    ),
                    retry_after_secs: (left_ms.max(1) as u64).div_ceil(1000),
                })
            } else {
                Err(reused())
            }
        }
    }
}

/// Renews the claim every third of the lease until the slot is dropped (when the
/// request is answered, or with the request if it is abandoned).
fn heartbeat(ctx: &Ctx, scope: IdempotencyScope) -> Heartbeat {
    let app = ctx.app.clone();
    let workspace = ctx.workspace_id.clone();
    let livemode = ctx.livemode();
    let lease_ms = app.config.idempotency_lease_ms;
    Heartbeat::start("idempotency key", lease_ms, move || {
        let (app, workspace, scope) = (app.clone(), workspace.clone(), scope.clone());
        async move {
            let until = confab_core::Timestamp::from_millis(app.clock.now().millis() + lease_ms);
            let mut tx = app.store.tenant(&workspace, livemode).await?;
            store::renew(&mut tx, &scope, until).await?;
            Ok(tx.commit().await?)
        }
    })
}

fn reused() -> AppError {
    AppError::new(
        ErrorCode::IdempotencyKeyReused,
        "This Idempotency-Key was already used with a different request (method, path or body); use a new key for a new request.",
    )
}

/// Stores the response (status < 500) together with the parked effect and commits, or
/// gives the key back (5xx). An error here means nothing was committed.
pub async fn finish(ctx: &Ctx, slot: &IdemSlot, status: u16, body: &str) -> AppResult<()> {
    slot.heartbeat.stop();
    let parked = slot.take();
    if status >= 500 {
        drop(parked);
        let mut tx = ctx
            .app
            .store
            .tenant(&ctx.workspace_id, ctx.livemode())
            .await?;
        store::release(&mut tx, &slot.scope).await?;
        tx.commit().await?;
        return Ok(());
    }
    let mut tx = match parked {
        Some(tx) => tx,
        None => {
            ctx.app
                .store
                .tenant(&ctx.workspace_id, ctx.livemode())
                .await?
        }
    };
    store::complete(&mut tx, &slot.scope, status, body).await?;
    tx.commit().await?;
    ctx.app.wakeups.committed();
    Ok(())
}

/// Releases a claim whose request could not be answered at all.
pub async fn abandon(ctx: &Ctx, slot: &IdemSlot) {
    slot.heartbeat.stop();
    drop(slot.take());
    if let Ok(mut tx) = ctx
        .app
        .store
        .tenant(&ctx.workspace_id, ctx.livemode())
        .await
        && store::release(&mut tx, &slot.scope).await.is_ok()
    {
        let _ = tx.commit().await;
    }
}

/// Deletes keys past their retention (run by the cleaner).
pub async fn purge_expired(app: &crate::App) -> AppResult<u64> {
    let before = confab_core::Timestamp::from_millis(
        app.clock.now().millis() - app.config.idempotency_ttl_ms,
    );
    let mut tx = app.store.system().await?;
    let n = store::purge_before(&mut tx, before).await?;
    tx.commit().await?;
    Ok(n)
}
