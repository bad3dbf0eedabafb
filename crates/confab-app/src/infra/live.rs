//! Live event streams. One pump per process reads the event log in order and fans each
//! event out to every open stream through a broadcast channel, so an idle stream costs
//! a channel receiver, not a database query. A stream resumes after any event id
//! without loss or repetition: it subscribes first, then reads what it missed from the
//! log, and drops anything it has already sent by the event's position.
//!
//! The pump wakes on this process's commits and, on PostgreSQL, on other nodes' (see
//! `wakeups.rs`); it polls only as the fallback.
//!
//! Typing signals ride beside the log: they are ephemeral (never stored, not resumable);
//! `wakeups::raise_typing` carries them to the other nodes.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use futures::Stream;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use confab_core::conversation::MessageRole;
use confab_core::id::{ConversationId, EventId, WorkspaceId};
use confab_store::events::{self, Sequenced};

use crate::{Access, App, AppResult, Ctx, Resource};

const CHANNEL_CAPACITY: usize = 4096;
const BATCH: i64 = 500;
/// How long a hole in the sequence may stay open (a transaction that took its number
/// but has not committed) before the pump moves past it (it rolled back).
const GAP_PATIENCE: Duration = Duration::from_secs(2);
const TYPING_CAPACITY: usize = 1024;
/// How long a typing indicator stays up without a new signal or a message.
pub const TYPING_TTL_MS: u64 = 15_000;

/// Someone on the business's side started writing in a conversation.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Typing {
    pub workspace_id: WorkspaceId,
    pub livemode: bool,
    pub conversation_id: ConversationId,
    /// `ai` (the reply worker started an answer) or `agent` (a person is typing).
    pub role: MessageRole,
    /// The person's name, for "Ana is typing…".
    pub name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Sequenced>>,
    typing: broadcast::Sender<Arc<Typing>>,
    head: Arc<AtomicI64>,
}

impl Default for EventBus {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        let (typing, _) = broadcast::channel(TYPING_CAPACITY);
        EventBus {
            sender,
            typing,
            head: Arc::default(),
        }
    }
}

impl EventBus {
    /// Tells this process's streams of the conversation that someone is typing (use
    /// `wakeups::raise_typing` to tell every node's).
    pub fn typing(&self, signal: Typing) {
        let _ = self.typing.send(Arc::new(signal));
    }

    /// Typing signals raised in this process from now on.
    pub(crate) fn typing_signals(&self) -> broadcast::Receiver<Arc<Typing>> {
        self.typing.subscribe()
    }

    /// The position of the last event fanned out.
    pub fn head(&self) -> i64 {
        self.head.load(Ordering::Acquire)
    }
}

