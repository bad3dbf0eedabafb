//! `confab-bench webhooks`: how fast events become webhook deliveries. Starts the real
//! server with one endpoint pointing at a receiver in this process, creates `--events`
//! contacts (one `contact.created` each) from `--clients` concurrent clients, and
//! waits until every event has arrived. Reports events delivered per second (first
//! request sent to last event received) and the latency from each event's
//! `created_at` to its arrival. Then it replays all of them at once
//! (`POST …/replay`) and reports how fast the dispatcher drains that backlog, which
//! measures delivery alone (no API writes competing). Svix's server can be measured
//! the same way against the same receiver, which is what this is meant to be compared
//! with.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use tokio::sync::Notify;

use crate::server::{self, ConfabServer};
use crate::stats::{ms, percentile};

#[derive(clap::Args, Debug)]
pub struct WebhooksArgs {
    /// Events to emit.
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    /// Concurrent API clients creating them.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// How long to wait for the last delivery.
    #[arg(long, default_value_t = 120)]
    timeout_seconds: u64,
    /// The confab binary [default: <target>/release/confab].
    #[arg(long)]
    confab: Option<PathBuf>,
}

/// What the receiver saw: per event id, when it first arrived and how often.
#[derive(Default)]
struct Receipts {
    /// event id → (event created_at in unix ms, first arrival unix ms, arrivals)
    seen: Mutex<HashMap<String, (i64, i64, usize)>>,
    /// Every request, duplicates and replays included, and when the last came.
    arrivals: AtomicUsize,
    last_arrival_ms: AtomicI64,
    arrived: Notify,
}

async fn receive(State(receipts): State<Arc<Receipts>>, body: Bytes) -> StatusCode {
    let now = chrono::Utc::now().timestamp_millis();
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let created = event["created_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(now, |t| t.timestamp_millis());
    let id = event["id"].as_str().unwrap_or_default().to_owned();
    receipts
        .seen
        .lock()
        .expect("receipts")
        .entry(id)
        .and_modify(|e| e.2 += 1)
        .or_insert((created, now, 1));
    receipts.arrivals.fetch_add(1, Ordering::Relaxed);
    receipts.last_arrival_ms.fetch_max(now, Ordering::Relaxed);
    receipts.arrived.notify_waiters();
    StatusCode::NO_CONTENT
}

pub async fn run(args: WebhooksArgs) -> anyhow::Result<()> {
    if args.events == 0 || args.clients == 0 {
        bail!("--events and --clients must be at least 1");
    }
    let receipts = Arc::new(Receipts::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let receiver_url = format!("http://{}/hook", listener.local_addr()?);
    let app = axum::Router::new()
        .fallback(receive)
        .with_state(receipts.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let binary = args.confab.clone().unwrap_or_else(server::default_binary);
    let server = ConfabServer::start_with(
        &binary,
        &[("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true")],
    )
    .await?;
    let result = measure(&server, &args, &receiver_url, &receipts).await;
    server.stop().await;
    result
}

async fn measure(
    server: &ConfabServer,
    args: &WebhooksArgs,
    receiver_url: &str,
    receipts: &Receipts,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .tcp_nodelay(true)
        .build()?;
    let auth = format!("Bearer {}", server.secret_key);
    let r = client
        .post(format!("{}/v1/webhook-endpoints", server.url))
        .header("authorization", &auth)
        .json(&json!({"url": receiver_url}))
        .send()
        .await?;
    if r.status() != reqwest::StatusCode::CREATED {
        bail!("creating the endpoint: {} {}", r.status(), r.text().await?);
    }
    let endpoint: serde_json::Value = r.json().await?;
    let endpoint_id = endpoint["id"].as_str().context("endpoint id")?.to_owned();
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "webhooks: nproc {nproc}, events {}, clients {}",
        args.events, args.clients
    );
    if cfg!(debug_assertions) {
        println!("note: the load generator is a debug build; use cargo run --release");
    }

    let started = Instant::now();
    let started_ms = chrono::Utc::now().timestamp_millis();
    let next = Arc::new(AtomicUsize::new(0));
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..args.clients {
        let (client, auth, next) = (client.clone(), auth.clone(), next.clone());
        let url = format!("{}/v1/contacts", server.url);
        let total = args.events;
        clients.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    return Ok::<_, anyhow::Error>(());
                }
                let r = client
                    .post(&url)
                    .header("authorization", &auth)
                    .json(&json!({"name": format!("Bench {n}")}))
                    .send()
                    .await?;
                if r.status() != reqwest::StatusCode::CREATED {
                    bail!("creating a contact: {}", r.status());
                }
            }
        });
    }
    while let Some(done) = clients.join_next().await {
        done.context("client task")??;
    }
    let emitted = started.elapsed();

    let timeout = Duration::from_secs(args.timeout_seconds);
    wait_for(receipts, args.events, timeout, || {
        receipts.seen.lock().expect("receipts").len()
    })
    .await?;
    report_live(receipts, args, started_ms, emitted);

    // Phase two: every delivery due at once, nothing else writing.
    let before = receipts.arrivals.load(Ordering::Relaxed);
    let replay_ms = chrono::Utc::now().timestamp_millis();
    let since = chrono::DateTime::from_timestamp_millis(started_ms - 60_000)
        .context("start time")?
        .to_rfc3339();
    let r = client
        .post(format!(
            "{}/v1/webhook-endpoints/{endpoint_id}/replay",
            server.url
        ))
        .header("authorization", &auth)
        .json(&json!({"since": since}))
        .send()
        .await?;
    if r.status() != reqwest::StatusCode::ACCEPTED {
        bail!("replay: {} {}", r.status(), r.text().await?);
    }
    wait_for(receipts, before + args.events, timeout, || {
        receipts.arrivals.load(Ordering::Relaxed)
    })
    .await?;
    let drained = (receipts.last_arrival_ms.load(Ordering::Relaxed) - replay_ms).max(1);
    println!(
        "replayed {} deliveries in {:.2}s: {:.0} deliveries/s (replay request to last receipt)",
        args.events,
        drained as f64 / 1000.0,
        args.events as f64 * 1000.0 / drained as f64
    );
    Ok(())
}

