//! Route handlers, one module per resource. Each handler extracts, calls one use case
//! in `confab-app`, and maps the result.

pub mod account;
pub mod admin;
pub mod agents;
pub mod analytics;
pub mod api_keys;
pub mod bookings;
pub mod console;
pub mod contacts;
pub mod conversations;
pub mod docs;
pub mod events;
pub mod files;
pub mod health;
pub mod home;
pub mod knowledge;
pub mod members;
pub mod settings;
pub mod stream;
pub mod tasks;
pub mod tickets;
pub mod webhooks;
pub mod widget;
pub mod widget_assets;
