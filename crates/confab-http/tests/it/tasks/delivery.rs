//! The result at the key's `response_url`: signed with the key's secret (Standard
//! Webhooks headers, `X-Signature`, `X-Task-Id`), verified by code we did not write,
//! retried like any webhook, and its status on the task.

use std::time::Duration;

use confab_testkit::{Receiver, Reply, TestServer, both_backends};
use serde_json::json;

use crate::webhooks::verifier::verify;

const WAIT: Duration = Duration::from_secs(15);

both_backends! {
    async fn the_result_is_signed_with_the_key_secret_and_verifies(backend) {
        let s = TestServer::with_webhooks(backend, "0ms,100ms,200ms").await;
        let receiver = Receiver::start().await;
        let me = s.task_caller(json!({"label": "hooked", "mode": "test", "response_url": receiver.url})).await;
        // An endpoint of the workspace subscribed to task events gets the event, not the result.
        let subscriber = Receiver::start().await;
        s.endpoint(s.sk(), json!({"url": subscriber.url, "events": ["task.resolved", "task.failed"]})).await;

        let id = s.task(&me, json!({"message": "Create a contact for John Smith at Acme Corp, john@acme.com, +44 7700 900000"})).await;
        let accepted_task = s.get_task(&me, &id).await.json();
        assert_eq!(accepted_task["webhook"]["status"], "pending");
        s.run_tasks().await;
        let got = receiver.wait_accepted(1, WAIT).await;
        let request = &got[0];
        let body = request.json();
        assert_eq!(body["task_id"], id.as_str());
        assert_eq!(body["status"], "resolved");
        assert_eq!(body["response"]["data"]["contact"]["email"], "john@acme.com");
        assert!(body.get("error").is_none());
        assert_eq!(request.header("x-task-id"), id);
        assert!(request.header("webhook-id").starts_with("evt_"));
        assert!(request.header("webhook-signature").starts_with("v1,"));
        assert_eq!(request.header("content-type"), "application/json");
        assert_eq!(verify(&me.signing_secret, &got), vec![(true, true)], "standardwebhooks and the plain recipe accept it");
        let other = confab_core::credential::new_signing_secret();
        assert_eq!(verify(&other, &got), vec![(false, false)], "another secret does not");

        let event = &subscriber.wait_accepted(1, WAIT).await[0];
        assert_eq!(event.json()["type"], "task.resolved");
        assert_eq!(event.json()["data"]["id"], id.as_str());
        assert_eq!(event.header("webhook-id"), request.header("webhook-id"), "one event, two deliveries");

        // The task shows the delivery.
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let task = s.get_task(&me, &id).await.json();
            if task["webhook"]["status"] == "delivered" {
                assert!(task["webhook"]["delivered_at"].is_string());
                assert_eq!(task["webhook"]["attempts"], 1);
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "never delivered: {task}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

both_backends! {
    async fn a_failure_is_delivered_too_and_retried_until_it_lands(backend) {
        let s = TestServer::with_webhooks(backend, "0ms,100ms,200ms").await;
        let receiver = Receiver::start().await;
        receiver.script([Reply::status(500), Reply::status(410)]);
        let me = s.task_caller(json!({"label": "hooked", "mode": "test", "response_url": receiver.url})).await;
        let id = s.task(&me, json!({"message": "Please do my taxes"})).await;
        s.run_tasks().await;
        let got = receiver.wait_accepted(1, WAIT).await;
        let all = receiver.received();
        assert_eq!(all.len(), 3, "500, then 410 (a failure here, not a disabled endpoint), then 200");
        let body = got[0].json();
        assert_eq!(body["task_id"], id.as_str());
        assert_eq!(body["status"], "failed");
        assert_eq!(body["error"]["code"], "NOT_UNDERSTOOD");
        assert!(body.get("response").is_none());
        assert_eq!(verify(&me.signing_secret, &all), vec![(true, true); 3]);
        assert!(all.iter().all(|r| r.header("webhook-id") == all[0].header("webhook-id")), "one id across retries");
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let task = s.get_task(&me, &id).await.json();
            if task["webhook"]["status"] == "delivered" {
                assert_eq!(task["webhook"]["attempts"], 3);
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "never delivered: {task}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Without a response_url there is nothing to deliver: poll instead.
        let quiet = s.task_caller(json!({"label": "quiet", "mode": "test"})).await;
        let id = s.task(&quiet, json!({"message": "Find all contacts from London"})).await;
        let task = s.finished_task(&quiet, &id).await;
        assert_eq!(task["webhook"], json!({"status": "none", "delivered_at": null, "attempts": 0, "next_attempt_at": null}));
    }
}
