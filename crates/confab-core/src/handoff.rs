//! The hand-off state machine (DESIGN §4) as one pure function:
//!
//! ```text
//!            handoff              take-over
//!   ai ───────────────► pending ─────────────► human
//!    ▲ ◄──── release ─────┘  ◄──── release ──────┘ (to ai)
//!    └─────────────── take-over (directly) ───────┘
//! ```
//! `resolve` ends any open conversation; a customer message reopens it; an agent's
//! message is an implicit take-over; the AI may reply only while it handles an open
//! conversation. Every caller (the REST API, the widget, the reply worker, the console,
//! MCP) goes through [`Conversation::apply`] on a row it has locked, so of two racing
//! transitions exactly one is decided on the state the other left.

use crate::ErrorCode;
use crate::conversation::{Conversation, HandledBy, Resolution, Status};
use crate::event::EventType;
use crate::id::MemberId;
use crate::time::Timestamp;

/// Why the AI stood down on its own (the `reason` of `handoff.requested`; a person or
/// an integration asking through the API gives a reason in their own words instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person.
    CustomerRequest,
    /// The message had one of the agent's hand-off keywords.
    Keyword,
    /// Too many negative messages in a row.
    NegativeSentiment,
    /// Too many answers the knowledge base did not ground.
    LowConfidence,
    /// The model decided a person should answer.
    AgentDecision,
    /// The provider could not answer.
    ProviderError,
}

impl HandoffReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::CustomerRequest => "customer_request",
            HandoffReason::Keyword => "keyword",
            HandoffReason::NegativeSentiment => "negative_sentiment",
            HandoffReason::LowConfidence => "low_confidence",
            HandoffReason::AgentDecision => "agent_decision",
            HandoffReason::ProviderError => "provider_error",
        }
    }
}

/// Something that moves a conversation.
#[derive(Clone, Debug, PartialEq)]
pub enum Transition {
    /// A person is asked for (the API, the console, the AI's hand-off policy).
    RequestHuman,
    /// The visitor asks for a person: asking again while one is awaited or already
    /// there changes nothing.
    VisitorRequestsHuman,
    /// A person takes the conversation; `assignee` replaces the current one when given.
    TakeOver {
        assignee: Option<MemberId>,
    },
    /// Back to the AI, which starts afresh.
    Release,
    Assign {
        member: MemberId,
    },
    Resolve {
        resolution: Option<Resolution>,
    },
    /// A customer writes: a resolved conversation reopens.
    CustomerMessage,
    /// A person answers: the AI stops at once; `member` becomes the assignee if none.
    AgentMessage {
        member: Option<MemberId>,
    },
    /// The AI's reply is written.
    AiReply,
}

impl Transition {
    /// Every kind of transition, with sample arguments (exhaustive tests).
    pub fn samples(member: &MemberId) -> Vec<Transition> {
        vec![
            Transition::RequestHuman,
            Transition::VisitorRequestsHuman,
            Transition::TakeOver { assignee: None },
            Transition::TakeOver {
                assignee: Some(member.clone()),
            },
            Transition::Release,
            Transition::Assign {
                member: member.clone(),
            },
            Transition::Resolve { resolution: None },
            Transition::CustomerMessage,
            Transition::AgentMessage {
                member: Some(member.clone()),
            },
            Transition::AiReply,
        ]
    }
}

/// Why a transition is refused; each is a 409 that says why (the AI's refusal is no
/// one's error: its job just ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The conversation is resolved, so it cannot be moved this way.
    Resolved {
        action: &'static str,
    },
    AlreadyResolved,
    AlreadyWaiting,
    AlreadyWithPerson,
    AlreadyTakenOver,
    AlreadyAi,
    AlreadyAssigned,
    /// An agent's message to a resolved conversation.
    AgentToResolved,
    /// The AI no longer handles this conversation (taken over, waiting, or resolved).
    AiStoodDown,
}

impl Refusal {
    pub fn code(self) -> ErrorCode {
        match self {
            Refusal::AgentToResolved => ErrorCode::ConversationResolved,
            _ => ErrorCode::Conflict,
        }
    }

