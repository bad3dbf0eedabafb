//! Wake-ups: what tells the event pump, the webhook dispatcher and the job workers
//! that there is something to read, and carries typing signals between nodes.
//!
//! In-process, a commit wakes this process's readers at once (`Uow::commit`). Across
//! processes (PostgreSQL), triggers `NOTIFY` on commit (`confab_store::notify`) and one
//! listener per process turns each notification into the same local wake-up. A
//! notification says only "look": the reader then reads the log or the queue, so a
//! lost one (a dropped connection) delays and never loses. After reconnecting, the
//! listener wakes every reader once to catch up, and each reader also polls at
//! `poll`, the slow fallback. SQLite has one process, so it has no listener.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use confab_core::Timestamp;
use confab_core::job::JobKind;
use confab_store::jobs;
use confab_store::notify::{Channel, Heard};

use crate::App;
use crate::live::Typing;

/// How this process learns of other processes' commits.
#[derive(Clone, Debug)]
pub struct WakeupSettings {
    /// PostgreSQL: listen for other nodes' notifications (`LISTEN/NOTIFY`). Off, the
    /// readers learn of other nodes' work only by polling.
    pub listen: bool,
    /// How often each reader looks when nothing woke it: the fallback.
    pub poll: Duration,
}

impl Default for WakeupSettings {
    fn default() -> Self {
        WakeupSettings {
            listen: true,
            poll: Duration::from_secs(5),
        }
    }
}

/// One process's wake-ups. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Wakeups {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    events: Notify,
    webhooks: Notify,
    /// One per job kind, made on first use, so a new kind of job needs no wiring.
    jobs: Mutex<HashMap<String, Arc<Notify>>>,
    /// Names this process in typing notifications, so it skips its own.
    node: String,
}

impl Default for Wakeups {
    fn default() -> Self {
        Wakeups {
            inner: Arc::new(Inner {
                events: Notify::new(),
                webhooks: Notify::new(),
                jobs: Mutex::default(),
                node: ulid::Ulid::new().to_string(),
            }),
        }
    }
}

impl Wakeups {
    /// Something committed here: wake every reader of this process. (Each reader runs
    /// once per process, so a stored permit wakes it even if it was busy.)
    pub fn committed(&self) {
        self.inner.events.notify_one();
        self.inner.webhooks.notify_one();
        for notify in self.inner.jobs.lock().expect("job wake-ups").values() {
            notify.notify_one();
        }
    }

    /// Resolves after the next commit that may have appended events.
    pub(crate) async fn events(&self) {
        self.inner.events.notified().await;
    }

    /// Resolves after the next commit that may have queued webhook deliveries.
    pub(crate) async fn webhooks(&self) {
        self.inner.webhooks.notified().await;
    }

    fn job(&self, kind: &str) -> Arc<Notify> {
        self.inner
            .jobs
            .lock()
            .expect("job wake-ups")
            .entry(kind.to_owned())
            .or_default()
            .clone()
    }

    fn heard(&self, app: &App, channel: Channel, payload: &str) {
        match channel {
            Channel::Events => self.inner.events.notify_one(),
            Channel::Webhooks => self.inner.webhooks.notify_one(),
            Channel::Jobs => self.job(payload).notify_one(),
            Channel::Typing => match serde_json::from_str::<TypingNote>(payload) {
                Ok(note) if note.node != self.inner.node => app.bus.typing(note.signal),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "wake-ups: unreadable typing signal"),
            },
        }
    }
}

/// A typing signal between nodes.
#[derive(Serialize, Deserialize)]
struct TypingNote {
    node: String,
    signal: Typing,
}

/// Shows a typing signal on this process's streams and, on PostgreSQL, on every other
/// node's (a direct `NOTIFY`: typing is never stored, so there is no log to catch up
/// from; a lost one is a missed "typing…", not a missed message). Awaited, not
/// spawned: PostgreSQL delivers notifications in commit order, so the AI's "typing…"
/// reaches other nodes before the reply the worker commits next.
pub(crate) async fn raise_typing(app: &App, signal: Typing) {
    app.bus.typing(signal.clone());
    if !app.config.wakeups.listen {
        return;
    }
    let note = TypingNote {
        node: app.wakeups.inner.node.clone(),
        signal,
    };
    let Ok(payload) = serde_json::to_string(&note) else {
        return;
    };
    if let Err(err) = app.store.notify(Channel::Typing, &payload).await {
        tracing::debug!(error = %err, "wake-ups: typing signal not sent to other nodes");
    }
}

/// Waits until a job of `kind` may be claimable: a commit queued one (here or on
/// another node), the earliest queued job of that kind falls due or a running one's
/// lease runs out (a retry's backoff, a crashed worker), or the poll interval passed.
pub(crate) async fn wait_for_job(app: &App, kind: JobKind, shutdown: &CancellationToken) {
    let poll = app.config.wakeups.poll;
    let wait = match next_due(app, kind).await {
        Some(at) => {
            let ms = at.millis().saturating_sub(app.clock.now().millis()).max(0);
            // Not less than a moment: a due job another worker is claiming right now
            // (skipped as locked) is no reason to spin.
            Duration::from_millis(ms as u64)
                .max(Duration::from_millis(50))
                .min(poll)
        }
        None => poll,
    };
    let notify = app.wakeups.job(kind.as_str());
    tokio::select! {
        _ = shutdown.cancelled() => {}
        _ = notify.notified() => {}
        _ = tokio::time::sleep(wait) => {}
    }
}

async fn next_due(app: &App, kind: JobKind) -> Option<Timestamp> {
    let mut tx = app.store.system_read().await.ok()?;
    jobs::next_due(&mut tx, kind).await.ok().flatten()
}

/// Listens for other nodes' notifications until `shutdown` (PostgreSQL with `listen`
/// on; returns at once otherwise).
pub async fn run_listener(app: App, shutdown: CancellationToken) {
    if !app.config.wakeups.listen {
        return;
    }
    let mut listener = loop {
        match app.store.listen().await {
            Ok(Some(listener)) => break listener,
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(error = %err, "wake-ups: cannot listen yet; polling meanwhile");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    };
    tracing::info!("wake-ups: listening for other nodes' commits");
    // Anything committed before the listener was up is read now, not at the next poll.
    app.wakeups.committed();
    let mut lost = false;
    loop {
        let heard = tokio::select! {
            _ = shutdown.cancelled() => return,
            heard = listener.recv() => heard,
        };
        match heard {
            Ok(heard) => {
                if std::mem::take(&mut lost) {
                    app.wakeups.committed();
                }
                match heard {
                    Heard::Notification { channel, payload } => {
                        app.wakeups.heard(&app, channel, &payload);
                    }
                    Heard::Reconnected => {
                        tracing::info!("wake-ups: listener reconnected; catching up");
                        app.wakeups.committed();
                    }
                }
            }
            Err(err) => {
                // The next `recv` reconnects; until it does, the readers poll.
                if !lost {
                    tracing::warn!(error = %err, "wake-ups: listener lost its connection");
                }
                lost = true;
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}
