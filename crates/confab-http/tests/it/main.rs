//! The HTTP suite: a real server on port 0 and a fresh database per test, on SQLite
//! and PostgreSQL.

mod auth;
mod contacts;
mod errors;
mod idempotency;
mod members;
mod openapi;
mod ops;
mod tenancy;
