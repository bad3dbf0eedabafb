//! The tool-calling loop: ask, run the tools the model called, tell it the results, ask
//! again, until it answers in words.

use futures::future::BoxFuture;

use super::{ChatProvider, ChatRequest, ProviderError, ToolCall, ToolResult, Turn, Usage};

/// Runs the model's tool calls. `confab-app` implements it (searching the knowledge
/// base, handing off…); a failing tool is a [`ToolResult`] with `is_error`, which the
/// model reads, not an error that ends the conversation.
pub trait ToolExecutor: Send + Sync {
    /// Runs one call.
    fn call<'a>(&'a self, call: &'a ToolCall) -> BoxFuture<'a, ToolResult>;
}

/// How a [`converse`] ended.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The model's final text (or, when the round budget ran out, its last text).
    pub text: Option<String>,
    /// Tokens consumed, summed over all rounds.
    pub usage: Usage,
    /// Every tool call that was executed, in order.
    pub tool_calls: Vec<ToolCall>,
    /// How many requests were made.
    pub rounds: usize,
}

/// Asks `provider` and runs the tools it calls, in order, feeding the results back, until
/// it answers without calling tools or `max_rounds` requests have been made (at least one
/// is). Calls asked for in the last allowed round are not executed, since the model
/// could never see their results; the outcome's text is then the last text the model
/// wrote, and with none at all the conversation fails with [`ProviderError::Protocol`].
pub async fn converse(
    provider: &dyn ChatProvider,
    mut request: ChatRequest,
    tools: &dyn ToolExecutor,
    max_rounds: usize,
) -> Result<Outcome, ProviderError> {
    let max_rounds = max_rounds.max(1);
    let mut outcome = Outcome {
        text: None,
        usage: Usage::default(),
        tool_calls: Vec::new(),
        rounds: 0,
    };
    loop {
        let response = provider.chat(&request).await?;
        outcome.rounds += 1;
        outcome.usage += response.usage;
        if response.text.is_some() {
            outcome.text.clone_from(&response.text);
        }
        tracing::debug!(
            round = outcome.rounds,
            tool_calls = response.tool_calls.len(),
            stop_reason = response.stop_reason.as_deref().unwrap_or(""),
            "model answered"
        );
        if response.tool_calls.is_empty() {
            outcome.text = response.text;
            return Ok(outcome);
        }
        if outcome.rounds >= max_rounds {
            return match outcome.text {
                Some(_) => Ok(outcome),
                None => Err(ProviderError::Protocol(format!(
                    "the model was still calling tools after {max_rounds} rounds and wrote no answer"
                ))),
            };
        }
        let mut results = Vec::with_capacity(response.tool_calls.len());
        for call in &response.tool_calls {
            results.push(tools.call(call).await);
        }
        outcome
            .tool_calls
            .extend(response.tool_calls.iter().cloned());
        request.turns.push(Turn::ToolCalls {
            text: response.text,
            calls: response.tool_calls,
        });
        request.turns.push(Turn::ToolResults(results));
    }
}
