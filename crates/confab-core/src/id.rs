//! Prefixed ULID identifiers (`ctc_01J…`). The prefix says what an id names, so an id
//! pasted into the wrong place fails to parse instead of silently matching nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What every id type shares, so that code at the edge can parse any of them the same
/// way (a wrong prefix names nothing) and say what it was looking for.
pub trait TypedId: Sized + Clone + fmt::Display {
    const PREFIX: &'static str;
    /// What the id names, in words ("webhook endpoint"), for messages.
    const NOUN: &'static str;
    /// Only this kind's prefix followed by a valid ULID.
    fn parse(s: &str) -> Option<Self>;
    fn as_str(&self) -> &str;
}

/// Declares a typed, prefixed id.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $noun:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh id: the prefix and a new ULID.
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, ulid::Ulid::new()))
            }

            /// Accepts only this kind's prefix followed by a valid ULID.
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.strip_prefix($prefix)?;
                ulid::Ulid::from_string(rest).ok()?;
                Some(Self(s.to_owned()))
            }

            /// Wraps an id read back from storage, where it was validated on the way in.
            pub fn from_trusted(s: String) -> Self {
                Self(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The ULID after the prefix.
            pub fn ulid(&self) -> &str {
                self.0.strip_prefix($prefix).unwrap_or(&self.0)
            }
        }

        impl TypedId for $name {
            const PREFIX: &'static str = $prefix;
            const NOUN: &'static str = $noun;

            fn parse(s: &str) -> Option<Self> {
                $name::parse(s)
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!("An id starting with `", $prefix, "`.")))
                    .examples([concat!($prefix, "01JD0000000000000000000000")])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

id_type!(/// A workspace (tenant).
    WorkspaceId, "ws_", "workspace");
id_type!(/// A team member.
    MemberId, "mem_", "member");
id_type!(/// An API key (secret or site key).
    KeyId, "key_", "API key");
id_type!(/// A member access token.
    TokenId, "mtk_", "member token");
id_type!(/// A contact.
    ContactId, "ctc_", "contact");
id_type!(/// An event in the event log.
    EventId, "evt_", "event");
id_type!(/// An agent.
    AgentId, "agt_", "agent");
id_type!(/// A conversation.
    ConversationId, "cnv_", "conversation");
id_type!(/// A message.
    MessageId, "msg_", "message");
id_type!(/// An uploaded file.
    FileId, "fil_", "file");
id_type!(/// A background job.
    JobId, "job_", "job");
id_type!(/// A knowledge-base entry.
    KnowledgeId, "kb_", "knowledge entry");
id_type!(/// A webhook endpoint.
    WebhookEndpointId, "we_", "webhook endpoint");
id_type!(/// One event's delivery to one webhook endpoint.
    WebhookDeliveryId, "whd_", "webhook delivery");
id_type!(/// A plain-English task for the task agent.
    TaskId, "tsk_", "task");
id_type!(/// A bookable resource (a person's calendar, a room).
    ResourceId, "res_", "resource");
id_type!(/// A booking of a resource.
    BookingId, "bkg_", "booking");
id_type!(/// A department: a team that tickets are routed to.
    DepartmentId, "dep_", "department");
id_type!(/// A support ticket.
    TicketId, "tkt_", "ticket");
id_type!(/// A reply or internal note on a ticket.
    TicketReplyId, "tkr_", "ticket reply");
id_type!(/// A line of an API key's spending ledger (internal; never in the API).
    ChargeId, "chg_", "charge");
id_type!(/// The record of the AI's answer to one customer message (internal).
    AiReplyId, "air_", "AI reply");

impl AiReplyId {
    /// One record per customer message: the answered message's ULID under `air_`, so
    /// a second writer of the same answer collides on the primary key.
    pub fn answering(message: &MessageId) -> Self {
        Self(format!("{}{}", Self::PREFIX, message.ulid()))
    }
}

/// A request id (`req_…`), echoed in `X-Request-Id` and in every error body.
pub fn new_request_id() -> String {
    format!("req_{}", ulid::Ulid::new())
}
