//! The closed-loop load generator: N clients, each sending its next request as soon as
//! the previous one answers. Target-agnostic (a closure builds each request) so every
//! subcommand and both sides of a comparison go through exactly the same loop.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How hard and how long to push.
#[derive(Clone, Copy, Debug)]
pub struct LoadConfig {
    pub clients: usize,
    /// Unrecorded time first, so connection set-up and cold caches do not skew results.
    pub warmup: Duration,
    pub duration: Duration,
}

/// Everything the measured window produced.
#[derive(Debug, Default)]
pub struct LoadResult {
    /// Latency of each successful request started inside the measured window.
    pub latencies: Vec<Duration>,
    pub errors: usize,
    /// The first few error descriptions, to show what went wrong without flooding.
    pub error_samples: Vec<String>,
    /// From the window's start to the last recorded request's end (in-flight requests
    /// finish after the deadline, so this is slightly longer than `duration`).
    pub elapsed: Duration,
}

/// How many error descriptions to keep.
const MAX_ERROR_SAMPLES: usize = 5;

/// Runs `config.clients` tasks. Each calls `request(client, seq)` in a loop, where
/// `seq` counts that client's requests from 0; `Err` is a short description of a failed
/// request. Only requests started in the measured window are recorded.
pub async fn run<F, Fut>(config: LoadConfig, request: F) -> LoadResult
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let request = Arc::new(request);
    // One shared clock so every client uses the same window.
    let start = Instant::now();
    let window_start = start + config.warmup;
    let deadline = window_start + config.duration;
    let tasks: Vec<_> = (0..config.clients)
        .map(|client| {
            let request = Arc::clone(&request);
            tokio::spawn(async move {
                let mut out = LoadResult::default();
                let mut last_end = window_start;
                let mut seq = 0u64;
                loop {
                    let sent = Instant::now();
                    if sent >= deadline {
                        break;
                    }
                    let outcome = request(client, seq).await;
                    seq += 1;
                    let done = Instant::now();
                    if sent < window_start {
                        continue;
                    }
                    last_end = done;
                    match outcome {
                        Ok(()) => out.latencies.push(done - sent),
                        Err(err) => {
                            out.errors += 1;
                            if out.error_samples.len() < MAX_ERROR_SAMPLES {
                                out.error_samples.push(err);
                            }
                        }
                    }
                }
                (out, last_end)
            })
        })
        .collect();

    let mut total = LoadResult::default();
    let mut last_end = window_start;
    for task in tasks {
        match task.await {
            Ok((part, end)) => {
                total.latencies.extend(part.latencies);
                total.errors += part.errors;
                for sample in part.error_samples {
                    if total.error_samples.len() < MAX_ERROR_SAMPLES {
                        total.error_samples.push(sample);
                    }
                }
                last_end = last_end.max(end);
            }
            Err(err) => {
                total.errors += 1;
                total
                    .error_samples
                    .push(format!("client task failed: {err}"));
            }
        }
    }
    total.elapsed = last_end.saturating_duration_since(window_start);
    total
}

/// Shared by every HTTP target: sends `request`, and anything but `expected` becomes an
/// error carrying the status and the start of the body.
pub async fn expect_status(
    request: reqwest::RequestBuilder,
    expected: reqwest::StatusCode,
) -> Result<(), String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("transport: {e}"))?;
    let status = response.status();
    // Read the whole body either way so the connection goes back to the pool.
    let body = response.text().await.map_err(|e| format!("body: {e}"))?;
    if status == expected {
        Ok(())
    } else {
        let short: String = body.chars().take(300).collect();
        Err(format!("{status}: {short}"))
    }
}

/// A client like a real API consumer would use: a keep-alive pool over HTTP/1.1 with a
/// connection per concurrent client, so the benchmark measures requests, not handshakes.
pub fn http_client(clients: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .http1_only()
        .pool_max_idle_per_host(clients)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()?)
}
