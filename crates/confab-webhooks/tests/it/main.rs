//! The sender against real local servers: refused addresses, no redirects, bounded
//! reads, the headers that go out.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use confab_webhooks::{Outcome, Sender, signing};

/// What a test server saw: the headers and the body bytes.
type Request = (HeaderMap, Vec<u8>);

/// Serves `app` on 127.0.0.1:0; returns its port.
async fn serve(app: axum::Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

fn signed(body: &[u8]) -> signing::SignedHeaders {
    signing::sign(
        "evt_1",
        1_700_000_000,
        body,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        None,
    )
    .unwrap()
}

#[tokio::test]
async fn loopback_is_refused_after_resolution_unless_allowed() {
    let hits = Arc::new(Mutex::new(0));
    let counter = hits.clone();
    let port = serve(axum::Router::new().route(
        "/hook",
        post(move || {
            let counter = counter.clone();
            async move {
                *counter.lock().unwrap() += 1;
                StatusCode::NO_CONTENT
            }
        }),
    ))
    .await;
    let guarded = Sender::new(false).unwrap();
    for url in [
        format!("http://localhost:{port}/hook"),
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
    ] {
        let report = guarded.send(&url, &signed(b"{}"), b"{}".to_vec()).await;
        assert_eq!(
            report.outcome,
            Outcome::Failed { retry_after: None },
            "{url}"
        );
        assert!(
            report.error.as_deref().unwrap().starts_with("refused"),
            "{url}: {:?}",
            report.error
        );
        assert_eq!(report.status_code, None);
    }
    assert_eq!(*hits.lock().unwrap(), 0, "no request reached the server");

    let open = Sender::new(true).unwrap();
    let report = open
        .send(
            &format!("http://localhost:{port}/hook"),
            &signed(b"{}"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(report.outcome, Outcome::Delivered);
    assert_eq!(report.status_code, Some(204));
    assert_eq!(*hits.lock().unwrap(), 1);
}

#[tokio::test]
async fn redirects_are_not_followed_and_bodies_are_cut() {
    let followed = Arc::new(Mutex::new(false));
    let flag = followed.clone();
    let port = serve(
        axum::Router::new()
            .route(
                "/moved",
                post(|| async { (StatusCode::TEMPORARY_REDIRECT, [("location", "/target")]) }),
            )
            .route(
                "/target",
                post(move || {
                    let flag = flag.clone();
                    async move {
                        *flag.lock().unwrap() = true;
                        StatusCode::OK
                    }
                }),
            )
            .route("/big", post(|| async { "é".repeat(200_000) })),
    )
    .await;
    let sender = Sender::new(true).unwrap();
    let report = sender
        .send(
            &format!("http://127.0.0.1:{port}/moved"),
            &signed(b"{}"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(report.status_code, Some(307));
    assert!(matches!(report.outcome, Outcome::Failed { .. }));
    assert!(!*followed.lock().unwrap(), "the redirect was not followed");

    let report = sender
        .send(
            &format!("http://127.0.0.1:{port}/big"),
            &signed(b"{}"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(report.outcome, Outcome::Delivered);
    let body = report.response_body.unwrap();
    assert!(body.len() <= confab_webhooks::sender::MAX_STORED_BODY);
    assert!(
        body.chars().all(|c| c == 'é'),
        "cut on a character boundary"
    );
}

#[tokio::test]
async fn the_exact_signed_bytes_and_headers_go_out() {
    let seen: Arc<Mutex<Option<Request>>> = Arc::default();
    let store = seen.clone();
    let port = serve(axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let store = store.clone();
            async move {
                *store.lock().unwrap() = Some((headers, body.to_vec()));
                (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "3")]).into_response()
            }
        }),
    ))
    .await;
    let body = br#"{"id":"evt_1","text":"caf\u00e9 \"quoted\""}"#.to_vec();
    let headers = signed(&body);
    let report = Sender::new(true)
        .unwrap()
        .send(
            &format!("http://127.0.0.1:{port}/hook"),
            &headers,
            body.clone(),
        )
        .await;
    assert_eq!(
        report.outcome,
        Outcome::Failed {
            retry_after: Some(std::time::Duration::from_secs(3))
        }
    );
    let (got_headers, got_body) = seen.lock().unwrap().clone().unwrap();
    assert_eq!(got_body, body);
    let h = |n: &str| got_headers.get(n).unwrap().to_str().unwrap().to_owned();
    assert_eq!(h("webhook-id"), "evt_1");
    assert_eq!(h("webhook-timestamp"), "1700000000");
    assert_eq!(h("webhook-signature"), headers.webhook_signature);
    assert_eq!(h("x-signature"), headers.x_signature);
    assert_eq!(h("content-type"), "application/json");
    assert_eq!(h("user-agent"), confab_webhooks::USER_AGENT);
}
