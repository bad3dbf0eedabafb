//! The OpenAI Chat Completions adapter, for OpenAI and every server that copies its API
//! (vLLM, llama.cpp's `llama-server`, Ollama…).
//!
//! Requests stream (`stream: true`) and ask for a final usage chunk
//! (`stream_options.include_usage`). A server that never sends usage leaves
//! [`Usage`] at zero: metering then under-counts rather than guesses.

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::tools::PartialToolCall;
use super::transport::{self, open_stream};
use super::{
    ChatProvider, ChatRequest, ChatResponse, ProviderConfig, ProviderError, Role, Turn, Usage,
};

/// Talks to `{base_url}/chat/completions`.
pub(crate) struct OpenAi {
    config: ProviderConfig,
    client: reqwest::Client,
    url: String,
}

impl OpenAi {
    pub(crate) fn new(config: ProviderConfig) -> Self {
        let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        OpenAi {
            client: transport::client(&config),
            config,
            url,
        }
    }

    async fn stream(&self, request: &ChatRequest) -> Result<ChatResponse, ProviderError> {
        let mut headers = vec![];
        if let Some(key) = &self.config.api_key {
            headers.push(("authorization", format!("Bearer {}", key.expose())));
        }
        let body = request_body(request);
        let mut events = open_stream(&self.client, &self.config, &self.url, headers, &body).await?;
        let mut answer = Answer::default();
        while let Some(event) = events.next().await? {
            if event.data.trim() == "[DONE]" {
                return answer.finish();
            }
            let chunk: Value = serde_json::from_str(&event.data).map_err(|error| {
                ProviderError::Protocol(format!("a stream chunk is not JSON: {error}"))
            })?;
            answer.apply(&chunk, &self.config)?;
        }
        // Servers end with `[DONE]`; a finish reason without it is still a whole answer.
        if answer.stop_reason.is_some() {
            answer.finish()
        } else {
            Err(ProviderError::Protocol(
                "the stream ended before the answer was complete".into(),
            ))
        }
    }
}

impl ChatProvider for OpenAi {
    fn chat<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>> {
        Box::pin(self.stream(request))
    }
}

/// The request as Chat Completions expects it.
fn request_body(request: &ChatRequest) -> Value {
    let mut messages = Vec::new();
    if !request.system.is_empty() {
        messages.push(json!({"role": "system", "content": request.system}));
    }
    for turn in &request.turns {
        match turn {
            Turn::Text { role, text } => {
                let role = match role {
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                messages.push(json!({"role": role, "content": text}));
            }
            Turn::ToolCalls { text, calls } => {
                let calls: Vec<Value> = calls
                    .iter()
                    .map(|call| {
                        json!({
                            "id": call.id,
                            "type": "function",
                            // The protocol carries arguments as a JSON text, not an object.
                            "function": {"name": call.name, "arguments": call.arguments.to_string()},
                        })
                    })
                    .collect();
                messages.push(json!({"role": "assistant", "content": text, "tool_calls": calls}));
            }
            Turn::ToolResults(results) => {
                for result in results {
                    // Chat Completions has no error flag on a tool message; say it in words.
                    let content = if result.is_error {
                        format!("Error: {}", result.content)
                    } else {
                        result.content.clone()
                    };
                    messages.push(json!({
                        "role": "tool",
                        "tool_call_id": result.call_id,
                        "content": content,
                    }));
                }
            }
        }
    }
    // `max_tokens` rather than the newer `max_completion_tokens`: every compatible
    // server understands it.
    let mut body = json!({
        "model": request.model,
        "messages": messages,
        "max_tokens": request.max_tokens,
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    if let Some(temperature) = request.temperature {
        body["temperature"] = json!(temperature);
    }
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": tool.parameters,
                    },
                })
            })
            .collect();
        body["tools"] = Value::Array(tools);
    }
    body
}

/// The answer as assembled so far from `chat.completion.chunk`s.
#[derive(Default)]
struct Answer {
    text: String,
    /// Tool calls by their `index`, which is how fragments name the call they extend.
    calls: Vec<(u64, PartialToolCall)>,
    usage: Usage,
    stop_reason: Option<String>,
}

impl Answer {
    fn apply(&mut self, chunk: &Value, config: &ProviderConfig) -> Result<(), ProviderError> {
        // Some compatible servers report a failure mid-stream as a chunk with `error`.
        if let Some(error) = chunk.get("error") {
            return Err(ProviderError::from_stream_error(
                error,
                config.api_key.as_ref(),
            ));
        }
        if let Some(usage) = chunk.get("usage").filter(|usage| usage.is_object()) {
            self.usage = Usage {
                input_tokens: count(usage, "prompt_tokens")?,
                output_tokens: count(usage, "completion_tokens")?,
            };
        }
        let choices = match chunk.get("choices") {
            None | Some(Value::Null) => return Ok(()),
            Some(Value::Array(choices)) => choices,
            Some(_) => return Err(malformed("`choices` is not an array")),
        };
        // We ask for one completion (no `n`), so only choice 0 exists.
        let Some(choice) = choices
            .iter()
            .find(|c| c.get("index").and_then(Value::as_u64).unwrap_or(0) == 0)
        else {
            return Ok(());
        };
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.stop_reason = Some(reason.to_owned());
        }
        let Some(delta) = choice.get("delta").filter(|d| !d.is_null()) else {
            return Ok(());
        };
        if let Some(text) = delta.get("content").and_then(Value::as_str) {
            self.text.push_str(text);
        }
        match delta.get("tool_calls") {
            None | Some(Value::Null) => {}
            Some(Value::Array(fragments)) => {
                for fragment in fragments {
                    self.extend_call(fragment)?;
                }
            }
            Some(_) => return Err(malformed("`delta.tool_calls` is not an array")),
        }
        Ok(())
    }

    fn extend_call(&mut self, fragment: &Value) -> Result<(), ProviderError> {
        let index = fragment
            .get("index")
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed("a tool call fragment has no `index`"))?;
        let position = match self.calls.iter().position(|(i, _)| *i == index) {
            Some(position) => position,
            None => {
                self.calls.push((index, PartialToolCall::default()));
                self.calls.len() - 1
            }
        };
        let call = &mut self.calls[position].1;
        if let Some(id) = fragment.get("id").and_then(Value::as_str) {
            call.id = id.to_owned();
        }
        if let Some(function) = fragment.get("function") {
            // The name arrives whole in the first fragment; appending tolerates servers
            // that split it too.
            if let Some(name) = function.get("name").and_then(Value::as_str) {
                call.name.push_str(name);
            }
            if let Some(arguments) = function.get("arguments").and_then(Value::as_str) {
                call.arguments.push_str(arguments);
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<ChatResponse, ProviderError> {
        self.calls.sort_by_key(|(index, _)| *index);
        let tool_calls = self
            .calls
            .into_iter()
            .enumerate()
            .map(|(position, (_, call))| call.finish(position))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ChatResponse {
            text: Some(self.text).filter(|text| !text.is_empty()),
            tool_calls,
            usage: self.usage,
            stop_reason: self.stop_reason,
        })
    }
}

fn count(usage: &Value, field: &str) -> Result<u64, ProviderError> {
    match usage.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(value) => value
            .as_u64()
            .ok_or_else(|| malformed(&format!("`usage.{field}` is not a count"))),
    }
}

fn malformed(what: &str) -> ProviderError {
    ProviderError::Protocol(format!("malformed chunk: {what}"))
}
