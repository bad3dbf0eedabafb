//! Starts the real `confab` binary as a child process, the way an operator would, so
//! the numbers include everything a deployment pays for (routing, auth, rate limiting,
//! JSON, durable storage), and nothing is linked into the benchmark.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long the server may take to print its address.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server. Dropping it kills the child (so `?` on any error cleans up);
/// prefer [`ConfabServer::stop`] to also wait for it.
pub struct ConfabServer {
    child: Child,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    /// The test-mode secret key printed on first start of a fresh database.
    pub secret_key: String,
    /// The test-mode site key printed with it (the widget's key).
    pub site_key: String,
    // Declared last: removed only after the child has been told to die.
    _data_dir: tempfile::TempDir,
}

/// `<target>/release/confab`, found next to this binary's own target directory so it
/// works from any working directory and with `CARGO_TARGET_DIR`; falls back to the
/// workspace-relative `target/release/confab`.
pub fn default_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("release").join("confab")))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("target/release/confab"))
}

impl ConfabServer {
    /// Starts `binary serve` on a free port with a fresh data directory and waits until
    /// it has printed both its test secret key and its address.
    pub async fn start(binary: &Path) -> anyhow::Result<ConfabServer> {
        Self::start_with(binary, &[]).await
    }

    /// The same, with extra `CONFAB_*` settings for the workload.
    pub async fn start_with(binary: &Path, env: &[(&str, &str)]) -> anyhow::Result<ConfabServer> {
        Self::launch(binary, &[], env, true).await
    }

    /// A node on a database that already has its workspace (`confab init` ran): in
    /// `role`, with `env`; its keys are empty (the caller has them from `init`).
    pub async fn start_node(
        binary: &Path,
        role: &str,
        env: &[(&str, &str)],
    ) -> anyhow::Result<ConfabServer> {
        Self::launch(binary, &["--role", role], env, false).await
    }

    async fn launch(
        binary: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        fresh: bool,
    ) -> anyhow::Result<ConfabServer> {
        if !binary.is_file() {
            bail!(
                "no confab binary at {}: run `cargo build --release -p confab` first (or pass --confab PATH)",
                binary.display()
            );
        }
        let data_dir = tempfile::tempdir().context("creating a data directory")?;
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .args(args)
            .arg("--data-dir")
            .arg(data_dir.path())
            // The server reads ./confab.toml when present; an empty directory keeps
            // any local config file out of the measurement.
            .current_dir(data_dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        // Only the settings below: a developer's CONFAB_* environment (Postgres URL,
        // admin token, …) would otherwise change what is measured.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CONFAB_") {
                command.env_remove(name);
            }
        }
        command
            .env("CONFAB_LOG", "warn")
            .env("CONFAB_RATE_LIMIT_PER_MINUTE", "100000000");
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout from confab")?;
        let mut lines = BufReader::new(stdout).lines();

        let parsed = tokio::time::timeout(STARTUP_TIMEOUT, async {
            let (mut key, mut site_key) = (None, None);
            while let Some(line) = lines.next_line().await? {
                let word = |prefix: &str| {
                    line.split_whitespace()
                        .find(|w| w.starts_with(prefix))
                        .map(str::to_owned)
                };
                key = key.or_else(|| word("sk_test_"));
                site_key = site_key.or_else(|| word("pk_test_"));
                if let Some(url) = line.trim().strip_prefix("confab listening on ") {
                    let key = match key {
                        Some(key) => key,
                        None if !fresh => String::new(),
                        None => bail!(
                            "confab printed its address but no sk_test_ key (not a fresh database?)"
                        ),
                    };
                    let site_key = site_key.unwrap_or_default();
                    return Ok((key, site_key, url.trim_end_matches('/').to_owned()));
                }
            }
            bail!("confab closed its stdout before printing `confab listening on …`")
        })
        .await;
        let (secret_key, site_key, url) = match parsed {
            Ok(Ok(found)) => found,
            Ok(Err(err)) => {
                let status = match child.wait().await {
                    Ok(status) => status.to_string(),
                    Err(e) => format!("unknown ({e})"),
                };
                bail!("{err:#} (confab {status})");
            }
            Err(_) => bail!("confab did not print its address within {STARTUP_TIMEOUT:?}"),
        };
        // Keep draining stdout so the child can never block on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(ConfabServer {
            child,
            url,
            secret_key,
            site_key,
            _data_dir: data_dir,
        })
    }

    /// The child's process id, while it is running.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Kills the server and waits for it to exit. The benchmark's data is throwaway,
    /// so there is no need for a graceful shutdown.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}
