//! What every use case stands on.

pub(crate) mod app;
pub mod auth;
pub(crate) mod clock;
pub(crate) mod ctx;
pub(crate) mod error;
pub mod idempotency;
pub mod input;
pub(crate) mod lease;
pub mod live;
pub mod scopes;
pub(crate) mod uow;
pub mod wakeups;
pub mod work_metrics;
