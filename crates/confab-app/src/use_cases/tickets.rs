//! Tickets: opened by a person, a key, the AI or from a conversation (linked both ways,
//! and the customer is told the reference there), routed round robin to the members of
//! their department who are not away, moved through one status machine, and answered
//! with public replies (which reach the customer in the linked conversation) or
//! internal notes.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use confab_agent::phrases::{Phrase, say};
use confab_core::FieldErrors;
use confab_core::conversation::{Conversation, MessageRole};
use confab_core::event::EventType;
use confab_core::id::{ContactId, ConversationId, DepartmentId, MemberId, TicketId, TicketReplyId};
use confab_core::object::ObjectName;
use confab_core::page::{Page, PageRequest};
use confab_core::ticket::{Priority, ReplyAuthor, Ticket, TicketReply, TicketStatus, next_in_turn};
use confab_store::tickets::{self, TicketFilter};
use confab_store::{Locked, TenantTx, contacts, members};

use crate::input::{bounded_text, id_field, optional_text, patch_field};
use crate::messages::{NewMessage, caller_author};
use crate::{Access, Actor, AppError, AppResult, Ctx, Resource, Uow};

const MAX_SUBJECT: usize = 200;
const MAX_TEXT: usize = 10_000;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketCreate {
    /// Required: 1 to 200 characters.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200, pattern = r"\S")]
    pub subject: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Default: the conversation's contact.
    #[schema(value_type = Option<String>)]
    pub contact_id: Option<String>,
    /// Opens the ticket from this conversation: it links both ways, and the customer is
    /// told the ticket's reference there.
    #[schema(value_type = Option<String>)]
    pub conversation_id: Option<String>,
    /// Routes the ticket: its members who are not away get new tickets in turn.
    #[schema(value_type = Option<String>)]
    pub department_id: Option<String>,
    pub priority: Option<Priority>,
    /// A member, instead of the department's turn.
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<String>,
}

/// A change: absent fields stay; `null` clears `description`, `department_id` and
/// `assignee_id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketUpdate {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub priority: Option<Priority>,
    /// open, pending, solved, closed: a closed ticket stays closed (409), a solved one
    /// reopens or closes.
    pub status: Option<TicketStatus>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub department_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<String>>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyCreate {
    /// 1 to 10,000 characters.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 10000, pattern = r"\S")]
    pub body: Option<String>,
    /// An internal note for the team (default false: a public reply, sent to the
    /// customer in the linked conversation).
    pub internal: Option<bool>,
}

/// `ticket.replied`'s data: the reply and the ticket it belongs to.
#[derive(Debug, Serialize)]
struct Replied<'a> {
    reply: &'a TicketReply,
    ticket: &'a Ticket,
}

fn data<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A short reference for people: `T-` and the id's last eight characters.
fn reference(id: &TicketId) -> String {
    let ulid = id.ulid();
    format!("T-{}", &ulid[ulid.len().saturating_sub(8)..])
}

async fn member_exists(tx: &mut TenantTx, id: &MemberId, field: &str) -> AppResult<()> {
    match members::get(tx, id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::field(field, "names no member of this workspace")),
    }
}

/// The department's next member in turn who is not away (the department row is locked,
/// so simultaneous tickets take turns one at a time).
async fn route(tx: &mut TenantTx, department: &DepartmentId) -> AppResult<Option<MemberId>> {
    let mut d = crate::departments::load_for_update(tx, department).await?;
    let eligible: Vec<MemberId> = members::all(tx)
        .await?
        .into_iter()
        .filter(|m| !m.away && m.department_ids.iter().any(|x| x == department.as_str()))
        .map(|m| m.id)
        .collect();
    let Some(next) = next_in_turn(&eligible, d.last_assignee_id.as_ref()).cloned() else {
        return Ok(None);
    };
    d.last_assignee_id = Some(next.clone());
    confab_store::departments::update(tx, &d).await?;
    Ok(Some(next))
}