    pub fn message(self) -> String {
        match self {
            Refusal::Resolved { action } => format!(
                "This conversation is resolved, so it cannot be {action}; a new customer message reopens it."
            ),
            Refusal::AlreadyResolved => "This conversation is already resolved.".into(),
            Refusal::AlreadyWaiting => "This conversation is already waiting for a person.".into(),
            Refusal::AlreadyWithPerson => "A person is already handling this conversation.".into(),
            Refusal::AlreadyTakenOver => {
                "A person is already handling this conversation; use /assign to change who.".into()
            }
            Refusal::AlreadyAi => "The AI is already handling this conversation.".into(),
            Refusal::AlreadyAssigned => {
                "This conversation is already assigned to that member.".into()
            }
            Refusal::AgentToResolved => "This conversation is resolved; the customer can reopen it by writing again, or start a new conversation.".into(),
            Refusal::AiStoodDown => "The AI no longer handles this conversation.".into(),
        }
    }
}

/// What an accepted transition did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The event the move emits, if it moved anything an integrator watches.
    pub event: Option<EventType>,
    /// The conversation was reopened by a customer message.
    pub reopened: bool,
}

impl Applied {
    fn emits(event: EventType) -> Self {
        Applied {
            event: Some(event),
            reopened: false,
        }
    }
}

impl Conversation {
    /// Whether `t` would be accepted now, without applying it.
    pub fn check(&self, t: Transition, now: Timestamp) -> Result<(), Refusal> {
        self.clone().apply(t, now).map(|_| ())
    }

    /// Applies `t` at `now`, or says why not; on a refusal `self` is unchanged.
    pub fn apply(&mut self, t: Transition, now: Timestamp) -> Result<Applied, Refusal> {
        let open = self.status == Status::Open;
        let refuse_resolved = |action| {
            if open {
                Ok(())
            } else {
                Err(Refusal::Resolved { action })
            }
        };
        match t {
            Transition::RequestHuman => {
                refuse_resolved("handed off")?;
                match self.handled_by {
                    HandledBy::Pending => return Err(Refusal::AlreadyWaiting),
                    HandledBy::Human => return Err(Refusal::AlreadyWithPerson),
                    HandledBy::Ai => {}
                }
                self.handled_by = HandledBy::Pending;
                self.human_requested_at = Some(now);
                Ok(Applied::emits(EventType::HandoffRequested))
            }
            Transition::VisitorRequestsHuman => {
                if open && self.handled_by != HandledBy::Ai {
                    return Ok(Applied::default());
                }
                self.apply(Transition::RequestHuman, now)
            }
            Transition::TakeOver { assignee } => {
                refuse_resolved("taken over")?;
                if self.handled_by == HandledBy::Human {
                    return Err(Refusal::AlreadyTakenOver);
                }
                self.handled_by = HandledBy::Human;
                self.human_took_over_at = Some(now);
                if assignee.is_some() {
                    self.assignee_id = assignee;
                }
                Ok(Applied::emits(EventType::AgentAssigned))
            }
            Transition::Release => {
                refuse_resolved("released")?;
                if self.handled_by == HandledBy::Ai {
                    return Err(Refusal::AlreadyAi);
                }
                self.handled_by = HandledBy::Ai;
                // The AI starts afresh: what made it stand down is not counted again.
                self.negative_streak = 0;
                self.low_confidence_streak = 0;
                Ok(Applied::emits(EventType::ConversationReleased))
            }
            Transition::Assign { member } => {
                refuse_resolved("assigned")?;
                if self.assignee_id.as_ref() == Some(&member) {
                    return Err(Refusal::AlreadyAssigned);
                }
                self.assignee_id = Some(member);
                Ok(Applied::emits(EventType::AgentAssigned))
            }
            Transition::Resolve { resolution } => {
                if !open {
                    return Err(Refusal::AlreadyResolved);
                }
                self.status = Status::Resolved;
                self.resolved_at = Some(now);
                self.resolution = resolution;
                Ok(Applied::emits(EventType::ConversationResolved))
            }
            Transition::CustomerMessage => {
                if open {
                    return Ok(Applied::default());
                }
                self.status = Status::Open;
                self.resolved_at = None;
                self.resolution = None;
                Ok(Applied {
                    event: None,
                    reopened: true,
                })
            }
            Transition::AgentMessage { member } => {
                if !open {
                    return Err(Refusal::AgentToResolved);
                }
                if self.handled_by == HandledBy::Human {
                    return Ok(Applied::default());
                }
                self.handled_by = HandledBy::Human;
                self.human_took_over_at = Some(now);
                if self.assignee_id.is_none() {
                    self.assignee_id = member;
                }
                Ok(Applied::emits(EventType::AgentAssigned))
            }
            Transition::AiReply => {
                if !open || self.handled_by != HandledBy::Ai {
                    return Err(Refusal::AiStoodDown);
                }
                Ok(Applied::default())
            }
        }
    }
}

#[cfg(test)]
#[path = "handoff_tests.rs"]
mod tests;
