//! `confab-bench streams`: what idle live streams (`GET /v1/events/stream`) cost the
//! server in memory and threads, and whether they are all live: one event is posted and
//! every stream must receive it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::{Response, StatusCode};
use serde_json::json;
use tokio::task::JoinSet;

use crate::server::{self, ConfabServer};
use crate::stats::{ms, percentile};

/// Streams opened concurrently per batch, so a 2-core machine is not swamped.
const BATCH: usize = 200;
/// File descriptors this process needs besides one per stream.
const FD_SLACK: u64 = 100;
/// How long every stream has to receive the fan-out event.
const FAN_OUT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a single stream may take to answer with its headers.
const OPEN_TIMEOUT: Duration = Duration::from_secs(30);
/// The contact name the fan-out event carries.
const MARKER: &str = "fan-out";

#[derive(clap::Args, Debug)]
pub struct StreamsArgs {
    /// Idle SSE connections to hold open.
    #[arg(long, default_value_t = 2000)]
    count: usize,
    /// The confab binary [default: <target>/release/confab].
    #[arg(long)]
    confab: Option<PathBuf>,
}

pub async fn run(args: StreamsArgs) -> anyhow::Result<()> {
    if args.count == 0 {
        bail!("--count must be at least 1");
    }
    check_fd_limit(args.count as u64 + FD_SLACK)?;
    let binary = args.confab.unwrap_or_else(server::default_binary);
    let server = ConfabServer::start(&binary).await?;
    let result = measure(&server, args.count).await;
    server.stop().await;
    result
}

async fn measure(server: &ConfabServer, count: usize) -> anyhow::Result<()> {
    let pid = server.pid().context("confab exited right after starting")?;
    // No overall request timeout: it would cut the streams off.
    let client = reqwest::Client::builder()
        .http1_only()
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let auth = format!("Bearer {}", server.secret_key);

    let health = client
        .get(format!("{}/healthz", server.url))
        .send()
        .await
        .context("GET /healthz")?;
    if !health.status().is_success() {
        bail!("GET /healthz answered {}", health.status());
    }
    health.bytes().await?;
    let rss_before = proc_status(pid, "VmRSS")?;

    let url = format!("{}/v1/events/stream", server.url);
    let mut streams = Vec::with_capacity(count);
    let opening = Instant::now();
    while streams.len() < count {
        let mut batch = JoinSet::new();
        for _ in 0..BATCH.min(count - streams.len()) {
            let request = client.get(&url).header("Authorization", &auth).send();
            batch.spawn(async move {
                tokio::time::timeout(OPEN_TIMEOUT, request)
                    .await
                    .map_err(|_| anyhow::anyhow!("no headers within {OPEN_TIMEOUT:?}"))?
                    .map_err(anyhow::Error::from)
            });
        }
        while let Some(joined) = batch.join_next().await {
            let n = streams.len();
            let response = joined?.with_context(|| format!("opening stream {n}"))?;
            check_stream(&response).with_context(|| format!("stream {n}"))?;
            streams.push(response);
        }
    }
    let open_time = opening.elapsed();

    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = proc_status(pid, "VmRSS")?;
    let threads = proc_status(pid, "Threads")?;

    // Every stream waits for the marker before the event exists, so the clock measures
    // delivery, not how late a reader started.
    let mut readers = JoinSet::new();
    for response in streams {
        readers.spawn(async move {
            tokio::time::timeout(FAN_OUT_TIMEOUT, wait_for_marker(response))
                .await
                .ok()
                .flatten()
        });
    }
    // Let every reader park on its socket first.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = Instant::now();
    let created = client
        .post(format!("{}/v1/contacts", server.url))
        .header("Authorization", &auth)
        .json(&json!({ "name": MARKER }))
        .send()
        .await
        .context("POST /v1/contacts")?;
    let answered = Instant::now();
    let status = created.status();
    let body = created.text().await?;
    if status != StatusCode::CREATED {
        bail!("POST /v1/contacts answered {status}, expected 201 Created: {body}");
    }
    let mut arrivals = Vec::with_capacity(count);
    while let Some(joined) = readers.join_next().await {
        if let Some(at) = joined? {
            arrivals.push(at);
        }
    }
    let mut from_response: Vec<Duration> = arrivals
        .iter()
        .map(|at| at.saturating_duration_since(answered))
        .collect();
    let mut from_send: Vec<Duration> = arrivals.iter().map(|at| *at - sent).collect();
    from_response.sort_unstable();
    from_send.sort_unstable();

    let mib = |kib: u64| kib as f64 / 1024.0;
    let per_stream = (rss_after as f64 - rss_before as f64) * 1024.0 / count as f64;
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("streams: nproc {nproc}, confab pid {pid}");
    println!("count                    {count}");
    println!("open time                {} ms", ms(open_time));
    println!("rss before               {:.1} MiB", mib(rss_before));
    println!("rss with streams         {:.1} MiB", mib(rss_after));
    println!("bytes per idle stream    {per_stream:.0}");
    println!("server threads           {threads}");
    println!("fan-out delivered        {}/{count}", arrivals.len());
    println!("POST round trip          {} ms", ms(answered - sent));
    println!(
        "fan-out after response   p50 {} ms, max {} ms",
        ms(percentile(&from_response, 50.0)),
        ms(from_response.last().copied().unwrap_or_default())
    );
    println!(
        "fan-out after send       p50 {} ms, max {} ms",
        ms(percentile(&from_send, 50.0)),
        ms(from_send.last().copied().unwrap_or_default())
    );
    if arrivals.len() < count {
        bail!(
            "only {} of {count} streams received the event within {FAN_OUT_TIMEOUT:?}",
            arrivals.len()
        );
    }
    Ok(())
}

/// A stream must answer 200 with `text/event-stream`.
fn check_stream(response: &Response) -> anyhow::Result<()> {
    let status = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if status != StatusCode::OK || !content_type.starts_with("text/event-stream") {
        bail!("answered {status} with content-type {content_type:?}");
    }
    Ok(())
}

/// Reads SSE lines until a `data:` line contains the marker; returns when it arrived,
/// or `None` if the stream ended first.
async fn wait_for_marker(mut response: Response) -> Option<Instant> {
    let mut pending = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        pending.extend_from_slice(&chunk);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            if line.starts_with("data:") && line.contains(MARKER) {
                return Some(Instant::now());
            }
        }
    }
    None
}

/// A numeric field of `/proc/<pid>/status` (`VmRSS` is in KiB).
fn proc_status(pid: u32, field: &str) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    text.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .with_context(|| format!("no {field} in {path}"))
}

/// Both processes need a descriptor per stream; confab inherits this process's limits.
fn check_fd_limit(needed: u64) -> anyhow::Result<()> {
    let text = std::fs::read_to_string("/proc/self/limits").context("reading /proc/self/limits")?;
    let Some(line) = text.lines().find(|l| l.starts_with("Max open files")) else {
        bail!("no `Max open files` in /proc/self/limits");
    };
    let mut fields = line["Max open files".len()..].split_whitespace();
    let parse = |v: Option<&str>| match v {
        Some("unlimited") => Some(u64::MAX),
        v => v?.parse().ok(),
    };
    let soft = parse(fields.next()).context("unreadable soft open-file limit")?;
    let hard = parse(fields.next()).context("unreadable hard open-file limit")?;
    if soft < needed {
        bail!(
            "the open-file limit is {soft} (hard {hard}) but {needed} are needed: \
             run `ulimit -n 65536` (or at least {needed}, at most the hard limit) in this shell first"
        );
    }
    Ok(())
}
