//! Hand-off use cases: each locks the conversation, applies one transition of the state
//! machine in `confab_core::handoff` (where it is drawn and tested), and writes the row
//! and its event. Each illegal move is a 409 that says why.

use serde::Deserialize;
use serde_json::Value;

use confab_agent::phrases::{Phrase, say};
use confab_core::conversation::{Conversation, Resolution};
use confab_core::handoff::Transition;
use confab_core::id::{ConversationId, MemberId};
use confab_store::{Locked, conversations, members};

use crate::conversations::{load_for_update, to_data};
use crate::messages::NewMessage;
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

async fn member(uow: &mut Uow, raw: &str, field: &str) -> AppResult<MemberId> {
    let found = match MemberId::parse(raw) {
        Some(id) => members::get(uow.tx(), &id).await?,
        None => None,
    };
    found
        .map(|m| m.id)
        .ok_or_else(|| AppError::field(field, "no member with this id is on the team"))
}

/// Applies `t` to the locked conversation and saves it with the move's event (plus
/// `extra` in the event's data); false when the move changes nothing.
async fn apply_in(
    uow: &mut Uow,
    c: &mut Locked<Conversation>,
    t: Transition,
    extra: Option<(&str, Value)>,
) -> AppResult<bool> {
    let applied = c.apply(t, uow.now)?;
    let Some(event) = applied.event else {
        return Ok(false);
    };
    c.updated_at = uow.now;
    conversations::update(uow.tx(), c).await?;
    let mut data = to_data(c);
    if let (Some((key, value)), Value::Object(map)) = (extra, &mut data) {
        map.insert(key.to_owned(), value);
    }
    uow.emit_for(event, data, c).await?;
    Ok(true)
}

/// [`apply_in`], then commits.
async fn apply_and_commit(
    mut uow: Uow,
    mut c: Locked<Conversation>,
    t: Transition,
    extra: Option<(&str, Value)>,
) -> AppResult<Conversation> {
    apply_in(&mut uow, &mut c, t, extra).await?;
    uow.commit().await?;
    Ok(c.into_inner())
}

fn checked_reason(raw: Option<String>) -> AppResult<Option<String>> {
    let reason = raw.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::field("reason", "must be at most 500 characters"));
    }
    Ok(reason)
}

/// The AI stands down and the conversation waits for a person.
pub async fn request(
    ctx: &Ctx,
    id: &ConversationId,
    input: HandoffInput,
) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let reason = checked_reason(input.reason)?;
    let mut uow = ctx.write().await?;
    let c = load_for_update(uow.tx(), id).await?;
    request_in(uow, c, reason.unwrap_or_else(|| "requested".into())).await
}

/// The widget's visitor asks for a person: asking again while one is awaited or already
/// there answers the conversation as it is. A request that moves the conversation is
/// answered in the conversation, in the customer's language, so they know a person
/// will reply there and, outside working hours, roughly when (the same words the AI
/// says when asked in a message).
pub async fn request_by_visitor(ctx: &Ctx, id: &ConversationId) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut c = load_for_update(uow.tx(), id).await?;
    let reason = Value::String("customer_request".into());
    let moved = apply_in(
        &mut uow,
        &mut c,
        Transition::VisitorRequestsHuman,
        Some(("reason", reason)),
    )
    .await?;
    if !moved {
        uow.commit().await?;
        return Ok(c.into_inner());
    }
    let mut text = say(Phrase::HandoffRequest, c.lang.as_deref()).to_owned();
    let lang = c.lang.clone();
    if let Some(after_hours) =
        crate::account::after_hours_handoff(&mut uow, &mut c, lang.as_deref(), None).await?
    {
        text = format!("{text} {after_hours}");
    }
    let acknowledgment = NewMessage::automatic(text, &c);
    let (c, _) = crate::messages::post_in(&mut uow, ctx, c, acknowledgment).await?;
    uow.commit().await?;
    Ok(c.into_inner())
}

/// Hands off inside an open unit of work on a locked row (the reply worker uses this
/// too).
pub(crate) async fn request_in(
    uow: Uow,
    c: Locked<Conversation>,
    reason: String,
) -> AppResult<Conversation> {
    let reason = Value::String(reason);
    apply_and_commit(uow, c, Transition::RequestHuman, Some(("reason", reason))).await
}

/// A person takes the conversation; the AI stops replying at once.
pub async fn take_over(
    ctx: &Ctx,
    id: &ConversationId,
    input: TakeOverInput,
) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut uow = ctx.write().await?;
    let c = load_for_update(uow.tx(), id).await?;
    // Refuse an illegal move before looking the member up, as a sequential caller sees.
    c.check(Transition::TakeOver { assignee: None }, uow.now)?;
    let assignee = match input.member_id.as_deref() {
        Some(m) => Some(member(&mut uow, m, "member_id").await?),
        None => ctx.member_id().cloned(),
    };
    apply_and_commit(uow, c, Transition::TakeOver { assignee }, None).await
}

/// Back to the AI.
pub async fn release(ctx: &Ctx, id: &ConversationId) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut uow = ctx.write().await?;
    let c = load_for_update(uow.tx(), id).await?;
    apply_and_commit(uow, c, Transition::Release, None).await
}

/// Sets who is responsible.
pub async fn assign(ctx: &Ctx, id: &ConversationId, input: AssignInput) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut uow = ctx.write().await?;
    let c = load_for_update(uow.tx(), id).await?;
    // A resolved conversation is refused before the member lookup, as it always was.
    let anyone = MemberId::generate();
    c.check(Transition::Assign { member: anyone }, uow.now)?;
    let m = member(&mut uow, &input.member_id, "member_id").await?;
    apply_and_commit(uow, c, Transition::Assign { member: m }, None).await
}

/// Ends the conversation, optionally with how it ended.
pub async fn resolve(
    ctx: &Ctx,
    id: &ConversationId,
    input: ResolveInput,
) -> AppResult<Conversation> {
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
    let c = load_for_update(uow.tx(), id).await?;
    let t = Transition::Resolve {
        resolution: input.resolution,
    };
    apply_and_commit(uow, c, t, None).await
}
