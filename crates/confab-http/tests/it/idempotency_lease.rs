//! `Idempotency-Key` leases: a running request renews its claim, a dead one's claim
//! frees the key within one lease, and the 409 in between says when to retry.

use std::time::Duration;

use confab_app::idempotency::{self, Begin};
use confab_app::{Ctx, auth};
use confab_core::credential::digest_hex;
use confab_http::HttpConfig;
use confab_store::idempotency::{Claim, IdempotencyScope};
use confab_testkit::{TestBackend, TestServer, both_backends};
use serde_json::{Value, json};

use super::idempotency::{contact_count, post_with_key as post_contact};

async fn server(backend: TestBackend, lease_ms: i64) -> TestServer {
    TestServer::start_configured(backend, HttpConfig::default(), |c| {
        c.idempotency_lease_ms = lease_ms;
    })
    .await
}

async fn secret_key_ctx(s: &TestServer) -> Ctx {
    auth::authenticate(&s.app, Some(s.sk()), None, "req_test")
        .await
        .expect("the test key authenticates")
}

/// What a well-behaved client does: on 409, wait `Retry-After` seconds and send the
/// same request again.
async fn post_until_answered(s: &TestServer, key: &str, body: &Value) -> confab_testkit::Response {
    for _ in 0..10 {
        let r = post_contact(s, key, body).await;
        if r.status != 409 {
            return r;
        }
        assert_eq!(r.code(), "IDEMPOTENCY_KEY_IN_USE", "{}", r.text);
        let secs: u64 = r
            .header("retry-after")
            .expect("a 409 IDEMPOTENCY_KEY_IN_USE carries Retry-After")
            .parse()
            .expect("Retry-After in seconds");
        assert!((1..=2).contains(&secs), "within the 1.5 s lease: {secs}");
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
    panic!("still 409 after ten retries");
}

both_backends! {
    async fn a_dead_requests_claim_frees_the_key_after_retry_after(backend) {
        let s = server(backend, 1500).await;
        let body = json!({"name": "After the crash"});
        // A node claimed the key for this very request and died: nobody renews it.
        let ctx = secret_key_ctx(&s).await;
        let scope = IdempotencyScope { credential_id: ctx.credential_id(), key: "crash-1".into() };
        // The fingerprint of the bytes `post_contact` sends.
        let bytes = serde_json::to_vec(&body).unwrap();
        let fingerprint = digest_hex(&[b"POST", b"/v1/contacts", &bytes]);
        let mut tx = s.app.store.tenant(&ctx.workspace_id, ctx.livemode()).await.unwrap();
        let claim = confab_store::idempotency::claim(&mut tx, &scope, &fingerprint, s.app.clock.now(), 1500)
            .await
            .unwrap();
        assert_eq!(claim, Claim::Acquired);
        tx.commit().await.unwrap();

        let refused = post_contact(&s, "crash-1", &body).await;
        assert_eq!(refused.status, 409, "{}", refused.text);
        assert_eq!(refused.header("retry-after"), Some("2"), "the dead claim's lease, rounded up");
        let answered = post_until_answered(&s, "crash-1", &body).await;
        assert_eq!(answered.status, 201, "{}", answered.text);
        assert!(answered.header("idempotent-replayed").is_none(), "this retry ran the request");
        let replay = post_contact(&s, "crash-1", &body).await;
        assert_eq!(replay.header("idempotent-replayed"), Some("true"));
        assert_eq!(replay.text, answered.text);
        assert_eq!(contact_count(&s).await, 1, "one effect");
    }
}

both_backends! {
    async fn clients_that_retry_after_retry_after_all_get_the_one_effect(backend) {
        let s = server(backend, 1500).await;
        let body = json!({"name": "Patient", "email": "patient@example.com"});
        let answers = futures::future::join_all((0..20).map(|_| post_until_answered(&s, "once", &body))).await;
        let ids: std::collections::HashSet<String> = answers
            .iter()
            .map(|r| {
                assert_eq!(r.status, 201, "{}", r.text);
                r.json()["id"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(ids.len(), 1, "every client sees the same contact");
        let ran = answers.iter().filter(|r| r.header("idempotent-replayed").is_none()).count();
        assert_eq!(ran, 1, "the others were replays");
        assert_eq!(contact_count(&s).await, 1);
    }
}

both_backends! {
    async fn a_running_request_keeps_its_key_past_the_lease_and_a_dead_one_does_not(backend) {
        let s = server(backend, 300).await;
        let ctx = secret_key_ctx(&s).await;
        let Begin::Run(slot) = idempotency::begin(&ctx, "long", "fp").await.unwrap() else {
            panic!("a fresh key is claimed");
        };
        // Three leases pass while the request runs; its heartbeat keeps the key.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        match idempotency::begin(&ctx, "long", "fp").await.unwrap() {
            Begin::InUse { retry_after_secs, .. } => assert_eq!(retry_after_secs, 1),
            _ => panic!("a renewed claim is still held"),
        }
        // The request dies without an answer: renewals stop, the key frees in a lease.
        drop(slot);
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(matches!(
            idempotency::begin(&ctx, "long", "fp").await.unwrap(),
            Begin::Run(_)
        ));
    }
}
