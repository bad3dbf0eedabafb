//! The webhook half of the outbox: each event gets one delivery per enabled endpoint
//! of its workspace and mode whose filter takes it, in the event's own transaction.
//! So an event is never committed without its deliveries, nor a delivery without its
//! event, and a test-mode event can only reach test-mode endpoints.

use confab_core::Timestamp;
use confab_core::event::Event;
use confab_core::id::{WebhookDeliveryId, WebhookEndpointId};
use confab_core::webhook::filter_matches;
use confab_store::TenantTx;
use confab_store::webhook_deliveries::{self, NewDelivery};
use confab_store::webhook_endpoints;
use confab_webhooks::WebhookSettings;

use crate::AppResult;

pub(crate) struct Fanout {
    /// The tenant's enabled endpoints, read once per unit of work (on its first event).
    routes: Option<Vec<(WebhookEndpointId, Vec<String>)>>,
    /// The schedule's first offset (0 s by default).
    first_delay_ms: i64,
}

impl Fanout {
    pub(crate) fn new(settings: &WebhookSettings) -> Self {
        Fanout {
            routes: None,
            first_delay_ms: settings
                .schedule
                .offset(0)
                .map_or(0, |d| d.as_millis() as i64),
        }
    }

    /// Queues `event` for `endpoint` alone, due at the schedule's first offset.
    pub(crate) async fn deliver_to(
        &self,
        tx: &mut TenantTx,
        endpoint_id: &WebhookEndpointId,
        event: &Event,
    ) -> AppResult<WebhookDeliveryId> {
        Ok(webhook_deliveries::insert(
            tx,
            &NewDelivery {
                endpoint_id,
                event_id: &event.id,
                event_type: &event.event_type,
                event_created_at: event.created_at,
                first_attempt_at: Timestamp::from_millis(
                    event.created_at.millis() + self.first_delay_ms,
                ),
            },
        )
        .await?)
    }

    /// Queues `event` for every endpoint that wants it.
    pub(crate) async fn deliver(&mut self, tx: &mut TenantTx, event: &Event) -> AppResult<()> {
        let routes = match &self.routes {
            Some(routes) => routes,
            None => self.routes.insert(webhook_endpoints::routes(tx).await?),
        };
        let wanted: Vec<WebhookEndpointId> = routes
            .iter()
            .filter(|(_, filter)| filter_matches(filter, &event.event_type))
            .map(|(id, _)| id.clone())
            .collect();
        for endpoint_id in &wanted {
            self.deliver_to(tx, endpoint_id, event).await?;
        }
        Ok(())
    }
}
