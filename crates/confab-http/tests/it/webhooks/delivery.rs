//! What a receiver gets: the headers, signatures a third-party verifier accepts, and
//! only the events of its own workspace, mode and filter.

use std::time::Duration;

use confab_testkit::{Receiver, TestServer, both_backends};
use serde_json::json;

use super::verifier::verify;

const WAIT: Duration = Duration::from_secs(15);

both_backends! {
    async fn signatures_verify_with_standardwebhooks_and_the_plain_recipe(backend) {
        let s = TestServer::with_webhooks(backend, "0ms,100ms,200ms").await;
        let receiver = Receiver::start().await;
        let endpoint = s.endpoint(s.sk(), json!({"url": receiver.url})).await;
        let secret = endpoint["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"));
        let contact = s.contact(json!({"name": "Ada", "email": "ada@example.com"})).await;

        let got = receiver.wait_accepted(1, WAIT).await;
        let request = &got[0];
        let body = request.json();
        assert_eq!(body["object"], "event");
        assert_eq!(body["type"], "contact.created");
        assert_eq!(body["data"]["id"], contact["id"]);
        assert_eq!(body["livemode"], false);
        // The id is the event's, as the log shows it.
        let events = s.call("GET", "/v1/events?type=contact.created", s.sk(), None).await.json();
        assert_eq!(request.header("webhook-id"), events["data"][0]["id"].as_str().unwrap());
        assert_eq!(body["id"], events["data"][0]["id"]);
        assert_eq!(request.header("content-type"), "application/json");
        assert!(request.header("user-agent").starts_with("Confab/"), "{}", request.header("user-agent"));
        let ts: i64 = request.header("webhook-timestamp").parse().unwrap();
        assert!((ts - confab_core::Timestamp::now().millis() / 1000).abs() < 60);
        assert!(request.header("webhook-signature").starts_with("v1,"));
        assert_eq!(request.header("x-signature").len(), 64, "hex SHA-256");

        assert_eq!(verify(&secret, &got), vec![(true, true)], "both verifiers accept the request");
        // The checks can fail: another secret, or one changed byte, is refused.
        let other = confab_core::credential::new_signing_secret();
        assert_eq!(verify(&other, &got), vec![(false, false)]);
        let mut tampered = got[0].clone();
        tampered.body = String::from_utf8(tampered.body).unwrap().replace("Ada", "Eve").into_bytes();
        assert_eq!(verify(&secret, &[tampered]), vec![(false, false)]);
    }
}

both_backends! {
    async fn a_rotated_secret_keeps_signing_alongside_the_new_one_for_a_day(backend) {
        let s = TestServer::with_webhooks(backend, "0ms").await;
        let receiver = Receiver::start().await;
        let endpoint = s.endpoint(s.sk(), json!({"url": receiver.url})).await;
        let id = endpoint["id"].as_str().unwrap();
        let old = endpoint["secret"].as_str().unwrap().to_owned();
        let rotated = s.call("POST", &format!("/v1/webhook-endpoints/{id}/rotate-secret"), s.sk(), None).await;
        assert_eq!(rotated.status, 200, "{}", rotated.text);
        let new = rotated.json()["secret"].as_str().unwrap().to_owned();
        assert!(new.starts_with("whsec_") && new != old);
        assert!(s.call("GET", &format!("/v1/webhook-endpoints/{id}"), s.sk(), None).await.json().get("secret").is_none(),
            "the secret is shown only on create and rotate");

        s.contact(json!({"name": "During the overlap"})).await;
        let got = receiver.wait_accepted(1, WAIT).await;
        assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2);
        // Receivers on either secret accept it; X-Signature uses the new one.
        assert_eq!(verify(&new, &got), vec![(true, true)]);
        assert_eq!(verify(&old, &got), vec![(true, false)]);

        // A day later only the new secret signs.
        s.app.clock.advance(24 * 3600 * 1000 + 1000);
        s.contact(json!({"name": "After the overlap"})).await;
        let got = receiver.wait_accepted(2, WAIT).await;
        let signature = got[1].header("webhook-signature");
        assert_eq!(signature.split(' ').count(), 1, "{signature}");
        assert_eq!(
            signature,
            confab_webhooks::signing::standard_signature(
                &new, got[1].header("webhook-id"), got[1].header("webhook-timestamp").parse().unwrap(), &got[1].body,
            ).unwrap()
        );
    }
}

