//! Event types (DESIGN §4) and the event envelope every webhook and stream carries.

use crate::object::ObjectName;
use serde::Serialize;
use serde_json::Value;

use crate::id::EventId;
use crate::time::Timestamp;

/// Declares the closed set of event types with their wire names.
macro_rules! event_types {
    ($($variant:ident => $wire:literal),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EventType { $($variant),* }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$variant => $wire),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some(EventType::$variant),)* _ => None }
            }
        }

        /// In the OpenAPI document: a string, one of the wire names.
        impl utoipa::PartialSchema for EventType {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),*]))
                    .description(Some("An event's type."))
                    .into()
            }
        }

        impl utoipa::ToSchema for EventType {}
    };
}

event_types! {
    ConversationStarted => "conversation.started",
    MessageReceived => "message.received",
    MessageSent => "message.sent",
    SentimentChanged => "sentiment.changed",
    HandoffRequested => "handoff.requested",
    AgentAssigned => "agent.assigned",
    ConversationReleased => "conversation.released",
    ConversationResolved => "conversation.resolved",
    WalletLowBalance => "wallet.low_balance",
    ContactCreated => "contact.created",
    ContactUpdated => "contact.updated",
    ContactDeleted => "contact.deleted",
    TicketCreated => "ticket.created",
    TicketUpdated => "ticket.updated",
    TicketReplied => "ticket.replied",
    BookingCreated => "booking.created",
    BookingCancelled => "booking.cancelled",
    BookingRescheduled => "booking.rescheduled",
    TaskResolved => "task.resolved",
    TaskFailed => "task.failed",
    CampaignCompleted => "campaign.completed",
    WebhookTest => "webhook.test",
}

/// An entry of the event log.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: EventId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    #[serde(rename = "type")]
    pub event_type: String,
    pub created_at: Timestamp,
    pub livemode: bool,
    /// The object the event is about, as the API shows it.
    pub data: Value,
}

crate::named!(Event => "event");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(EventType::ALL.len(), 22);
    }
}
