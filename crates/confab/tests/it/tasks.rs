//! The task gateway in the running binary: the worker `serve` starts picks a task up
//! on its own, charges it at the configured prices, and POSTs the result to the key's
//! `response_url`.

use std::time::Duration;

use confab_testkit::Receiver;
use serde_json::{Value, json};

use super::{serve_with, terminate};

fn printed_credential(printed: &str, prefix: &str) -> String {
    printed
        .split_whitespace()
        .find(|w| w.starts_with(prefix))
        .unwrap_or_else(|| panic!("a fresh server prints its {prefix}… credential"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_tasks_and_delivers_their_results() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start().await;
    let (mut child, url, printed) = serve_with(
        dir.path(),
        &[
            ("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true"),
            ("CONFAB_PRICE_ACTION_CENTS", "0.5"),
        ],
    );
    let owner = printed_credential(&printed, "mt_");
    let client = reqwest::Client::new();
    let key: Value = client
        .post(format!("{url}/v1/api-keys"))
        .bearer_auth(&owner)
        .json(&json!({"label": "binary", "mode": "test", "response_url": receiver.url}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sk = key["key"].as_str().expect("the key is shown once");
    let accepted = client
        .post(format!("{url}/v1/tasks"))
        .bearer_auth(&owner)
        .header("x-api-key", sk)
        .json(&json!({"message": "Create a contact for Ada Lovelace at Analytical Engines, ada@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let id = accepted.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let got = receiver.wait_accepted(1, Duration::from_secs(20)).await;
    let body = got[0].json();
    assert_eq!(body["task_id"], id.as_str());
    assert_eq!(body["status"], "resolved", "{body}");
    assert_eq!(got[0].header("x-task-id"), id);
    let task: Value = client
        .get(format!("{url}/v1/tasks/{id}"))
        .bearer_auth(&owner)
        .header("x-api-key", sk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        task["cost_cents"].as_f64(),
        Some(1.0),
        "two actions at the configured 0.5 cents"
    );
    assert!(terminate(&mut child).success());
}
