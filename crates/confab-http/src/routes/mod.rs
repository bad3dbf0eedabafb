//! Route handlers, one module per resource. Each handler extracts, calls one use case
//! in `confab-app`, and maps the result.

pub mod admin;
pub mod contacts;
pub mod docs;
pub mod events;
pub mod health;
pub mod members;
