//! Posting and listing messages, with the rules of DESIGN §4: a customer message
//! reopens a resolved conversation, an agent message to a resolved one is refused, a
//! note never reaches the customer, and a customer message to a conversation the AI
//! handles queues an AI reply in the same transaction.

use confab_core::object::ObjectName;
use serde::Deserialize;
use serde_json::Value;

use confab_core::contact::Contact;
use confab_core::conversation::{
    Attachment, Author, AuthorType, Conversation, HandledBy, Message, MessageRole, Sentiment,
    Status, validate_text,
};
use confab_core::event::EventType;
use confab_core::handoff::Transition;
use confab_core::id::{ContactId, ConversationId, FileId, MessageId};
use confab_core::job::Work;
use confab_core::page::{Page, PageRequest};
use confab_core::{ErrorCode, FieldErrors, Timestamp};
use confab_store::{Locked, contacts, conversations, files, jobs, messages};

use crate::conversations::{load, load_for_update};
use crate::understanding::{Understanding, understand};
use crate::{Access, Actor, AppError, AppResult, Ctx, Resource, Uow};

pub const MAX_ATTACHMENTS: usize = 10;

#[derive(Debug, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageCreate {
    /// `customer`, `agent` or `note`.
    #[schemars(extend("enum" = ["customer", "agent", "note"]))]
    #[schema(schema_with = postable_role)]
    pub role: MessageRole,
    /// The message, 1 to 10,000 characters.
    #[schema(min_length = 1, max_length = 10_000, pattern = r"\S")]
    pub text: String,
    /// File ids (`fil_…`) uploaded with `POST /v1/files`, at most 10.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<String>,
}

/// The roles a message can be posted with (`ai` and `system` are the server's own).
fn postable_role() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["customer", "agent", "note"]))
        .build()
}

/// A message about to be written.
pub struct NewMessage {
    pub role: MessageRole,
    pub text: String,
    pub attachments: Vec<String>,
    pub author: Author,
    /// The customer who wrote it is blocked (no AI reply is queued).
    pub sender_blocked: bool,
}

impl NewMessage {
    pub fn customer(text: &str, attachments: Vec<String>, contact: Option<&Contact>) -> Self {
        NewMessage {
            role: MessageRole::Customer,
            text: text.to_owned(),
            attachments,
            author: Author {
                author_type: AuthorType::Contact,
                id: contact.map(|c| c.id.to_string()),
                name: contact.and_then(|c| c.name.clone()),
            },
            sender_blocked: contact.is_some_and(|c| c.blocked),
        }
    }

    /// An automatic notice in the conversation's AI voice (the hand-off
    /// acknowledgment, a ticket's reference, a booking's confirmation): it neither takes
    /// the conversation from the AI nor is refused on a resolved conversation.
    pub(crate) fn automatic(text: String, conversation: &Conversation) -> Self {
        NewMessage {
            role: MessageRole::Ai,
            text,
            attachments: Vec::new(),
            author: Author {
                author_type: AuthorType::Ai,
                id: conversation.agent_id.as_ref().map(|a| a.to_string()),
                name: None,
            },
            sender_blocked: false,
        }
    }
}

pub(crate) fn check_text(raw: &str, field: &str, errors: &mut FieldErrors) {
    if let Err(m) = validate_text(raw) {
        errors.add(field, m);
    }
}

/// Who the caller is, as a message author.
pub(crate) async fn caller_author(uow: &mut Uow, ctx: &Ctx) -> AppResult<Author> {
    Ok(match &ctx.actor {
        Actor::Member { member_id, .. } => Author {
            author_type: AuthorType::Member,
            id: Some(member_id.to_string()),
            name: crate::members::shown_name(uow.tx(), member_id).await?,
        },
        Actor::SecretKey { key_id, .. } => Author {
            author_type: AuthorType::Integration,
            id: Some(key_id.to_string()),
            name: None,
        },
        Actor::System | Actor::SiteKey { .. } => Author {
            author_type: AuthorType::Integration,
            id: None,
            name: None,
        },
    })
}