both_backends! {
    async fn events_reach_only_their_own_workspace_mode_and_filter(backend) {
        let s = TestServer::with_webhooks(backend, "0ms").await;
        let everything = Receiver::start().await;
        let messages_only = Receiver::start().await;
        let other_tenant = Receiver::start().await;
        let all = s.endpoint(s.sk(), json!({"url": everything.url, "events": ["*"]})).await;
        s.endpoint(s.sk(), json!({"url": messages_only.url, "events": ["message.received"]})).await;
        // Live endpoints must be https; this one never gets a test-mode delivery.
        let live_key = s.creds.live_secret_key.clone();
        let live = s.endpoint(&live_key, json!({"url": "https://127.0.0.1:9/hook"})).await;
        assert_eq!(live["livemode"], true);
        let b = confab_app::workspaces::create(&s.app, "Tenant B").await.unwrap();
        let b_endpoint = s.endpoint(&b.test_secret_key, json!({"url": other_tenant.url})).await;

        s.contact(json!({"name": "Only in A, test mode"})).await;
        let got = everything.wait_accepted(1, WAIT).await;
        assert_eq!(got[0].json()["type"], "contact.created");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(messages_only.received().is_empty(), "the filter keeps contact.created out");
        assert!(other_tenant.received().is_empty(), "another workspace never sees it");
        let deliveries = |key: String, id: String| {
            let s = &s;
            async move {
                s.call("GET", &format!("/v1/webhook-endpoints/{id}/deliveries"), &key, None).await.json()["data"]
                    .as_array().unwrap().len()
            }
        };
        let live_id = live["id"].as_str().unwrap().to_owned();
        assert_eq!(deliveries(live_key.clone(), live_id.clone()).await, 0, "a test-mode event never goes to a live endpoint");
        assert_eq!(deliveries(b.test_secret_key.clone(), b_endpoint["id"].as_str().unwrap().to_owned()).await, 0);
        // Nor can one tenant or mode read another's endpoint.
        let a_id = all["id"].as_str().unwrap();
        assert_eq!(s.call("GET", &format!("/v1/webhook-endpoints/{a_id}"), &b.test_secret_key, None).await.status, 404);
        assert_eq!(s.call("GET", &format!("/v1/webhook-endpoints/{a_id}/deliveries"), &live_key, None).await.status, 404);

        // A live event goes to the live endpoint only.
        let r = s.call("POST", "/v1/contacts", &live_key, Some(json!({"name": "Live"}))).await;
        assert_eq!(r.status, 201);
        assert_eq!(deliveries(live_key.clone(), live_id).await, 1);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(everything.received().len(), 1, "the test endpoint did not get the live event");

        // A customer message reaches the filtered endpoint.
        s.conversation(json!({"contact": {"name": "Grace"}, "message": {"text": "Hello"}})).await;
        let got = messages_only.wait_accepted(1, WAIT).await;
        assert_eq!(got[0].json()["type"], "message.received");
        assert_eq!(got[0].json()["data"]["text"], "Hello");
    }
}

both_backends! {
    async fn a_test_event_goes_only_to_its_endpoint(backend) {
        let s = TestServer::with_webhooks(backend, "0ms").await;
        let target = Receiver::start().await;
        let bystander = Receiver::start().await;
        let endpoint = s.endpoint(s.sk(), json!({"url": target.url})).await;
        s.endpoint(s.sk(), json!({"url": bystander.url, "events": ["*"]})).await;
        let id = endpoint["id"].as_str().unwrap();
        let r = s.call("POST", &format!("/v1/webhook-endpoints/{id}/test"), s.sk(), None).await;
        assert_eq!(r.status, 202, "{}", r.text);
        let delivery = r.json();
        assert_eq!(delivery["object"], "webhook_delivery");
        assert_eq!(delivery["event_type"], "webhook.test");
        assert_eq!(delivery["status"], "pending");
        assert!(delivery["id"].as_str().unwrap().starts_with("whd_"));
        let got = target.wait_accepted(1, WAIT).await;
        assert_eq!(got[0].json()["type"], "webhook.test");
        assert_eq!(got[0].header("webhook-id"), delivery["event_id"].as_str().unwrap());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(bystander.received().is_empty());
        let d = s.call("GET", &format!("/v1/webhook-deliveries/{}", delivery["id"].as_str().unwrap()), s.sk(), None).await;
        assert_eq!(d.json()["status"], "delivered");
        assert_eq!(d.json()["attempts"][0]["status_code"], 200);
    }
}

both_backends! {
    /// An endpoint deleted while an attempt to it is in flight takes its deliveries
    /// with it; the dispatcher must not then fail every cycle trying to record that
    /// attempt (on PostgreSQL the foreign key refused it, for ever), and deliveries to
    /// other endpoints go on.
    async fn an_endpoint_deleted_mid_attempt_does_not_stall_the_dispatcher(backend) {
        let s = TestServer::with_webhooks(backend, "0ms").await;
        let slow = Receiver::start().await;
        slow.answer(confab_testkit::Reply::status(204).after(Duration::from_millis(1_500)));
        let doomed = s.endpoint(s.sk(), json!({"url": slow.url})).await;
        s.contact(json!({"name": "Ada"})).await;
        slow.wait_until(WAIT, "the slow attempt to start", |r| !r.is_empty()).await;
        let id = doomed["id"].as_str().unwrap();
        let deleted = s.call("DELETE", &format!("/v1/webhook-endpoints/{id}"), s.sk(), None).await;
        assert_eq!(deleted.status, 200, "{}", deleted.text);

        // Another endpoint still gets what happens next, after the slow attempt ended.
        let fine = Receiver::start().await;
        s.endpoint(s.sk(), json!({"url": fine.url})).await;
        tokio::time::sleep(Duration::from_millis(2_000)).await;
        let contact = s.contact(json!({"name": "Bo"})).await;
        let got = fine.wait_accepted(1, WAIT).await;
        assert_eq!(got[0].json()["data"]["id"], contact["id"]);
        // Its result is recorded just after the receiver answered.
        let deadline = tokio::time::Instant::now() + WAIT;
        while s.unfinished_deliveries().await > 0 {
            assert!(tokio::time::Instant::now() < deadline, "a delivery is left stuck");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
