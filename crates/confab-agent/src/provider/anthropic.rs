//! The Anthropic Messages adapter (`anthropic-version: 2023-06-01`).
//!
//! The system prompt is a top-level field, tools are `{name, description, input_schema}`,
//! tool calls are `tool_use` content blocks and their results `tool_result` blocks in a
//! user message. The API wants user and assistant messages to alternate, so consecutive
//! turns of one role are merged into one message.

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::tools::PartialToolCall;
use super::transport::{self, open_stream};
use super::{
    ChatProvider, ChatRequest, ChatResponse, ProviderConfig, ProviderError, Role, Turn, Usage,
};

const API_VERSION: &str = "2023-06-01";

/// Talks to `{base_url}/v1/messages`.
pub(crate) struct Anthropic {
    config: ProviderConfig,
    client: reqwest::Client,
    url: String,
}

impl Anthropic {
    pub(crate) fn new(config: ProviderConfig) -> Self {
        let url = format!("{}/v1/messages", config.base_url.trim_end_matches('/'));
        Anthropic {
            client: transport::client(&config),
            config,
            url,
        }
    }

    async fn stream(&self, request: &ChatRequest) -> Result<ChatResponse, ProviderError> {
        let mut headers = vec![("anthropic-version", API_VERSION.to_owned())];
        if let Some(key) = &self.config.api_key {
            headers.push(("x-api-key", key.expose().to_owned()));
        }
        let body = request_body(request);
        let mut events = open_stream(&self.client, &self.config, &self.url, headers, &body).await?;
        let mut answer = Answer::default();
        while let Some(event) = events.next().await? {
            let data: Value = serde_json::from_str(&event.data).map_err(|error| {
                ProviderError::Protocol(format!("a stream event is not JSON: {error}"))
            })?;
            // The `event:` name and the JSON `type` agree; the JSON is authoritative.
            let kind = data
                .get("type")
                .and_then(Value::as_str)
                .or(event.event.as_deref())
                .unwrap_or_default();
            if kind == "error" {
                let error = data.get("error").unwrap_or(&data);
                return Err(ProviderError::from_stream_error(
                    error,
                    self.config.api_key.as_ref(),
                ));
            }
            if kind == "message_stop" {
                return answer.finish();
            }
            answer.apply(kind, &data)?;
        }
        Err(ProviderError::Protocol(
            "the stream ended before `message_stop`".into(),
        ))
    }
}

impl ChatProvider for Anthropic {
    fn chat<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>> {
        Box::pin(self.stream(request))
    }
}

/// The request as the Messages API expects it.
fn request_body(request: &ChatRequest) -> Value {
    let mut body = json!({
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": messages(&request.turns),
        "stream": true,
    });
    if !request.system.is_empty() {
        body["system"] = json!(request.system);
    }
    if let Some(temperature) = request.temperature {
        body["temperature"] = json!(temperature);
    }
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "name": tool.name,
                    "description": tool.description,
                    "input_schema": tool.parameters,
                })
            })
            .collect();
        body["tools"] = Value::Array(tools);
    }
    body
}

/// The turns as alternating messages of content blocks.
fn messages(turns: &[Turn]) -> Vec<Value> {
    let mut messages: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for turn in turns {
        let (role, blocks) = blocks(turn);
        if blocks.is_empty() {
            continue;
        }
        match messages.last_mut() {
            Some((last, content)) if *last == role => content.extend(blocks),
            _ => messages.push((role, blocks)),
        }
    }
    messages
        .into_iter()
        .map(|(role, mut content)| {
            // Tool results must open the user message that carries them.
            content.sort_by_key(|block| block["type"] != "tool_result");
            json!({"role": role, "content": content})
        })
        .collect()
}

