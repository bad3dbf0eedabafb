//! A local server speaking the Anthropic Messages API as its public reference documents
//! it: `POST /v1/messages` with `x-api-key` and `anthropic-version`, a top-level
//! `system`, required `max_tokens`, alternating user and assistant messages of content
//! blocks, tools as `{name, description, input_schema}`, and a named-event stream:
//! `message_start` (input usage), `content_block_start` / `_delta` (`text_delta`,
//! `input_json_delta`) / `_stop`, `ping`, `message_delta` (stop reason, output usage),
//! `message_stop`. It checks each request as the API does and answers 400 otherwise.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use super::wire::{self, Recorder};

/// What the model answers next.
pub enum Reply {
    /// Text streamed in these pieces.
    Text(Vec<&'static str>),
    /// A short text, then one tool call whose input streams in these fragments.
    ToolUse {
        text: &'static str,
        id: &'static str,
        name: &'static str,
        input: Vec<&'static str>,
    },
    /// An HTTP error of this type and message.
    Error(u16, &'static str, &'static str),
    /// This raw event-stream text, as is.
    Raw(&'static str),
}

pub const INPUT_TOKENS: u64 = 51;
pub const OUTPUT_TOKENS: u64 = 9;

#[derive(Clone)]
struct Server {
    key: Option<&'static str>,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    received: Recorder,
}

/// A running server; `url` is the base URL the adapter takes (the host alone).
pub struct AnthropicServer {
    pub url: String,
    pub received: Recorder,
}

impl AnthropicServer {
    /// Serves `replies` in order to requests carrying `key` (none: any).
    pub async fn start(key: Option<&'static str>, replies: Vec<Reply>) -> Self {
        let server = Server {
            key,
            replies: Arc::new(Mutex::new(replies.into())),
            received: Recorder::default(),
        };
        let received = server.received.clone();
        let router = Router::new()
            .route("/v1/messages", post(messages))
            .with_state(server);
        AnthropicServer {
            url: wire::serve(router).await,
            received,
        }
    }
}

async fn messages(State(server): State<Server>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(
            400,
            "invalid_request_error",
            "The request body is not valid JSON.",
        );
    };
    server.received.record(&headers, &body);
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(key) = server.key
        && header("x-api-key") != Some(key)
    {
        return error(401, "authentication_error", "invalid x-api-key");
    }
    if header("anthropic-version") != Some("2023-06-01") {
        return error(
            400,
            "invalid_request_error",
            "anthropic-version: header is required",
        );
    }
    if let Err(message) = check(&body) {
        return error(400, "invalid_request_error", &message);
    }
    let reply = server.replies.lock().unwrap().pop_front();
    match reply {
        None => error(500, "api_error", "the test scripted no more replies"),
        Some(Reply::Error(status, kind, message)) => error(status, kind, message),
        Some(Reply::Raw(text)) => wire::event_stream(text.to_owned()),
        Some(Reply::Text(pieces)) => {
            let mut events = vec![start(), block_start(0, json!({"type": "text", "text": ""}))];
            events.push(("ping", json!({"type": "ping"})));
            events.extend(
                pieces
                    .iter()
                    .map(|p| delta(0, json!({"type": "text_delta", "text": p}))),
            );
            events.push(block_stop(0));
            wire::event_stream(finish(events, "end_turn"))
        }
        Some(Reply::ToolUse {
            text,
            id,
            name,
            input,
        }) => {
            let mut events = vec![start(), block_start(0, json!({"type": "text", "text": ""}))];
            events.push(delta(0, json!({"type": "text_delta", "text": text})));
            events.push(block_stop(0));
            events.push(block_start(
                1,
                json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
            ));
            events.extend(input.iter().map(|fragment| {
                delta(
                    1,
                    json!({"type": "input_json_delta", "partial_json": fragment}),
                )
            }));
            events.push(block_stop(1));
            wire::event_stream(finish(events, "tool_use"))
        }
    }
}

/// The request checks the API makes that the adapter could get wrong.
fn check(body: &Value) -> Result<(), String> {
    if body["model"].as_str().is_none_or(str::is_empty) {
        return Err("model: Field required".into());
    }
    if body["max_tokens"].as_u64().is_none() {
        return Err("max_tokens: Field required".into());
    }
    if body["stream"] != json!(true) {
        return Err("this server only streams".into());
    }
    if body.get("system").is_some_and(|s| !s.is_string()) {
        return Err("system: Input should be a valid string".into());
    }
    let messages = body["messages"]
        .as_array()
        .ok_or("messages: Field required")?;
    let mut previous_role = "";
    let mut open_tool_uses: HashSet<String> = HashSet::new();
    for (i, message) in messages.iter().enumerate() {
        let role = message["role"].as_str().unwrap_or_default();
        if role != "user" && role != "assistant" {
            return Err(format!(
                "messages.{i}.role: Input should be 'user' or 'assistant'"
            ));
        }
        if i == 0 && role != "user" {
            return Err("messages: first message must use the \"user\" role".into());
        }
        if role == previous_role {
            return Err(format!(
                "messages: roles must alternate between \"user\" and \"assistant\" ({i})"
            ));
        }
        previous_role = role;
        let blocks = message["content"]
            .as_array()
            .ok_or(format!("messages.{i}.content: expected a list of blocks"))?;
        let mut results_done = false;
        for block in blocks {
            match (role, block["type"].as_str().unwrap_or_default()) {
                (_, "text") => {
                    if block["text"].as_str().is_none_or(|t| t.trim().is_empty()) {
                        return Err(format!(
                            "messages.{i}: text content blocks must be non-empty"
                        ));
                    }
                    results_done = true;
                }
                ("assistant", "tool_use") => {
                    if !block["input"].is_object() || block["name"].as_str().is_none() {
                        return Err(format!(
                            "messages.{i}: tool_use needs a name and an object input"
                        ));
                    }
                    open_tool_uses.insert(block["id"].as_str().unwrap_or_default().to_owned());
                }
                ("user", "tool_result") => {
                    if results_done {
                        return Err(format!("messages.{i}: tool_result blocks must come first"));
                    }
                    let id = block["tool_use_id"].as_str().unwrap_or_default();
                    if !open_tool_uses.remove(id) {
                        return Err(format!(
                            "messages.{i}: unexpected `tool_use_id` found in `tool_result` blocks: {id}"
                        ));
                    }
                }
                (_, other) => return Err(format!("messages.{i}: unexpected block {other:?}")),
            }
        }
        if role == "user" && !open_tool_uses.is_empty() {
            return Err(format!(
                "messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after"
            ));
        }
    }
    if let Some(tools) = body.get("tools") {
        for tool in tools
            .as_array()
            .ok_or("tools: Input should be a valid list")?
        {
            if tool["name"].as_str().is_none() || !tool["input_schema"].is_object() {
                return Err("tools: each tool needs a name and an input_schema".into());
            }
        }
    }
    Ok(())
}

type Event = (&'static str, Value);

fn start() -> Event {
    (
        "message_start",
        json!({"type": "message_start", "message": {
            "id": "msg_test", "type": "message", "role": "assistant", "content": [],
            "model": "test-model", "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": INPUT_TOKENS, "output_tokens": 1},
        }}),
    )
}

fn block_start(index: u64, block: Value) -> Event {
    (
        "content_block_start",
        json!({"type": "content_block_start", "index": index, "content_block": block}),
    )
}

fn delta(index: u64, delta: Value) -> Event {
    (
        "content_block_delta",
        json!({"type": "content_block_delta", "index": index, "delta": delta}),
    )
}

fn block_stop(index: u64) -> Event {
    (
        "content_block_stop",
        json!({"type": "content_block_stop", "index": index}),
    )
}

/// The events as a stream body, closed by `message_delta` and `message_stop`.
fn finish(mut events: Vec<Event>, stop_reason: &str) -> String {
    events.push((
        "message_delta",
        json!({"type": "message_delta",
               "delta": {"stop_reason": stop_reason, "stop_sequence": null},
               "usage": {"output_tokens": OUTPUT_TOKENS}}),
    ));
    events.push(("message_stop", json!({"type": "message_stop"})));
    events
        .iter()
        .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
        .collect()
}

fn error(status: u16, kind: &str, message: &str) -> Response {
    wire::json_error(
        status,
        json!({"type": "error", "error": {"type": kind, "message": message}}),
    )
}
