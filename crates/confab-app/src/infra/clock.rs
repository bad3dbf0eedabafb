//! The application's clock. Production reads the system time; tests move it forward to
//! check expiry and retention without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use confab_core::Timestamp;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> Timestamp {
        Timestamp::from_millis(Timestamp::now().millis() + self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone) forward.
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