pub async fn create(ctx: &Ctx, input: TicketCreate) -> AppResult<Ticket> {
    ctx.authorize(Resource::Tickets, Access::Write)?;
    let mut errors = FieldErrors::new();
    let subject = match &input.subject {
        Some(s) => bounded_text(s, "subject", MAX_SUBJECT, true, &mut errors),
        None => {
            errors.add("subject", "is required");
            String::new()
        }
    };
    let description = optional_text(
        input.description.as_deref(),
        "description",
        MAX_TEXT,
        &mut errors,
    );
    let contact_id = id_field::<ContactId>(
        input.contact_id.as_deref(),
        "contact_id",
        false,
        &mut errors,
    );
    let conversation_id = id_field::<ConversationId>(
        input.conversation_id.as_deref(),
        "conversation_id",
        false,
        &mut errors,
    );
    let department_id = id_field::<DepartmentId>(
        input.department_id.as_deref(),
        "department_id",
        false,
        &mut errors,
    );
    let assignee_id = id_field::<MemberId>(
        input.assignee_id.as_deref(),
        "assignee_id",
        false,
        &mut errors,
    );
    errors.into_result()?;

    let mut uow = ctx.write().await?;
    let conversation = match &conversation_id {
        Some(id) => Some(
            confab_store::conversations::get_for_update(uow.tx(), id)
                .await?
                .ok_or_else(|| {
                    AppError::field(
                        "conversation_id",
                        "names no conversation of this workspace and mode",
                    )
                })?,
        ),
        None => None,
    };
    let contact_id = contact_id.or_else(|| {
        conversation
            .as_ref()
            .and_then(|c| c.contact.as_ref().map(|k| k.id.clone()))
    });
    if let Some(c) = &contact_id
        && contacts::get(uow.tx(), c).await?.is_none()
    {
        return Err(AppError::field(
            "contact_id",
            "names no contact of this workspace and mode",
        ));
    }
    if let Some(d) = &department_id
        && confab_store::departments::get(uow.tx(), d).await?.is_none()
    {
        return Err(AppError::field(
            "department_id",
            "names no department of this workspace",
        ));
    }
    let assignee_id = match (assignee_id, &department_id) {
        (Some(m), _) => {
            member_exists(uow.tx(), &m, "assignee_id").await?;
            Some(m)
        }
        (None, Some(d)) => route(uow.tx(), d).await?,
        (None, None) => None,
    };
    let id = TicketId::generate();
    let now = uow.now;
    let ticket = Ticket {
        reference: reference(&id),
        id,
        object: ObjectName::new(),
        subject,
        description,
        contact_id,
        conversation_id,
        department_id,
        priority: input.priority.unwrap_or(Priority::Normal),
        status: TicketStatus::Open,
        assignee_id,
        reply_count: 0,
        solved_at: None,
        closed_at: None,
        livemode: ctx.livemode(),
        created_at: now,
        updated_at: now,
    };
    insert(&mut uow, &ticket).await?;
    if let Some(mut c) = conversation {
        c.ticket_id = Some(ticket.id.clone());
        let text = opened_sentence(c.lang.as_deref(), &ticket);
        let note = NewMessage::automatic(text, &c);
        crate::messages::post_in(&mut uow, ctx, c, note).await?;
    }
    uow.commit().await?;
    Ok(ticket)
}

async fn insert(uow: &mut Uow, ticket: &Ticket) -> AppResult<()> {
    tickets::insert(uow.tx(), ticket).await?;
    uow.emit(
        EventType::TicketCreated,
        data(ticket),
        ticket.contact_id.as_ref(),
    )
    .await?;
    Ok(())
}

/// What the customer is told when a ticket is opened from their conversation.
pub(crate) fn opened_sentence(lang: Option<&str>, ticket: &Ticket) -> String {
    say(Phrase::TicketOpened, lang)
        .replace("{reference}", &ticket.reference)
        .replace("{subject}", &ticket.subject)
}

/// The ticket the AI opens when a customer asks for a person outside working hours, so
/// the request is not lost overnight: linked to the conversation (whose caller writes
/// it back) and to its contact, unassigned, normal priority.
pub(crate) async fn open_for_follow_up(
    uow: &mut Uow,
    conversation: &mut Conversation,
    asked: Option<&str>,
) -> AppResult<Ticket> {
    let subject = match asked.map(str::trim).filter(|a| !a.is_empty()) {
        Some(text) if text.chars().count() > 120 => {
            format!("Follow-up: {}…", text.chars().take(120).collect::<String>())
        }
        Some(text) => format!("Follow-up: {text}"),
        None => "Follow-up: asked for a person after hours".to_owned(),
    };
    let id = TicketId::generate();
    let now = uow.now;
    let ticket = Ticket {
        reference: reference(&id),
        id,
        object: ObjectName::new(),
        subject,
        description: Some(
            "Opened by the AI: the customer asked for a person outside working hours.".into(),
        ),
        contact_id: conversation.contact.as_ref().map(|c| c.id.clone()),
        conversation_id: Some(conversation.id.clone()),
        department_id: None,
        priority: Priority::Normal,
        status: TicketStatus::Open,
        assignee_id: None,
        reply_count: 0,
        solved_at: None,
        closed_at: None,
        livemode: conversation.livemode,
        created_at: now,
        updated_at: now,
    };
    insert(uow, &ticket).await?;
    conversation.ticket_id = Some(ticket.id.clone());
    Ok(ticket)
}

