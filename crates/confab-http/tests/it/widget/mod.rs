//! The public widget API (site key), its settings, rate limits, CORS, live stream, the
//! widget script and the hosted chat page, and the browser suites.

mod api;
mod assets;
mod browser;
mod cors;
mod files;
mod identity;
mod limits;
mod settings;
mod stream;

use confab_testkit::{Response, TestServer};
use serde_json::{Value, json};

/// A fresh visitor token, as the widget generates one.
pub fn token() -> String {
    confab_core::credential::new_member_token().replacen("mt_", "vt_", 1)
}

/// A widget request with `site_key` in `X-Site-Key`.
pub async fn call(
    s: &TestServer,
    site_key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Response {
    let mut headers = vec![("x-site-key", site_key), ("user-agent", "ConfabTest/1.0")];
    if body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    s.send(
        method,
        path,
        None,
        &headers,
        body.map(|b| serde_json::to_vec(&b).unwrap()),
    )
    .await
}

/// A widget request with the test site key.
pub async fn test_call(s: &TestServer, method: &str, path: &str, body: Option<Value>) -> Response {
    call(s, &s.creds.test_site_key, method, path, body).await
}

/// Moves the application's clock into the next one-minute window, so the widget's rate
/// limits (create: 5 a minute) start afresh.
pub fn next_window(s: &TestServer) {
    s.app.clock.advance(60_000);
}

/// Starts a conversation as a visitor named Maya; returns the visitor token and the answer.
pub async fn start(s: &TestServer, message: &str) -> (String, Value) {
    let token = token();
    let r = test_call(
        s,
        "POST",
        "/v1/widget/conversations",
        Some(json!({"name": "Maya", "email": "maya@example.com", "message": message, "visitor_token": token,
            "page_url": "https://shop.example.com/pricing", "referrer": "https://search.example/"})),
    )
    .await;
    assert_eq!(r.status, 201, "start: {}", r.text);
    (token, r.json())
}

/// The visitor's history (first page).
pub async fn history(s: &TestServer, token: &str) -> Vec<Value> {
    let r = test_call(
        s,
        "GET",
        &format!("/v1/widget/conversations/{token}/messages"),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "history: {}", r.text);
    r.json()["data"].as_array().unwrap().clone()
}

/// A knowledge entry the local agent answers opening-hours questions from.
pub async fn opening_hours(s: &TestServer) {
    let r = s
        .call(
            "POST",
            "/v1/knowledge",
            s.sk(),
            Some(json!({"title": "Opening hours", "body": "We are open 9 to 6 every day.",
                "questions": ["When do you open?", "What are your opening hours?"], "intent": "opening_hours", "lang": "en"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}
