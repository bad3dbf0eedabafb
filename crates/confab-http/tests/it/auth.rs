//! Credentials: which ones work where, and the exact codes when they do not.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;
use sqlx::Connection;

both_backends! {
    async fn each_credential_failure_has_its_code(backend) {
        let s = TestServer::start(backend).await;
        let none = s.send("GET", "/v1/contacts", None, &[], None).await;
        assert_eq!((none.status, none.code().as_str()), (401, "UNAUTHENTICATED"));
        assert!(none.header("www-authenticate").is_some());
        let wrong = s.call("GET", "/v1/contacts", "sk_test_000000000000000000000000000000000", None).await;
        assert_eq!((wrong.status, wrong.code().as_str()), (401, "INVALID_API_KEY"));
        let garbage = s.call("GET", "/v1/contacts", "hello", None).await;
        assert_eq!((garbage.status, garbage.code().as_str()), (401, "INVALID_API_KEY"));
        let site = s.call("GET", "/v1/contacts", &s.creds.test_site_key, None).await;
        assert_eq!((site.status, site.code().as_str()), (401, "INVALID_API_KEY"));
        let token = s.call("GET", "/v1/contacts", "mt_notatoken", None).await;
        assert_eq!((token.status, token.code().as_str()), (401, "UNAUTHENTICATED"));
        let basic = s.send("GET", "/v1/contacts", None, &[("authorization", "Basic Zm9vOmJhcg==")], None).await;
        assert_eq!(basic.status, 401);

        // Revoke the test key below the API (key management arrives with API keys).
        let mut conn = sqlx::AnyConnection::connect(&s.db.url).await.unwrap();
        sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE kind = 'secret' AND livemode = 0")
            .execute(&mut conn)
            .await
            .unwrap();
        let revoked = s.call("GET", "/v1/contacts", s.sk(), None).await;
        assert_eq!((revoked.status, revoked.code().as_str()), (403, "KEY_REVOKED"));
        assert_eq!(s.call("GET", "/v1/contacts", &s.creds.live_secret_key, None).await.status, 200);
    }
}

both_backends! {
    async fn member_tokens_act_in_live_mode_unless_asked(backend) {
        let s = TestServer::start(backend).await;
        let token = s.creds.owner_token.clone();
        let live = s.call("POST", "/v1/contacts", &token, Some(json!({"name": "Via console"}))).await;
        assert_eq!(live.status, 201);
        assert_eq!(live.json()["livemode"], true);
        let test = s
            .send("GET", "/v1/contacts", Some(&token), &[("confab-mode", "test")], None)
            .await;
        assert!(test.json()["data"].as_array().unwrap().is_empty());
        let bad = s.send("GET", "/v1/contacts", Some(&token), &[("confab-mode", "staging")], None).await;
        assert_eq!(bad.status, 400);
    }
}

#[tokio::test]
async fn the_rate_limit_trips_and_says_when_to_retry() {
    let s = TestServer::start_with(
        confab_testkit::TestBackend::Sqlite,
        confab_http::HttpConfig {
            rate_limit_per_minute: 3,
            ..confab_http::HttpConfig::default()
        },
    )
    .await;
    for expected_remaining in ["2", "1", "0"] {
        let r = s.call("GET", "/v1/contacts", s.sk(), None).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("ratelimit-limit"), Some("3"));
        assert_eq!(r.header("ratelimit-remaining"), Some(expected_remaining));
        assert!(r.header("ratelimit-reset").is_some());
    }
    let limited = s.call("GET", "/v1/contacts", s.sk(), None).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.code(), "RATE_LIMITED");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Another credential has its own budget.
    assert_eq!(
        s.call("GET", "/v1/contacts", &s.creds.live_secret_key, None)
            .await
            .status,
        200
    );
}
