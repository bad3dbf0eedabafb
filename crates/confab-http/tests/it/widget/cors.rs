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

/// A widget request from `origin` with the site key in `X-Site-Key`.
async fn widget_from(
    s: &TestServer,
    method: &str,
    path: &str,
    key: &str,
    origin: &str,
    body: Option<serde_json::Value>,
) -> confab_testkit::Response {
    s.send(
        method,
        path,
        None,
        &[
            ("x-site-key", key),
            ("origin", origin),
            ("content-type", "application/json"),
        ],
        body.map(|b| serde_json::to_vec(&b).unwrap()),
    )
    .await
}

/// The page can read the error (its origin may read this answer) and nothing else.
fn readable_by(r: &confab_testkit::Response, origin: &str, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.code(), code, "{}", r.text);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some(origin),
        "{status} {code}"
    );
    let vary: Vec<_> = r
        .headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(vary, ["Origin"], "{status} {code}");
    assert!(r.json()["error"]["request_id"].is_string());
}

both_backends! {
    async fn every_widget_error_is_readable_by_the_page_that_asked(backend) {
        let s = TestServer::start(backend).await;
        let live_key = s.creds.live_site_key.clone();
        let (shop, evil) = ("https://shop.example.com", "https://evil.example");
        s.call("PUT", "/v1/settings/widget", &s.creds.live_secret_key,
            Some(json!({"allowed_origins": [shop]}))).await;

        // A refused origin reads why (the page's developer sees `allowed_origins`, not
        // "Failed to fetch"), and the request itself is still refused.
        let r = from_origin(&s, &live_key, evil).await;
        readable_by(&r, evil, 403, "FORBIDDEN");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("allowed_origins"));
        assert!(r.json().get("greeting").is_none());
        let r = widget_from(&s, "POST", "/v1/widget/conversations", &live_key, evil,
            Some(json!({"name": "Eve", "email": "eve@example.com", "message": "hi", "visitor_token": crate::widget::token()}))).await;
        readable_by(&r, evil, 403, "FORBIDDEN");
        let listed = s.call("GET", "/v1/conversations", &s.creds.live_secret_key, None).await;
        assert_eq!(listed.json()["data"], json!([]), "a refused origin starts nothing");

        let r = widget_from(&s, "GET", "/v1/widget/config", "pk_live_nope", shop, None).await;
        readable_by(&r, shop, 401, "INVALID_API_KEY");
        let r = widget_from(&s, "GET", &format!("/v1/widget/conversations/{}/messages", crate::widget::token()),
            &live_key, shop, None).await;
        readable_by(&r, shop, 404, "NOT_FOUND");
        let r = widget_from(&s, "GET", "/v1/widget/no-such-route", &live_key, shop, None).await;
        readable_by(&r, shop, 404, "NOT_FOUND");
        let r = widget_from(&s, "POST", "/v1/widget/conversations", &live_key, shop, Some(json!({}))).await;
        readable_by(&r, shop, 422, "VALIDATION_FAILED");
        let limited = loop {
            let r = widget_from(&s, "POST", "/v1/widget/conversations", &live_key, shop, Some(json!({}))).await;
            if r.status == 429 {
                break r;
            }
            assert_eq!(r.status, 422, "{}", r.text);
        };
        readable_by(&limited, shop, 429, "RATE_LIMITED");

        // The preflight of a refused origin still refuses: the browser sends nothing
        // that needs one.
        let refused = preflight(&s, &format!("?site_key={live_key}"), evil).await;
        assert_eq!(refused.status, 403);
        assert!(refused.header("access-control-allow-origin").is_none());
        // Outside the widget routes nothing changes.
        let api = s.send("GET", "/v1/contacts", None, &[("origin", evil)], None).await;
        assert_eq!(api.status, 401);
        assert!(api.header("access-control-allow-origin").is_none());
    }
}