pub async fn post(
    ctx: &Ctx,
    conversation_id: &ConversationId,
    input: MessageCreate,
) -> AppResult<Message> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut errors = FieldErrors::new();
    if !matches!(
        input.role,
        MessageRole::Customer | MessageRole::Agent | MessageRole::Note
    ) {
        errors.add("role", "must be customer, agent or note");
    }
    check_text(&input.text, "text", &mut errors);
    errors.into_result()?;
    let mut uow = ctx.write().await?;
    let conversation = load_for_update(uow.tx(), conversation_id).await?;
    let new = match input.role {
        MessageRole::Customer => {
            let contact = match &conversation.contact {
                Some(c) => contacts::get(uow.tx(), &c.id).await?,
                None => None,
            };
            NewMessage::customer(&input.text, input.attachments, contact.as_ref())
        }
        role => NewMessage {
            role,
            text: input.text,
            attachments: input.attachments,
            author: caller_author(&mut uow, ctx).await?,
            sender_blocked: false,
        },
    };
    let (_, message) = post_in(&mut uow, ctx, conversation, new).await?;
    uow.commit().await?;
    Ok(message)
}

/// Sends an agent message to a contact: into their most recent open conversation, or
/// a new `api` conversation when they have none (both in one transaction). A blocked
/// contact gets nothing: 403 `CONTACT_BLOCKED`.
pub async fn send_to_contact(ctx: &Ctx, contact_id: &ContactId, text: &str) -> AppResult<Message> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut errors = FieldErrors::new();
    check_text(text, "text", &mut errors);
    errors.into_result()?;
    let mut uow = ctx.write().await?;
    let contact = contacts::get(uow.tx(), contact_id)
        .await?
        .ok_or_else(|| AppError::not_found("contact", contact_id))?;
    if contact.blocked {
        return Err(AppError::new(
            ErrorCode::ContactBlocked,
            "This contact is blocked; unblock them before sending them a message.",
        ));
    }
    let open = conversations::ConversationFilter {
        status: Some(Status::Open),
        contact_id: Some(contact.id.to_string()),
        ..Default::default()
    };
    let latest = conversations::list(uow.tx(), &open, &PageRequest::first(1))
        .await?
        .data
        .into_iter()
        .next();
    let conversation = match latest {
        // Listed without a lock: lock it now, and start a new one if it was resolved
        // in between.
        Some(c) => match conversations::get_for_update(uow.tx(), &c.id).await? {
            Some(locked) if locked.status == Status::Open => locked,
            _ => start_for_contact(&mut uow, ctx, &contact).await?,
        },
        None => start_for_contact(&mut uow, ctx, &contact).await?,
    };
    let new = NewMessage {
        role: MessageRole::Agent,
        text: text.trim().to_owned(),
        attachments: Vec::new(),
        author: caller_author(&mut uow, ctx).await?,
        sender_blocked: false,
    };
    let (_, message) = post_in(&mut uow, ctx, conversation, new).await?;
    uow.commit().await?;
    Ok(message)
}

/// A new `api` conversation with `contact`, for a message sent to them.
async fn start_for_contact(
    uow: &mut Uow,
    ctx: &Ctx,
    contact: &Contact,
) -> AppResult<Locked<Conversation>> {
    let start = crate::conversations::ConversationCreate {
        contact_id: Some(contact.id.to_string()),
        ..Default::default()
    };
    let checked = crate::conversations::check(&start)?;
    crate::conversations::create_in(uow, ctx, start, checked).await
}

/// Resolves attachment ids to this tenant's files and links them to the conversation.
async fn attach(
    uow: &mut Uow,
    conversation: &Conversation,
    ids: &[String],
) -> AppResult<Vec<Attachment>> {
    if ids.len() > MAX_ATTACHMENTS {
        return Err(AppError::field(
            "attachments",
            &format!("at most {MAX_ATTACHMENTS} files per message"),
        ));
    }
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let found = match FileId::parse(id) {
            Some(id) => files::get(uow.tx(), &id).await?,
            None => None,
        };
        let file = found.ok_or_else(|| {
            AppError::field(&format!("attachments.{i}"), "no file with this id exists")
        })?;
        files::link(uow.tx(), &file.id, &conversation.id).await?;
        out.push(Attachment {
            id: file.id,
            filename: file.filename,
            content_type: file.content_type,
            size: file.size,
        });
    }
    Ok(out)
}

