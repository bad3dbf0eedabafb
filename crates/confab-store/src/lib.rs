//! Persistence for Confab: one store API over SQLite (the embedded default) and
//! PostgreSQL, with migrations per backend and row-level security on PostgreSQL.
//!
//! Queries are written once, in SQL both engines accept (`$N` placeholders, epoch
//! milliseconds, 0/1 flags, JSON as text), and run through sqlx's `Any` driver.
//! Every tenant query takes a [`TenantTx`], which carries the workspace and mode it
//! was opened for, so a query cannot forget its tenant.

mod db;
mod error;
mod locked;
mod sql;
mod tx;

pub mod agents;
pub mod ai_replies;
pub mod analytics;
pub mod api_keys;
pub mod bookings;
pub mod contacts;
pub mod conversations;
pub mod credentials;
pub mod departments;
pub mod events;
pub mod files;
pub mod idempotency;
pub mod jobs;
pub mod knowledge;
pub mod members;
pub mod messages;
pub mod notify;
pub mod resources;
pub mod spending;
pub mod tasks;
pub mod tickets;
pub mod usage;
pub mod webhook_deliveries;
pub mod webhook_dispatch;
pub mod webhook_endpoints;
pub mod widget_settings;
pub mod workspaces;

pub use db::{Backend, Store, StoreOptions};
pub use error::StoreError;
pub use locked::Locked;
pub use tx::{SystemTx, TenantTx};
