//! The use cases, one module per resource.

pub mod account;
pub mod agents;
pub mod analytics;
pub mod api_keys;
pub mod bookings;
pub mod budget;
pub mod contacts;
pub mod conversations;
pub mod departments;
pub mod events;
pub mod files;
pub mod handoff;
pub mod knowledge;
pub mod knowledge_import;
pub mod members;
pub mod messages;
pub mod preview;
pub mod resources;
pub mod tasks;
pub mod tickets;
pub mod tools;
pub mod typing;
pub mod webhooks;
pub mod widget;
pub mod workspaces;
