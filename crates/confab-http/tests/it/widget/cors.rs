//! CORS: the site key's allowed origins decide which pages may call; preflights are
//! answered; the hosted chat page (same origin) always works.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

async fn from_origin(s: &TestServer, key: &str, origin: &str) -> confab_testkit::Response {
    s.send(
        "GET",
        "/v1/widget/config",
        None,
        &[("x-site-key", key), ("origin", origin)],
        None,
    )
    .await
}

async fn preflight(s: &TestServer, query: &str, origin: &str) -> confab_testkit::Response {
    s.send(
        "OPTIONS",
        &format!("/v1/widget/conversations{query}"),
        None,
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type, idempotency-key",
            ),
        ],
        None,
    )
    .await
}

both_backends! {
    async fn allowed_origins_decide_which_pages_may_call(backend) {
        let s = TestServer::start(backend).await;
        let (test_key, live_key) = (s.creds.test_site_key.clone(), s.creds.live_site_key.clone());
        // No list: any origin in test mode, none in live mode.
        let r = from_origin(&s, &test_key, "http://localhost:3000").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:3000"));
        assert!(r.header("access-control-expose-headers").unwrap().contains("Retry-After"));
        assert_eq!(r.header("vary"), Some("Origin"));
        let r = from_origin(&s, &live_key, "https://shop.example.com").await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.code(), "FORBIDDEN");
        assert!(r.header("access-control-allow-origin").is_none());
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("allowed_origins"));
        // The server's own origin (the hosted chat page) always passes.
        let own = format!("http://{}", s.addr);
        assert_eq!(from_origin(&s, &live_key, &own).await.status, 200);

        let r = s.call("PUT", "/v1/settings/widget", &s.creds.live_secret_key,
            Some(json!({"allowed_origins": ["https://shop.example.com", "https://*.example.org"]}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for (origin, status) in [
            ("https://shop.example.com", 200),
            ("https://help.example.org", 200),
            ("http://shop.example.com", 403),
            ("https://example.org", 403),
            ("https://evil.example", 403),
        ] {
            assert_eq!(from_origin(&s, &live_key, origin).await.status, status, "{origin}");
        }
        // Server-side callers send no Origin and are not browsers.
        let r = s.send("GET", "/v1/widget/config", None, &[("x-site-key", live_key.as_str())], None).await;
        assert_eq!(r.status, 200);
        assert!(r.header("access-control-allow-origin").is_none());
        // The test key keeps its own (empty) list.
        assert_eq!(from_origin(&s, &test_key, "https://evil.example").await.status, 200);
    }
}

both_backends! {
    async fn preflights_are_answered_from_the_key_in_the_query(backend) {
        let s = TestServer::start(backend).await;
        let live_key = s.creds.live_site_key.clone();
        s.call("PUT", "/v1/settings/widget", &s.creds.live_secret_key,
            Some(json!({"allowed_origins": ["https://shop.example.com"]}))).await;
        let ok = preflight(&s, &format!("?site_key={live_key}"), "https://shop.example.com").await;
        assert_eq!(ok.status, 204, "{}", ok.text);
        assert_eq!(ok.header("access-control-allow-origin"), Some("https://shop.example.com"));
        assert!(ok.header("access-control-allow-methods").unwrap().contains("POST"));
        let allowed_headers = ok.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
        for h in ["content-type", "x-site-key", "idempotency-key", "last-event-id"] {
            assert!(allowed_headers.contains(h), "{h}");
        }
        assert_eq!(ok.header("access-control-max-age"), Some("600"));
        let refused = preflight(&s, &format!("?site_key={live_key}"), "https://evil.example").await;
        assert_eq!(refused.status, 403);
        assert!(refused.header("access-control-allow-origin").is_none());
        let unknown = preflight(&s, "?site_key=pk_live_nope", "https://shop.example.com").await;
        assert_eq!(unknown.status, 401);
        // Without a key in the query the preflight cannot know; the request itself is checked.
        let blind = preflight(&s, "", "https://evil.example").await;
        assert_eq!(blind.status, 204);
        // Preflights only concern the widget routes.
        let api = s.send("OPTIONS", "/v1/contacts", None, &[("origin", "https://evil.example")], None).await;
        assert!(api.header("access-control-allow-origin").is_none());
    }
}
