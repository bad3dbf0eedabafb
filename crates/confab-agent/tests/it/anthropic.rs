//! The Anthropic adapter against a local Messages API server.

use confab_agent::provider::{
    ApiKey, ProviderConfig, ProviderError, ProviderKind, Role, ToolCall, ToolResult, Turn, converse,
};
use serde_json::json;

use crate::anthropic_server::{AnthropicServer, INPUT_TOKENS, OUTPUT_TOKENS, Reply};
use crate::wire::{self, Knowledge, Stall, logs, provider, question, search_knowledge};

const KEY: &str = "sk-ant-test-0123456789";

#[tokio::test]
async fn a_streamed_reply_arrives_whole_with_its_usage() {
    let server = AnthropicServer::start(
        Some(KEY),
        vec![Reply::Text(vec!["Bon", "jour ", "à vous 👋", "!"])],
    )
    .await;
    let anthropic = provider(ProviderKind::Anthropic, &server.url, Some(KEY));

    let response = anthropic.chat(&question("Salut")).await.unwrap();

    assert_eq!(response.text.as_deref(), Some("Bonjour à vous 👋!"));
    assert!(response.tool_calls.is_empty());
    assert_eq!(response.usage.input_tokens, INPUT_TOKENS);
    assert_eq!(response.usage.output_tokens, OUTPUT_TOKENS);
    assert_eq!(response.stop_reason.as_deref(), Some("end_turn"));

    let [request] = &server.received.all()[..] else {
        panic!("expected one request");
    };
    assert_eq!(request.header("x-api-key"), Some(KEY));
    assert_eq!(request.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(request.header("authorization"), None);
    let body = &request.body;
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["max_tokens"], 256);
    assert_eq!(body["stream"], true);
    assert_eq!(body["system"], "You are Confab's support assistant.");
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [{"type": "text", "text": "Salut"}]}])
    );
    assert!(body.get("tools").is_none(), "{body}");
}

#[tokio::test]
async fn a_tool_use_round_trip_feeds_the_result_back() {
    let server = AnthropicServer::start(
        Some(KEY),
        vec![
            Reply::ToolUse {
                text: "Let me look that up.",
                id: "toolu_01A09q90qw90lq917835lq9",
                name: "search_knowledge",
                input: vec!["", "{\"query\": ", "\"refund", " time\"}"],
            },
            Reply::Text(vec!["Refunds take ", "5 business days."]),
        ],
    )
    .await;
    let anthropic = provider(ProviderKind::Anthropic, &server.url, Some(KEY));
    let knowledge = Knowledge::default();
    let mut request = question("How long do refunds take?");
    request.tools = vec![search_knowledge()];

    let outcome = converse(&*anthropic, request, &knowledge, 4).await.unwrap();

    assert_eq!(
        outcome.text.as_deref(),
        Some("Refunds take 5 business days.")
    );
    assert_eq!(outcome.rounds, 2);
    assert_eq!(outcome.usage.input_tokens, 2 * INPUT_TOKENS);
    assert_eq!(outcome.usage.output_tokens, 2 * OUTPUT_TOKENS);
    let [call] = &outcome.tool_calls[..] else {
        panic!("expected one call: {:?}", outcome.tool_calls);
    };
    assert_eq!(call.id, "toolu_01A09q90qw90lq917835lq9");
    assert_eq!(call.name, "search_knowledge");
    assert_eq!(call.arguments, json!({"query": "refund time"}));
    assert_eq!(knowledge.calls.lock().unwrap().len(), 1);

    let requests = server.received.all();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body["tools"],
        json!([{
            "name": "search_knowledge",
            "description": "Search the workspace's knowledge base.",
            "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        }])
    );
    assert_eq!(
        requests[1].body["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "How long do refunds take?"}]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Let me look that up."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "search_knowledge",
                 "input": {"query": "refund time"}},
            ]},
            {"role": "user", "content": [{
                "type": "tool_result",
                "tool_use_id": "toolu_01A09q90qw90lq917835lq9",
                "content": r#"[{"id": "kb_refunds", "body": "Refunds take 5 business days."}]"#,
                "is_error": false,
            }]},
        ])
    );
}

