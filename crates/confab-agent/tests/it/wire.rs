//! What the adapter tests share beyond the protocol servers (which live in
//! `confab_testkit::llm`, so the HTTP suite drives whole conversations through them
//! too): timeouts, a tool executor, and a log capture to prove the API key is never
//! logged.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use confab_agent::provider::{
    self, ApiKey, ChatProvider, ChatRequest, ProviderConfig, ProviderError, ProviderKind, Role,
    ToolCall, ToolExecutor, ToolResult, ToolSpec, Turn,
};
use futures::future::BoxFuture;

pub use confab_testkit::llm::wire::*;

/// Asks a `kind` adapter at a server stalling as `stall` with short timeouts and checks
/// that it gives up with a timeout, within the bound.
pub async fn times_out(kind: ProviderKind, stall: Stall) {
    let url = stalling_server(stall).await;
    let base_url = match kind {
        ProviderKind::OpenAi => format!("{url}/v1"),
        ProviderKind::Anthropic | ProviderKind::Local => url,
    };
    let idle = Duration::from_millis(300);
    let whole = Duration::from_millis(800);
    let provider = provider::build(ProviderConfig {
        kind,
        base_url,
        api_key: Some(ApiKey::new("sk-test")),
        timeout: whole,
        idle_timeout: idle,
    })
    .expect("a model provider");
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
        elapsed >= expected && elapsed < expected + Duration::from_secs(1),
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
    .expect("a model provider")
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
