//! The OpenAI-compatible adapter against a local Chat Completions server.

use confab_agent::provider::{ApiKey, ProviderConfig, ProviderError, ProviderKind, converse};
use serde_json::json;

use crate::openai_server::{COMPLETION_TOKENS, OpenAiServer, PROMPT_TOKENS, Reply};
use crate::wire::{self, Knowledge, Stall, logs, provider, question, search_knowledge};

const KEY: &str = "sk-test-0123456789";

#[tokio::test]
async fn a_streamed_reply_arrives_whole_with_its_usage() {
    let server = OpenAiServer::start(
        Some(KEY),
        vec![Reply::Text(vec!["Hel", "lo, ", "مرحبا 👋", "!"])],
    )
    .await;
    let openai = provider(ProviderKind::OpenAi, &server.url, Some(KEY));

    let response = openai.chat(&question("Hi there")).await.unwrap();

    assert_eq!(response.text.as_deref(), Some("Hello, مرحبا 👋!"));
    assert!(response.tool_calls.is_empty());
    assert_eq!(response.usage.input_tokens, PROMPT_TOKENS);
    assert_eq!(response.usage.output_tokens, COMPLETION_TOKENS);
    assert_eq!(response.stop_reason.as_deref(), Some("stop"));

    let [request] = &server.received.all()[..] else {
        panic!("expected one request");
    };
    assert_eq!(
        request.header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    let body = &request.body;
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(body["max_tokens"], 256);
    assert!((body["temperature"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "You are Confab's support assistant."},
            {"role": "user", "content": "Hi there"},
        ])
    );
    assert!(body.get("tools").is_none(), "no tools, no `tools`: {body}");
}

#[tokio::test]
async fn without_a_key_no_authorization_is_sent() {
    let server = OpenAiServer::start(None, vec![Reply::Text(vec!["ok"])]).await;
    let local = provider(ProviderKind::OpenAi, &server.url, None);
    let mut request = question("Hi");
    request.system.clear();
    request.temperature = None;

    local.chat(&request).await.unwrap();

    let received = &server.received.all()[0];
    assert_eq!(received.header("authorization"), None);
    assert_eq!(
        received.body["messages"],
        json!([{"role": "user", "content": "Hi"}])
    );
    assert!(received.body.get("temperature").is_none());
}

#[tokio::test]
async fn a_tool_call_round_trip_feeds_the_result_back() {
    let server = OpenAiServer::start(
        Some(KEY),
        vec![
            Reply::ToolCall {
                id: "call_Xy12",
                name: "search_knowledge",
                arguments: vec!["{\"qu", "ery\": \"ref", "und time\"", "}"],
            },
            Reply::Text(vec!["Refunds take ", "5 business days."]),
        ],
    )
    .await;
    let openai = provider(ProviderKind::OpenAi, &server.url, Some(KEY));
    let knowledge = Knowledge::default();
    let mut request = question("How long do refunds take?");
    request.tools = vec![search_knowledge()];

    let outcome = converse(&*openai, request, &knowledge, 4).await.unwrap();

    assert_eq!(
        outcome.text.as_deref(),
        Some("Refunds take 5 business days.")
    );
    assert_eq!(outcome.rounds, 2);
    assert_eq!(outcome.usage.input_tokens, 2 * PROMPT_TOKENS);
    assert_eq!(outcome.usage.output_tokens, 2 * COMPLETION_TOKENS);
    let [call] = &outcome.tool_calls[..] else {
        panic!("expected one call: {:?}", outcome.tool_calls);
    };
    assert_eq!(call.id, "call_Xy12");
    assert_eq!(call.name, "search_knowledge");
    assert_eq!(call.arguments, json!({"query": "refund time"}));
    assert_eq!(knowledge.calls.lock().unwrap().len(), 1);

    let requests = server.received.all();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body["tools"],
        json!([{"type": "function", "function": {
            "name": "search_knowledge",
            "description": "Search the workspace's knowledge base.",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        }}])
    );
    let messages = requests[1].body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4, "{messages:?}");
    let assistant = &messages[2];
    assert_eq!(assistant["role"], "assistant");
    assert_eq!(assistant["content"], json!(null));
    let sent_call = &assistant["tool_calls"][0];
    assert_eq!(sent_call["id"], "call_Xy12");
    assert_eq!(sent_call["type"], "function");
    assert_eq!(sent_call["function"]["name"], "search_knowledge");
    let arguments: serde_json::Value =
        serde_json::from_str(sent_call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(arguments, json!({"query": "refund time"}));
    assert_eq!(
        messages[3],
        json!({
            "role": "tool",
            "tool_call_id": "call_Xy12",
            "content": r#"[{"id": "kb_refunds", "body": "Refunds take 5 business days."}]"#,
        })
    );
    assert_eq!(requests[1].body["tools"], requests[0].body["tools"]);
}