/// Writes a message into the locked `conversation` inside `uow`, applying the state
/// rules, and returns the updated conversation and the message.
pub(crate) async fn post_in(
    uow: &mut Uow,
    ctx: &Ctx,
    mut conversation: Locked<Conversation>,
    new: NewMessage,
) -> AppResult<(Locked<Conversation>, Message)> {
    let now = uow.now;
    let new_sender_blocked = new.sender_blocked;
    let transition = match new.role {
        MessageRole::Customer => Some(Transition::CustomerMessage),
        MessageRole::Agent => Some(Transition::AgentMessage {
            member: ctx.member_id().cloned(),
        }),
        _ => None,
    };
    let attachments = attach(uow, &conversation, &new.attachments).await?;
    let applied = match transition {
        Some(t) => conversation.apply(t, now)?,
        None => Default::default(),
    };
    let understood = match new.role {
        MessageRole::Customer => {
            let knowledge = ctx.app.knowledge.current(uow.tx()).await?;
            Some(understand(
                &new.text,
                conversation.lang.as_deref(),
                &knowledge,
                &[],
            ))
        }
        _ => None,
    };
    let sentiment_changed = understood
        .as_ref()
        .is_some_and(|u| apply_understanding(&mut conversation, u));
    let message = Message {
        id: MessageId::generate(),
        object: ObjectName::new(),
        conversation_id: conversation.id.clone(),
        role: new.role,
        text: new.text,
        author: new.author,
        attachments,
        intent: understood.as_ref().map(|u| u.intent.clone()),
        lang: understood.as_ref().and_then(|u| u.lang.clone()),
        sentiment: understood.as_ref().map(|u| u.sentiment),
        sentiment_score: understood.as_ref().map(|u| u.sentiment_score),
        created_at: now,
        livemode: ctx.livemode(),
        reply_to: None,
    };
    messages::insert(uow.tx(), &message).await?;
    if message.role != MessageRole::Note {
        conversation.message_count += 1;
        conversation.last_activity_at = now;
    }
    if matches!(message.role, MessageRole::Agent | MessageRole::Ai)
        && conversation.first_response_at.is_none()
    {
        conversation.first_response_at = Some(now);
    }
    conversation.updated_at = now;
    conversations::update(uow.tx(), &conversation).await?;
    if let Some(event_type) = applied.event {
        uow.emit_for(
            event_type,
            crate::conversations::to_data(&conversation),
            &conversation,
        )
        .await?;
    }
    match message.role {
        MessageRole::Customer => {
            uow.emit_for(
                EventType::MessageReceived,
                message_data(&message),
                &conversation,
            )
            .await?;
            if sentiment_changed {
                uow.emit_for(
                    EventType::SentimentChanged,
                    crate::conversations::to_data(&conversation),
                    &conversation,
                )
                .await?;
            }
            if conversation.handled_by == HandledBy::Ai && !new_sender_blocked {
                let work = Work::AiReply {
                    conversation_id: conversation.id.clone(),
                    message_id: message.id.clone(),
                };
                jobs::enqueue(uow.tx(), &work, now).await?;
            }
        }
        MessageRole::Agent | MessageRole::Ai => {
            uow.emit_for(
                EventType::MessageSent,
                message_data(&message),
                &conversation,
            )
            .await?;
        }
        _ => {}
    }
    Ok((conversation, message))
}

/// Carries a customer message's reading onto its conversation; true when the
/// conversation's sentiment label changed (no label yet counts as neutral).
fn apply_understanding(conversation: &mut Conversation, u: &Understanding) -> bool {
    if u.lang.is_some() {
        conversation.lang = u.lang.clone();
    }
    conversation.intent = Some(u.intent.clone());
    let before = conversation.sentiment.unwrap_or(Sentiment::Neutral);
    conversation.sentiment = Some(u.sentiment);
    conversation.negative_streak = match u.sentiment {
        Sentiment::Negative => conversation.negative_streak + 1,
        _ => 0,
    };
    before != u.sentiment
}

/// A message as events carry it.
pub(crate) fn message_data(m: &Message) -> Value {
    serde_json::to_value(m).unwrap_or(Value::Null)
}

/// `?since=`: an RFC 3339 time, or nothing.
pub(crate) fn parse_since(raw: Option<&str>) -> AppResult<Option<Timestamp>> {
    raw.filter(|s| !s.is_empty())
        .map(|raw| {
            Timestamp::parse_rfc3339(raw)
                .ok_or_else(|| AppError::field("since", "must be an RFC 3339 timestamp"))
        })
        .transpose()
}

pub async fn list(
    ctx: &Ctx,
    conversation_id: &ConversationId,
    since: Option<&str>,
    page: &PageRequest,
) -> AppResult<Page<Message>> {
    ctx.authorize(Resource::Conversations, Access::Read)?;
    let since = parse_since(since)?;
    let mut tx = ctx.read().await?;
    let conversation = load(&mut tx, conversation_id).await?;
    Ok(messages::list(&mut tx, &conversation.id, since, page).await?)
}
