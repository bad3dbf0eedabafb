//! Webhooks: endpoints (`endpoints`), deliveries and replay (`deliveries`), the queue
//! written with every event (`fanout`), and the dispatcher that sends
//! (`dispatcher`, `recorder`). Signing, the schedule and the guarded HTTP client are
//! the `confab-webhooks` crate.

pub mod deliveries;
pub mod dispatcher;
pub mod endpoints;
pub(crate) mod fanout;
mod recorder;

pub use dispatcher::run_dispatcher;
