//! Browser tests: a Node script under `browser/` drives Debian's Chromium through
//! `playwright-core` against a server the Rust test started.
//!
//! The test passes what it set up as JSON (`base_url` is required); the script's last
//! stdout line is `{"ok":true,"result":…}` and `result` comes back. Screenshots go to
//! `<target>/browser-artifacts/<name>/`. When Node, Chromium or the npm package is missing
//! the test is skipped with a printed reason, unless `CONFAB_REQUIRE_BROWSER=1` (set by
//! `.ci/run`), in which case it fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

/// How long one script may run before the test fails.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// The `browser/` npm package at the repository root.
pub fn package_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../browser")
}

/// Where a test's screenshots go: `<target>/browser-artifacts/<name>`.
pub fn artifacts_dir(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("browser-artifacts").join(name)
}

/// The Chromium binary the scripts launch.
pub fn chromium() -> PathBuf {
    std::env::var_os("CONFAB_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Why browser tests cannot run here, if they cannot.
pub fn missing() -> Option<String> {
    if !chromium().exists() {
        return Some(format!(
            "{} not found (apt-get install chromium)",
            chromium().display()
        ));
    }
    if !package_dir().join("node_modules/playwright-core").exists() {
        return Some("browser/node_modules is missing (npm ci --prefix browser)".into());
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node is not on PATH".into());
    }
    None
}

/// True when browser tests can run; otherwise prints why and returns false, or panics
/// when `CONFAB_REQUIRE_BROWSER=1`.
pub fn available() -> bool {
    match missing() {
        None => true,
        Some(reason) if std::env::var("CONFAB_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!("browser tests are required (CONFAB_REQUIRE_BROWSER=1) but {reason}")
        }
        Some(reason) => {
            eprintln!("skipping browser test: {reason}");
            false
        }
    }
}

/// Runs `browser/<script>.mjs` with `config` (plus `artifacts`) and returns its result, or
/// `None` when browser tests cannot run here (see [`available`]). Panics with the script's
/// output when it fails or times out.
pub async fn run(script: &str, name: &str, mut config: Value) -> Option<Value> {
    if !available() {
        return None;
    }
    let artifacts = artifacts_dir(name);
    std::fs::create_dir_all(&artifacts).expect("create the artifacts directory");
    config["artifacts"] = Value::String(artifacts.display().to_string());
    let child = tokio::process::Command::new("node")
        .arg(package_dir().join(format!("{script}.mjs")))
        .current_dir(package_dir())
        .env("CONFAB_BROWSER_CONFIG", config.to_string())
        .env("CONFAB_CHROMIUM", chromium())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start node");
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("browser script {script} ran over {SCRIPT_TIMEOUT:?}"))
        .expect("wait for node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty());
    let report = last.and_then(|l| serde_json::from_str::<Value>(l).ok());
    match report {
        Some(r) if output.status.success() && r["ok"] == Value::Bool(true) => {
            Some(r["result"].clone())
        }
        _ => panic!(
            "browser script {script} failed ({}); screenshots in {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            output.status,
            artifacts.display()
        ),
    }
}
