//! Conversations and messages (DESIGN §4).

use crate::object::ObjectName;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::id::{AgentId, ContactId, ConversationId, FileId, MemberId, MessageId};
use crate::time::Timestamp;

/// Declares a string enum with its wire names and a parser.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
        // Every wire name is the variant in lower case. utoipa does not read the
        // per-variant renames through this macro, so the enum-level rule is what the
        // OpenAPI document shows; serde uses the per-variant names, and a test checks
        // that both agree.
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)* _ => None }
            }

            /// The accepted values, for error messages.
            pub fn expected() -> String {
                [$($wire),*].join(", ")
            }
        }
    };
}

wire_enum!(/// Where a conversation happens.
    Channel { Web => "web", Api => "api", Whatsapp => "whatsapp", Instagram => "instagram", Telegram => "telegram" });
wire_enum!(/// Open or resolved.
    Status { Open => "open", Resolved => "resolved" });
wire_enum!(/// Who answers the customer now: the AI, a person, or nobody yet (waiting for a person).
    HandledBy { Ai => "ai", Human => "human", Pending => "pending" });
wire_enum!(/// Who wrote a message. Notes are internal and never reach the customer.
    MessageRole { Customer => "customer", Ai => "ai", Agent => "agent", Note => "note", System => "system" });
wire_enum!(/// The kind of author.
    AuthorType { Contact => "contact", Ai => "ai", Member => "member", Integration => "integration" });
wire_enum!(/// A message's or conversation's mood.
    Sentiment { Positive => "positive", Neutral => "neutral", Negative => "negative" });

/// The contact a conversation is with, as embedded in it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactSummary {
    pub id: ContactId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Where a web visitor was when they started talking.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Visitor {
    pub ip: Option<String>,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
}

/// How a conversation ended.
#[derive(
    Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema, schemars::JsonSchema,
)]
pub struct Resolution {
    /// What happened, in a word or two (`answered`, `refunded`, …); 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub outcome: String,
    /// Anything worth keeping about it; at most 2,000 characters.
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: ConversationId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub channel: Channel,
    pub status: Status,
    pub handled_by: HandledBy,
    pub contact: Option<ContactSummary>,
    pub agent_id: Option<AgentId>,
    pub assignee_id: Option<MemberId>,
    pub lang: Option<String>,
    pub sentiment: Option<Sentiment>,
    pub intent: Option<String>,
    pub visitor: Option<Visitor>,
    pub human_requested_at: Option<Timestamp>,
    pub human_took_over_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub resolution: Option<Resolution>,
    /// The ticket this conversation was last escalated to.
    #[schema(value_type = Option<String>)]
    pub ticket_id: Option<crate::id::TicketId>,
    pub message_count: i64,
    pub last_activity_at: Timestamp,
    pub created_at: Timestamp,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub livemode: bool,
    /// The whole history, with `?include=messages`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    /// When the first AI or agent reply came (for analytics; not shown).
    #[serde(skip)]
    pub first_response_at: Option<Timestamp>,
    #[serde(skip)]
    pub updated_at: Timestamp,
    /// Consecutive negative customer messages (the hand-off policy's counter).
    #[serde(skip)]
    pub negative_streak: i64,
    /// Consecutive AI answers below the confidence threshold.
    #[serde(skip)]
    pub low_confidence_streak: i64,
}

crate::named!(Conversation => "conversation");

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Author {
    #[serde(rename = "type")]
    pub author_type: AuthorType,
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: FileId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: MessageId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub conversation_id: ConversationId,
    pub role: MessageRole,
    pub text: String,
    pub author: Author,
    pub attachments: Vec<Attachment>,
    pub intent: Option<String>,
    pub lang: Option<String>,
    pub sentiment: Option<Sentiment>,
    pub sentiment_score: Option<f64>,
    pub created_at: Timestamp,
    pub livemode: bool,
    /// The customer message an AI reply answers (at most one reply each).
    #[serde(skip)]
    pub reply_to: Option<MessageId>,
}

crate::named!(Message => "message");

/// Message text: non-empty after trimming, at most 10,000 characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;

pub fn validate_text(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("must not be empty".into());
    }
    let n = raw.chars().count();
    if n > MAX_MESSAGE_CHARS {
        return Err(format!(
            "must be at most {MAX_MESSAGE_CHARS} characters (it has {n})"
        ));
    }
    if raw.chars().any(|c| c == '\0') {
        return Err("must not contain NUL characters".into());
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OpenAPI document names variants by the enum-level `rename_all`; serde by the
    /// per-variant wire names. They must be the same strings.
    #[test]
    fn wire_names_are_the_lowercase_variant_names() {
        fn check<T: Copy + std::fmt::Debug + Serialize>(all: &[T], wire: fn(T) -> &'static str) {
            for v in all {
                let lower = format!("{v:?}").to_lowercase();
                assert_eq!(wire(*v), lower, "{v:?}");
                assert_eq!(serde_json::to_value(v).unwrap(), lower.as_str(), "{v:?}");
            }
        }
        check(Channel::ALL, Channel::as_str);
        check(Status::ALL, Status::as_str);
        check(HandledBy::ALL, HandledBy::as_str);
        check(MessageRole::ALL, MessageRole::as_str);
        check(AuthorType::ALL, AuthorType::as_str);
        check(Sentiment::ALL, Sentiment::as_str);
    }
}
