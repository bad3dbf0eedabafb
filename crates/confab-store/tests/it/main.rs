//! The store suite: every test runs on SQLite and on PostgreSQL.

mod fixtures;
mod floats;
mod idempotency;
mod isolation;
mod paging;
mod rls;
