//! Ticket tools over `tickets::{create, list, reply}`.

use schemars::JsonSchema;
use serde::Deserialize;

use confab_core::page::Page;
use confab_core::ticket::{Priority, Ticket, TicketReply, TicketStatus};

use super::spec::{Hints, Meta, ToolSpec};
use super::{page_request, page_summary};
use crate::tickets::{self, ReplyCreate, TicketCreate, TicketQuery};
use crate::{Access, Resource};

/// A ticket tool's object: the ticket it acts on.
const TICKET_ID: (&str, &str) = ("ticket_id", "The ticket's id (`tkt_…`).");

/// Arguments of `list_tickets`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListTickets {
    status: Option<TicketStatus>,
    priority: Option<Priority>,
    /// Only tickets routed to this department (`dep_…`).
    department_id: Option<String>,
    /// Only tickets assigned to this member (`mem_…`).
    assignee_id: Option<String>,
    /// Only this contact's tickets (`ctc_…`).
    contact_id: Option<String>,
    /// How many tickets to return, 1 to 100 (default 25).
    limit: Option<i64>,
    /// The `next_cursor` of a previous result.
    cursor: Option<String>,
}

pub(super) fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            Meta {
                name: "create_ticket",
                title: "Open a ticket",
                description: "Open a support ticket for something that needs a proper follow-up. Give a subject, and the \
                    contact_id or the conversation_id it comes from (from a conversation, the customer is told the \
                    ticket's reference there). With a department_id and no assignee_id it goes to the department's \
                    next member in turn. priority: low, normal (default), high or urgent. Emits `ticket.created`.",
                needs: (Resource::Tickets, Access::Write),
                hints: Hints::ADD,
            },
            |ctx, input: TicketCreate| async move { tickets::create(&ctx, input).await },
            |t: &Ticket| format!("Opened ticket {}.", describe(t)),
        ),
        ToolSpec::new(
            Meta {
                name: "list_tickets",
                title: "List tickets",
                description: "List support tickets, newest first, by status (open, pending, solved, closed), priority, \
                    department, assignee or contact. When `has_more` is true, call again with `cursor` set to `next_cursor`.",
                needs: (Resource::Tickets, Access::Read),
                hints: Hints::READ,
            },
            |ctx, input: ListTickets| async move {
                let page = page_request(input.limit, input.cursor.as_deref())?;
                let q = TicketQuery {
                    status: input.status.map(|s| s.as_str().to_owned()),
                    priority: input.priority.map(|p| p.as_str().to_owned()),
                    department_id: input.department_id,
                    assignee_id: input.assignee_id,
                    contact_id: input.contact_id,
                };
                tickets::list(&ctx, q, &page).await
            },
            |page: &Page<Ticket>| page_summary(page, "ticket", "tickets", describe),
        ),
        ToolSpec::on(
            Meta {
                name: "reply_to_ticket",
                title: "Reply to a ticket",
                description: "Write on a ticket: a public reply (internal false, the default) reaches the customer in the \
                    conversation the ticket came from; an internal note (internal true) is for the team only. A closed \
                    ticket takes internal notes only. Emits `ticket.replied`.",
                needs: (Resource::Tickets, Access::Write),
                hints: Hints::ADD,
            },
            TICKET_ID,
            |ctx, id, input: ReplyCreate| async move { tickets::reply(&ctx, &id, input).await },
            |r: &TicketReply| {
                let kind = if r.internal {
                    "an internal note"
                } else {
                    "a public reply"
                };
                format!("Added {kind} to ticket {}.", r.ticket_id)
            },
        ),
    ]
}

/// `tkt_… T-… "Subject" (open, high)`.
fn describe(t: &Ticket) -> String {
    format!(
        "{} {} \"{}\" ({}, {})",
        t.id,
        t.reference,
        t.subject,
        t.status.as_str(),
        t.priority.as_str()
    )
}
