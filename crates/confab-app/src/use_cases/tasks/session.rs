//! One task while it runs: the caller's context (the key, its scopes, its mode), the
//! key's budget, and the two things every step does: pay first, then leave a turn.

use serde_json::{Value, json};

use confab_agent::provider::{ChatRequest, Turn, Usage};
use confab_core::agent::ProviderKind;
use confab_core::id::ChargeId;
use confab_core::money::Microcents;
use confab_core::task::TurnRole;
use confab_store::TenantTx;
use confab_store::tasks::{self, TaskRow};

use crate::budget::{self, Budget, Item, Prices};
use crate::tools::{self, ToolError};
use crate::{AppError, AppResult, Ctx};

pub(crate) struct Session {
    /// Acts as the task's key: its workspace, mode and scopes.
    pub ctx: Ctx,
    pub task: TaskRow,
    pub budget: Budget,
    pub prices: Prices,
}

impl Session {
    async fn tx(&self) -> AppResult<TenantTx> {
        Ok(self
            .ctx
            .app
            .store
            .tenant(&self.ctx.workspace_id, self.ctx.livemode())
            .await?)
    }

    /// Appends an agent turn.
    pub async fn record(&self, payload: Value) -> AppResult<()> {
        let mut tx = self.tx().await?;
        let now = self.ctx.app.clock.now();
        tasks::add_turn(&mut tx, &self.task.id, TurnRole::Agent, &payload, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Charges `amount` to the key now (committed before the work starts), or fails
    /// with `BUDGET_EXCEEDED` when the period's spending has reached the cap.
    async fn pay(
        &self,
        kind: &'static str,
        description: String,
        amount: Microcents,
    ) -> AppResult<ChargeId> {
        let mut tx = self.tx().await?;
        let now = self.ctx.app.clock.now();
        let item = Item {
            task_id: Some(self.task.id.clone()),
            kind,
            description,
            amount,
        };
        let charge = budget::charge(&mut tx, &self.budget, &item, now).await?;
        tx.commit().await?;
        Ok(charge)
    }

    /// Runs one tool as a priced action: pays the action price first, then calls the
    /// tool as the key, and leaves a turn with the arguments and the result (or why
    /// it failed). A refused payment leaves a turn too, and nothing runs.
    pub async fn act(&self, tool: &str, arguments: Value) -> AppResult<Value> {
        let price = self.prices.action;
        if let Err(err) = self.pay("action", format!("tool {tool}"), price).await {
            self.record(json!({
                "type": "action", "tool": tool, "arguments": arguments,
                "error": error_json(&err), "cost_cents": 0.0,
            }))
            .await?;
            return Err(err);
        }
        let result = tools::call(&self.ctx, tool, arguments.clone())
            .await
            .map(|out| out.structured)
            .map_err(app_error);
        let mut turn = json!({
            "type": "action", "tool": tool, "arguments": arguments, "cost_cents": price.cents(),
        });
        match &result {
            Ok(value) => turn["result"] = value.clone(),
            Err(err) => turn["error"] = error_json(err),
        }
        self.record(turn).await?;
        result
    }

    /// Pays a model call's upper bound before it is made (see [`input_bound`]); the
    /// charge is settled with [`Session::settle_model`] once the usage is known.
    /// Returns the charge and the bound.
    pub async fn reserve_model(
        &self,
        kind: ProviderKind,
        request: &ChatRequest,
    ) -> AppResult<(ChargeId, Usage)> {
        let bound = Usage {
            input_tokens: input_bound(request),
            output_tokens: u64::from(request.max_tokens),
        };
        let amount = self
            .prices
            .of_tokens(kind, bound.input_tokens, bound.output_tokens);
        let charge = self
            .pay(
                "model",
                format!(
                    "{kind} model call (reserved for {} tokens in, {} out)",
                    bound.input_tokens, bound.output_tokens
                ),
                amount,
            )
            .await?;
        Ok((charge, bound))
    }

    /// Settles a model call to what the provider reported, and leaves a turn.
    pub async fn settle_model(
        &self,
        charge: &ChargeId,
        kind: ProviderKind,
        model: &str,
        usage: Usage,
    ) -> AppResult<()> {
        let amount = self
            .prices
            .of_tokens(kind, usage.input_tokens, usage.output_tokens);
        let tokens = (usage.input_tokens as i64, usage.output_tokens as i64);
        let mut tx = self.tx().await?;
        let now = self.ctx.app.clock.now();
        budget::settle(&mut tx, charge, Some(&self.task.id), amount, tokens, now).await?;
        let turn = json!({
            "type": "model_call", "provider": kind.as_str(), "model": model,
            "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
            "cost_cents": amount.cents(),
        });
        tasks::add_turn(&mut tx, &self.task.id, TurnRole::Agent, &turn, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An upper bound on a request's input tokens: every byte of the prompt, the turns
/// and the tool definitions (byte-level BPE tokenizers never make a token of less than
/// one byte), plus a few tokens of framing per message and tool.
pub(crate) fn input_bound(request: &ChatRequest) -> u64 {
    let mut bytes = request.system.len();
    for turn in &request.turns {
        bytes += match turn {
            Turn::Text { text, .. } => text.len(),
            Turn::ToolCalls { text, calls } => {
                text.as_deref().map_or(0, str::len)
                    + calls
                        .iter()
                        .map(|c| c.id.len() + c.name.len() + c.arguments.to_string().len())
                        .sum::<usize>()
            }
            Turn::ToolResults(results) => results
                .iter()
                .map(|r| r.call_id.len() + r.content.len())
                .sum(),
        };
    }
    for tool in &request.tools {
        bytes += tool.name.len() + tool.description.len() + tool.parameters.to_string().len();
    }
    let framing = 16 * (request.turns.len() + request.tools.len() + 2);
    (bytes + framing) as u64
}

/// A tool's refusal as the task reports it: the same code and message.
fn app_error(err: ToolError) -> AppError {
    match err {
        ToolError::Internal(detail) => AppError::Internal(detail),
        ToolError::InvalidArguments(fields) => AppError::validation(fields),
        other => AppError::new(other.code(), other.to_string()),
    }
}

/// An error as a turn or a task shows it.
pub(crate) fn error_json(err: &AppError) -> Value {
    match err {
        AppError::Client {
            code,
            message,
            fields,
        } => json!({"code": code.as_str(), "message": message, "fields": fields}),
        AppError::Internal(_) => {
            json!({"code": "INTERNAL", "message": "An internal error occurred."})
        }
    }
}
