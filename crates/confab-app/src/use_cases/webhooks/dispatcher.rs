//! The webhook dispatcher: claims due deliveries in batches, sends them concurrently,
//! and records the results.
//!
//! Throughput comes from doing per batch what would otherwise be done per delivery:
//! each cycle is one transaction that records every attempt finished since the last
//! cycle and claims the next deliveries, and one pooled HTTP client keeps connections
//! to each endpoint open. Latency comes from waking on commit (the event bus) and on
//! every finished attempt instead of polling, and from a timer set to the next
//! scheduled retry.
//!
//! Bounds: at most `max_in_flight` requests at once, and at most
//! `max_in_flight_per_endpoint` to one endpoint (a semaphore per endpoint). A claim
//! takes up to twice that per endpoint, so the next requests are ready when a slot
//! frees without a database round trip, and passes over endpoints that already hold
//! that many, so a slow endpoint's backlog never takes the others' slots. (Twice the
//! bound keeps a claimed delivery's wait under two request timeouts, inside its lease.)
//!
//! Shutdown: stop claiming, let every request in flight finish (each is bounded by the
//! 10 s timeout), record the results, return. A crash instead leaves the leases to run
//! out; the deliveries are then claimed again and sent with the same `webhook-id`.

use confab_core::object::ObjectName;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, stream};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use confab_core::Timestamp;
use confab_core::event::Event;
use confab_core::id::WebhookEndpointId;
use confab_core::task::result_body;
use confab_store::webhook_dispatch::{self, Claimed, EndpointEffect, Next, Recorded};
use confab_webhooks::{Outcome, Sender, WebhookSettings, signing};

use super::recorder;
use crate::{App, AppResult};

/// The most deliveries one claim takes.
const CLAIM_BATCH: usize = 512;
/// How long to wait before trying again after the database refused a cycle.
const BACKOFF: Duration = Duration::from_millis(500);

/// State shared by the dispatch loop and the send tasks.
struct Shared {
    app: App,
    settings: WebhookSettings,
    sender: Sender,
    /// Claimed, not yet finished, per endpoint (waiting for a slot or in flight).
    claimed: Mutex<HashMap<WebhookEndpointId, usize>>,
    /// One semaphore per endpoint: its in-flight bound.
    slots: Mutex<HashMap<WebhookEndpointId, Arc<Semaphore>>>,
    /// Bounds the requests in flight across endpoints.
    total: Arc<Semaphore>,
    /// Finished attempts waiting to be recorded.
    finished: Mutex<Vec<Recorded>>,
    /// Scheduled retries this process knows of, earliest first (app-clock ms).
    due: Mutex<BinaryHeap<Reverse<i64>>>,
    /// Wakes the loop: an attempt finished or a retry was scheduled.
    wake: Notify,
}

impl Shared {
    fn slots(&self, endpoint: &WebhookEndpointId) -> Arc<Semaphore> {
        let per_endpoint = self.settings.max_in_flight_per_endpoint;
        self.slots
            .lock()
            .expect("slots")
            .entry(endpoint.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(per_endpoint)))
            .clone()
    }

    fn finish(&self, recorded: Recorded) {
        let endpoint = recorded.endpoint_id.clone();
        self.finished.lock().expect("finished").push(recorded);
        let mut claimed = self.claimed.lock().expect("claimed");
        if let Some(n) = claimed.get_mut(&endpoint) {
            *n -= 1;
            if *n == 0 {
                claimed.remove(&endpoint);
            }
        }
        drop(claimed);
        self.wake.notify_one();
    }

    fn schedule(&self, at: Timestamp) {
        self.due
            .lock()
            .expect("due heap")
            .push(Reverse(at.millis()));
    }

    /// How long until the next known retry (dropping those already due), capped at
    /// the poll interval (the fallback for what no wake-up announces: another node's
    /// leases running out, an endpoint enabled again).
    fn until_next_due(&self, now: Timestamp) -> Duration {
        let poll = self.app.config.wakeups.poll;
        let mut due = self.due.lock().expect("due heap");
        while due.peek().is_some_and(|Reverse(at)| *at <= now.millis()) {
            due.pop();
        }
        due.peek()
            .map(|Reverse(at)| Duration::from_millis((at - now.millis()) as u64))
            .map_or(poll, |d| d.min(poll))
    }
}

