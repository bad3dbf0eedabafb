//! Confab's use cases. The REST API, the MCP server, the console and the task agent
//! all call these functions; business rules live here once.
//!
//! A use case takes a [`Ctx`] (who is asking, in which workspace and mode), opens one
//! unit of work, writes the change and its events together, and commits.

mod ai_providers;
mod app;
mod clock;
mod ctx;
mod error;
mod lease;
mod uow;

pub mod agents;
pub mod analytics;
pub mod api_keys;
pub mod auth;
pub mod budget;
pub mod contacts;
pub mod conversations;
pub mod erasure_purge;
pub mod events;
pub mod files;
pub mod handoff;
pub mod idempotency;
pub mod input;
pub mod knowledge;
pub mod knowledge_import;
pub mod knowledge_index;
pub mod live;
pub mod members;
pub mod messages;
pub mod preview;
pub mod replies;
pub mod responder;
pub mod scopes;
pub mod tasks;
pub mod tools;
pub mod typing;
pub mod understanding;
pub mod wakeups;
pub mod webhooks;
pub mod widget;
pub mod work_metrics;
pub mod workspaces;

pub use app::{AiConfig, App, AppConfig, TaskSettings};
pub use clock::Clock;
pub use ctx::{Access, Actor, Ctx, Resource};
pub use error::{AppError, AppResult};
pub use uow::Uow;

pub use confab_core as core;
pub use confab_store as store;
