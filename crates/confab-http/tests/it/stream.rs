//! `GET /v1/events/stream`: every event once, in order, resumable without loss.

use std::time::Duration;

use confab_testkit::{SseClient, TestServer, both_backends};
use serde_json::json;

both_backends! {
    async fn resume_by_last_event_id_loses_and_repeats_nothing(backend) {
        let s = TestServer::start(backend).await;
        let url = format!("{}/v1/events/stream", s.base);
        let mut first = SseClient::open(&url, s.sk(), None).await;
        // Another workspace's and the other mode's events must never appear.
        let other = confab_app::workspaces::create(&s.app, "Other").await.unwrap();
        s.call("POST", "/v1/contacts", &other.test_secret_key, Some(json!({"name": "not mine"}))).await;
        s.call("POST", "/v1/contacts", &s.creds.live_secret_key, Some(json!({"name": "live"}))).await;

        let writer = {
            let base = s.base.clone();
            let key = s.sk().to_owned();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for i in 0..30 {
                    let r = client.post(format!("{base}/v1/contacts")).bearer_auth(&key)
                        .json(&json!({"name": format!("Person {i}")})).send().await.unwrap();
                    assert_eq!(r.status(), 201);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        };
        let mut received = Vec::new();
        while received.len() < 10 {
            let frame = first.next(Duration::from_secs(10)).await.expect("an event within 10 s");
            let event = frame.json();
            assert_eq!(frame.id.as_deref(), event["id"].as_str(), "the SSE id is the event id");
            received.push(event);
        }
        drop(first);
        // Events keep arriving while the client is away.
        let last = received.last().unwrap()["id"].as_str().unwrap().to_owned();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut second = SseClient::open(&url, s.sk(), Some(&last)).await;
        while received.len() < 30 {
            let frame = second.next(Duration::from_secs(10)).await.expect("the rest after resuming");
            received.push(frame.json());
        }
        writer.await.unwrap();
        assert!(second.next(Duration::from_millis(500)).await.is_none(), "nothing extra");
        let names: Vec<String> = received.iter().map(|e| e["data"]["name"].as_str().unwrap().to_owned()).collect();
        let expected: Vec<String> = (0..30).map(|i| format!("Person {i}")).collect();
        assert_eq!(names, expected, "in order, none lost, none repeated");
        for e in &received {
            assert_eq!(e["type"], "contact.created");
            assert_eq!(e["livemode"], false);
        }
    }
}

#[tokio::test]
async fn member_tokens_stream_and_bad_credentials_do_not() {
    let s = TestServer::start(confab_testkit::TestBackend::Sqlite).await;
    let url = format!("{}/v1/events/stream", s.base);
    let mut live = SseClient::open(&url, &s.creds.owner_token, None).await;
    s.call(
        "POST",
        "/v1/contacts",
        &s.creds.live_secret_key,
        Some(json!({"name": "Live one"})),
    )
    .await;
    let frame = live
        .next(Duration::from_secs(10))
        .await
        .expect("live event for the member");
    assert_eq!(frame.json()["data"]["name"], "Live one");
    let denied = s
        .send("GET", "/v1/events/stream", Some("sk_test_nope"), &[], None)
        .await;
    assert_eq!(denied.status, 401);
}

#[tokio::test]
async fn events_past_thirty_days_are_purged() {
    let s = TestServer::start(confab_testkit::TestBackend::Sqlite).await;
    s.contact(json!({"name": "Old news"})).await;
    assert_eq!(
        confab_app::events::purge_expired(&s.app).await.unwrap(),
        0,
        "a fresh event stays"
    );
    s.app.clock.advance(31 * 24 * 3600 * 1000);
    assert_eq!(confab_app::events::purge_expired(&s.app).await.unwrap(), 1);
    let events = s.call("GET", "/v1/events", s.sk(), None).await.json();
    assert!(events["data"].as_array().unwrap().is_empty());
}
