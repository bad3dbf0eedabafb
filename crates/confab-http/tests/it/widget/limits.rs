//! The widget's rate limits per site key and client IP: config 60/min, create 5/min,
//! read 60/min, send 20/min; each trips with 429 and recovers in the next window (the
//! test moves the application's clock instead of waiting a minute).

use confab_testkit::{Response, TestBackend, TestServer, both_backends};
use serde_json::json;

use super::{next_window, start, test_call, token};

/// Sends until refused; returns how many passed and the refusal.
async fn until_refused(
    mut send: impl AsyncFnMut() -> Response,
    at_most: usize,
) -> (usize, Response) {
    for passed in 0..at_most {
        let r = send().await;
        if r.status == 429 {
            return (passed, r);
        }
        assert!(r.status < 300, "request {passed}: {} {}", r.status, r.text);
    }
    panic!("no 429 after {at_most} requests");
}

fn assert_refusal(r: &Response, limit: &str) {
    assert_eq!(r.code(), "RATE_LIMITED");
    assert_eq!(r.header("ratelimit-limit"), Some(limit));
    assert_eq!(r.header("ratelimit-remaining"), Some("0"));
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        r.header("ratelimit-reset")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            .max(1),
        retry
    );
}

both_backends! {
    async fn every_route_class_trips_and_recovers(backend) {
        let s = TestServer::start(backend).await;
        // Start at the beginning of a window so the counts below fall in one.
        let now = s.app.clock.now().millis();
        s.app.clock.advance(60_000 - now % 60_000 + 1);

        let (passed, refused) = until_refused(async || test_call(&s, "GET", "/v1/widget/config", None).await, 100).await;
        assert_eq!(passed, 60);
        assert_refusal(&refused, "60");

        let create = async || test_call(&s, "POST", "/v1/widget/conversations",
            Some(json!({"name": "Maya", "message": "hi", "visitor_token": token()}))).await;
        let (passed, refused) = until_refused(create, 100).await;
        assert_eq!(passed, 5);
        assert_refusal(&refused, "5");

        // A token from earlier in the test: reading and sending count apart.
        next_window(&s);
        let (t, _) = start(&s, "hello").await;
        let read_path = format!("/v1/widget/conversations/{t}/messages");
        let (passed, refused) = until_refused(async || test_call(&s, "GET", &read_path, None).await, 100).await;
        assert_eq!(passed, 60);
        assert_refusal(&refused, "60");
        let stream = test_call(&s, "GET", &format!("/v1/widget/conversations/{t}/stream"), None).await;
        assert_eq!(stream.status, 429, "the stream is a read");

        let send_path = format!("/v1/widget/conversations/{t}/messages");
        let (passed, refused) = until_refused(async || test_call(&s, "POST", &send_path, Some(json!({"message": "again"}))).await, 100).await;
        assert_eq!(passed, 20);
        assert_refusal(&refused, "20");
        let handoff = test_call(&s, "POST", &format!("/v1/widget/conversations/{t}/handoff"), None).await;
        assert_eq!(handoff.status, 429, "a hand-off is a send");

        next_window(&s);
        let ok = test_call(&s, "POST", &send_path, Some(json!({"message": "back"}))).await;
        assert_eq!(ok.status, 201, "{}", ok.text);
        assert_eq!(ok.header("ratelimit-limit"), Some("20"));
        assert_eq!(ok.header("ratelimit-remaining"), Some("19"));
        assert_eq!(test_call(&s, "GET", "/v1/widget/config", None).await.status, 200);
        assert_eq!(test_call(&s, "GET", &read_path, None).await.status, 200);
    }
}

#[tokio::test]
async fn limits_count_per_client_ip_and_per_site_key() {
    let s = TestServer::start_with(
        TestBackend::Sqlite,
        confab_http::HttpConfig {
            trust_forwarded_for: true,
            ..confab_http::HttpConfig::default()
        },
    )
    .await;
    let now = s.app.clock.now().millis();
    s.app.clock.advance(60_000 - now % 60_000 + 1);
    let create = |ip: &'static str, key: String| {
        let s = &s;
        async move {
            let body = serde_json::to_vec(
                &json!({"name": "Maya", "message": "hi", "visitor_token": token()}),
            )
            .unwrap();
            s.send(
                "POST",
                "/v1/widget/conversations",
                None,
                &[
                    ("x-site-key", key.as_str()),
                    ("content-type", "application/json"),
                    ("x-forwarded-for", &format!("203.0.113.9, {ip}")),
                ],
                Some(body),
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_eq!(
            create("198.51.100.1", s.creds.test_site_key.clone())
                .await
                .status,
            201
        );
    }
    assert_eq!(
        create("198.51.100.1", s.creds.test_site_key.clone())
            .await
            .status,
        429
    );
    assert_eq!(
        create("198.51.100.2", s.creds.test_site_key.clone())
            .await
            .status,
        201,
        "another visitor"
    );
    assert_eq!(
        create("198.51.100.1", s.creds.live_site_key.clone())
            .await
            .status,
        201,
        "another site key"
    );
    // The visitor's address is the one the proxy appended.
    let all = s
        .call("GET", "/v1/conversations?limit=1", s.sk(), None)
        .await
        .json();
    assert_eq!(all["data"][0]["visitor"]["ip"], "198.51.100.2");
}
