//! What the provider protocol servers share: serving a router on port 0, recording what
//! arrives, streaming an event-stream body in awkward pieces, and servers that stall.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use futures::StreamExt;

/// Serves `router` on 127.0.0.1 at a free port; the server lives as long as the test.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// One request as a protocol server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: serde_json::Value,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// The requests a server received, in order.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Received>>>);

impl Recorder {
    pub fn record(&self, headers: &HeaderMap, body: &serde_json::Value) -> usize {
        let mut requests = self.0.lock().unwrap();
        requests.push(Received {
            headers: headers.clone(),
            body: body.clone(),
        });
        requests.len() - 1
    }

    pub fn all(&self) -> Vec<Received> {
        self.0.lock().unwrap().clone()
    }
}

/// An event-stream response whose body is `text` cut into pieces of cycling, awkward
/// sizes (one byte, mid-field, mid-UTF-8, across `\r\n`), each sent separately.
pub fn event_stream(text: String) -> Response {
    const SIZES: [usize; 7] = [1, 7, 2, 31, 3, 64, 5];
    let bytes = text.into_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    for size in SIZES.iter().cycle() {
        if start >= bytes.len() {
            break;
        }
        let end = (start + size).min(bytes.len());
        pieces.push(Bytes::copy_from_slice(&bytes[start..end]));
        start = end;
    }
    let body = futures::stream::iter(pieces).then(|piece| async move {
        // A pause makes each piece its own network read rather than one coalesced write.
        tokio::time::sleep(Duration::from_millis(1)).await;
        Ok::<_, Infallible>(piece)
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(body))
        .unwrap()
}

/// A JSON error response.
pub fn json_error(status: u16, body: serde_json::Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// How a stalling server misbehaves.
#[derive(Clone, Copy, Debug)]
pub enum Stall {
    /// Accepts the connection and never answers.
    Silent,
    /// Sends the headers and the start of an event, then nothing.
    AfterHeaders,
    /// Keeps sending comment lines forever, so only the whole-request timeout can end it.
    Dripping,
}

/// A server at any path that stalls as `stall` says.
pub async fn stalling_server(stall: Stall) -> String {
    if let Stall::Silent = stall {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        return format!("http://{address}");
    }
    let router = Router::new().fallback(move || async move {
        let body: futures::stream::BoxStream<'static, Result<Bytes, Infallible>> = match stall {
            Stall::AfterHeaders => futures::stream::iter([Ok(Bytes::from_static(b"data: {\"ty"))])
                .chain(futures::stream::pending())
                .boxed(),
            _ => futures::stream::unfold((), |()| async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Some((Ok(Bytes::from_static(b": still thinking\n\n")), ()))
            })
            .boxed(),
        };
        Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .body(Body::from_stream(body))
            .unwrap()
    });
    serve(router).await
}
