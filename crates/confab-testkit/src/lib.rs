//! Fixtures for Confab's integration tests: a fresh database per test on SQLite or
//! PostgreSQL, and a real server on port 0 with a bootstrapped workspace.
//!
//! PostgreSQL tests use `CONFAB_TEST_POSTGRES_URL` (default: the local server as
//! `postgres`). When it is unreachable they are skipped with a printed reason, unless
//! `CONFAB_REQUIRE_POSTGRES=1` (set by `.ci/run`), in which case they fail.

pub mod browser;
mod db;
mod keys;
pub mod llm;
pub mod python;
mod receiver;
mod server;
mod sse;
mod tasks;

pub use db::{TestBackend, TestDb};
pub use receiver::{Received, Receiver, Reply};
pub use server::{Response, TestServer};
pub use sse::{SseClient, SseFrame};
pub use tasks::TaskCaller;

/// Runs an async test body once per backend: `name::sqlite` and `name::postgres`.
/// Attributes before the function (docs, `#[ignore]`) apply to both.
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($backend: $crate::TestBackend) $body

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::TestBackend::Sqlite).await;
            }

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::TestBackend::postgres_available().await {
                    return;
                }
                run($crate::TestBackend::Postgres).await;
            }
        }
    };
}
