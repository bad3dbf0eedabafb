//! Writes attempt results in batches: whatever finished while the previous batch was
//! being written goes into the next transaction, so under load the database pays one
//! commit for many deliveries. A success that ends an endpoint's failure triggers
//! `auto_recover` in the same transaction.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use confab_core::Timestamp;
use confab_store::webhook_dispatch::{self, Next, Recorded};

use super::dispatcher::Shared;
use crate::AppResult;

/// The most results written in one transaction.
const BATCH: usize = 512;
/// How far back `auto_recover` replays dead deliveries.
pub const AUTO_RECOVER_WINDOW_MS: i64 = 72 * 3600 * 1000;
/// Attempts to write a batch before giving up on it (its deliveries stay leased and
/// are sent again when the lease runs out: repeated, never lost).
const WRITE_TRIES: u32 = 10;

pub(super) async fn run(shared: Arc<Shared>, mut inbox: mpsc::UnboundedReceiver<Recorded>) {
    let mut batch = Vec::with_capacity(BATCH);
    while inbox.recv_many(&mut batch, BATCH).await > 0 {
        let mut tries = 0;
        loop {
            match write(&shared, &batch).await {
                Ok(()) => break,
                Err(err) if tries + 1 < WRITE_TRIES => {
                    tries += 1;
                    tracing::warn!(error = %err, tries, "webhook recorder: write failed, retrying");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(tries))).await;
                }
                Err(err) => {
                    tracing::error!(error = %err, results = batch.len(),
                        "webhook recorder: giving up on a batch; its deliveries will be sent again after their lease");
                    break;
                }
            }
        }
        batch.clear();
    }
}

async fn write(shared: &Shared, batch: &[Recorded]) -> AppResult<()> {
    let app = &shared.app;
    let now = app.clock.now();
    let mut tx = app.store.system().await?;
    let mut recovered = 0;
    for r in batch {
        if webhook_dispatch::record(&mut tx, r, now).await? == Some(true) {
            let since = Timestamp::from_millis(now.millis() - AUTO_RECOVER_WINDOW_MS);
            recovered +=
                webhook_dispatch::recover_dead(&mut tx, &r.endpoint_id, since, now).await?;
        }
    }
    tx.commit().await?;
    for r in batch {
        if let Next::RetryAt(at) = r.next {
            shared.schedule(at);
        }
    }
    if recovered > 0 {
        tracing::info!(
            recovered,
            "webhooks: auto_recover queued dead deliveries again"
        );
        shared.schedule(now);
    }
    Ok(())
}
