//! A unit of work: one transaction holding a change and the events it emits.

use std::sync::Arc;

use serde_json::Value;

use confab_core::Timestamp;
use confab_core::event::{Event, EventType};
use confab_core::id::ContactId;
use confab_store::{TenantTx, events};

use crate::AppResult;
use crate::idempotency::IdemSlot;
use crate::live::EventBus;

pub struct Uow {
    tx: TenantTx,
    /// The time of this change: every row and event it writes carries it.
    pub now: Timestamp,
    idempotency: Option<Arc<IdemSlot>>,
    bus: EventBus,
}

impl Uow {
    pub(crate) fn new(
        tx: TenantTx,
        now: Timestamp,
        idempotency: Option<Arc<IdemSlot>>,
        bus: EventBus,
    ) -> Self {
        Uow {
            tx,
            now,
            idempotency,
            bus,
        }
    }

    pub fn tx(&mut self) -> &mut TenantTx {
        &mut self.tx
    }

    /// Appends an event to the outbox in this transaction.
    pub async fn emit(
        &mut self,
        event_type: EventType,
        data: Value,
        contact: Option<&ContactId>,
    ) -> AppResult<Event> {
        Ok(events::append(&mut self.tx, event_type, data, contact, None, self.now).await?)
    }

    /// Appends an event about a conversation (and its contact, so erasure finds it).
    pub async fn emit_for(
        &mut self,
        event_type: EventType,
        data: Value,
        conversation: &confab_core::conversation::Conversation,
    ) -> AppResult<Event> {
        let contact = conversation.contact.as_ref().map(|c| &c.id);
        Ok(events::append(
            &mut self.tx,
            event_type,
            data,
            contact,
            Some(&conversation.id),
            self.now,
        )
        .await?)
    }

    /// Commits. Under an `Idempotency-Key` the commit is handed to the idempotency layer,
    /// which first writes the response into this same transaction.
    pub async fn commit(self) -> AppResult<()> {
        match self.idempotency {
            Some(slot) => {
                slot.park(self.tx);
                Ok(())
            }
            None => {
                self.tx.commit().await?;
                self.bus.wake();
                Ok(())
            }
        }
    }
}