#[tokio::test]
async fn turns_of_one_role_merge_and_tool_results_lead_their_message() {
    let server = AnthropicServer::start(None, vec![Reply::Text(vec!["Done."])]).await;
    let mut request = question("Hi");
    request.turns.extend([
        Turn::Text {
            role: Role::User,
            text: "Anyone there?".into(),
        },
        Turn::ToolCalls {
            text: None,
            calls: vec![ToolCall {
                id: "toolu_1".into(),
                name: "handoff".into(),
                arguments: json!({}),
            }],
        },
        // The customer wrote again while the tool ran: the result must still come first.
        Turn::Text {
            role: Role::User,
            text: "Hello??".into(),
        },
        Turn::ToolResults(vec![ToolResult {
            call_id: "toolu_1".into(),
            content: "no agent is online".into(),
            is_error: true,
        }]),
    ]);

    provider(ProviderKind::Anthropic, &server.url, None)
        .chat(&request)
        .await
        .unwrap();

    assert_eq!(
        server.received.all()[0].body["messages"],
        json!([
            {"role": "user", "content": [
                {"type": "text", "text": "Hi"},
                {"type": "text", "text": "Anyone there?"},
            ]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "handoff", "input": {}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "no agent is online", "is_error": true},
                {"type": "text", "text": "Hello??"},
            ]},
        ])
    );
}

#[tokio::test]
async fn a_rejected_key_is_an_http_error_that_never_shows_the_key() {
    let server = AnthropicServer::start(Some("sk-ant-the-right-one"), vec![]).await;
    let secret = "sk-ant-wrong-but-secret-4242";
    let capture = logs::Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let config = ProviderConfig {
        api_key: Some(ApiKey::new(secret)),
        base_url: server.url.clone(),
        ..ProviderConfig::new(ProviderKind::Anthropic)
    };
    assert!(!format!("{config:?}").contains(secret));
    let anthropic = confab_agent::provider::build(config).expect("a model provider");

    let error = anthropic.chat(&question("Hi")).await.unwrap_err();

    assert!(
        matches!(&error, ProviderError::Http { status: 401, message } if message == "invalid x-api-key"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    for shown in [error.to_string(), format!("{error:?}"), capture.text()] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[tokio::test]
async fn a_server_error_is_retryable_and_keeps_its_message() {
    let server = AnthropicServer::start(
        None,
        vec![Reply::Error(529, "overloaded_error", "Overloaded")],
    )
    .await;
    let error = provider(ProviderKind::Anthropic, &server.url, None)
        .chat(&question("Hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ProviderError::Http { status: 529, message } if message == "Overloaded"),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_silent_server_times_out() {
    wire::times_out(ProviderKind::Anthropic, Stall::Silent).await;
}

#[tokio::test]
async fn a_stream_that_stalls_times_out() {
    wire::times_out(ProviderKind::Anthropic, Stall::AfterHeaders).await;
}

#[tokio::test]
async fn a_stream_that_never_ends_hits_the_whole_request_timeout() {
    wire::times_out(ProviderKind::Anthropic, Stall::Dripping).await;
}

const MESSAGE_START: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n";

#[tokio::test]
async fn an_error_event_mid_stream_is_a_protocol_error_with_its_message() {
    let raw: &'static str = format!(
        "{MESSAGE_START}event: error\ndata: {{\"type\": \"error\", \"error\": {{\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}}}\n\n"
    )
    .leak();
    let server = AnthropicServer::start(None, vec![Reply::Raw(raw)]).await;
    let error = provider(ProviderKind::Anthropic, &server.url, None)
        .chat(&question("Hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ProviderError::Protocol(message) if message.contains("Overloaded")),
        "{error:?}"
    );
}

#[tokio::test]
async fn malformed_streams_are_protocol_errors() {
    let cases = [
        // An event cut off mid-JSON.
        format!(
            "{MESSAGE_START}event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":0,\n\n"
        ),
        // A body that ends before `message_stop`.
        format!(
            "{MESSAGE_START}event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{{\"type\":\"text\",\"text\":\"\"}}}}\n\n"
        ),
        // Tool input that never becomes JSON.
        format!(
            "{MESSAGE_START}event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"search_knowledge\",\"input\":{{}}}}}}\n\n\
             event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"input_json_delta\",\"partial_json\":\"{{\\\"query\\\": \"}}}}\n\n\
             event: message_stop\ndata: {{\"type\":\"message_stop\"}}\n\n"
        ),
        // A delta for a block that never started.
        format!(
            "{MESSAGE_START}event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":4,\"delta\":{{\"type\":\"text_delta\",\"text\":\"x\"}}}}\n\n"
        ),
    ];
    for raw in cases {
        let raw: &'static str = raw.leak();
        let server = AnthropicServer::start(None, vec![Reply::Raw(raw)]).await;
        let error = provider(ProviderKind::Anthropic, &server.url, None)
            .chat(&question("Hi"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Protocol(_)),
            "{raw}: {error:?}"
        );
    }
}
