//! Cross-process wake-ups: PostgreSQL `LISTEN/NOTIFY`.
//!
//! Triggers (migration 0008) call `pg_notify` when a transaction inserts events, jobs
//! or webhook deliveries, so every writer signals, whoever it is, and PostgreSQL
//! delivers the signal only when (and if) that transaction commits. A listener per
//! process turns the signals into local wake-ups. Notifications carry no data that
//! matters: the woken reader reads the log or the queue, so a lost one only delays.
//! Typing signals are the exception: they are never stored, so they travel as a
//! direct `NOTIFY` with their payload.
//!
//! SQLite has one process, which wakes its own readers on commit: it has no listener.

use sqlx::postgres::PgListener;

use crate::error::{Classify, Result};
use crate::{Backend, Store};

/// What a notification is about: one channel per kind of wake-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Events were appended to the log (payload empty).
    Events,
    /// Jobs were queued (payload: the job kind).
    Jobs,
    /// Webhook deliveries were queued or re-queued (payload empty).
    Webhooks,
    /// Someone is typing (payload: the signal, as JSON).
    Typing,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Events,
        Channel::Jobs,
        Channel::Webhooks,
        Channel::Typing,
    ];

    /// The PostgreSQL channel name (the triggers in migration 0008 use the same).
    pub fn name(self) -> &'static str {
        match self {
            Channel::Events => "confab_events",
            Channel::Jobs => "confab_jobs",
            Channel::Webhooks => "confab_webhooks",
            Channel::Typing => "confab_typing",
        }
    }

    fn of_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// What a listener heard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    Notification {
        channel: Channel,
        payload: String,
    },
    /// The connection was lost and is back: anything may have been missed, so every
    /// reader should look at the log and the queues once.
    Reconnected,
}

/// One process's subscription to every channel.
pub struct Listener {
    inner: PgListener,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").finish_non_exhaustive()
    }
}

impl Listener {
    /// The next notification. A lost connection is re-established (by sqlx, which
    /// listens again on every channel) and reported as [`Heard::Reconnected`]; an error
    /// means reconnecting failed, and the next call tries again.
    pub async fn recv(&mut self) -> Result<Heard> {
        loop {
            match self.inner.try_recv().await.classified()? {
                None => return Ok(Heard::Reconnected),
                Some(note) => {
                    // Another application's channel on a shared database: not ours.
                    let Some(channel) = Channel::of_name(note.channel()) else {
                        continue;
                    };
                    return Ok(Heard::Notification {
                        channel,
                        payload: note.payload().to_owned(),
                    });
                }
            }
        }
    }
}

impl Store {
    /// A listener on every channel (PostgreSQL), or `None` on SQLite.
    pub async fn listen(&self) -> Result<Option<Listener>> {
        let Some(url) = self.url().filter(|_| self.backend() == Backend::Postgres) else {
            return Ok(None);
        };
        let mut inner = PgListener::connect(url).await.classified()?;
        let names: Vec<&str> = Channel::ALL.iter().map(|c| c.name()).collect();
        inner.listen_all(names).await.classified()?;
        Ok(Some(Listener { inner }))
    }

    /// Sends `payload` on `channel` now, outside any transaction (typing signals).
    /// Nothing to do on SQLite, whose one process has already told its own streams.
    pub async fn notify(&self, channel: Channel, payload: &str) -> Result<()> {
        if self.backend() != Backend::Postgres {
            return Ok(());
        }
        // Selected through a subquery: the `Any` driver cannot describe a `void` column.
        sqlx::query("SELECT 1 AS sent FROM (SELECT pg_notify($1, $2)) AS n")
            .bind(channel.name())
            .bind(payload)
            .execute(self.writer_pool())
            .await
            .classified()?;
        Ok(())
    }
}