async fn load(tx: &mut TenantTx, id: &TicketId) -> AppResult<Ticket> {
    tickets::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("ticket", id))
}

async fn load_for_update(tx: &mut TenantTx, id: &TicketId) -> AppResult<Locked<Ticket>> {
    tickets::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("ticket", id))
}

pub async fn get(ctx: &Ctx, id: &TicketId) -> AppResult<Ticket> {
    ctx.authorize(Resource::Tickets, Access::Read)?;
    let mut tx = ctx.read().await?;
    load(&mut tx, id).await
}

/// `?status=&priority=&department_id=&assignee_id=&contact_id=`, as given.
#[derive(Debug, Default)]
pub struct TicketQuery {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub department_id: Option<String>,
    pub assignee_id: Option<String>,
    pub contact_id: Option<String>,
}

pub async fn list(ctx: &Ctx, q: TicketQuery, page: &PageRequest) -> AppResult<Page<Ticket>> {
    ctx.authorize(Resource::Tickets, Access::Read)?;
    let mut errors = FieldErrors::new();
    let status = q.status.as_deref().and_then(|s| {
        TicketStatus::parse(s).or_else(|| {
            errors.add("status", "must be open, pending, solved or closed");
            None
        })
    });
    let priority = q.priority.as_deref().and_then(|p| {
        Priority::parse(p).or_else(|| {
            errors.add("priority", "must be low, normal, high or urgent");
            None
        })
    });
    let filter = TicketFilter {
        status,
        priority,
        department_id: id_field(
            q.department_id.as_deref(),
            "department_id",
            false,
            &mut errors,
        ),
        assignee_id: id_field(q.assignee_id.as_deref(), "assignee_id", false, &mut errors),
        contact_id: id_field(q.contact_id.as_deref(), "contact_id", false, &mut errors),
    };
    errors.into_result()?;
    let mut tx = ctx.read().await?;
    Ok(tickets::list(&mut tx, &filter, page).await?)
}

pub async fn update(ctx: &Ctx, id: &TicketId, input: TicketUpdate) -> AppResult<Ticket> {
    ctx.authorize(Resource::Tickets, Access::Write)?;
    let mut errors = FieldErrors::new();
    let subject = input
        .subject
        .as_deref()
        .map(|s| bounded_text(s, "subject", MAX_SUBJECT, true, &mut errors));
    let description = input
        .description
        .map(|d| optional_text(d.as_deref(), "description", MAX_TEXT, &mut errors));
    let department = input
        .department_id
        .map(|d| id_field::<DepartmentId>(d.as_deref(), "department_id", false, &mut errors));
    let assignee = input
        .assignee_id
        .map(|a| id_field::<MemberId>(a.as_deref(), "assignee_id", false, &mut errors));
    errors.into_result()?;

    let mut uow = ctx.write().await?;
    let mut t = load_for_update(uow.tx(), id).await?;
    if let Some(to) = input.status {
        t.status.move_to(to).map_err(AppError::conflict)?;
        if to != t.status {
            let now = uow.now;
            match to {
                TicketStatus::Solved => t.solved_at = Some(now),
                TicketStatus::Closed => t.closed_at = Some(now),
                TicketStatus::Open | TicketStatus::Pending => t.solved_at = None,
            }
            t.status = to;
        }
    } else if t.status == TicketStatus::Closed {
        return Err(AppError::conflict(
            "This ticket is closed, and a closed ticket stays closed; open a new ticket instead.",
        ));
    }
    if let Some(s) = subject {
        t.subject = s;
    }
    if let Some(d) = description {
        t.description = d;
    }
    if let Some(p) = input.priority {
        t.priority = p;
    }
    if let Some(d) = department {
        if let Some(d) = &d
            && confab_store::departments::get(uow.tx(), d).await?.is_none()
        {
            return Err(AppError::field(
                "department_id",
                "names no department of this workspace",
            ));
        }
        t.department_id = d;
    }
    if let Some(a) = assignee {
        if let Some(m) = &a {
            member_exists(uow.tx(), m, "assignee_id").await?;
        }
        t.assignee_id = a;
    }
    t.updated_at = uow.now;
    tickets::update(uow.tx(), &t).await?;
    uow.emit(EventType::TicketUpdated, data(&*t), t.contact_id.as_ref())
        .await?;
    uow.commit().await?;
    Ok(t.into_inner())
}

