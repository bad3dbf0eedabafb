//! The store suite: every test runs on SQLite and on PostgreSQL.

mod fixtures;
mod idempotency;
mod isolation;
mod paging;
mod rls;
