//! Erased data made unreadable on disk (`Store::purge_erased`: a WAL checkpoint on
//! SQLite, `VACUUM` on PostgreSQL) after an erasure commits, off the request path.
//!
//! A purge waits until the erased contacts are gone from the committed database (under
//! `Idempotency-Key` the erasure commits only after its response is stored, and a
//! `VACUUM` before that would find nothing dead yet), then runs. At most one runs at a
//! time: erasures that commit meanwhile are covered by one more run after it, so a burst
//! of erasures costs two purges, not one each (a `VACUUM` apiece would hold a pooled
//! connection each).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use confab_core::id::ContactId;
use confab_store::Store;

/// How long a purge waits for an erasure to commit before giving up on it (an erasure
/// whose response could not be stored is rolled back and never commits).
const COMMIT_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct State {
    running: bool,
    /// Contacts erased since the running purge took its list.
    pending: Vec<ContactId>,
}

/// The single-flight purge of one process. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct ErasurePurge {
    state: Arc<Mutex<State>>,
}

impl ErasurePurge {
    /// Asks for a purge once the erasure of `contact_id` has committed. Never waits and
    /// never fails the caller: a failure is logged, and the next erasure's purge covers
    /// what this one missed.
    pub fn request(&self, store: &Store, contact_id: &ContactId) {
        {
            let mut state = self.lock();
            state.pending.push(contact_id.clone());
            if state.running {
                return;
            }
            state.running = true;
        }
        let (this, store) = (self.clone(), store.clone());
        tokio::spawn(async move {
            loop {
                let erased = std::mem::take(&mut this.lock().pending);
                if erased.is_empty() {
                    this.lock().running = false;
                    return;
                }
                purge(&store, &erased).await;
                let mut state = this.lock();
                if state.pending.is_empty() {
                    state.running = false;
                    return;
                }
            }
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn purge(store: &Store, erased: &[ContactId]) {
    let deadline = tokio::time::Instant::now() + COMMIT_WAIT;
    loop {
        match store.contacts_gone(erased).await {
            Ok(true) => break,
            Ok(false) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(false) => {
                tracing::warn!("an erased contact is still committed; purging anyway");
                break;
            }
            Err(err) => {
                tracing::warn!(error = %err, "checking an erasure's commit failed");
                break;
            }
        }
    }
    match store.purge_erased().await {
        Ok(true) => tracing::debug!(contacts = erased.len(), "erased data purged from disk"),
        Ok(false) => tracing::warn!(
            "the WAL checkpoint after an erasure stayed busy; SQLite's next checkpoint completes it"
        ),
        Err(err) => tracing::warn!(error = %err, "purging erased data from disk failed"),
    }
}
