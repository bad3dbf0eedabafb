//! Conversation tools over `conversations::{list, get}`, `messages::{post,
//! send_to_contact}` and `handoff::{request, resolve}`.

use schemars::JsonSchema;
use serde::Deserialize;

use confab_core::conversation::{Conversation, Message};
use confab_core::page::Page;

use super::contacts::CONTACT_ID;
use super::spec::{Hints, Meta, ToolSpec};
use super::{page_request, page_summary};
use crate::conversations::{self, ListFilter};
use crate::handoff::{self, HandoffInput, ResolveInput};
use crate::messages::{self, MessageCreate};
use crate::{Access, Resource};

const CONVERSATION_ID: (&str, &str) = ("conversation_id", "The conversation's id (`cnv_…`).");

/// Arguments of `list_conversations`: the filters of `GET /v1/conversations`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListConversations {
    /// Only `open` or only `resolved` conversations.
    #[schemars(extend("enum" = ["open", "resolved", null]))]
    status: Option<String>,
    /// Who answers now: `ai`, `human`, or `pending` (waiting for a person).
    #[schemars(extend("enum" = ["ai", "human", "pending", null]))]
    handled_by: Option<String>,
    /// Only conversations on this channel.
    #[schemars(extend("enum" = ["web", "api", "whatsapp", "instagram", "telegram", null]))]
    channel: Option<String>,
    /// Only conversations with this contact (`ctc_…`).
    contact_id: Option<String>,
    /// Only conversations assigned to this team member (`mem_…`).
    assignee_id: Option<String>,
    /// Text to look for in the contact's name, email or phone.
    search: Option<String>,
    /// How many conversations to return, 1 to 100 (default 25).
    limit: Option<i64>,
    /// The `next_cursor` of a previous result, to get the page after it.
    cursor: Option<String>,
}

/// Arguments of `message_contact` besides the contact's id.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct MessageContact {
    /// What to say, as the team (at most 10,000 characters).
    text: String,
}

/// Arguments of `get_conversation` besides its id.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct GetConversation {
    /// Include the whole message history, oldest first (default true).
    include_messages: Option<bool>,
}

pub(super) fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            Meta {
                name: "list_conversations",
                title: "List conversations",
                description: "List customer conversations, newest first, optionally filtered by status, by who handles them \
                    (`pending` means waiting for a person), by channel, contact or assignee, or by the contact's name, \
                    email or phone. When `has_more` is true, call again with `cursor` set to `next_cursor`.",
                needs: (Resource::Conversations, Access::Read),
                hints: Hints::READ,
            },
            |ctx, input: ListConversations| async move {
                let page = page_request(input.limit, input.cursor.as_deref())?;
                let filter = ListFilter {
                    status: input.status,
                    handled_by: input.handled_by,
                    channel: input.channel,
                    contact_id: input.contact_id,
                    assignee_id: input.assignee_id,
                    search: input.search,
                };
                conversations::list(&ctx, filter, &page).await
            },
            |page: &Page<Conversation>| {
                page_summary(page, "conversation", "conversations", describe)
            },
        ),
        ToolSpec::on(
            Meta {
                name: "get_conversation",
                title: "Get a conversation",
                description: "Read one conversation: its status, who handles it (ai, human or pending), the contact, \
                    detected language, sentiment and intent, and (by default) every message, oldest first. \
                    Read it before replying so you know what the customer already said.",
                needs: (Resource::Conversations, Access::Read),
                hints: Hints::READ,
            },
            CONVERSATION_ID,
            |ctx, id, input: GetConversation| async move {
                conversations::get(&ctx, &id, input.include_messages.unwrap_or(true)).await
            },
            |c: &Conversation| format!("Conversation {}.", describe(c)),
        ),
        ToolSpec::on(
            Meta {
                name: "send_message",
                title: "Send a message",
                description: "Post a message into a conversation. `role` says who speaks: `agent` is a reply the customer \
                    sees (a person answering takes the conversation over from the AI; refused with CONVERSATION_RESOLVED \
                    when it is resolved), `note` is internal and never shown to the customer, `customer` records what \
                    the customer said on your own channel (it reopens a resolved conversation and the AI may answer it). \
                    Emits `message.received` (customer) or `message.sent` (agent).",
                needs: (Resource::Conversations, Access::Write),
                hints: Hints {
                    open_world: true,
                    ..Hints::ADD
                },
            },
            CONVERSATION_ID,
            |ctx, id, input: MessageCreate| async move { messages::post(&ctx, &id, input).await },
            |m: &Message| {
                format!(
                    "Posted {} message {} to {}.",
                    m.role.as_str(),
                    m.id,
                    m.conversation_id
                )
            },
        ),
        ToolSpec::on(
            Meta {
                name: "message_contact",
                title: "Message a contact",
                description: "Send a message the customer sees, as the team, to a contact rather than a conversation: it \
                    goes into their most recent open conversation, or starts a new one when they have none (refused with \
                    CONTACT_BLOCKED for a blocked contact). Emits `message.sent`.",
                needs: (Resource::Conversations, Access::Write),
                hints: Hints {
                    open_world: true,
                    ..Hints::ADD
                },
            },
            CONTACT_ID,
            |ctx, id, input: MessageContact| async move {
                messages::send_to_contact(&ctx, &id, &input.text).await
            },
            |m: &Message| format!("Sent message {} in {}.", m.id, m.conversation_id),
        ),
        ToolSpec::on(
            Meta {
                name: "request_handoff",
                title: "Hand off to a person",
                description: "Ask for a human agent: the AI stops answering and the conversation waits for a person \
                    (`handled_by` becomes `pending`). Use it when the customer wants a person or you cannot help. \
                    Give a short `reason` for the team. Refused with CONFLICT when a person already handles it or \
                    one was already requested. Emits `handoff.requested`.",
                needs: (Resource::Conversations, Access::Write),
                hints: Hints::SET,
            },
            CONVERSATION_ID,
            |ctx, id, input: HandoffInput| async move { handoff::request(&ctx, &id, input).await },
            |c: &Conversation| format!("Conversation {} now waits for a person.", c.id),
        ),
        ToolSpec::on(
            Meta {
                name: "resolve_conversation",
                title: "Resolve a conversation",
                description: "Close a conversation once the customer's question is settled, optionally saying how it \
                    ended (`resolution.outcome`, e.g. `answered`, and a `note`). A later customer message reopens it. \
                    Emits `conversation.resolved`.",
                needs: (Resource::Conversations, Access::Write),
                hints: Hints::SET,
            },
            CONVERSATION_ID,
            |ctx, id, input: ResolveInput| async move { handoff::resolve(&ctx, &id, input).await },
            |c: &Conversation| format!("Conversation {} is resolved.", c.id),
        ),
    ]
}

/// `cnv_… with Maya (open, handled by ai, 3 messages)`.
fn describe(c: &Conversation) -> String {
    let with = c
        .contact
        .as_ref()
        .map(|contact| {
            let name = [&contact.name, &contact.email, &contact.phone]
                .into_iter()
                .find_map(|f| f.as_deref())
                .unwrap_or(contact.id.as_str());
            format!(" with {name}")
        })
        .unwrap_or_default();
    format!(
        "{}{with} ({}, handled by {}, {} messages)",
        c.id,
        c.status.as_str(),
        c.handled_by.as_str(),
        c.message_count
    )
}
