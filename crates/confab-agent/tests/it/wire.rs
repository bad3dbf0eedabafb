//! What the provider protocol servers share: serving a router on port 0, recording what
//! arrives, streaming an event-stream body in awkward pieces, servers that stall, a tool
//! executor, and a log capture to prove the API key is never logged.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use confab_agent::provider::{
    self, ApiKey, ChatProvider, ChatRequest, ProviderConfig, ProviderError, ProviderKind, Role,
    ToolCall, ToolExecutor, ToolResult, ToolSpec, Turn,
};
use futures::StreamExt;
use futures::future::BoxFuture;

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

/// Asks a `kind` adapter at a server stalling as `stall` with short timeouts and checks
/// that it gives up with a timeout, within the bound.
pub async fn times_out(kind: ProviderKind, stall: Stall) {
    let url = stalling_server(stall).await;
    let base_url = match kind {
        ProviderKind::OpenAi => format!("{url}/v1"),
        ProviderKind::Anthropic => url,
    };
    let idle = Duration::from_millis(300);
    let whole = Duration::from_millis(800);
    let provider = provider::build(ProviderConfig {
        kind,
        base_url,
        api_key: Some(ApiKey::new("sk-test")),
        timeout: whole,
        idle_timeout: idle,
    });
    let started = Instant::now();
    let error = provider.chat(&question("hello?")).await.unwrap_err();
    let elapsed = started.elapsed();
    let expected = match stall {
        Stall::Silent | Stall::AfterHeaders => idle,
        Stall::Dripping => whole,
    };
    assert!(
        matches!(error, ProviderError::Timeout(bound) if bound == expected),
        "{kind} {stall:?}: {error:?}"
    );
    assert!(error.is_retryable());
    assert!(
        elapsed >= expected && elapsed < expected + Duration::from_millis(700),
        "{kind} {stall:?} gave up after {elapsed:?}"
    );
}

/// A one-turn request.
pub fn question(text: &str) -> ChatRequest {
    ChatRequest {
        model: "test-model".into(),
        system: "You are Confab's support assistant.".into(),
        turns: vec![Turn::Text {
            role: Role::User,
            text: text.into(),
        }],
        tools: vec![],
        max_tokens: 256,
        temperature: Some(0.2),
    }
}

/// The knowledge-search tool confab-app offers.
pub fn search_knowledge() -> ToolSpec {
    ToolSpec {
        name: "search_knowledge".into(),
        description: "Search the workspace's knowledge base.".into(),
        parameters: serde_json::json!({
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
        }),
    }
}

/// A tool executor that answers `search_knowledge` from a fixed text and records calls.
#[derive(Default)]
pub struct Knowledge {
    pub calls: Mutex<Vec<ToolCall>>,
}

impl ToolExecutor for Knowledge {
    fn call<'a>(&'a self, call: &'a ToolCall) -> BoxFuture<'a, ToolResult> {
        Box::pin(async move {
            self.calls.lock().unwrap().push(call.clone());
            let (content, is_error) = match call.name.as_str() {
                "search_knowledge" => (
                    r#"[{"id": "kb_refunds", "body": "Refunds take 5 business days."}]"#.into(),
                    false,
                ),
                other => (format!("unknown tool {other}"), true),
            };
            ToolResult {
                call_id: call.id.clone(),
                content,
                is_error,
            }
        })
    }
}

/// A provider for `kind` at `base_url` with `key`.
pub fn provider(kind: ProviderKind, base_url: &str, key: Option<&str>) -> Arc<dyn ChatProvider> {
    provider::build(ProviderConfig {
        api_key: key.map(ApiKey::new),
        base_url: base_url.to_owned(),
        ..ProviderConfig::new(kind)
    })
}

pub mod logs {
    //! Captures every log event and span field, at every level, on the current thread.

    use std::fmt::Write as _;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Clone, Default)]
    pub struct Capture(Arc<Mutex<String>>);

    impl Capture {
        pub fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
    }

    struct Writer<'a>(&'a mut String);

    impl Visit for Writer<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let _ = write!(self.0, "{}={:?} ", field.name(), value);
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            span.record(&mut Writer(&mut self.0.lock().unwrap()));
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            values.record(&mut Writer(&mut self.0.lock().unwrap()));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut text = self.0.lock().unwrap();
            event.record(&mut Writer(&mut text));
            text.push('\n');
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}
