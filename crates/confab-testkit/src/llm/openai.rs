//! A local server speaking OpenAI Chat Completions as its public reference documents it:
//! `POST /v1/chat/completions`, Bearer auth, `chat.completion.chunk` events, tool calls
//! streamed as `delta.tool_calls` fragments keyed by `index`, a usage chunk with empty
//! `choices` when `stream_options.include_usage` is set, then `data: [DONE]`. It checks
//! each request the way the API does and answers 400 when one is malformed.

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
    /// One tool call whose arguments stream in these fragments.
    ToolCall {
        id: &'static str,
        name: &'static str,
        arguments: Vec<&'static str>,
    },
    /// An HTTP error with this message.
    Error(u16, &'static str),
    /// This raw event-stream text, as is.
    Raw(&'static str),
}

/// Token counts the server reports for every answer.
pub const PROMPT_TOKENS: u64 = 42;
pub const COMPLETION_TOKENS: u64 = 7;

#[derive(Clone)]
struct Server {
    key: Option<&'static str>,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    received: Recorder,
}

/// A running server; `url` is the base URL the adapter takes (`…/v1`).
pub struct OpenAiServer {
    pub url: String,
    pub received: Recorder,
    replies: Arc<Mutex<VecDeque<Reply>>>,
}

impl OpenAiServer {
    /// Serves `replies` in order to requests authorised with `key` (none: any).
    pub async fn start(key: Option<&'static str>, replies: Vec<Reply>) -> Self {
        let server = Server {
            key,
            replies: Arc::new(Mutex::new(replies.into())),
            received: Recorder::default(),
        };
        let received = server.received.clone();
        let replies = server.replies.clone();
        let router = Router::new()
            .route("/v1/chat/completions", post(complete))
            .with_state(server);
        let url = format!("{}/v1", wire::serve(router).await);
        OpenAiServer {
            url,
            received,
            replies,
        }
    }

    /// Adds replies to the script (for answers that name ids made after the start).
    pub fn script(&self, replies: Vec<Reply>) {
        self.replies.lock().unwrap().extend(replies);
    }
}

async fn complete(State(server): State<Server>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid("We could not parse the JSON body of your request.");
    };
    server.received.record(&headers, &body);
    if let Some(key) = server.key {
        let sent = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if sent != key {
            let message = format!("Incorrect API key provided: {sent}.");
            return error(401, "invalid_request_error", &message);
        }
    }
    if let Err(message) = check(&body) {
        return invalid(&message);
    }
    let reply = server.replies.lock().unwrap().pop_front();
    let include_usage = body["stream_options"]["include_usage"] == json!(true);
    match reply {
        None => error(500, "server_error", "the test scripted no more replies"),
        Some(Reply::Error(status, message)) => error(status, "api_error", message),
        Some(Reply::Raw(text)) => wire::event_stream(text.to_owned()),
        Some(Reply::Text(pieces)) => {
            let mut events = vec![chunk(json!({"role": "assistant", "content": ""}), None)];
            events.extend(pieces.iter().map(|p| chunk(json!({"content": p}), None)));
            events.push(chunk(json!({}), Some("stop")));
            wire::event_stream(finish(events, include_usage))
        }
        Some(Reply::ToolCall {
            id,
            name,
            arguments,
        }) => {
            let start = json!({"role": "assistant", "content": null, "tool_calls": [
                {"index": 0, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}
            ]});
            let mut events = vec![chunk(start, None)];
            events.extend(arguments.iter().map(|fragment| {
                chunk(
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}),
                    None,
                )
            }));
            events.push(chunk(json!({}), Some("tool_calls")));
            wire::event_stream(finish(events, include_usage))
        }
    }
}

/// The request checks the API makes that the adapter could get wrong.
fn check(body: &Value) -> Result<(), String> {
    if body["model"].as_str().is_none_or(str::is_empty) {
        return Err("you must provide a model parameter".into());
    }
    if body["stream"] != json!(true) {
        return Err("this server only streams".into());
    }
    let messages = body["messages"]
        .as_array()
        .ok_or("'messages' must be an array")?;
    // Ids of the tool calls still waiting for their `tool` message.
    let mut open_calls: HashSet<String> = HashSet::new();
    for (i, message) in messages.iter().enumerate() {
        let role = message["role"].as_str().unwrap_or_default();
        if role != "tool" && !open_calls.is_empty() {
            return Err(format!(
                "messages.[{i}]: an assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'"
            ));
        }
        match role {
            "system" | "user" => {
                message["content"]
                    .as_str()
                    .ok_or(format!("messages.[{i}].content must be a string"))?;
            }
            "assistant" => {
                if let Some(calls) = message["tool_calls"].as_array() {
                    for call in calls {
                        if call["type"] != "function" || call["function"]["name"].as_str().is_none()
                        {
                            return Err(format!("messages.[{i}].tool_calls: invalid call"));
                        }
                        call["function"]["arguments"].as_str().ok_or(format!(
                            "messages.[{i}].tool_calls: arguments must be a string"
                        ))?;
                        open_calls.insert(call["id"].as_str().unwrap_or_default().to_owned());
                    }
                } else if message["content"].as_str().is_none() {
                    return Err(format!("messages.[{i}].content must be a string"));
                }
            }
            "tool" => {
                let id = message["tool_call_id"].as_str().unwrap_or_default();
                if !open_calls.remove(id) {
                    return Err(format!(
                        "messages.[{i}]: messages with role 'tool' must be a response to a preceding message with 'tool_calls'"
                    ));
                }
            }
            other => return Err(format!("messages.[{i}].role: unknown role {other:?}")),
        }
    }
    if let Some(tools) = body.get("tools") {
        for tool in tools.as_array().ok_or("'tools' must be an array")? {
            if tool["type"] != "function" || !tool["function"]["parameters"].is_object() {
                return Err("tools: each tool must be {type: function, function: {name, description, parameters}}".into());
            }
        }
    }
    Ok(())
}

fn chunk(delta: Value, finish_reason: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}],
        "usage": null,
    })
}

/// The events as a stream body (CRLF line ends, as some proxies send), with the usage
/// chunk when asked for and the closing `[DONE]`.
fn finish(mut events: Vec<Value>, include_usage: bool) -> String {
    if include_usage {
        events.push(json!({
            "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_700_000_000,
            "model": "test-model", "choices": [],
            "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS,
                      "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS},
        }));
    }
    let mut text: String = events
        .iter()
        .map(|event| format!("data: {event}\r\n\r\n"))
        .collect();
    text.push_str("data: [DONE]\r\n\r\n");
    text
}

fn invalid(message: &str) -> Response {
    error(400, "invalid_request_error", message)
}

fn error(status: u16, kind: &str, message: &str) -> Response {
    wire::json_error(
        status,
        json!({"error": {"message": message, "type": kind, "param": null, "code": null}}),
    )
}
