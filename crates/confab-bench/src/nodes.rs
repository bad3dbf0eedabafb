//! `confab-bench nodes`: the latency from a commit on one node to the event on another
//! node's live stream. Two `confab serve --role api` processes share a fresh PostgreSQL
//! database; a client holds `GET /v1/events/stream` open on node B and creates contacts
//! one at a time on node A, timing each from sending the `POST` (the commit happens
//! before its answer) to the `contact.created` frame arriving from B. Run twice: with
//! `LISTEN/NOTIFY` (B's pump is woken by A's commit) and with it off (`pg_notify =
//! false`: B finds the event at its next poll).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;
use sqlx::{Connection, Executor};

use crate::server::{self, ConfabServer};
use crate::stats::{ms, percentile};

#[derive(clap::Args, Debug)]
pub struct NodesArgs {
    /// Commits timed with LISTEN/NOTIFY.
    #[arg(long, default_value_t = 500)]
    samples: usize,
    /// Commits timed with the poll fallback (each waits up to one poll interval).
    #[arg(long, default_value_t = 100)]
    poll_samples: usize,
    /// The nodes' poll interval (`poll_interval`).
    #[arg(long, default_value = "5s")]
    poll_interval: String,
    /// A PostgreSQL URL allowed to create databases; each run gets a fresh one.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// The confab binary [default: <target>/release/confab].
    #[arg(long)]
    confab: Option<PathBuf>,
}

pub async fn run(args: NodesArgs) -> anyhow::Result<()> {
    let binary = args.confab.unwrap_or_else(server::default_binary);
    // `init` and the nodes run in their own directories.
    let binary = std::fs::canonicalize(&binary)
        .with_context(|| format!("no confab binary at {}", binary.display()))?;
    println!(
        "{:<16} {:>8} {:>8} {:>8} {:>8} {:>14}",
        "wake-up", "samples", "p50 ms", "p99 ms", "max ms", "POST p50 ms"
    );
    for (name, notify, samples) in [
        ("LISTEN/NOTIFY", true, args.samples),
        ("poll fallback", false, args.poll_samples),
    ] {
        let database = Database::create(&args.postgres).await?;
        let result = measure(&binary, &database.url, notify, &args.poll_interval, samples).await;
        database.drop_it(&args.postgres).await;
        let (mut latencies, mut posts) = result?;
        latencies.sort_unstable();
        posts.sort_unstable();
        println!(
            "{:<16} {:>8} {:>8} {:>8} {:>8} {:>14}",
            name,
            latencies.len(),
            ms(percentile(&latencies, 50.0)),
            ms(percentile(&latencies, 99.0)),
            ms(latencies.last().copied().unwrap_or_default()),
            ms(percentile(&posts, 50.0)),
        );
    }
    Ok(())
}

/// Commit-to-stream latencies and the POSTs' own round trips.
async fn measure(
    binary: &Path,
    database_url: &str,
    notify: bool,
    poll_interval: &str,
    samples: usize,
) -> anyhow::Result<(Vec<Duration>, Vec<Duration>)> {
    let key = init(binary, database_url).await?;
    let env = [
        ("CONFAB_DATABASE_URL", database_url),
        ("CONFAB_PG_NOTIFY", if notify { "true" } else { "false" }),
        ("CONFAB_POLL_INTERVAL", poll_interval),
    ];
    let a = ConfabServer::start_node(binary, "api", &env).await?;
    let b = ConfabServer::start_node(binary, "api", &env).await?;
    let client = reqwest::Client::builder().tcp_nodelay(true).build()?;
    let response = client
        .get(format!("{}/v1/events/stream", b.url))
        .bearer_auth(&key)
        .send()
        .await
        .context("opening node B's stream")?;
    if !response.status().is_success() {
        bail!("node B's stream answered {}", response.status());
    }
    let mut stream = response;
    let mut seen = String::new();
    let (mut latencies, mut posts) = (Vec::new(), Vec::new());
    let poll_ms = poll_millis(poll_interval)?;
    for i in 0..samples {
        // Out of step with the poll: a commit right after a delivery would otherwise
        // always wait a whole interval. Spread over it, each waits a fair share.
        let pause = if notify {
            5
        } else {
            (i as u64 * 7919) % poll_ms
        };
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let marker = format!("node-bench-{i}-{}", ulid::Ulid::new());
        let sent = Instant::now();
        let created = client
            .post(format!("{}/v1/contacts", a.url))
            .bearer_auth(&key)
            .json(&json!({"name": marker}))
            .send()
            .await?;
        if created.status() != 201 {
            bail!("POST /v1/contacts on node A answered {}", created.status());
        }
        posts.push(sent.elapsed());
        while !seen.contains(&marker) {
            let chunk = tokio::time::timeout(Duration::from_secs(30), stream.chunk())
                .await
                .context("no event on node B within 30 s")??
                .context("node B's stream ended")?;
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        latencies.push(sent.elapsed());
        seen.clear();
    }
    a.stop().await;
    b.stop().await;
    Ok((latencies, posts))
}

/// `500ms`, `5s` or `1m` in milliseconds (the server checks the setting itself).
fn poll_millis(text: &str) -> anyhow::Result<u64> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number
        .parse()
        .with_context(|| format!("--poll-interval {text:?}"))?;
    Ok(match unit {
        "ms" => n,
        "s" | "" => n * 1000,
        "m" => n * 60_000,
        _ => bail!("--poll-interval {text:?}: use ms, s or m"),
    }
    .max(1))
}

/// `confab init --json` on the fresh database; returns the test secret key.
async fn init(binary: &Path, database_url: &str) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let mut command = tokio::process::Command::new(binary);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CONFAB_") {
            command.env_remove(name);
        }
    }
    let out = command
        .args(["init", "--json", "--data-dir"])
        .arg(dir.path())
        .current_dir(dir.path())
        .env("CONFAB_DATABASE_URL", database_url)
        .output()
        .await
        .with_context(|| format!("running {} init", binary.display()))?;
    if !out.status.success() {
        bail!("confab init: {}", String::from_utf8_lossy(&out.stderr));
    }
    let creds: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    Ok(creds["test_secret_key"]
        .as_str()
        .context("no test key from init")?
        .to_owned())
}

/// A database for one run.
struct Database {
    name: String,
    url: String,
}

impl Database {
    async fn create(admin: &str) -> anyhow::Result<Database> {
        sqlx::any::install_default_drivers();
        let name = format!(
            "confab_bench_{}",
            ulid::Ulid::new().to_string().to_lowercase()
        );
        let mut conn = sqlx::AnyConnection::connect(admin)
            .await
            .with_context(|| format!("connecting to {admin}"))?;
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await?;
        let _ = conn.close().await;
        let root = admin.rsplit_once('/').map_or(admin, |(root, _)| root);
        Ok(Database {
            url: format!("{root}/{name}"),
            name,
        })
    }

    async fn drop_it(self, admin: &str) {
        if let Ok(mut conn) = sqlx::AnyConnection::connect(admin).await {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = conn.execute(sqlx::AssertSqlSafe(sql)).await;
            let _ = conn.close().await;
        }
    }
}
