//! Failures: the retry schedule, `Retry-After`, dead deliveries and their replay,
//! `auto_recover`, 410, and addresses that are refused at send time.

use std::time::Duration;

use confab_testkit::{Receiver, Reply, TestServer, both_backends};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(15);

async fn deliveries(s: &TestServer, endpoint: &str, status: Option<&str>) -> Vec<Value> {
    let query = status.map(|st| format!("?status={st}")).unwrap_or_default();
    let r = s
        .call(
            "GET",
            &format!("/v1/webhook-endpoints/{endpoint}/deliveries{query}"),
            s.sk(),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["data"].as_array().unwrap().clone()
}

/// Polls the endpoint's deliveries until `n` are in `status`.
async fn wait_for_status(s: &TestServer, endpoint: &str, status: &str, n: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let found = deliveries(s, endpoint, Some(status)).await;
        if found.len() >= n {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited for {n} {status} deliveries; have {:?}",
            deliveries(s, endpoint, None).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

both_backends! {
    async fn a_receiver_that_fails_three_times_gets_the_fourth_attempt_on_schedule(backend) {
        let s = TestServer::with_webhooks(backend, "0ms,400ms,800ms,1200ms,1600ms").await;
        let receiver = Receiver::start().await;
        receiver.script([Reply::status(500), Reply::status(502), Reply::status(500).body("boom")]);
        let endpoint = id(&s.endpoint(s.sk(), json!({"url": receiver.url})).await);
        s.contact(json!({"name": "Retried"})).await;
        let got = receiver.wait_accepted(1, WAIT).await;
        let all = receiver.received();
        assert_eq!(all.len(), 4, "three failures then the success");
        let event_id = all[0].header("webhook-id").to_owned();
        assert!(all.iter().all(|r| r.header("webhook-id") == event_id), "one webhook-id across retries");
        let event = s.call("GET", &format!("/v1/events/{event_id}"), s.sk(), None).await.json();
        let created = confab_core::Timestamp::parse_rfc3339(event["created_at"].as_str().unwrap()).unwrap().millis();
        for (attempt, offset) in [0, 400, 800, 1200].into_iter().enumerate() {
            let late = all[attempt].at_ms - (created + offset);
            assert!((-5..400).contains(&late), "attempt {attempt} came {late} ms after its scheduled time");
        }
        assert_eq!(got[0].header("webhook-id"), event_id);

        let d = &wait_for_status(&s, &endpoint, "delivered", 1).await[0];
        let codes: Vec<i64> = d["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
        assert_eq!(codes, vec![500, 502, 500, 200]);
        assert_eq!(d["attempts"][2]["response_body"], "boom");
        assert_eq!(d["attempts"][2]["error"], "the endpoint answered 500");
        assert!(d["attempts"][3]["error"].is_null());
        assert!(d["attempts"][0]["latency_ms"].as_i64().unwrap() >= 0);
        assert!(d["next_attempt_at"].is_null());
        assert!(d["delivered_at"].is_string());
        assert_eq!(s.unfinished_deliveries().await, 0);
    }
}

both_backends! {
    async fn a_receiver_down_for_the_whole_schedule_leaves_the_delivery_dead_until_a_replay(backend) {
        let s = TestServer::with_webhooks(backend, "0ms,100ms,200ms").await;
        let receiver = Receiver::start().await;
        receiver.answer(Reply::status(503).body(&"x".repeat(5000)));
        let endpoint = id(&s.endpoint(s.sk(), json!({"url": receiver.url})).await);
        let before = confab_core::Timestamp::now();
        s.contact(json!({"name": "Dead letter"})).await;
        let dead = wait_for_status(&s, &endpoint, "dead", 1).await;
        let d = &dead[0];
        assert_eq!(d["attempts"].as_array().unwrap().len(), 3);
        assert!(d["next_attempt_at"].is_null());
        let body = d["attempts"][0]["response_body"].as_str().unwrap();
        assert_eq!(body.len(), 1024, "the stored response body is cut");
        assert_eq!(receiver.received().len(), 3);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(receiver.received().len(), 3, "nothing after the last attempt");

        // The receiver is back; a replay of dead deliveries delivers it.
        receiver.answer(Reply::status(200));
        let r = s.call("POST", &format!("/v1/webhook-endpoints/{endpoint}/replay"), s.sk(),
            Some(json!({"since": before.to_rfc3339(), "status": "dead"}))).await;
        assert_eq!(r.status, 202, "{}", r.text);
        assert_eq!(r.json()["replayed"], 1);
        let got = receiver.wait_accepted(1, WAIT).await;
        assert_eq!(got[0].header("webhook-id"), d["event_id"].as_str().unwrap());
        let delivered = wait_for_status(&s, &endpoint, "delivered", 1).await;
        assert_eq!(delivered[0]["attempts"].as_array().unwrap().len(), 4);

        // And one delivery can be sent again by hand.
        let r = s.call("POST", &format!("/v1/webhook-deliveries/{}/retry", id(d)), s.sk(), None).await;
        assert_eq!(r.status, 202, "{}", r.text);
        receiver.wait_accepted(2, WAIT).await;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let now = s.call("GET", &format!("/v1/webhook-deliveries/{}", id(d)), s.sk(), None).await.json();
            if now["status"] == "delivered" && now["attempts"].as_array().unwrap().len() == 5 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "the retry was not recorded: {now}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

both_backends! {
    async fn auto_recover_replays_dead_deliveries_in_event_order_after_the_first_success(backend) {
        let s = TestServer::with_webhooks(backend, "0ms,50ms,100ms").await;
        let receiver = Receiver::start().await;
        receiver.answer(Reply::status(500));
        let endpoint = id(&s.endpoint(s.sk(), json!({"url": receiver.url, "auto_recover": true})).await);
        let mut missed = Vec::new();
        for name in ["First", "Second", "Third"] {
            missed.push(id(&s.contact(json!({"name": name})).await));
        }
        wait_for_status(&s, &endpoint, "dead", 3).await;

        receiver.answer(Reply::status(200));
        s.contact(json!({"name": "Back online"})).await;
        let got = receiver.wait_accepted(4, WAIT).await;
        let contacts: Vec<String> = got.iter().map(|r| r.json()["data"]["id"].as_str().unwrap().to_owned()).collect();
        for m in &missed {
            assert_eq!(contacts.iter().filter(|c| *c == m).count(), 1, "{m} recovered once");
        }
        let delivered = wait_for_status(&s, &endpoint, "delivered", 4).await;
        // The recovered ones were sent oldest event first (the list is newest first).
        let mut recovered: Vec<&Value> = delivered.iter().filter(|d| d["attempts"].as_array().unwrap().len() == 4).collect();
        recovered.reverse();
        assert_eq!(recovered.len(), 3);
        let started: Vec<String> = recovered.iter().map(|d| d["attempts"][3]["at"].as_str().unwrap().to_owned()).collect();
        let mut sorted = started.clone();
        sorted.sort();
        assert_eq!(started, sorted, "replayed in event order");
        assert!(deliveries(&s, &endpoint, Some("dead")).await.is_empty());
    }
}

both_backends! {
    async fn retry_after_on_429_is_honoured(backend) {
        let s = TestServer::with_webhooks(backend, "0ms,50ms,100ms").await;
        let receiver = Receiver::start().await;
        receiver.script([Reply::status(429).header("retry-after", "1")]);
        s.endpoint(s.sk(), json!({"url": receiver.url})).await;
        s.contact(json!({"name": "Slow down"})).await;
        receiver.wait_accepted(1, WAIT).await;
        let all = receiver.received();
        assert_eq!(all.len(), 2);
        let gap = all[1].at_ms - all[0].at_ms;
        assert!(gap >= 990, "the second attempt waited for Retry-After, not 50 ms: {gap} ms");
    }
}

both_backends! {
    async fn a_410_disables_the_endpoint_and_enabling_it_resumes_what_was_pending(backend) {
        let s = TestServer::with_webhooks(backend, "0ms,100ms,200ms").await;
        let receiver = Receiver::start().await;
        receiver.script([Reply::status(410)]);
        let endpoint = id(&s.endpoint(s.sk(), json!({"url": receiver.url})).await);
        s.contact(json!({"name": "Gone"})).await;
        let deadline = tokio::time::Instant::now() + WAIT;
        let disabled = loop {
            let e = s.call("GET", &format!("/v1/webhook-endpoints/{endpoint}"), s.sk(), None).await.json();
            if e["enabled"] == false {
                break e;
            }
            assert!(tokio::time::Instant::now() < deadline, "410 did not disable the endpoint");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(disabled["disabled_reason"], "gone");
        s.contact(json!({"name": "While disabled"})).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), 1, "nothing is sent to a disabled endpoint");
        assert_eq!(deliveries(&s, &endpoint, None).await.len(), 1, "nor queued for it");

        let r = s.call("PATCH", &format!("/v1/webhook-endpoints/{endpoint}"), s.sk(), Some(json!({"enabled": true}))).await;
        assert!(r.json()["disabled_reason"].is_null());
        let got = receiver.wait_accepted(1, WAIT).await;
        assert_eq!(got[0].json()["data"]["name"], "Gone", "the pending delivery resumed");
    }
}

/// Rewrites an endpoint's stored URL behind the API's checks, as a DNS answer that
/// changes after creation would.
async fn point_at(s: &TestServer, endpoint: &str, url: &str) {
    let id = confab_core::id::WebhookEndpointId::parse(endpoint).unwrap();
    let mut tx = s.test_tx().await;
    let mut stored = confab_store::webhook_endpoints::get_for_update(&mut tx, &id)
        .await
        .unwrap()
        .unwrap();
    stored.url = url.to_owned();
    confab_store::webhook_endpoints::update(&mut tx, &stored)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

both_backends! {
    async fn a_private_address_is_refused_at_send_time(backend) {
        let s = TestServer::with_webhook_settings(backend, "0ms,50ms", |w| w.allow_private_networks = false).await;
        let receiver = Receiver::start().await;
        // A name that did not resolve when the endpoint was made is accepted; by the time
        // of sending it resolves to loopback (a DNS answer changed, or was made to).
        let endpoint = id(&s.endpoint(s.sk(), json!({"url": receiver.url_with_host("hooks.nowhere.invalid")})).await);
        point_at(&s, &endpoint, &receiver.url_with_host("localhost")).await;
        s.contact(json!({"name": "Never sent"})).await;
        let dead = wait_for_status(&s, &endpoint, "dead", 1).await;
        let attempts = dead[0]["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 2);
        for a in attempts {
            assert!(a["status_code"].is_null());
            assert!(a["error"].as_str().unwrap().starts_with("refused"), "{a}");
        }
        assert!(receiver.received().is_empty(), "no request reached the loopback receiver");
        let literal = s.call("POST", "/v1/webhook-endpoints", s.sk(), Some(json!({"url": receiver.url}))).await;
        assert_eq!(literal.status, 422, "a literal loopback address is refused at once");
    }
}

both_backends! {
    async fn a_slow_endpoint_does_not_hold_up_the_others(backend) {
        let s = TestServer::with_webhook_settings(backend, "0ms", |w| w.max_in_flight_per_endpoint = 2).await;
        let slow = Receiver::start().await;
        slow.answer(Reply::status(200).after(Duration::from_secs(3)));
        let fast = Receiver::start().await;
        s.endpoint(s.sk(), json!({"url": slow.url})).await;
        s.endpoint(s.sk(), json!({"url": fast.url})).await;
        let started = tokio::time::Instant::now();
        for i in 0..10 {
            s.contact(json!({"name": format!("Busy {i}")})).await;
        }
        fast.wait_accepted(10, WAIT).await;
        assert!(started.elapsed() < Duration::from_secs(3), "the fast endpoint waited for the slow one");
        assert_eq!(slow.received().len(), 2, "at most two requests in flight to one endpoint");
        slow.wait_accepted(10, Duration::from_secs(30)).await;
    }
}
