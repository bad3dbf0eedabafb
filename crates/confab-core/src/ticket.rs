//! Support tickets: their closed sets, the status state machine and round-robin routing,
//! as pure functions.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::id::{ContactId, ConversationId, DepartmentId, MemberId, TicketId, TicketReplyId};
use crate::object::ObjectName;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    Open,
    Pending,
    Solved,
    Closed,
}

macro_rules! wire_names {
    ($ty:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $wire),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($ty::$variant),)* _ => None }
            }
        }
    };
}

wire_names!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });
wire_names!(TicketStatus { Open => "open", Pending => "pending", Solved => "solved", Closed => "closed" });

impl TicketStatus {
    /// Whether a ticket may move from `self` to `to`: open and pending move freely and
    /// may be solved or closed; a solved ticket reopens or closes; a closed ticket is
    /// final (a new question is a new ticket). The sentence says why not.
    pub fn move_to(self, to: TicketStatus) -> Result<(), String> {
        use TicketStatus::*;
        match (self, to) {
            (a, b) if a == b => Ok(()),
            (Closed, _) => Err("This ticket is closed, and a closed ticket stays closed; open a new ticket instead.".into()),
            (Solved, Pending) => Err("A solved ticket can be reopened (status open) or closed, not set pending.".into()),
            _ => Ok(()),
        }
    }
}

/// A team that tickets are routed to; its members are the members whose
/// `department_ids` name it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: DepartmentId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub name: String,
    pub description: Option<String>,
    /// Who got the department's last ticket (round-robin's place).
    #[serde(skip)]
    pub last_assignee_id: Option<MemberId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

crate::named!(Department => "department");

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    pub id: TicketId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    /// A short reference for people (`T-1042`), unique per workspace and mode.
    pub reference: String,
    pub subject: String,
    pub description: Option<String>,
    pub contact_id: Option<ContactId>,
    pub conversation_id: Option<ConversationId>,
    pub department_id: Option<DepartmentId>,
    pub priority: Priority,
    pub status: TicketStatus,
    pub assignee_id: Option<MemberId>,
    pub reply_count: i64,
    pub solved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub livemode: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

crate::named!(Ticket => "ticket");

/// Who wrote a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReplyAuthor {
    Member,
    Contact,
    Ai,
    System,
}

wire_names!(ReplyAuthor { Member => "member", Contact => "contact", Ai => "ai", System => "system" });

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TicketReply {
    pub id: TicketReplyId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub ticket_id: TicketId,
    pub author_type: ReplyAuthor,
    pub author_id: Option<String>,
    pub body: String,
    /// An internal note: never shown or sent to the customer.
    pub internal: bool,
    pub livemode: bool,
    pub created_at: Timestamp,
}

crate::named!(TicketReply => "ticket_reply");

/// Round robin: the member after `last` among `eligible` (in a stable order), or the
/// first; `None` when nobody is eligible.
pub fn next_in_turn<'a>(eligible: &'a [MemberId], last: Option<&MemberId>) -> Option<&'a MemberId> {
    let after = last
        .and_then(|l| eligible.iter().position(|m| m > l).or(Some(0)))
        .unwrap_or(0);
    eligible.get(after).or_else(|| eligible.first())
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    #[test]
    fn the_status_machine_allows_what_support_does_and_says_why_not() {
        for (from, to) in [
            (Open, Pending),
            (Pending, Open),
            (Open, Solved),
            (Pending, Closed),
            (Solved, Open),
            (Solved, Closed),
            (Closed, Closed),
        ] {
            assert_eq!(from.move_to(to), Ok(()), "{from:?} → {to:?}");
        }
        for to in [Open, Pending, Solved] {
            assert!(Closed.move_to(to).unwrap_err().contains("closed"));
        }
        assert!(Solved.move_to(Pending).is_err());
    }

    #[test]
    fn round_robin_takes_turns_and_survives_a_member_leaving() {
        let ids: Vec<MemberId> = (0..3).map(|_| MemberId::generate()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        let mut last = None;
        let mut got = Vec::new();
        for _ in 0..6 {
            let next = next_in_turn(&sorted, last.as_ref()).unwrap().clone();
            got.push(next.clone());
            last = Some(next);
        }
        assert_eq!(got[..3], sorted[..]);
        assert_eq!(got[3..], sorted[..]);
        // The last one left the team: the turn goes on from where it would be.
        let fewer = vec![sorted[0].clone(), sorted[2].clone()];
        assert_eq!(next_in_turn(&fewer, Some(&sorted[1])), Some(&sorted[2]));
        assert_eq!(next_in_turn(&fewer, Some(&sorted[2])), Some(&sorted[0]));
        assert_eq!(next_in_turn(&[], None), None);
    }
}
