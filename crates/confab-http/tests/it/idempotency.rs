//! `Idempotency-Key`: replay, reuse, concurrency.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

pub(crate) async fn post_with_key(
    s: &TestServer,
    key: &str,
    body: &serde_json::Value,
) -> confab_testkit::Response {
    s.send(
        "POST",
        "/v1/contacts",
        Some(s.sk()),
        &[
            ("content-type", "application/json"),
            ("idempotency-key", key),
        ],
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
}

pub(crate) async fn contact_count(s: &TestServer) -> usize {
    let r = s.call("GET", "/v1/contacts?limit=100", s.sk(), None).await;
    r.json()["data"].as_array().unwrap().len()
}

both_backends! {
    async fn the_same_key_twice_replays_byte_for_byte(backend) {
        let s = TestServer::start(backend).await;
        let body = json!({"name": "John Smith", "email": "john@acme.com"});
        let first = post_with_key(&s, "order-1", &body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        assert!(first.header("idempotent-replayed").is_none());
        let second = post_with_key(&s, "order-1", &body).await;
        assert_eq!(second.status, 201);
        assert_eq!(second.header("idempotent-replayed"), Some("true"));
        assert_eq!(second.text, first.text, "replay must be byte-identical");
        assert_eq!(contact_count(&s).await, 1);
        let events = s.call("GET", "/v1/events?type=contact.created", s.sk(), None).await;
        assert_eq!(events.json()["data"].as_array().unwrap().len(), 1, "one effect, one event");
    }
}

both_backends! {
    async fn the_same_key_with_another_body_is_422(backend) {
        let s = TestServer::start(backend).await;
        assert_eq!(post_with_key(&s, "k", &json!({"name": "A"})).await.status, 201);
        let other = post_with_key(&s, "k", &json!({"name": "B"})).await;
        assert_eq!(other.status, 422);
        assert_eq!(other.code(), "IDEMPOTENCY_KEY_REUSED");
        assert_eq!(contact_count(&s).await, 1);
    }
}

both_backends! {
    async fn fifty_concurrent_requests_with_one_key_make_one_contact(backend) {
        let s = TestServer::start(backend).await;
        let body = json!({"name": "Racer", "email": "racer@example.com"});
        let results = futures::future::join_all((0..50).map(|_| post_with_key(&s, "race", &body))).await;
        let mut created = 0;
        let mut replays = 0;
        let mut in_use = 0;
        let mut ids = std::collections::HashSet::new();
        for r in &results {
            match (r.status, r.header("idempotent-replayed")) {
                (201, None) => created += 1,
                (201, Some("true")) => replays += 1,
                (409, _) => {
                    assert_eq!(r.code(), "IDEMPOTENCY_KEY_IN_USE", "{}", r.text);
                    in_use += 1;
                }
                other => panic!("unexpected {other:?}: {}", r.text),
            }
            if r.status == 201 {
                ids.insert(r.json()["id"].as_str().unwrap().to_owned());
            }
        }
        assert_eq!(created, 1, "exactly one request ran (replays {replays}, in use {in_use})");
        assert_eq!(ids.len(), 1);
        assert_eq!(contact_count(&s).await, 1);
    }
}

both_backends! {
    async fn keys_are_scoped_to_the_credential_and_errors_are_stored(backend) {
        let s = TestServer::start(backend).await;
        let bad = json!({"email": "not-an-email"});
        let first = post_with_key(&s, "k", &bad).await;
        assert_eq!(first.status, 422);
        let again = post_with_key(&s, "k", &bad).await;
        assert_eq!(again.header("idempotent-replayed"), Some("true"), "4xx responses are stored");
        assert_eq!(again.text, first.text);
        // The live key has its own key space.
        let live = s
            .send("POST", "/v1/contacts", Some(&s.creds.live_secret_key),
                &[("content-type", "application/json"), ("idempotency-key", "k")],
                Some(serde_json::to_vec(&json!({"name": "Live"})).unwrap()))
            .await;
        assert_eq!(live.status, 201, "{}", live.text);
    }
}

both_backends! {
    async fn an_overlong_key_is_refused(backend) {
        let s = TestServer::start(backend).await;
        let key = "x".repeat(256);
        let r = post_with_key(&s, &key, &json!({"name": "A"})).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.code(), "BAD_REQUEST");
        assert_eq!(contact_count(&s).await, 0);
    }
}

both_backends! {
    /// A use case opens at most one write unit under a key: a second commit is refused
    /// instead of silently replacing the parked first one (whose effect would be lost),
    /// and the first is still what the key stores.
    async fn a_second_write_unit_under_one_key_is_refused(backend) {
        use confab_app::idempotency::{Begin, begin, finish};
        use confab_app::{Actor, Ctx};
        let s = TestServer::start(backend).await;
        let mut ctx = Ctx {
            app: s.app.clone(),
            workspace_id: s.creds.workspace_id.clone(),
            mode: confab_app::core::Mode::Test,
            actor: Actor::System,
            request_id: "req_test".into(),
            idempotency: None,
        };
        let Begin::Run(slot) = begin(&ctx, "two-units", "fingerprint").await.unwrap() else {
            panic!("a fresh key runs");
        };
        ctx.idempotency = Some(slot.clone());
        ctx.write().await.unwrap().commit().await.unwrap();
        let second = ctx.write().await;
        assert!(second.is_err(), "the second unit is refused, at once");
        finish(&ctx, &slot, 200, "{}").await.unwrap();
        let Begin::Replay { status, .. } = begin(&ctx, "two-units", "fingerprint").await.unwrap() else {
            panic!("the first unit's answer is stored");
        };
        assert_eq!(status, 200);
    }
}
