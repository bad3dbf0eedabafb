//! A unit of work: one transaction holding a change and the events it emits, and the
//! webhook deliveries of those events (the outbox and the delivery queue commit with
//! the change, or not at all).

use std::sync::Arc;

use serde_json::Value;

use confab_core::Timestamp;
use confab_core::event::{Event, EventType};
use confab_core::id::{ContactId, WebhookDeliveryId, WebhookEndpointId};
use confab_store::{TenantTx, events};

use crate::idempotency::IdemSlot;
use crate::wakeups::Wakeups;
use crate::webhooks::fanout::Fanout;
use crate::{App, AppResult};

pub struct Uow {
    tx: TenantTx,
    /// The time of this change: every row and event it writes carries it.
    pub now: Timestamp,
    idempotency: Option<Arc<IdemSlot>>,
    wakeups: Wakeups,
    fanout: Fanout,
}

impl Uow {
    pub(crate) fn new(
        tx: TenantTx,
        now: Timestamp,
        idempotency: Option<Arc<IdemSlot>>,
        app: &App,
    ) -> Self {
        Uow {
            tx,
            now,
            idempotency,
            wakeups: app.wakeups.clone(),
            fanout: Fanout::new(&app.config.webhooks),
        }
    }

    pub fn tx(&mut self) -> &mut TenantTx {
        &mut self.tx
    }

    /// Appends an event to the outbox in this transaction, with a delivery for every
    /// enabled webhook endpoint of this workspace and mode whose filter takes it.
    pub async fn emit(
        &mut self,
        event_type: EventType,
        data: Value,
        contact: Option<&ContactId>,
    ) -> AppResult<Event> {
        let event = events::append(&mut self.tx, event_type, data, contact, None, self.now).await?;
        self.fanout.deliver(&mut self.tx, &event).await?;
        Ok(event)
    }

    /// Appends an event about a conversation (and its contact, so erasure finds it),
    /// with its webhook deliveries.
    pub async fn emit_for(
        &mut self,
        event_type: EventType,
        data: Value,
        conversation: &confab_core::conversation::Conversation,
    ) -> AppResult<Event> {
        let contact = conversation.contact.as_ref().map(|c| &c.id);
        let event = events::append(
            &mut self.tx,
            event_type,
            data,
            contact,
            Some(&conversation.id),
            self.now,
        )
        .await?;
        self.fanout.deliver(&mut self.tx, &event).await?;
        Ok(event)
    }

    /// Queues `event` for one endpoint only, outside any filter: a `webhook.test`, or a
    /// task's result to its key's response endpoint.
    pub async fn deliver_to(
        &mut self,
        endpoint: &WebhookEndpointId,
        event: &Event,
    ) -> AppResult<WebhookDeliveryId> {
        self.fanout.deliver_to(&mut self.tx, endpoint, event).await
    }

    /// Commits. Under an `Idempotency-Key` the commit is handed to the idempotency layer,
    /// which first writes the response into this same transaction.
    pub async fn commit(self) -> AppResult<()> {
        match self.idempotency {
            Some(slot) => slot.park(self.tx),
            None => {
                self.tx.commit().await?;
                self.wakeups.committed();
                Ok(())
            }
        }
    }
}