#[tokio::test]
async fn a_call_without_arguments_gets_an_empty_object() {
    let server = OpenAiServer::start(
        None,
        vec![Reply::ToolCall {
            id: "call_1",
            name: "handoff",
            arguments: vec![],
        }],
    )
    .await;
    let response = provider(ProviderKind::OpenAi, &server.url, None)
        .chat(&question("A person, please"))
        .await
        .unwrap();
    assert_eq!(response.tool_calls[0].arguments, json!({}));
    assert_eq!(response.stop_reason.as_deref(), Some("tool_calls"));
    assert_eq!(response.text, None);
}

#[tokio::test]
async fn the_round_budget_ends_a_model_that_only_calls_tools() {
    let call = || Reply::ToolCall {
        id: "call_1",
        name: "search_knowledge",
        arguments: vec![r#"{"query": "x"}"#],
    };
    let server = OpenAiServer::start(None, vec![call(), call()]).await;
    let knowledge = Knowledge::default();
    let openai = provider(ProviderKind::OpenAi, &server.url, None);

    let error = converse(&*openai, question("?"), &knowledge, 2)
        .await
        .unwrap_err();

    assert!(matches!(error, ProviderError::Protocol(_)), "{error:?}");
    // The second round's call was never run: its result could not reach the model.
    assert_eq!(knowledge.calls.lock().unwrap().len(), 1);
    assert_eq!(server.received.all().len(), 2);
}

#[tokio::test]
async fn a_rejected_key_is_an_http_error_that_never_shows_the_key() {
    let server = OpenAiServer::start(Some("sk-the-right-one"), vec![]).await;
    let secret = "sk-wrong-but-secret-4242";
    let capture = logs::Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let config = ProviderConfig {
        api_key: Some(ApiKey::new(secret)),
        base_url: server.url.clone(),
        ..ProviderConfig::new(ProviderKind::OpenAi)
    };
    assert!(!format!("{config:?}").contains(secret));
    assert!(format!("{config:?}").contains("ApiKey(***)"));
    let openai = confab_agent::provider::build(config).expect("a model provider");

    let error = converse(&*openai, question("Hi"), &Knowledge::default(), 2)
        .await
        .unwrap_err();

    let ProviderError::Http { status, message } = &error else {
        panic!("expected an HTTP error: {error:?}");
    };
    assert_eq!(*status, 401);
    assert_eq!(message, "Incorrect API key provided: ***.");
    assert!(!error.is_retryable());
    for shown in [error.to_string(), format!("{error:?}"), capture.text()] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[tokio::test]
async fn a_server_error_is_retryable_and_keeps_its_message() {
    let message = "The server had an error while processing your request. Sorry about that!";
    let server = OpenAiServer::start(None, vec![Reply::Error(500, message)]).await;
    let error = provider(ProviderKind::OpenAi, &server.url, None)
        .chat(&question("Hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ProviderError::Http { status: 500, message: m } if m == message),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn the_key_stays_out_of_the_logs_of_a_whole_conversation() {
    let server = OpenAiServer::start(
        Some(KEY),
        vec![
            Reply::ToolCall {
                id: "call_1",
                name: "search_knowledge",
                arguments: vec![r#"{"query": "refunds"}"#],
            },
            Reply::Text(vec!["Five days."]),
        ],
    )
    .await;
    let capture = logs::Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let openai = provider(ProviderKind::OpenAi, &server.url, Some(KEY));

    converse(&*openai, question("Refunds?"), &Knowledge::default(), 3)
        .await
        .unwrap();

    let logged = capture.text();
    assert!(
        logged.contains("model answered"),
        "the capture works: {logged}"
    );
    assert!(!logged.contains(KEY), "{logged}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    wire::times_out(ProviderKind::OpenAi, Stall::Silent).await;
}

#[tokio::test]
async fn a_stream_that_stalls_times_out() {
    wire::times_out(ProviderKind::OpenAi, Stall::AfterHeaders).await;
}

#[tokio::test]
async fn a_stream_that_never_ends_hits_the_whole_request_timeout() {
    wire::times_out(ProviderKind::OpenAi, Stall::Dripping).await;
}

#[tokio::test]
async fn malformed_streams_are_protocol_errors() {
    let cases = [
        // A chunk cut off mid-JSON.
        "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}\n\ndata: [DONE]\n\n",
        // A body that ends before any finish reason or `[DONE]`.
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n",
        // Tool-call arguments that never become JSON.
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"search_knowledge\",\"arguments\":\"{\\\"query\\\": \"}}]},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n",
        // An error reported inside the stream.
        "data: {\"error\":{\"message\":\"context length exceeded\",\"type\":\"invalid_request_error\"}}\n\n",
    ];
    for raw in cases {
        let server = OpenAiServer::start(None, vec![Reply::Raw(raw)]).await;
        let error = provider(ProviderKind::OpenAi, &server.url, None)
            .chat(&question("Hi"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Protocol(_)),
            "{raw}: {error:?}"
        );
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn a_server_that_reports_no_usage_counts_zero() {
    let raw = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n\
               data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
               data: [DONE]\n\n";
    let server = OpenAiServer::start(None, vec![Reply::Raw(raw)]).await;
    let response = provider(ProviderKind::OpenAi, &server.url, None)
        .chat(&question("Hi"))
        .await
        .unwrap();
    assert_eq!(response.text.as_deref(), Some("Hi"));
    assert_eq!(response.usage, Default::default());
}
