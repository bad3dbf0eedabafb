//! Writing attempt results. Whatever finished since the dispatcher's last cycle is
//! written in that cycle's transaction, together with the next claim, so under load
//! the database pays one commit for many results and the next batch. A success that
//! ends an endpoint's failure triggers `auto_recover` in the same transaction.

use confab_core::Timestamp;
use confab_store::SystemTx;
use confab_store::webhook_dispatch::{self, Recorded};

use crate::AppResult;

/// How far back `auto_recover` replays dead deliveries.
pub const AUTO_RECOVER_WINDOW_MS: i64 = 72 * 3600 * 1000;

/// Records `batch` in `tx`; returns how many dead deliveries `auto_recover` queued again.
pub(super) async fn record(
    tx: &mut SystemTx,
    batch: &[Recorded],
    now: Timestamp,
) -> AppResult<u64> {
    let mut recovered = 0;
    // One lock order for deliveries, by id, shared with replay and retry.
    let mut ordered: Vec<&Recorded> = batch.iter().collect();
    ordered.sort_by(|a, b| a.delivery_id.cmp(&b.delivery_id));
    for r in ordered {
        if webhook_dispatch::record(tx, r, now).await? == Some(true) {
            let since = Timestamp::from_millis(now.millis() - AUTO_RECOVER_WINDOW_MS);
            recovered += webhook_dispatch::recover_dead(tx, &r.endpoint_id, since, now).await?;
        }
    }
    Ok(recovered)
}
