//! Conversations: start one (optionally with its contact and first message in one
//! call), list, read and patch.

use confab_core::object::ObjectName;
use serde::Deserialize;
use serde_json::{Value, json};

use confab_core::contact::Contact;
use confab_core::conversation::{
    Channel, ContactSummary, Conversation, HandledBy, Status, Visitor,
};
use confab_core::event::EventType;
use confab_core::id::{AgentId, ContactId, ConversationId};
use confab_core::page::{Page, PageRequest};
use confab_core::{FieldErrors, validate};
use confab_store::conversations::{self, ConversationFilter};
use confab_store::{Locked, TenantTx, contacts, messages};

use crate::contacts::ContactCreate;
use crate::input::patch_field;
use crate::messages::{self as msgs, NewMessage};
use crate::{Access, AppError, AppResult, Ctx, Resource, Uow};

/// The contact of a new conversation: inline details (matched by email or external id
/// when they exist already) or nothing.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRef {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstMessage {
    #[schema(min_length = 1, max_length = 10_000, pattern = r"\S")]
    pub text: String,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationCreate {
    pub channel: Option<Channel>,
    pub contact: Option<ContactRef>,
    pub contact_id: Option<String>,
    pub agent_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    pub message: Option<FirstMessage>,
    /// Set by the widget: where the visitor was.
    #[serde(skip)]
    pub visitor: Option<Visitor>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationUpdate {
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub agent_id: Option<Option<String>>,
}

/// List filters, already read from the request.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub handled_by: Option<String>,
    pub channel: Option<String>,
    pub contact_id: Option<String>,
    pub assignee_id: Option<String>,
    pub search: Option<String>,
}

fn metadata(raw: Option<&Value>, errors: &mut FieldErrors) -> Value {
    match raw {
        None => json!({}),
        Some(v) => validate::attributes(v)
            .map_err(|m| errors.add("metadata", m))
            .unwrap_or_else(|_| json!({})),
    }
}

pub(crate) fn summary(c: &Contact) -> ContactSummary {
    ContactSummary {
        id: c.id.clone(),
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
    }
}

/// Finds the contact a new conversation names, or creates it in the same transaction.
async fn resolve_contact(
    uow: &mut Uow,
    ctx: &Ctx,
    input: &ConversationCreate,
) -> AppResult<Option<Contact>> {
    if let Some(raw) = &input.contact_id {
        let Some(id) = ContactId::parse(raw) else {
            return Err(AppError::field(
                "contact_id",
                "no contact with this id exists",
            ));
        };
        return contacts::get(uow.tx(), &id)
            .await?
            .map(Some)
            .ok_or_else(|| AppError::field("contact_id", "no contact with this id exists"));
    }
    let Some(inline) = &input.contact else {
        return Ok(None);
    };
    if let Some(external_id) = inline.external_id.as_deref().map(str::trim)
        && let Some(found) = contacts::find_by_external_id(uow.tx(), external_id).await?
    {
        return Ok(Some(found));
    }
    if let Some(email) = inline.email.as_deref()
        && let Ok(email) = validate::email(email)
        && let Some(found) = contacts::find_by_email(uow.tx(), &email).await?
    {
        return Ok(Some(found));
    }
    let create = ContactCreate {
        name: inline.name.clone(),
        email: inline.email.clone(),
        phone: inline.phone.clone(),
        external_id: inline.external_id.clone(),
        ..ContactCreate::default()
    };
    crate::contacts::create_in(uow, ctx, create, "contact.")
        .await
        .map(Some)
}

pub async fn create(ctx: &Ctx, input: ConversationCreate) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let checked = check(&input)?;
    let mut uow = ctx.write().await?;
    let conversation = create_in(&mut uow, ctx, input, checked).await?;
    uow.commit().await?;
    Ok(conversation.into_inner())
}

/// A new conversation's fields that needed parsing, checked before any write.
pub(crate) struct Checked {
    metadata: Value,
    agent_id: Option<AgentId>,
}

pub(crate) fn check(input: &ConversationCreate) -> AppResult<Checked> {
    let mut errors = FieldErrors::new();
    if input.contact.is_some() && input.contact_id.is_some() {
        errors.add("contact_id", "send either contact or contact_id, not both");
    }
    let metadata = metadata(input.metadata.as_ref(), &mut errors);
    let agent_id = crate::input::agent_id(input.agent_id.as_deref(), &mut errors);
    if let Some(m) = &input.message {
        msgs::check_text(&m.text, "message.text", &mut errors);
    }
    errors.into_result()?;
    Ok(Checked { metadata, agent_id })
}

