//! The binary: `confab init`, `confab serve`, bootstrap output, config validation and
//! graceful shutdown, run as a real process.

mod first_hour;
mod multinode;
mod tasks;
mod webhooks;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn confab() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_confab"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CONFAB_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Starts `confab serve` on a free port; returns the child, its base URL and what it
/// printed before listening.
fn serve(dir: &std::path::Path) -> (Child, String, String) {
    serve_with(dir, &[])
}

/// [`serve`] with extra `CONFAB_*` settings.
fn serve_with(dir: &std::path::Path, env: &[(&str, &str)]) -> (Child, String, String) {
    serve_as(dir, "all", env)
}

/// [`serve_with`] in one role (`api`, `worker`, `all`).
#[expect(
    clippy::zombie_processes,
    reason = "the child is returned to the caller, which terminates and waits for it"
)]
fn serve_as(dir: &std::path::Path, role: &str, env: &[(&str, &str)]) -> (Child, String, String) {
    let mut child = confab()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--role",
            role,
            "--data-dir",
        ])
        .arg(dir)
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn confab");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut line = String::new();
        let eof = reader.read_line(&mut line).unwrap_or(0) == 0;
        if eof || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("server did not start: {printed}");
        }
        if let Some(url) = line.trim().strip_prefix("confab listening on ") {
            let url = url.to_owned();
            std::thread::spawn(move || for _ in reader.lines() {});
            return (child, url, printed);
        }
        printed.push_str(&line);
    }
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "no graceful exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn init_prints_the_credentials_as_json_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = confab()
        .args(["init", "--json", "--data-dir"])
        .arg(dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let creds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = creds
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert!(creds["workspace_id"].as_str().unwrap().starts_with("ws_"));
    assert!(
        creds["test_secret_key"]
            .as_str()
            .unwrap()
            .starts_with("sk_test_")
    );
    assert!(
        creds["live_secret_key"]
            .as_str()
            .unwrap()
            .starts_with("sk_live_")
    );
    assert!(
        creds["test_site_key"]
            .as_str()
            .unwrap()
            .starts_with("pk_test_")
    );
    assert!(
        creds["live_site_key"]
            .as_str()
            .unwrap()
            .starts_with("pk_live_")
    );
    assert!(creds["owner_token"].as_str().unwrap().starts_with("mt_"));
    assert!(dir.path().join("confab.db").exists());

    let again = confab()
        .args(["init", "--json", "--data-dir"])
        .arg(dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(again.stdout.is_empty(), "secrets are never printed twice");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a workspace"));
}

/// Someone who lost the first-start banner but holds the database gets a new owner
/// token from the command line, shown once; the old one keeps working.
#[tokio::test]
async fn owner_token_issues_a_new_token_for_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        confab()
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let empty = run(&["owner-token"]);
    assert!(!empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no workspace yet"));

    let creds: serde_json::Value =
        serde_json::from_slice(&run(&["init", "--json"]).stdout).unwrap();
    let again = run(&["init", "--json"]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("confab owner-token"),
        "init points to the command"
    );

    let out = run(&["owner-token", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recovered: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(recovered["workspace_id"], creds["workspace_id"]);
    let token = recovered["owner_token"].as_str().unwrap();
    assert!(token.starts_with("mt_") && token != creds["owner_token"].as_str().unwrap());
    let wrong = run(&[
        "owner-token",
        "--workspace",
        "ws_01JD0000000000000000000000",
    ]);
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("No workspace with id"));
    let text = run(&["owner-token"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("shown ONCE"));

    let (mut child, url, _) = serve(dir.path());
    let client = reqwest::Client::new();
    for bearer in [token, creds["owner_token"].as_str().unwrap()] {
        let r = client
            .get(format!("{url}/v1/members"))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "both tokens sign the owner in");
        let members: serde_json::Value = r.json().await.unwrap();
        assert_eq!(members["data"][0]["id"], recovered["member_id"]);
    }
    assert!(terminate(&mut child).success());
}

#[tokio::test]
async fn serve_bootstraps_once_serves_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url, printed) = serve(dir.path());
    assert!(printed.contains("sk_test_"), "{printed}");
    assert!(printed.contains("/console"));
    assert!(
        printed.contains("data-site-key=\"pk_test_"),
        "the snippet a newcomer pastes is the sandbox's: {printed}"
    );
    assert!(printed.contains("To go live") && printed.contains("data-site-key=\"pk_live_"));
    let key = printed
        .split_whitespace()
        .find(|w| w.starts_with("sk_test_"))
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{url}/v1/contacts"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "Persisted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(terminate(&mut child).success(), "SIGTERM ends with exit 0");

    // A restart does not bootstrap again, and the data is still there.
    let (mut child, url, printed) = serve(dir.path());
    assert!(
        !printed.contains("sk_test_"),
        "credentials are shown once: {printed}"
    );
    let list: serde_json::Value = client
        .get(format!("{url}/v1/contacts"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["name"], "Persisted");
    assert!(terminate(&mut child).success());
}

#[test]
fn bad_configuration_is_refused_at_start_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("confab.toml"),
        "listen = \"127.0.0.1:0\"\ncolour = \"red\"\n",
    )
    .unwrap();
    let out = confab()
        .args(["serve"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("colour"), "{err}");

    let out = confab()
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .env("CONFAB_WEBHOOKS_RETRY_SCHEDULE", "5s,1s")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("backwards"));
}
