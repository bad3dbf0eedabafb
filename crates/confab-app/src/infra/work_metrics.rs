//! What the background work looks like to an operator: queue depth and latency per
//! kind of job (AI replies, tasks, webhook deliveries), rendered into `/metrics` on
//! every role. Latency is measured by the process that ran the job, from when the job
//! was due to when its run ended (time waiting in the queue plus the run).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

use confab_core::Timestamp;
use confab_store::{jobs, webhook_dispatch};

use crate::{App, AppResult};
use confab_core::job::JobKind;

/// The kind label of webhook deliveries (jobs use their own `kind`).
pub const WEBHOOK_DELIVERY: &str = "webhook_delivery";

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// A Prometheus histogram over [`BUCKETS`].
#[derive(Default, Debug)]
pub struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    pub fn observe(&mut self, seconds: f64) {
        self.count += 1;
        self.sum += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                self.buckets[i] += 1;
            }
        }
    }

    /// Appends the `_bucket`, `_sum` and `_count` lines of `name{labels}`.
    pub fn render(&self, out: &mut String, name: &str, labels: &str) {
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels},le=\"{le}\"}} {}",
                self.buckets[i]
            );
        }
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// Job latency per kind, as this process observed it. Cheap to clone.
#[derive(Clone, Default, Debug)]
pub struct WorkMetrics {
    latency: Arc<Mutex<BTreeMap<String, Histogram>>>,
}

impl WorkMetrics {
    /// A job of `kind` due at `due` finished its run at `now`.
    pub(crate) fn finished(&self, kind: &str, due: Timestamp, now: Timestamp) {
        let seconds = (now.millis() - due.millis()).max(0) as f64 / 1000.0;
        self.latency
            .lock()
            .expect("work metrics")
            .entry(kind.to_owned())
            .or_default()
            .observe(seconds);
    }
}

/// The Prometheus text for the background work: queue depth (from the database, so
/// every node reports the cluster's queue) and this process's job latency.
pub async fn render(app: &App) -> AppResult<String> {
    // Every kind this build runs is reported, at zero when idle, so a dashboard's
    // series exist before the first job.
    let mut depth: BTreeMap<String, i64> = JobKind::ALL
        .map(JobKind::as_str)
        .into_iter()
        .chain([WEBHOOK_DELIVERY])
        .map(|kind| (kind.to_owned(), 0))
        .collect();
    let mut tx = app.store.system_read().await?;
    depth.extend(jobs::unfinished_by_kind(&mut tx).await?);
    depth.insert(
        WEBHOOK_DELIVERY.to_owned(),
        webhook_dispatch::count_unfinished(&mut tx).await?,
    );
    drop(tx);
    let mut out = String::new();
    out.push_str("# HELP confab_queue_depth Jobs queued or running, by kind (all nodes).\n");
    out.push_str("# TYPE confab_queue_depth gauge\n");
    for (kind, n) in &depth {
        let _ = writeln!(out, "confab_queue_depth{{kind=\"{kind}\"}} {n}");
    }
    out.push_str(
        "# HELP confab_job_latency_seconds From when a job was due to the end of its run, by kind (this node's runs).\n",
    );
    out.push_str("# TYPE confab_job_latency_seconds histogram\n");
    for (kind, h) in app.work.latency.lock().expect("work metrics").iter() {
        h.render(
            &mut out,
            "confab_job_latency_seconds",
            &format!("kind=\"{kind}\""),
        );
    }
    Ok(out)
}
