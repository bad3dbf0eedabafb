//! Health, readiness, metrics, request ids and the admin API.

use confab_testkit::{TestBackend, TestServer, both_backends};
use serde_json::json;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    assert_eq!(s.send("GET", "/healthz", None, &[], None).await.status, 200);
    let ready = s.send("GET", "/readyz", None, &[], None).await;
    assert_eq!(ready.status, 200);
    s.call("GET", "/v1/contacts", s.sk(), None).await;
    s.call("GET", "/v1/contacts/ctc_missing", s.sk(), None)
        .await;
    let metrics = s.send("GET", "/metrics", None, &[], None).await;
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text;
    assert!(
        text.contains(
            "confab_http_requests_total{method=\"GET\",route=\"/v1/contacts\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("route=\"/v1/contacts/{id}\",status=\"404\"} 1"),
        "ids never become labels: {text}"
    );
    assert!(text.contains("confab_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/contacts\",le=\"+Inf\"} 1"));
    assert!(text.contains("confab_http_request_duration_seconds_count"));
    s.app.store.close().await;
    assert_eq!(s.send("GET", "/readyz", None, &[], None).await.status, 503);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let a = s.call("GET", "/v1/contacts", s.sk(), None).await;
    let b = s.call("GET", "/v1/contacts", s.sk(), None).await;
    let (a, b) = (
        a.header("x-request-id").unwrap(),
        b.header("x-request-id").unwrap(),
    );
    assert!(a.starts_with("req_") && b.starts_with("req_"));
    assert_ne!(a, b);
}

both_backends! {
    async fn the_admin_api_creates_tenants_behind_its_token(backend) {
        let off = TestServer::start(backend).await;
        let r = off.call("POST", "/admin/v1/workspaces", "anything", Some(json!({"name": "Acme"}))).await;
        assert_eq!((r.status, r.code().as_str()), (404, "NOT_FOUND"));

        let s = TestServer::start_with(backend, confab_http::HttpConfig {
            admin_token: Some("admin-secret".into()),
            ..confab_http::HttpConfig::default()
        }).await;
        let wrong = s.call("POST", "/admin/v1/workspaces", "nope", Some(json!({"name": "Acme"}))).await;
        assert_eq!((wrong.status, wrong.code().as_str()), (401, "UNAUTHENTICATED"));
        let created = s.call("POST", "/admin/v1/workspaces", "admin-secret", Some(json!({"name": "Acme"}))).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let creds = created.json();
        for field in ["workspace_id", "test_secret_key", "live_secret_key", "test_site_key", "live_site_key", "owner_token"] {
            assert!(creds[field].is_string(), "{field}");
        }
        assert!(creds["test_secret_key"].as_str().unwrap().starts_with("sk_test_"));
        assert!(creds["live_site_key"].as_str().unwrap().starts_with("pk_live_"));
        let works = s.call("GET", "/v1/contacts", creds["live_secret_key"].as_str().unwrap(), None).await;
        assert_eq!(works.status, 200);
        let bad = s.call("POST", "/admin/v1/workspaces", "admin-secret", Some(json!({"name": "  "}))).await;
        assert_eq!(bad.status, 422);
    }
}

/// A browser opening the server's address gets a page that points to the console, the
/// docs and the health endpoints (not a JSON 404), and every page's icon request finds
/// one.
#[tokio::test]
async fn the_root_is_a_page_and_the_favicon_exists() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let home = s.send("GET", "/", None, &[], None).await;
    assert_eq!(home.status, 200);
    assert!(
        home.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    for link in [
        "/console",
        "/docs",
        "/v1/openapi.json",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            home.text.contains(&format!("href=\"{link}\"")),
            "{link} in {}",
            home.text
        );
        let target = s.send("GET", link, None, &[], None).await;
        assert_eq!(target.status, 200, "{link} is linked, so it must answer");
    }
    assert!(
        home.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );

    let client = reqwest::Client::new();
    let ico = client
        .get(format!("{}/favicon.ico", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ico.status(), 200);
    assert_eq!(ico.headers()["content-type"], "image/x-icon");
    assert!(
        ico.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let bytes = ico.bytes().await.unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO header");
    assert_eq!(&bytes[22..26], b"\x89PNG", "holding a PNG image");
    let svg = s.send("GET", "/favicon.svg", None, &[], None).await;
    assert_eq!(svg.status, 200);
    assert!(svg.text.starts_with("<svg"));
    for page in ["/docs", "/console"] {
        let text = s.send("GET", page, None, &[], None).await.text;
        assert!(
            text.contains("rel=\"icon\" href=\"/favicon.svg\""),
            "{page} links the icon"
        );
    }
}
