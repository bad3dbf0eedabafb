//! The HTTP suite: a real server on port 0 and a fresh database per test, on SQLite
//! and PostgreSQL.

mod agent;
mod agent_llm;
mod analytics;
mod auth;
mod browser_harness;
mod console;
mod contacts;
mod conversations;
mod errors;
mod files;
mod hostile_input;
mod idempotency;
mod knowledge;
mod members;
mod openapi;
mod ops;
mod probe;
mod specimens;
mod stream;
mod tasks;
mod tenancy;
mod webhooks;
mod widget;
