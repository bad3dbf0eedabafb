//! A person on the team is typing: an ephemeral signal the visitor's widget shows as
//! "Ana is typing…". Nothing is stored; it reaches the streams of every node.

use confab_core::object::ObjectName;
use serde::Serialize;

use confab_core::ErrorCode;
use confab_core::conversation::{MessageRole, Status};
use confab_core::id::ConversationId;

use crate::conversations::load;
use crate::live::{TYPING_TTL_MS, Typing};
use crate::{Access, AppError, AppResult, Ctx, Resource};

/// What `POST /v1/conversations/{id}/typing` answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TypingSignal {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub conversation_id: ConversationId,
    /// How long the visitor sees it without another signal or a message; send one
    /// every few seconds while the person types.
    pub ttl_ms: u64,
}

confab_core::named!(TypingSignal => "typing");

pub async fn agent_typing(ctx: &Ctx, id: &ConversationId) -> AppResult<TypingSignal> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut tx = ctx.read().await?;
    let conversation = load(&mut tx, id).await?;
    if conversation.status == Status::Resolved {
        return Err(AppError::new(
            ErrorCode::ConversationResolved,
            "This conversation is resolved; the customer can reopen it by writing again.",
        ));
    }
    let name = match ctx.member_id() {
        Some(member) => crate::members::shown_name(&mut tx, member).await?,
        None => None,
    };
    drop(tx);
    crate::wakeups::raise_typing(
        &ctx.app,
        Typing {
            workspace_id: ctx.workspace_id.clone(),
            livemode: ctx.livemode(),
            conversation_id: conversation.id.clone(),
            role: MessageRole::Agent,
            name,
        },
    )
    .await;
    Ok(TypingSignal {
        object: ObjectName::new(),
        conversation_id: conversation.id,
        ttl_ms: TYPING_TTL_MS,
    })
}
