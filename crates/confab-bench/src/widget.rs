//! `confab-bench widget`: how small and how fast the chat widget is. Starts the real
//! server, prints the size of `/widget.js` as served (gzip) and as written, then drives
//! headless Chromium (`browser/bench_widget.mjs`, npm `playwright-core`) over a shop
//! page that embeds the widget from another origin, and prints the time from
//! navigation to the launcher being interactive, cold (fresh profile) and warm (reload),
//! with the shop page's own DOMContentLoaded (cold) for scale.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::server::{self, ConfabServer};
use crate::stats::{ms, percentile};

/// DESIGN §4's budget for the script, gzipped.
const BUDGET_BYTES: usize = 12 * 1024;

#[derive(clap::Args, Debug)]
pub struct WidgetArgs {
    /// Page loads measured in each of the cold and warm series.
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// The confab binary [default: <target>/release/confab].
    #[arg(long)]
    confab: Option<PathBuf>,
}

/// The `browser/` npm package at the repository root.
fn browser_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../browser"))
}

pub async fn run(args: WidgetArgs) -> anyhow::Result<()> {
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let binary = args.confab.unwrap_or_else(server::default_binary);
    let confab = ConfabServer::start(&binary).await?;
    let outcome = measure(&confab, args.runs).await;
    confab.stop().await;
    outcome
}

async fn measure(confab: &ConfabServer, runs: usize) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let size = |encoding: &'static str| {
        let request = client
            .get(format!("{}/widget.js", confab.url))
            .header("accept-encoding", encoding);
        async move {
            let response = request.send().await.context("fetching /widget.js")?;
            anyhow::Ok(response.bytes().await?.len())
        }
    };
    let (gzipped, plain) = (size("gzip").await?, size("identity").await?);
    println!(
        "widget.js  {gzipped} bytes gzipped ({:.1} KB; budget {} KB), {plain} bytes as written",
        gzipped as f64 / 1024.0,
        BUDGET_BYTES / 1024
    );

    if !browser_dir().join("node_modules/playwright-core").exists() {
        bail!(
            "browser/node_modules is missing: run `npm ci --prefix browser` (and apt-get install chromium)"
        );
    }
    let config = json!({"base_url": confab.url, "site_key": confab.site_key, "runs": runs});
    let output = tokio::process::Command::new("node")
        .arg("bench_widget.mjs")
        .current_dir(browser_dir())
        .env("CONFAB_BROWSER_CONFIG", config.to_string())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .context("running node browser/bench_widget.mjs")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .filter(|r: &Value| r["ok"] == true)
        .with_context(|| {
            format!(
                "bench_widget.mjs failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    println!(
        "{:<28} {:>5} {:>8} {:>8} {:>8}",
        "navigation → launcher", "runs", "p50 ms", "p90 ms", "max ms"
    );
    for series in ["cold", "warm", "page_loaded"] {
        let mut times: Vec<Duration> = report["result"][series]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .map(|t| Duration::from_secs_f64(t / 1000.0))
            .collect();
        times.sort_unstable();
        println!(
            "{:<28} {:>5} {:>8} {:>8} {:>8}",
            format!("  {}", series.replace('_', " ")),
            times.len(),
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 90.0)),
            ms(times.last().copied().unwrap_or_default())
        );
    }
    Ok(())
}
