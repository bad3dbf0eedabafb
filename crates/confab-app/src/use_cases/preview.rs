//! `POST /v1/agents/{id}/preview`: what an agent would answer, with nothing stored,
//! sent or emitted. It runs the same [`respond`] as the reply worker.

use serde::{Deserialize, Serialize};

use confab_agent::provider::Role;
use confab_agent::sentiment;
use confab_core::conversation::{MessageRole, Sentiment};
use confab_core::handoff::HandoffReason;
use confab_core::id::AgentId;
use confab_core::{ErrorCode, FieldErrors};

use crate::messages::check_text;
use crate::responder::{Exchange, Profile, respond};
use crate::understanding::understand;
use crate::{Access, AppError, AppResult, Ctx, Resource};

const MAX_HISTORY: usize = 50;

/// The roles an earlier turn of a preview can have.
fn turn_role() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["customer", "ai", "agent"]))
        .build()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewTurn {
    /// `customer`, `ai` or `agent`.
    #[schema(schema_with = turn_role)]
    pub role: MessageRole,
    #[schema(min_length = 1, pattern = r"\S")]
    pub text: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    /// The customer's message.
    #[schema(min_length = 1, pattern = r"\S")]
    pub text: String,
    /// Earlier turns, oldest first.
    #[serde(default)]
    pub history: Vec<PreviewTurn>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// What the agent would send (`null`: nothing).
    pub reply: Option<String>,
    pub intent: String,
    pub lang: Option<String>,
    pub sentiment: Option<Sentiment>,
    pub sentiment_score: Option<f64>,
    /// Knowledge entries (`kb_…`) the answer used.
    pub sources: Vec<String>,
    /// Retrieval confidence of the best entry, 0 to 1.
    pub confidence: Option<f64>,
    /// Whether the agent would hand the conversation to a person.
    pub handoff: bool,
    /// Why (`customer_request`, `keyword`, `negative_sentiment`, `low_confidence`, `agent_decision`).
    pub handoff_reason: Option<HandoffReason>,
    pub provider: String,
    pub model: Option<String>,
    pub usage: PreviewUsage,
}

pub async fn run(ctx: &Ctx, agent_id: &AgentId, input: PreviewInput) -> AppResult<Preview> {
    ctx.authorize(Resource::Agents, Access::Read)?;
    let mut errors = FieldErrors::new();
    check_text(&input.text, "text", &mut errors);
    if input.history.len() > MAX_HISTORY {
        errors.add("history", format!("must have at most {MAX_HISTORY} turns"));
    }
    for (i, turn) in input.history.iter().enumerate() {
        check_text(&turn.text, &format!("history.{i}.text"), &mut errors);
        if !matches!(
            turn.role,
            MessageRole::Customer | MessageRole::Ai | MessageRole::Agent
        ) {
            errors.add(format!("history.{i}.role"), "must be customer, ai or agent");
        }
    }
    errors.into_result()?;
    let mut tx = ctx.read().await?;
    let agent = crate::agents::load(&mut tx, agent_id).await?;
    let knowledge = ctx.app.knowledge.current(&mut tx).await?;
    drop(tx);
    let understanding = understand(&input.text, None, &knowledge, &agent.knowledge_tags);
    // The customer's own trailing run of negative messages, this one included.
    let earlier_negative = input
        .history
        .iter()
        .rev()
        .filter(|t| t.role == MessageRole::Customer)
        .take_while(|t| {
            sentiment::analyze(&t.text, understanding.lang.as_deref()).label == Sentiment::Negative
        })
        .count() as i64;
    let negative_streak = match understanding.sentiment {
        Sentiment::Negative => earlier_negative + 1,
        _ => 0,
    };
    let exchange = Exchange {
        text: &input.text,
        understanding: &understanding,
        negative_streak,
        low_confidence_streak: 0,
        history: input
            .history
            .iter()
            .map(|t| {
                let role = if t.role == MessageRole::Customer {
                    Role::User
                } else {
                    Role::Assistant
                };
                (role, t.text.clone())
            })
            .collect(),
    };
    let profile = Profile {
        agent: Some(&agent),
        ai: &ctx.app.config.ai,
    };
    let answer = respond(&ctx.app, &profile, &knowledge, &exchange)
        .await
        .map_err(|e| {
            AppError::new(
                ErrorCode::Unavailable,
                format!("The agent's provider could not answer: {e}"),
            )
        })?;
    Ok(Preview {
        reply: answer.text,
        intent: answer.intent,
        lang: answer.lang,
        sentiment: answer.sentiment,
        sentiment_score: answer.sentiment_score,
        sources: answer.sources,
        confidence: answer.confidence,
        handoff: answer.handoff.is_some(),
        handoff_reason: answer.handoff,
        provider: answer.provider,
        model: answer.model,
        usage: PreviewUsage {
            input_tokens: answer.usage.input_tokens,
            output_tokens: answer.usage.output_tokens,
        },
    })
}
