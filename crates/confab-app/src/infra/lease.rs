//! A lease kept alive while its holder works. Claims (an idempotency key, a job) are
//! leases so that a holder that dies frees them; a holder that is alive renews its
//! lease every third of it, so the lease can be short (a dead node's claims free in
//! seconds) while the work itself takes as long as it takes.

use std::future::Future;
use std::time::Duration;

use tokio::task::AbortHandle;

use confab_core::Timestamp;
use confab_store::jobs::{self, Job};

use crate::{App, AppResult};

/// Renews a lease until stopped or dropped.
#[derive(Debug)]
pub(crate) struct Heartbeat(AbortHandle);

impl Heartbeat {
    /// Calls `renew` every third of `lease_ms`, first after one third.
    pub(crate) fn start<F, Fut>(what: &'static str, lease_ms: i64, renew: F) -> Heartbeat
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = AppResult<()>> + Send,
    {
        let every = Duration::from_millis((lease_ms / 3).max(10) as u64);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                tick.tick().await;
                if let Err(err) = renew().await {
                    // The next tick tries again; a lease a third gone is still held.
                    tracing::warn!(error = %err, lease = what, "could not renew a lease");
                }
            }
        });
        Heartbeat(task.abort_handle())
    }

    pub(crate) fn stop(&self) {
        self.0.abort();
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Keeps a claimed job's lease (`job_lease_ms`) while this process runs it, so the job
/// of a worker that died is claimed again within one lease.
pub(crate) fn keep_job(app: &App, job: &Job) -> Heartbeat {
    let (app, id) = (app.clone(), job.id.clone());
    let lease_ms = app.config.job_lease_ms;
    Heartbeat::start("job", lease_ms, move || {
        let (app, id) = (app.clone(), id.clone());
        async move {
            let until = Timestamp::from_millis(app.clock.now().millis() + lease_ms);
            let mut tx = app.store.system().await?;
            jobs::renew(&mut tx, &id, until).await?;
            Ok(tx.commit().await?)
        }
    })
}