/// Who is replying, as a ticket reply's author.
fn reply_author(ctx: &Ctx) -> (ReplyAuthor, Option<String>) {
    match &ctx.actor {
        Actor::Member { member_id, .. } => (ReplyAuthor::Member, Some(member_id.to_string())),
        Actor::SecretKey { key_id, .. } => (ReplyAuthor::System, Some(key_id.to_string())),
        Actor::System | Actor::SiteKey { .. } => (ReplyAuthor::System, None),
    }
}

/// A public reply or an internal note. A public reply on a ticket opened from a
/// conversation reaches the customer there (on the conversation's channel); a closed
/// ticket takes internal notes only (409 for a public reply).
pub async fn reply(ctx: &Ctx, id: &TicketId, input: ReplyCreate) -> AppResult<TicketReply> {
    ctx.authorize(Resource::Tickets, Access::Write)?;
    let mut errors = FieldErrors::new();
    let body = match &input.body {
        Some(b) => bounded_text(b, "body", MAX_TEXT, true, &mut errors),
        None => {
            errors.add("body", "is required");
            String::new()
        }
    };
    errors.into_result()?;
    let internal = input.internal.unwrap_or(false);

    let mut uow = ctx.write().await?;
    // One lock order with `create`: the conversation before the ticket.
    let conversation_id = load(uow.tx(), id).await?.conversation_id;
    let conversation = match (&conversation_id, internal) {
        (Some(c), false) => confab_store::conversations::get_for_update(uow.tx(), c).await?,
        _ => None,
    };
    let mut t = load_for_update(uow.tx(), id).await?;
    if !internal && t.status == TicketStatus::Closed {
        return Err(AppError::conflict(
            "This ticket is closed; add an internal note, or open a new ticket to write to the customer.",
        ));
    }
    let (author_type, author_id) = reply_author(ctx);
    let reply = TicketReply {
        id: TicketReplyId::generate(),
        object: ObjectName::new(),
        ticket_id: t.id.clone(),
        author_type,
        author_id,
        body,
        internal,
        livemode: ctx.livemode(),
        created_at: uow.now,
    };
    tickets::insert_reply(uow.tx(), &reply).await?;
    t.reply_count += 1;
    t.updated_at = uow.now;
    tickets::update(uow.tx(), &t).await?;
    uow.emit(
        EventType::TicketReplied,
        data(&Replied {
            reply: &reply,
            ticket: &t,
        }),
        t.contact_id.as_ref(),
    )
    .await?;
    if let Some(c) = conversation {
        send_to_customer(&mut uow, ctx, c, &reply.body).await?;
    }
    uow.commit().await?;
    Ok(reply)
}

async fn send_to_customer(
    uow: &mut Uow,
    ctx: &Ctx,
    c: Locked<confab_core::conversation::Conversation>,
    text: &str,
) -> AppResult<()> {
    let author = caller_author(uow, ctx).await?;
    let message = NewMessage {
        role: MessageRole::Agent,
        text: text.to_owned(),
        attachments: vec![],
        author,
        sender_blocked: false,
    };
    crate::messages::post_in(uow, ctx, c, message).await?;
    Ok(())
}

pub async fn replies(ctx: &Ctx, id: &TicketId, page: &PageRequest) -> AppResult<Page<TicketReply>> {
    ctx.authorize(Resource::Tickets, Access::Read)?;
    let mut tx = ctx.read().await?;
    load(&mut tx, id).await?;
    Ok(tickets::replies(&mut tx, id, page).await?)
}

/// `ticket.created`'s counterpart for a deleted ticket is its last `ticket.updated`;
/// deleting removes the ticket and its replies and unlinks its conversation.
pub async fn delete(ctx: &Ctx, id: &TicketId) -> AppResult<Ticket> {
    ctx.authorize(Resource::Tickets, Access::Write)?;
    let mut uow = ctx.write().await?;
    let conversation_id = load(uow.tx(), id).await?.conversation_id;
    let conversation = match &conversation_id {
        Some(c) => confab_store::conversations::get_for_update(uow.tx(), c).await?,
        None => None,
    };
    let t = load_for_update(uow.tx(), id).await?.into_inner();
    if let Some(mut c) = conversation
        && c.ticket_id.as_ref() == Some(id)
    {
        c.ticket_id = None;
        confab_store::conversations::update(uow.tx(), &c).await?;
    }
    tickets::delete(uow.tx(), id).await?;
    uow.emit(
        EventType::TicketUpdated,
        json!({"id": t.id, "object": "ticket", "deleted": true}),
        t.contact_id.as_ref(),
    )
    .await?;
    uow.commit().await?;
    Ok(t)
}
