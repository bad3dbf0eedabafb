//! Webhook deliveries across the life of the process: a `kill -9` with deliveries in
//! flight loses none (after a restart they go out again, same `webhook-id`, once
//! their lease runs out), and a SIGTERM lets the requests in flight finish and
//! records them before exiting.

use std::collections::HashSet;
use std::process::Child;
use std::time::{Duration, Instant};

use confab_testkit::{Receiver, Reply};
use serde_json::json;

use super::{serve_with, terminate};

/// Starts `confab serve` with a fast schedule, a 2 s lease and private networks
/// allowed (the receiver listens on 127.0.0.1).
fn serve_delivering(dir: &std::path::Path) -> (Child, String, String) {
    serve_with(
        dir,
        &[
            ("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true"),
            ("CONFAB_WEBHOOKS_RETRY_SCHEDULE", "0s,1s,2s,4s,8s"),
            ("CONFAB_WEBHOOKS_LEASE", "2s"),
        ],
    )
}

/// The test key a fresh server printed.
fn test_key(printed: &str) -> String {
    printed
        .split_whitespace()
        .find(|w| w.starts_with("sk_test_"))
        .expect("a fresh server prints its test key")
        .to_owned()
}

/// A server with `n` deliveries in flight to a receiver that holds each request for
/// `hold` before answering 200.
struct InFlight {
    dir: tempfile::TempDir,
    receiver: Receiver,
    child: Child,
    key: String,
    endpoint: String,
    contacts: HashSet<String>,
}

impl InFlight {
    async fn start(n: usize, hold: Duration) -> InFlight {
        let dir = tempfile::tempdir().unwrap();
        let receiver = Receiver::start().await;
        receiver.answer(Reply::status(200).after(hold));
        let (child, url, printed) = serve_delivering(dir.path());
        let key = test_key(&printed);
        let (endpoint, contacts) = endpoint_and_events(&url, &key, &receiver, n).await;
        receiver
            .wait_until(Duration::from_secs(15), "requests in flight", |r| {
                r.len() >= n
            })
            .await;
        InFlight {
            dir,
            receiver,
            child,
            key,
            endpoint,
            contacts,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_with_deliveries_in_flight_loses_none() {
    // The receiver holds every request: they are in flight when the server dies.
    let InFlight {
        dir,
        receiver,
        mut child,
        key,
        endpoint,
        contacts,
        ..
    } = InFlight::start(20, Duration::from_secs(60)).await;
    child.kill().unwrap(); // SIGKILL: no graceful anything
    child.wait().unwrap();

    receiver.answer(Reply::status(200));
    let before_restart = receiver.received().len();
    let (mut child, url, printed) = serve_delivering(dir.path());
    assert!(
        !printed.contains("sk_test_"),
        "a restart does not bootstrap again"
    );
    let got = receiver
        .wait_until(
            Duration::from_secs(20),
            "every event again after the restart",
            |r| {
                let again: HashSet<String> = r[before_restart..]
                    .iter()
                    .map(|x| x.json()["data"]["id"].as_str().unwrap_or("").to_owned())
                    .collect();
                contacts.iter().all(|c| again.contains(c))
            },
        )
        .await;
    // Sent again with the same webhook-id, once the dead process's lease ran out.
    for again in &got[before_restart..] {
        let first = got[..before_restart]
            .iter()
            .find(|r| r.header("webhook-id") == again.header("webhook-id"))
            .expect("a webhook-id seen before the crash");
        assert!(
            again.at_ms - first.at_ms >= 1500,
            "redelivered {} ms after the first send, inside the 2 s lease",
            again.at_ms - first.at_ms
        );
    }
    // The server agrees: all delivered, nothing pending.
    let client = reqwest::Client::new();
    let id = endpoint.as_str();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list: serde_json::Value = client
            .get(format!(
                "{url}/v1/webhook-endpoints/{id}/deliveries?status=delivered&limit=100"
            ))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if list["data"].as_array().unwrap().len() == 20 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not all recorded as delivered: {list}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Creates an endpoint for `receiver` and `n` contacts (one event each); returns the
/// endpoint id and the contact ids.
async fn endpoint_and_events(
    url: &str,
    key: &str,
    receiver: &Receiver,
    n: usize,
) -> (String, HashSet<String>) {
    let client = reqwest::Client::new();
    let endpoint: serde_json::Value = client
        .post(format!("{url}/v1/webhook-endpoints"))
        .bearer_auth(key)
        .json(&json!({"url": receiver.url}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut contacts = HashSet::new();
    for i in 0..n {
        let r = client
            .post(format!("{url}/v1/contacts"))
            .bearer_auth(key)
            .json(&json!({"name": format!("Customer {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let contact: serde_json::Value = r.json().await.unwrap();
        contacts.insert(contact["id"].as_str().unwrap().to_owned());
    }
    (endpoint["id"].as_str().unwrap().to_owned(), contacts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_deliveries_in_flight() {
    let InFlight {
        dir,
        receiver,
        mut child,
        key,
        endpoint,
        ..
    } = InFlight::start(3, Duration::from_millis(1500)).await;
    let asked = Instant::now();
    assert!(terminate(&mut child).success(), "a graceful exit");
    assert!(
        asked.elapsed() >= Duration::from_millis(1000),
        "the server waited for the requests in flight"
    );
    // Restarted, it has nothing left to send: every result was recorded before exit.
    let (mut child, url, _) = serve_delivering(dir.path());
    let list: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{url}/v1/webhook-endpoints/{endpoint}/deliveries?status=delivered"
        ))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 3, "{list}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(receiver.received().len(), 3, "nothing was sent twice");
    child.kill().unwrap();
    child.wait().unwrap();
}
