//! The HTTP suite: a real server on port 0 and a fresh database per test, on SQLite
//! and PostgreSQL.

mod account;
mod agent;
mod agent_llm;
mod analytics;
mod auth;
mod bookings;
mod browser_harness;
mod concurrency;
mod console;
mod contacts;
mod conversations;
mod errors;
mod files;
mod hostile_input;
mod idempotency;
mod idempotency_lease;
mod job_lease;
mod knowledge;
mod members;
mod nul;
mod openapi;
mod ops;
mod probe;
mod specimens;
mod stream;
mod tasks;
mod tenancy;
mod tickets;
mod wakeups;
mod webhooks;
mod widget;
mod working_hours;
