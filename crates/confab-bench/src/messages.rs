//! `confab-bench messages`: the hot write path (a customer message posted to an existing
//! conversation) through the real server, next to the bare-insert baseline, under the
//! same client loop.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::StatusCode;
use serde_json::json;

use crate::baseline::Baseline;
use crate::load::{self, LoadConfig, LoadResult};
use crate::server::{self, ConfabServer};
use crate::stats::Summary;

#[derive(clap::Args, Debug)]
pub struct MessagesArgs {
    /// Concurrent clients (each with its own conversation and connection).
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Measured seconds per target.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Unrecorded warm-up seconds before each measurement.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// The confab binary [default: <target>/release/confab].
    #[arg(long)]
    confab: Option<PathBuf>,
    /// Skip Confab and measure the bare axum + SQLite baseline only.
    #[arg(long)]
    baseline_only: bool,
}

pub async fn run(args: MessagesArgs) -> anyhow::Result<()> {
    if args.clients == 0 || args.seconds == 0 {
        bail!("--clients and --seconds must be at least 1");
    }
    let config = LoadConfig {
        clients: args.clients,
        warmup: Duration::from_secs(args.warmup),
        duration: Duration::from_secs(args.seconds),
    };
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "messages: nproc {nproc}, clients {}, seconds {} (+{} warm-up)",
        args.clients, args.seconds, args.warmup
    );
    if cfg!(debug_assertions) {
        println!("note: the load generator is a debug build; use cargo run --release");
    }
    let mut rows = Vec::new();
    // One target at a time, the other one stopped, so they never compete for CPU.
    if !args.baseline_only {
        let binary = args.confab.clone().unwrap_or_else(server::default_binary);
        let result = bench_confab(&binary, config).await?;
        rows.push(("confab", Summary::of(&result), result.error_samples));
    }
    let result = bench_baseline(config).await?;
    rows.push(("baseline", Summary::of(&result), result.error_samples));
    crate::report::print(&rows);
    Ok(())
}

/// The message body, identical for both targets.
fn body(seq: u64) -> serde_json::Value {
    json!({ "role": "customer", "text": format!("hello number {seq}") })
}

async fn bench_confab(binary: &std::path::Path, config: LoadConfig) -> anyhow::Result<LoadResult> {
    let server = ConfabServer::start(binary).await?;
    let client = load::http_client(config.clients)?;
    let auth = format!("Bearer {}", server.secret_key);
    let mut urls = Vec::with_capacity(config.clients);
    for n in 0..config.clients {
        let id = create_conversation(&client, &server.url, &auth, n).await?;
        urls.push(format!("{}/v1/conversations/{id}/messages", server.url));
    }
    let urls = Arc::new(urls);
    let result = load::run(config, move |client_no, seq| {
        let request = client
            .post(&urls[client_no])
            .header("Authorization", &auth)
            .json(&body(seq));
        load::expect_status(request, StatusCode::CREATED)
    })
    .await;
    server.stop().await;
    Ok(result)
}

/// One conversation per client, so clients do not contend on a single conversation.
async fn create_conversation(
    client: &reqwest::Client,
    url: &str,
    auth: &str,
    n: usize,
) -> anyhow::Result<String> {
    let response = client
        .post(format!("{url}/v1/conversations"))
        .header("Authorization", auth)
        .json(&json!({ "channel": "api", "contact": { "name": format!("Bench {n}") } }))
        .send()
        .await
        .context("POST /v1/conversations")?;
    let status = response.status();
    let text = response.text().await?;
    if status != StatusCode::CREATED {
        bail!("POST /v1/conversations answered {status}, expected 201 Created: {text}");
    }
    let value: serde_json::Value =
        serde_json::from_str(&text).context("POST /v1/conversations: response is not JSON")?;
    match value.get("id").and_then(|v| v.as_str()) {
        Some(id) if id.starts_with("cnv_") => Ok(id.to_owned()),
        _ => bail!("POST /v1/conversations: no cnv_ id in {text}"),
    }
}

async fn bench_baseline(config: LoadConfig) -> anyhow::Result<LoadResult> {
    let baseline = Baseline::start().await?;
    let client = load::http_client(config.clients)?;
    let urls: Arc<Vec<String>> = Arc::new(
        (0..config.clients)
            .map(|n| format!("{}/insert?conversation_id=cnv_bench{n}", baseline.url))
            .collect(),
    );
    let result = load::run(config, move |client_no, seq| {
        let request = client.post(&urls[client_no]).json(&body(seq));
        load::expect_status(request, StatusCode::CREATED)
    })
    .await;
    baseline.stop().await;
    Ok(result)
}