fn blocks(turn: &Turn) -> (&'static str, Vec<Value>) {
    // The API refuses empty text blocks, so blank text is left out.
    let text_block =
        |text: &str| (!text.trim().is_empty()).then(|| json!({"type": "text", "text": text}));
    match turn {
        Turn::Text { role, text } => {
            let role = match role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            (role, text_block(text).into_iter().collect())
        }
        Turn::ToolCalls { text, calls } => {
            let mut content: Vec<Value> =
                text.as_deref().and_then(text_block).into_iter().collect();
            content.extend(calls.iter().map(|call| {
                json!({"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments})
            }));
            ("assistant", content)
        }
        Turn::ToolResults(results) => {
            let content = results
                .iter()
                .map(|result| {
                    json!({
                        "type": "tool_result",
                        "tool_use_id": result.call_id,
                        "content": result.content,
                        "is_error": result.is_error,
                    })
                })
                .collect();
            ("user", content)
        }
    }
}

/// One content block as it streams in.
enum Block {
    Text(String),
    ToolUse(PartialToolCall),
    /// Thinking and other block types we neither show nor send back.
    Other,
}

/// The message as assembled so far.
#[derive(Default)]
struct Answer {
    /// Blocks by their `index`.
    blocks: Vec<(u64, Block)>,
    usage: Usage,
    stop_reason: Option<String>,
}

impl Answer {
    fn apply(&mut self, kind: &str, data: &Value) -> Result<(), ProviderError> {
        match kind {
            "message_start" => {
                let usage = data.pointer("/message/usage").unwrap_or(&Value::Null);
                self.read_usage(usage)?;
            }
            "content_block_start" => {
                let index = index(data)?;
                let block = data
                    .get("content_block")
                    .ok_or_else(|| malformed("`content_block_start` has no block"))?;
                let block = match block.get("type").and_then(Value::as_str) {
                    Some("text") => Block::Text(str_field(block, "text").to_owned()),
                    Some("tool_use") => Block::ToolUse(PartialToolCall {
                        id: str_field(block, "id").to_owned(),
                        name: str_field(block, "name").to_owned(),
                        // The input streams as `input_json_delta`s; the start carries `{}`.
                        arguments: String::new(),
                    }),
                    _ => Block::Other,
                };
                self.blocks.push((index, block));
            }
            "content_block_delta" => {
                let index = index(data)?;
                let delta = data.get("delta").unwrap_or(&Value::Null);
                let Some((_, block)) = self.blocks.iter_mut().find(|(i, _)| *i == index) else {
                    return Err(malformed("a delta for a block that never started"));
                };
                match (block, delta.get("type").and_then(Value::as_str)) {
                    (Block::Text(text), Some("text_delta")) => {
                        text.push_str(str_field(delta, "text"));
                    }
                    (Block::ToolUse(call), Some("input_json_delta")) => {
                        call.arguments.push_str(str_field(delta, "partial_json"));
                    }
                    (Block::Other, _) => {}
                    // Citations, thinking or signatures on a block we keep: nothing to add.
                    (_, Some("citations_delta" | "thinking_delta" | "signature_delta")) => {}
                    _ => return Err(malformed("a delta that does not fit its block")),
                }
            }
            "message_delta" => {
                if let Some(reason) = data.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    self.stop_reason = Some(reason.to_owned());
                }
                if let Some(usage) = data.get("usage") {
                    self.read_usage(usage)?;
                }
            }
            // `content_block_stop`, `ping`, and event types added after this was written,
            // which the API's versioning policy says clients must tolerate.
            _ => {}
        }
        Ok(())
    }

    /// Usage counts are cumulative, so a later figure replaces an earlier one. Input
    /// includes cache writes and reads: all of them are billed prompt tokens.
    fn read_usage(&mut self, usage: &Value) -> Result<(), ProviderError> {
        let field = |name: &str| -> Result<Option<u64>, ProviderError> {
            match usage.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(value) => value
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| malformed(&format!("`usage.{name}` is not a count"))),
            }
        };
        if let Some(input) = field("input_tokens")? {
            self.usage.input_tokens = input
                + field("cache_creation_input_tokens")?.unwrap_or(0)
                + field("cache_read_input_tokens")?.unwrap_or(0);
        }
        if let Some(output) = field("output_tokens")? {
            self.usage.output_tokens = output;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<ChatResponse, ProviderError> {
        self.blocks.sort_by_key(|(index, _)| *index);
        let mut text = String::new();
        let mut tool_calls = Vec::new();
        for (_, block) in self.blocks {
            match block {
                Block::Text(piece) => text.push_str(&piece),
                Block::ToolUse(call) => tool_calls.push(call.finish(tool_calls.len())?),
                Block::Other => {}
            }
        }
        Ok(ChatResponse {
            text: Some(text).filter(|text| !text.is_empty()),
            tool_calls,
            usage: self.usage,
            stop_reason: self.stop_reason,
        })
    }
}

fn index(data: &Value) -> Result<u64, ProviderError> {
    data.get("index")
        .and_then(Value::as_u64)
        .ok_or_else(|| malformed("a content block event has no `index`"))
}

fn str_field<'v>(value: &'v Value, name: &str) -> &'v str {
    value.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn malformed(what: &str) -> ProviderError {
    ProviderError::Protocol(format!("malformed event: {what}"))
}
