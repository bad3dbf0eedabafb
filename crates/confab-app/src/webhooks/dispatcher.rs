//! The webhook dispatcher: claims due deliveries in batches, sends them concurrently,
//! and hands each result to the recorder, which writes them in batches.
//!
//! Throughput comes from doing per batch what would otherwise be done per delivery:
//! one claim transaction takes every due delivery (up to the free slots), one recorder
//! transaction writes every finished attempt, and one pooled HTTP client keeps
//! connections to each endpoint open. Latency comes from waking on commit (the event
//! bus) instead of polling, and from a timer set to the next scheduled retry.
//!
//! Bounds: at most `max_in_flight` requests at once, and at most
//! `max_in_flight_per_endpoint` to one endpoint; the claim passes over endpoints that
//! are full, so a slow endpoint's backlog never holds the others' slots.
//!
//! Shutdown: stop claiming, let every request in flight finish (each is bounded by the
//! 10 s timeout), record the results, return. A crash instead leaves the leases to run
//! out; the deliveries are then claimed again and sent with the same `webhook-id`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, stream};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use confab_core::Timestamp;
use confab_core::event::Event;
use confab_core::id::WebhookEndpointId;
use confab_store::webhook_dispatch::{self, Claimed, EndpointEffect, Next, Recorded};
use confab_webhooks::{Outcome, Sender, WebhookSettings, signing};

use super::recorder;
use crate::{App, AppResult};

/// The most deliveries one claim takes.
const CLAIM_BATCH: usize = 256;
/// How often the queue is looked at when nothing woke the dispatcher (other nodes'
/// commits, leases that ran out).
const POLL: Duration = Duration::from_millis(500);

/// State shared by the claim loop, the send tasks and the recorder.
pub(super) struct Shared {
    pub(super) app: App,
    settings: WebhookSettings,
    sender: Sender,
    /// Requests in flight per endpoint.
    in_flight: Mutex<HashMap<WebhookEndpointId, usize>>,
    /// Scheduled retries this process knows of, earliest first (app-clock ms).
    due: Mutex<BinaryHeap<Reverse<i64>>>,
    /// Wakes the claim loop: a slot was freed or a retry was scheduled.
    wake: Notify,
}

impl Shared {
    fn total_in_flight(&self) -> usize {
        self.in_flight.lock().expect("in-flight map").values().sum()
    }

    fn release(&self, endpoint: &WebhookEndpointId) {
        let mut map = self.in_flight.lock().expect("in-flight map");
        if let Some(n) = map.get_mut(endpoint) {
            *n -= 1;
            if *n == 0 {
                map.remove(endpoint);
            }
        }
        drop(map);
        self.wake.notify_one();
    }

    /// Remembers when a retry is due so the claim loop wakes for it.
    pub(super) fn schedule(&self, at: Timestamp) {
        self.due
            .lock()
            .expect("due heap")
            .push(Reverse(at.millis()));
        self.wake.notify_one();
    }

    /// How long until the next known retry (dropping those already due), capped at
    /// the poll interval.
    fn until_next_due(&self, now: Timestamp) -> Duration {
        let mut due = self.due.lock().expect("due heap");
        while due.peek().is_some_and(|Reverse(at)| *at <= now.millis()) {
            due.pop();
        }
        due.peek()
            .map(|Reverse(at)| Duration::from_millis((at - now.millis()) as u64))
            .map_or(POLL, |d| d.min(POLL))
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
        app: app.clone(),
        settings,
        sender,
        in_flight: Mutex::default(),
        due: Mutex::default(),
        wake: Notify::new(),
    });
    let (results, inbox) = mpsc::unbounded_channel();
    let recording = tokio::spawn(recorder::run(shared.clone(), inbox));
    let mut sends = JoinSet::new();
    loop {
        while sends.try_join_next().is_some() {}
        if shutdown.is_cancelled() {
            break;
        }
        let free = shared
            .settings
            .max_in_flight
            .saturating_sub(shared.total_in_flight());
        let wanted = free.min(CLAIM_BATCH);
        let claimed = if wanted > 0 {
            match claim(&shared, wanted).await {
                Ok(claimed) => claimed,
                Err(err) => {
                    tracing::warn!(error = %err, "webhook dispatcher: claim failed");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let full_batch = wanted > 0 && claimed.len() == wanted;
        for group in by_endpoint(claimed) {
            sends.spawn(send_group(shared.clone(), group, results.clone()));
        }
        if full_batch {
            continue;
        }
        let wait = shared.until_next_due(shared.app.clock.now());
        tokio::select! {
            _ = shutdown.cancelled() => {}
            _ = shared.app.bus.committed() => {}
            _ = shared.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
    while sends.join_next().await.is_some() {}
    drop(results);
    let _ = recording.await;
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

/// Sends one endpoint's share of a claim, all at once (the claim already kept it
/// within the endpoint's bound), starting them in event order: a replay or recovery
/// goes out oldest first.
async fn send_group(
    shared: Arc<Shared>,
    group: Vec<Claimed>,
    results: mpsc::UnboundedSender<Recorded>,
) {
    let width = group.len();
    stream::iter(group)
        .map(|delivery| {
            let (shared, results) = (&shared, &results);
            async move {
                let endpoint = delivery.endpoint_id.clone();
                let recorded = attempt(shared, delivery).await;
                // The recorder outlives every send (it stops after they are done).
                let _ = results.send(recorded);
                shared.release(&endpoint);
            }
        })
        .buffered(width)
        .for_each(|()| async {})
        .await;
}

async fn claim(shared: &Shared, limit: usize) -> AppResult<Vec<Claimed>> {
    let per_endpoint = shared.settings.max_in_flight_per_endpoint;
    let busy = shared.in_flight.lock().expect("in-flight map").clone();
    let now = shared.app.clock.now();
    let lease_until =
        Timestamp::from_millis(now.millis() + shared.settings.lease.as_millis() as i64);
    let mut tx = shared.app.store.system().await?;
    let claimed = webhook_dispatch::claim(&mut tx, now, lease_until, limit, |endpoint| {
        per_endpoint.saturating_sub(busy.get(endpoint).copied().unwrap_or(0))
    })
    .await?;
    tx.commit().await?;
    let mut map = shared.in_flight.lock().expect("in-flight map");
    for c in &claimed {
        *map.entry(c.endpoint_id.clone()).or_default() += 1;
    }
    Ok(claimed)
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
        object: "event",
        event_type: row.event_type.clone(),
        created_at: row.created_at,
        livemode: delivery.livemode,
        data: serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null),
    };
    let body = serde_json::to_vec(&event).unwrap_or_default();
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
    let report = shared.sender.send(&delivery.url, &signed, body).await;
    let now = shared.app.clock.now();
    recorded.status_code = report.status_code;
    recorded.latency_ms = report.latency.as_millis() as i64;
    recorded.error = report.error;
    recorded.response_body = report.response_body;
    (recorded.next, recorded.effect) = match report.outcome {
        Outcome::Delivered => (Next::Delivered, EndpointEffect::Succeeded),
        Outcome::Gone => (after_failure(now, None), EndpointEffect::Gone),
        Outcome::Failed { retry_after } => {
            (after_failure(now, retry_after), EndpointEffect::Failed)
        }
    };
    recorded
}
