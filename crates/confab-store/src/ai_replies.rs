//! One row per AI reply: which agent and provider answered, how confident it was, the
//! knowledge it used and the tokens it cost (the meter budgets and analytics read).

use crate::TenantTx;
use crate::error::{Classify, Result};
use confab_core::Timestamp;
use confab_core::handoff::HandoffReason;
use confab_core::id::{AgentId, AiReplyId, ConversationId, MessageId};

#[derive(Clone, Debug)]
pub struct AiReply {
    pub id: AiReplyId,
    pub conversation_id: ConversationId,
    /// The AI message written, if any (a hand-off may send none).
    pub message_id: Option<MessageId>,
    /// The customer message answered.
    pub reply_to: MessageId,
    pub agent_id: Option<AgentId>,
    pub provider: String,
    pub model: Option<String>,
    pub confidence: Option<f64>,
    pub sources: Vec<String>,
    pub handoff_reason: Option<HandoffReason>,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub created_at: Timestamp,
}

pub async fn insert(tx: &mut TenantTx, r: &AiReply) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO ai_replies (id, workspace_id, livemode, conversation_id, message_id, reply_to, agent_id, provider, model, \
         confidence, sources, handoff_reason, input_tokens, output_tokens, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CAST($10 AS DOUBLE PRECISION), $11, $12, $13, $14, $15)",
    )
    .bind(r.id.as_str())
    .bind(ws)
    .bind(live)
    .bind(r.conversation_id.as_str())
    .bind(r.message_id.as_ref().map(|m| m.to_string()))
    .bind(r.reply_to.as_str())
    .bind(r.agent_id.as_ref().map(|a| a.to_string()))
    .bind(r.provider.clone())
    .bind(r.model.clone())
    .bind(crate::sql::double_as_text(r.confidence))
    .bind(serde_json::to_string(&r.sources).unwrap_or_else(|_| "[]".into()))
    .bind(r.handoff_reason.map(|h| h.as_str()))
    .bind(r.input_tokens)
    .bind(r.output_tokens)
    .bind(r.created_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Tokens spent by AI replies in the workspace and mode since `from` (input, output).
pub async fn tokens_since(tx: &mut TenantTx, from: Timestamp) -> Result<(i64, i64)> {
    use sqlx::Row;
    let (ws, live) = tx.scope();
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT) AS i, CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) AS o \
         FROM ai_replies WHERE workspace_id = $1 AND livemode = $2 AND created_at >= $3",
    )
    .bind(ws)
    .bind(live)
    .bind(from.millis())
    .fetch_one(tx.conn())
    .await
    .classified()?;
    Ok((
        row.try_get("i").classified()?,
        row.try_get("o").classified()?,
    ))
}
