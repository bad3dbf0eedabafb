//! Webhook endpoints and deliveries as the API shows them.

use crate::object::ObjectName;
use serde::Serialize;

use crate::Timestamp;
use crate::event::EventType;
use crate::id::{EventId, WebhookDeliveryId, WebhookEndpointId};

/// The filter that means every event type.
pub const ALL_EVENTS: &str = "*";

/// A URL that receives the workspace's events, signed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub url: String,
    /// `["*"]` or the event types this endpoint receives.
    pub events: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    /// After the first success following a failure, replay this endpoint's dead
    /// deliveries of the last 72 hours, in event order.
    pub auto_recover: bool,
    /// Why the server disabled the endpoint (`"gone"` after a 410), if it did.
    pub disabled_reason: Option<String>,
    /// The signing secret (`whsec_…`): only in the create and rotate responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub livemode: bool,
}

crate::named!(WebhookEndpoint => "webhook_endpoint");

impl WebhookEndpoint {
    /// Whether an event of `event_type` goes to this endpoint. `webhook.test` goes only
    /// where it is sent explicitly.
    pub fn wants(&self, event_type: &str) -> bool {
        filter_matches(&self.events, event_type)
    }
}

/// Whether a filter (`["*"]` or a list of types) takes `event_type`.
pub fn filter_matches(filter: &[String], event_type: &str) -> bool {
    event_type != EventType::WebhookTest.as_str()
        && filter.iter().any(|f| f == ALL_EVENTS || f == event_type)
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not attempted yet in this cycle.
    Pending,
    /// A 2xx came back.
    Delivered,
    /// The last attempt failed; another is scheduled.
    Failed,
    /// Every attempt of the schedule failed; kept for replay.
    Dead,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// One HTTP request of a delivery.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryAttempt {
    pub at: Timestamp,
    /// The response status, absent when no response came (timeout, refused, …).
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// The start of the response body (at most 1 KiB).
    pub response_body: Option<String>,
}

/// One event on its way to one endpoint.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub endpoint_id: WebhookEndpointId,
    pub event_id: EventId,
    pub event_type: String,
    pub status: DeliveryStatus,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
    pub next_attempt_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub livemode: bool,
}

crate::named!(WebhookDelivery => "webhook_delivery");