/// Runs until `shutdown`, then finishes the requests in flight and records them.
pub async fn run_dispatcher(app: App, shutdown: CancellationToken) {
    let settings = app.config.webhooks.clone();
    let sender = match Sender::new(settings.allow_private_networks) {
        Ok(sender) => sender,
        Err(err) => {
            tracing::error!(error = %err, "webhook dispatcher cannot start");
            return;
        }
    };
    let shared = Arc::new(Shared {
        app,
        total: Arc::new(Semaphore::new(settings.max_in_flight)),
        settings,
        sender,
        claimed: Mutex::default(),
        slots: Mutex::default(),
        finished: Mutex::default(),
        due: Mutex::default(),
        wake: Notify::new(),
    });
    let mut sends = JoinSet::new();
    loop {
        while sends.try_join_next().is_some() {}
        let stopping = shutdown.is_cancelled();
        let claimable = if stopping {
            0
        } else {
            let held: usize = shared.claimed.lock().expect("claimed").values().sum();
            (2 * shared.settings.max_in_flight)
                .saturating_sub(held)
                .min(CLAIM_BATCH)
        };
        let finished = std::mem::take(&mut *shared.finished.lock().expect("finished"));
        let mut claimed_all = false;
        if claimable > 0 || !finished.is_empty() {
            match cycle(&shared, &finished, claimable).await {
                Ok(claimed) => {
                    claimed_all = claimable > 0 && claimed.len() == claimable;
                    for group in by_endpoint(claimed) {
                        sends.spawn(send_group(shared.clone(), group));
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "webhook dispatcher: a cycle failed; retrying");
                    // Keep the results: they are written by the next cycle.
                    shared.finished.lock().expect("finished").extend(finished);
                    tokio::time::sleep(BACKOFF).await;
                    continue;
                }
            }
        }
        if stopping {
            if sends.is_empty() && shared.finished.lock().expect("finished").is_empty() {
                return;
            }
            // Wait for the requests in flight, then record them.
            let _ = sends.join_next().await;
            continue;
        }
        if claimed_all {
            continue;
        }
        let wait = shared.until_next_due(shared.app.clock.now());
        tokio::select! {
            _ = shutdown.cancelled() => {}
            _ = shared.app.wakeups.webhooks() => {}
            _ = shared.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// One transaction: record what finished, then claim up to `limit` due deliveries.
async fn cycle(shared: &Shared, finished: &[Recorded], limit: usize) -> AppResult<Vec<Claimed>> {
    let now = shared.app.clock.now();
    let mut tx = shared.app.store.system().await?;
    let recovered = recorder::record(&mut tx, finished, now).await?;
    let claimed = if limit > 0 {
        let room = 2 * shared.settings.max_in_flight_per_endpoint;
        let held = shared.claimed.lock().expect("claimed").clone();
        let lease_until =
            Timestamp::from_millis(now.millis() + shared.settings.lease.as_millis() as i64);
        webhook_dispatch::claim(&mut tx, now, lease_until, limit, |endpoint| {
            room.saturating_sub(held.get(endpoint).copied().unwrap_or(0))
        })
        .await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    for r in finished {
        if let Next::RetryAt(at) = r.next {
            shared.schedule(at);
        }
    }
    if recovered > 0 {
        tracing::info!(
            recovered,
            "webhooks: auto_recover queued dead deliveries again"
        );
        shared.wake.notify_one();
    }
    let mut held = shared.claimed.lock().expect("claimed");
    for c in &claimed {
        *held.entry(c.endpoint_id.clone()).or_default() += 1;
    }
    Ok(claimed)
}

/// Splits a claim by endpoint, keeping each endpoint's deliveries in claim (event)
/// order.
fn by_endpoint(claimed: Vec<Claimed>) -> Vec<Vec<Claimed>> {
    let mut groups: Vec<Vec<Claimed>> = Vec::new();
    for delivery in claimed {
        match groups
            .iter_mut()
            .find(|g| g[0].endpoint_id == delivery.endpoint_id)
        {
            Some(group) => group.push(delivery),
            None => groups.push(vec![delivery]),
        }
    }
    groups
}

/// Sends one endpoint's share of a claim as its slots allow, taking the slots in
/// event order (the semaphores are fair): a replay or recovery goes out oldest first.
async fn send_group(shared: Arc<Shared>, group: Vec<Claimed>) {
    let slots = shared.slots(&group[0].endpoint_id);
    let width = group.len();
    stream::iter(group)
        .map(|delivery| {
            let (shared, slots) = (&shared, &slots);
            async move {
                // Neither semaphore is ever closed.
                let _slot = slots.acquire().await.expect("endpoint slots stay open");
                let _total = shared.total.acquire().await.expect("slots stay open");
                let due = shared
                    .settings
                    .schedule
                    .due_at(
                        delivery.cycle_attempt.max(0) as usize,
                        delivery.schedule_from.millis(),
                    )
                    .map_or(delivery.schedule_from, Timestamp::from_millis);
                let recorded = attempt(shared, delivery).await;
                let now = shared.app.clock.now();
                shared
                    .app
                    .work
                    .finished(crate::work_metrics::WEBHOOK_DELIVERY, due, now);
                shared.finish(recorded);
            }
        })
        .buffered(width)
        .for_each(|()| async {})
        .await;
}

/// Signs and sends one delivery, and decides what comes next.
async fn attempt(shared: &Shared, delivery: Claimed) -> Recorded {
    let at = shared.app.clock.now();
    let schedule = &shared.settings.schedule;
    let index = delivery.cycle_attempt.max(0) as usize;
    let after_failure = |now: Timestamp, retry_after| match schedule.next_after_failure(
        index,
        delivery.schedule_from.millis(),
        now.millis(),
        retry_after,
    ) {
        Some(next) => Next::RetryAt(Timestamp::from_millis(next)),
        None => Next::Dead,
    };
    let mut recorded = Recorded {
        delivery_id: delivery.delivery_id.clone(),
        workspace_id: delivery.workspace_id.clone(),
        livemode: delivery.livemode,
        endpoint_id: delivery.endpoint_id.clone(),
        at,
        status_code: None,
        latency_ms: 0,
        error: None,
        response_body: None,
        next: Next::Dead,
        effect: EndpointEffect::Failed,
    };
    let Some(row) = &delivery.event else {
        // Retention removed the event: there is nothing left to send.
        recorded.error = Some("the event is no longer in the log (events are kept 30 days)".into());
        return recorded;
    };
    let event = Event {
        id: row.id.clone(),
        object: ObjectName::new(),
        event_type: row.event_type.clone(),
        created_at: row.created_at,
        livemode: delivery.livemode,
        data: serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null),
    };
    // A key's response endpoint gets the task's result, not the event around it.
    let (body, extra) = match &delivery.api_key_id {
        None => (serde_json::to_vec(&event).unwrap_or_default(), Vec::new()),
        Some(_) => {
            let task_id = event.data["id"].as_str().unwrap_or_default().to_owned();
            let body = serde_json::to_vec(&result_body(&event.data)).unwrap_or_default();
            (body, vec![("x-task-id", task_id)])
        }
    };
    let signed = match signing::sign(
        row.id.as_str(),
        at.millis().div_euclid(1000),
        &body,
        &delivery.secret,
        delivery.previous_secret.as_deref(),
    ) {
        Ok(signed) => signed,
        Err(err) => {
            recorded.error = Some(format!("cannot sign: {err}"));
            recorded.next = after_failure(at, None);
            return recorded;
        }
    };
    let report = shared
        .sender
        .send_with(&delivery.url, &signed, &extra, body)
        .await;
    let now = shared.app.clock.now();
    recorded.status_code = report.status_code;
    recorded.latency_ms = report.latency.as_millis() as i64;
    recorded.error = report.error;
    recorded.response_body = report.response_body;
    (recorded.next, recorded.effect) = match report.outcome {
        Outcome::Delivered => (Next::Delivered, EndpointEffect::Succeeded),
        // A 410 disables an endpoint the tenant manages; a key's response endpoint
        // follows its key's `response_url` instead, so the attempt just failed.
        Outcome::Gone if delivery.api_key_id.is_some() => {
            (after_failure(now, None), EndpointEffect::Failed)
        }
        Outcome::Gone => (after_failure(now, None), EndpointEffect::Gone),
        Outcome::Failed { retry_after } => {
            (after_failure(now, retry_after), EndpointEffect::Failed)
        }
    };
    recorded
}
