//! Asking a large language model: one [`ChatProvider`] trait with two adapters, chosen by
//! configuration ([`ProviderKind`]):
//!
//! - `openai`: any OpenAI-compatible Chat Completions server (OpenAI, vLLM, llama.cpp's
//!   `llama-server`, Ollama…). The adapter posts to `{base_url}/chat/completions`, so the
//!   base URL includes the API version: `https://api.openai.com/v1` (the default) or
//!   `http://127.0.0.1:8080/v1` for a local `llama-server`.
//! - `anthropic`: the Anthropic Messages API. The adapter posts to `{base_url}/v1/messages`,
//!   so the base URL is the host alone: `https://api.anthropic.com` (the default) or
//!   `http://127.0.0.1:8080` for a local `llama-server`, which serves both paths.
//!
//! Both adapters stream (server-sent events) and assemble the answer's text, tool calls,
//! token usage and stop reason into one [`ChatResponse`]; streaming is what lets the
//! [`ProviderConfig::idle_timeout`] notice a stalled server long before the whole-request
//! timeout. [`converse`] runs the tool-calling loop on top of either adapter.
//!
//! The API key is held in an [`ApiKey`], which never prints; errors carry the provider's
//! message with the key scrubbed out.

mod anthropic;
mod config;
mod conversation;
mod error;
mod openai;
mod sse;
mod tools;
mod transport;

use std::sync::Arc;

use futures::future::BoxFuture;

pub use self::config::{
    ApiKey, ProviderConfig, ProviderKind, UnknownProviderKind, default_base_url,
};
pub use self::conversation::{Outcome, ToolExecutor, converse};
pub use self::error::ProviderError;

/// Who spoke a plain text turn. The system prompt is not a turn: it is
/// [`ChatRequest::system`], because the two protocols place it differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The customer (or whoever the model answers).
    User,
    /// The model.
    Assistant,
}

/// A tool the model asked to run.
#[derive(Clone, Debug)]
pub struct ToolCall {
    /// The provider's id for the call, echoed back in the matching [`ToolResult::call_id`].
    pub id: String,
    /// The tool's name, one of [`ChatRequest::tools`].
    pub name: String,
    /// The arguments the model wrote, parsed; an empty argument string becomes `{}`.
    pub arguments: serde_json::Value,
}

impl ToolCall {
    /// The result of running this call: `content` for the model, an error when
    /// `is_error`.
    pub fn answer(&self, content: String, is_error: bool) -> ToolResult {
        ToolResult {
            call_id: self.id.clone(),
            content,
            is_error,
        }
    }
}

/// One turn of the conversation as the model sees it.
#[derive(Clone, Debug)]
pub enum Turn {
    /// A plain message from the user or the model.
    Text { role: Role, text: String },
    /// A turn in which the model called tools, with any text it wrote alongside.
    ToolCalls {
        text: Option<String>,
        calls: Vec<ToolCall>,
    },
    /// The results of the previous turn's tool calls, one per call.
    ToolResults(Vec<ToolResult>),
}

/// What running one [`ToolCall`] produced, as text for the model.
#[derive(Clone, Debug)]
pub struct ToolResult {
    /// The [`ToolCall::id`] this answers.
    pub call_id: String,
    /// The result (often JSON) or, when `is_error`, what went wrong.
    pub content: String,
    /// The tool failed; the model should not treat `content` as data.
    pub is_error: bool,
}

/// A tool offered to the model.
#[derive(Clone, Debug)]
pub struct ToolSpec {
    /// The name the model calls it by.
    pub name: String,
    /// When to use it; the model reads this.
    pub description: String,
    /// A JSON Schema object describing the arguments.
    pub parameters: serde_json::Value,
}

/// One request to the model.
#[derive(Clone, Debug)]
pub struct ChatRequest {
    /// The provider's model name (`gpt-4o-mini`, `claude-sonnet-4-5`, anything for
    /// `llama-server`, which serves the one model it loaded).
    pub model: String,
    /// The system prompt (persona, instructions, retrieved knowledge); empty for none.
    pub system: String,
    /// The conversation so far, oldest first.
    pub turns: Vec<Turn>,
    /// Tools the model may call; empty for none.
    pub tools: Vec<ToolSpec>,
    /// The most tokens the answer may have.
    pub max_tokens: u32,
    /// Sampling temperature; `None` leaves the provider's default.
    pub temperature: Option<f32>,
}

/// Tokens a request consumed, as the provider counted them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Prompt tokens (for Anthropic, including cache reads and writes).
    pub input_tokens: u64,
    /// Generated tokens.
    pub output_tokens: u64,
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

/// The model's complete answer to one [`ChatRequest`].
#[derive(Clone, Debug)]
pub struct ChatResponse {
    /// The text it wrote, if any.
    pub text: Option<String>,
    /// The tools it called, in order; empty when it answered in text only.
    pub tool_calls: Vec<ToolCall>,
    /// Tokens consumed. Zero when the server reported none (see each adapter).
    pub usage: Usage,
    /// The provider's own word for why it stopped (`stop`, `tool_calls`, `length`,
    /// `end_turn`, `tool_use`, `max_tokens`…), if it said.
    pub stop_reason: Option<String>,
}

/// A model behind some wire protocol.
pub trait ChatProvider: Send + Sync {
    /// Sends `request` and waits for the whole (streamed) answer, within the configured
    /// timeouts.
    fn chat<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>>;
}

/// The adapter `config` asks for. Shared (`Arc`) because one provider, and its pool of
/// connections, serves many conversations at once. `local` answers without a model, so
/// it has no adapter.
pub fn build(config: ProviderConfig) -> Result<Arc<dyn ChatProvider>, ProviderError> {
    match config.kind {
        ProviderKind::OpenAi => Ok(Arc::new(openai::OpenAi::new(config))),
        ProviderKind::Anthropic => Ok(Arc::new(anthropic::Anthropic::new(config))),
        ProviderKind::Local => Err(ProviderError::Protocol(
            "the local provider answers without a model".into(),
        )),
    }
}