/// Reads the log in order and publishes every event once. Runs until `shutdown`.
pub async fn run_pump(app: App, shutdown: CancellationToken) {
    let bus = app.bus.clone();
    let mut last = loop {
        match start_position(&app).await {
            Ok(seq) => break seq,
            Err(err) => {
                tracing::warn!(error = %err, "event pump: cannot read the log yet");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    };
    bus.head.store(last, Ordering::Release);
    let mut gap_since: Option<Instant> = None;
    let poll = app.config.wakeups.poll;
    loop {
        // Stalled at a hole, look again when its patience runs out: if it was a
        // rollback, nothing else will wake the pump.
        let wait = gap_since.map_or(poll, |since| {
            GAP_PATIENCE
                .saturating_sub(since.elapsed())
                .max(Duration::from_millis(10))
                .min(poll)
        });
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = app.wakeups.events() => {}
            _ = tokio::time::sleep(wait) => {}
        }
        loop {
            let rows = match read_after(&app, last).await {
                Ok(rows) => rows,
                Err(err) => {
                    tracing::warn!(error = %err, "event pump: read failed");
                    break;
                }
            };
            let full = rows.len() as i64 == BATCH;
            let mut stalled = false;
            for row in rows {
                if row.seq != last + 1 {
                    let waited = gap_since.get_or_insert_with(Instant::now);
                    if waited.elapsed() < GAP_PATIENCE {
                        stalled = true;
                        break;
                    }
                }
                gap_since = None;
                last = row.seq;
                bus.head.store(last, Ordering::Release);
                let _ = bus.sender.send(Arc::new(row));
            }
            if stalled || !full {
                break;
            }
        }
    }
}

async fn start_position(app: &App) -> AppResult<i64> {
    let mut tx = app.store.system_read().await?;
    Ok(events::max_seq(&mut tx).await?)
}

async fn read_after(app: &App, seq: i64) -> AppResult<Vec<Sequenced>> {
    let mut tx = app.store.system_read().await?;
    Ok(events::after_seq(&mut tx, seq, BATCH).await?)
}

/// The events of the caller's workspace and mode, from after `last_event_id` (or from
/// now), in log order, each exactly once.
pub async fn subscribe(
    ctx: &Ctx,
    last_event_id: Option<&str>,
) -> AppResult<impl Stream<Item = Arc<Sequenced>> + Send + use<>> {
    ctx.authorize(Resource::Events, Access::Read)?;
    open(ctx, last_event_id, None).await
}

/// One conversation's events, from after `last_event_id` (or from now), in log order,
/// each exactly once (a widget visitor's stream; the caller has checked their access).
pub(crate) async fn subscribe_conversation(
    ctx: &Ctx,
    conversation: &ConversationId,
    last_event_id: Option<&str>,
) -> AppResult<impl Stream<Item = Arc<Sequenced>> + Send + use<>> {
    open(ctx, last_event_id, Some(conversation.clone())).await
}

async fn open(
    ctx: &Ctx,
    last_event_id: Option<&str>,
    conversation: Option<ConversationId>,
) -> AppResult<impl Stream<Item = Arc<Sequenced>> + Send + use<>> {
    let receiver = ctx.app.bus.sender.subscribe();
    // An id that is not an event's resumes from now, as one that never existed does.
    let start = match last_event_id.and_then(EventId::parse) {
        Some(id) => {
            let mut tx = ctx.read().await?;
            events::seq_of(&mut tx, &id).await?
        }
        None => None,
    }
    .unwrap_or_else(|| ctx.app.bus.head());
    let state = StreamState {
        ctx: ctx.clone(),
        receiver,
        conversation,
        backlog: VecDeque::new(),
        last: start,
        caught_up: false,
    };
    Ok(futures::stream::unfold(state, |mut state| async move {
        let next = state.next().await?;
        Some((next, state))
    }))
}

struct StreamState {
    ctx: Ctx,
    receiver: broadcast::Receiver<Arc<Sequenced>>,
    /// Only this conversation's events, when set.
    conversation: Option<ConversationId>,
    backlog: VecDeque<Arc<Sequenced>>,
    last: i64,
    caught_up: bool,
}

impl StreamState {
    fn mine(&self, e: &Sequenced) -> bool {
        e.workspace_id == self.ctx.workspace_id
            && e.event.livemode == self.ctx.livemode()
            && (self.conversation.is_none() || e.conversation_id == self.conversation)
    }

    /// Reads this tenant's events after `last` from the log into the backlog.
    async fn refill(&mut self) -> Option<()> {
        let mut tx = self.ctx.read().await.ok()?;
        let rows = match &self.conversation {
            Some(c) => events::conversation_after_seq(&mut tx, c, self.last, 1000).await,
            None => events::tenant_after_seq(&mut tx, self.last, 1000).await,
        }
        .ok()?;
        self.caught_up = rows.len() < 1000;
        self.backlog.extend(rows.into_iter().map(Arc::new));
        Some(())
    }

    async fn next(&mut self) -> Option<Arc<Sequenced>> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                if e.seq > self.last {
                    self.last = e.seq;
                    return Some(e);
                }
                continue;
            }
            if !self.caught_up {
                self.refill().await?;
                continue;
            }
            match self.receiver.recv().await {
                Ok(e) if e.seq > self.last && self.mine(&e) => {
                    self.last = e.seq;
                    return Some(e);
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => self.caught_up = false,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}