/// Waits until `count()` reaches `wanted`.
async fn wait_for(
    receipts: &Receipts,
    wanted: usize,
    timeout: Duration,
    count: impl Fn() -> usize,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let arrived = receipts.arrived.notified();
        let now = count();
        if now >= wanted {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("only {now} of {wanted} arrived within {timeout:?}");
        }
        let _ = tokio::time::timeout(Duration::from_millis(200), arrived).await;
    }
}

/// Prints the figures of the live phase.
fn report_live(receipts: &Receipts, args: &WebhooksArgs, started_ms: i64, emitted: Duration) {
    let seen = receipts.seen.lock().expect("receipts");
    let last_ms = seen.values().map(|v| v.1).max().unwrap_or(started_ms);
    let window = Duration::from_millis((last_ms - started_ms).max(1) as u64);
    let duplicates: usize = seen.values().map(|v| v.2 - 1).sum();
    let mut latencies: Vec<Duration> = seen
        .values()
        .map(|(created, arrived, _)| Duration::from_millis((arrived - created).max(0) as u64))
        .collect();
    latencies.sort_unstable();
    println!(
        "emitted {} events in {:.2}s ({:.0} events/s through the API)",
        args.events,
        emitted.as_secs_f64(),
        args.events as f64 / emitted.as_secs_f64()
    );
    println!(
        "delivered {} events in {:.2}s: {:.0} events/s (first request to last receipt); duplicates {duplicates}",
        seen.len(),
        window.as_secs_f64(),
        seen.len() as f64 / window.as_secs_f64()
    );
    println!(
        "event -> receipt latency ms: p50 {} p90 {} p99 {} max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or_default())
    );
}