/// Starts a conversation inside another use case's unit of work (the widget names it
/// with the visitor's token in the same transaction).
pub(crate) async fn create_in(
    uow: &mut Uow,
    ctx: &Ctx,
    input: ConversationCreate,
    checked: Checked,
) -> AppResult<Locked<Conversation>> {
    if let Some(agent) = &checked.agent_id {
        crate::agents::require(uow.tx(), agent, "agent_id").await?;
    }
    let contact = resolve_contact(uow, ctx, &input).await?;
    let now = uow.now;
    let conversation = Conversation {
        id: ConversationId::generate(),
        object: ObjectName::new(),
        channel: input.channel.unwrap_or(Channel::Api),
        status: Status::Open,
        handled_by: HandledBy::Ai,
        contact: contact.as_ref().map(summary),
        agent_id: checked
            .agent_id
            .or_else(|| contact.as_ref().and_then(|c| c.agent_id.clone())),
        assignee_id: None,
        lang: None,
        sentiment: None,
        intent: None,
        visitor: input.visitor.clone(),
        human_requested_at: None,
        human_took_over_at: None,
        resolved_at: None,
        resolution: None,
        ticket_id: None,
        message_count: 0,
        last_activity_at: now,
        created_at: now,
        metadata: checked.metadata,
        livemode: ctx.livemode(),
        messages: None,
        first_response_at: None,
        negative_streak: 0,
        low_confidence_streak: 0,
        updated_at: now,
    };
    let conversation = conversations::insert(uow.tx(), conversation).await?;
    uow.emit_for(
        EventType::ConversationStarted,
        to_data(&conversation),
        &conversation,
    )
    .await?;
    Ok(match input.message {
        Some(first) => {
            let new = NewMessage::customer(&first.text, first.attachments, contact.as_ref());
            msgs::post_in(uow, ctx, conversation, new).await?.0
        }
        None => conversation,
    })
}

pub(crate) fn to_data(c: &Conversation) -> Value {
    serde_json::to_value(c).unwrap_or(Value::Null)
}

pub(crate) async fn load(tx: &mut TenantTx, id: &ConversationId) -> AppResult<Conversation> {
    conversations::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("conversation", id))
}

/// [`load`] under a row lock: every use case that writes a conversation back reads it
/// this way (DESIGN §5).
pub(crate) async fn load_for_update(
    tx: &mut TenantTx,
    id: &ConversationId,
) -> AppResult<Locked<Conversation>> {
    conversations::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("conversation", id))
}

pub async fn get(
    ctx: &Ctx,
    id: &ConversationId,
    include_messages: bool,
) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Read)?;
    let mut tx = ctx.read().await?;
    let mut conversation = load(&mut tx, id).await?;
    if include_messages {
        conversation.messages = Some(messages::all(&mut tx, &conversation.id).await?);
    }
    Ok(conversation)
}

fn parse_filter<T>(
    raw: Option<&str>,
    field: &str,
    parse: fn(&str) -> Option<T>,
    expected: String,
    errors: &mut FieldErrors,
) -> Option<T> {
    raw.filter(|s| !s.is_empty()).and_then(|s| {
        let parsed = parse(s);
        if parsed.is_none() {
            errors.add(field, format!("must be one of {expected}"));
        }
        parsed
    })
}

pub async fn list(
    ctx: &Ctx,
    filter: ListFilter,
    page: &PageRequest,
) -> AppResult<Page<Conversation>> {
    ctx.authorize(Resource::Conversations, Access::Read)?;
    let mut errors = FieldErrors::new();
    let f = ConversationFilter {
        status: parse_filter(
            filter.status.as_deref(),
            "status",
            Status::parse,
            Status::expected(),
            &mut errors,
        ),
        handled_by: parse_filter(
            filter.handled_by.as_deref(),
            "handled_by",
            HandledBy::parse,
            HandledBy::expected(),
            &mut errors,
        ),
        channel: parse_filter(
            filter.channel.as_deref(),
            "channel",
            Channel::parse,
            Channel::expected(),
            &mut errors,
        ),
        contact_id: filter.contact_id.filter(|s| !s.is_empty()),
        assignee_id: filter.assignee_id.filter(|s| !s.is_empty()),
        search: filter
            .search
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
    };
    if f.search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        errors.add("search", "must be at most 200 characters");
    }
    errors.into_result()?;
    let mut tx = ctx.read().await?;
    Ok(conversations::list(&mut tx, &f, page).await?)
}

pub async fn update(
    ctx: &Ctx,
    id: &ConversationId,
    input: ConversationUpdate,
) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut errors = FieldErrors::new();
    let meta = input
        .metadata
        .as_ref()
        .map(|m| metadata(Some(m), &mut errors));
    let agent_id = input
        .agent_id
        .map(|a| crate::input::agent_id(a.as_deref(), &mut errors));
    errors.into_result()?;
    let mut uow = ctx.write().await?;
    let mut conversation = load_for_update(uow.tx(), id).await?;
    if let Some(meta) = meta {
        conversation.metadata = meta;
    }
    if let Some(agent_id) = agent_id {
        if let Some(agent) = &agent_id {
            crate::agents::require(uow.tx(), agent, "agent_id").await?;
        }
        conversation.agent_id = agent_id;
    }
    conversation.updated_at = uow.now;
    conversations::update(uow.tx(), &conversation).await?;
    uow.commit().await?;
    Ok(conversation.into_inner())
}
