//! The hand-off state machine (DESIGN §4):
//!
//! ```text
//!            handoff              take-over
//!   ai ───────────────► pending ─────────────► human
//!    ▲ ◄──── release ─────┘  ◄──── release ──────┘ (to ai)
//!    └─────────────── take-over (directly) ───────┘
//! ```
//! `resolve` ends any open conversation; a customer message reopens it. Each illegal
//! move is a 409 that says why.

use serde::Deserialize;
use serde_json::Value;

use confab_core::conversation::{Conversation, HandledBy, Resolution, Status};
use confab_core::event::EventType;
use confab_core::id::MemberId;
use confab_store::{conversations, members};

use crate::conversations::{load, to_data};
use crate::{Access, AppError, AppResult, Ctx, Resource, Uow};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffInput {
    /// Why a person is needed (shown to agents and in `handoff.requested`); at most 500
    /// characters.
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakeOverInput {
    /// The member taking over; defaults to the caller when it is a member.
    pub member_id: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub member_id: String,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    /// How it ended (optional).
    pub resolution: Option<Resolution>,
}

fn require_open(c: &Conversation, action: &str) -> AppResult<()> {
    if c.status == Status::Resolved {
        return Err(AppError::conflict(format!(
            "This conversation is resolved, so it cannot be {action}; a new customer message reopens it."
        )));
    }
    Ok(())
}

async fn member(uow: &mut Uow, id: &str, field: &str) -> AppResult<MemberId> {
    members::get(uow.tx(), id)
        .await?
        .map(|m| m.id)
        .ok_or_else(|| AppError::field(field, "no member with this id is on the team"))
}

/// Saves the conversation and its event, then commits.
async fn save(
    mut uow: Uow,
    mut c: Conversation,
    event: EventType,
    extra: Option<(&str, Value)>,
) -> AppResult<Conversation> {
    c.updated_at = uow.now;
    conversations::update(uow.tx(), &c, None).await?;
    let mut data = to_data(&c);
    if let (Some((key, value)), Value::Object(map)) = (extra, &mut data) {
        map.insert(key.to_owned(), value);
    }
    uow.emit_for(event, data, &c).await?;
    uow.commit().await?;
    Ok(c)
}

/// The AI stands down and the conversation waits for a person.
pub async fn request(ctx: &Ctx, id: &str, input: HandoffInput) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let reason = input
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::field("reason", "must be at most 500 characters"));
    }
    let mut uow = ctx.write().await?;
    let c = load(uow.tx(), id).await?;
    request_in(uow, c, reason.unwrap_or_else(|| "requested".into())).await
}

/// Hands off inside an open unit of work (the agent worker uses this too).
pub(crate) async fn request_in(
    uow: Uow,
    mut c: Conversation,
    reason: String,
) -> AppResult<Conversation> {
    require_open(&c, "handed off")?;
    match c.handled_by {
        HandledBy::Pending => {
            return Err(AppError::conflict(
                "This conversation is already waiting for a person.",
            ));
        }
        HandledBy::Human => {
            return Err(AppError::conflict(
                "A person is already handling this conversation.",
            ));
        }
        HandledBy::Ai => {}
    }
    c.handled_by = HandledBy::Pending;
    c.human_requested_at = Some(uow.now);
    save(
        uow,
        c,
        EventType::HandoffRequested,
        Some(("reason", Value::String(reason))),
    )
    .await
}

/// A person takes the conversation; the AI stops replying at once.
pub async fn take_over(ctx: &Ctx, id: &str, input: TakeOverInput) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut c = load(uow.tx(), id).await?;
    require_open(&c, "taken over")?;
    if c.handled_by == HandledBy::Human {
        return Err(AppError::conflict(
            "A person is already handling this conversation; use /assign to change who.",
        ));
    }
    let assignee = match input.member_id.as_deref() {
        Some(m) => Some(member(&mut uow, m, "member_id").await?),
        None => ctx.member_id().cloned(),
    };
    c.handled_by = HandledBy::Human;
    c.human_took_over_at = Some(uow.now);
    if assignee.is_some() {
        c.assignee_id = assignee;
    }
    save(uow, c, EventType::AgentAssigned, None).await
}

/// Back to the AI.
pub async fn release(ctx: &Ctx, id: &str) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut c = load(uow.tx(), id).await?;
    require_open(&c, "released")?;
    if c.handled_by == HandledBy::Ai {
        return Err(AppError::conflict(
            "The AI is already handling this conversation.",
        ));
    }
    c.handled_by = HandledBy::Ai;
    // The AI starts afresh: what made it stand down is not counted against it again.
    c.negative_streak = 0;
    c.low_confidence_streak = 0;
    save(uow, c, EventType::ConversationReleased, None).await
}

/// Sets who is responsible.
pub async fn assign(ctx: &Ctx, id: &str, input: AssignInput) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut c = load(uow.tx(), id).await?;
    require_open(&c, "assigned")?;
    let m = member(&mut uow, &input.member_id, "member_id").await?;
    if c.assignee_id.as_ref() == Some(&m) {
        return Err(AppError::conflict(
            "This conversation is already assigned to that member.",
        ));
    }
    c.assignee_id = Some(m);
    save(uow, c, EventType::AgentAssigned, None).await
}

/// Ends the conversation, optionally with how it ended.
pub async fn resolve(ctx: &Ctx, id: &str, input: ResolveInput) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    if let Some(r) = &input.resolution {
        let outcome = r.outcome.trim();
        if outcome.is_empty() || outcome.chars().count() > 100 {
            return Err(AppError::field(
                "resolution.outcome",
                "must be 1 to 100 characters",
            ));
        }
        if r.note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            return Err(AppError::field(
                "resolution.note",
                "must be at most 2000 characters",
            ));
        }
    }
    let mut uow = ctx.write().await?;
    let mut c = load(uow.tx(), id).await?;
    if c.status == Status::Resolved {
        return Err(AppError::conflict("This conversation is already resolved."));
    }
    c.status = Status::Resolved;
    c.resolved_at = Some(uow.now);
    c.resolution = input.resolution;
    save(uow, c, EventType::ConversationResolved, None).await
}
