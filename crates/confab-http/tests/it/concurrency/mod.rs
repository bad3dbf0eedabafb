//! Concurrency (DESIGN §5): for each state-changing use case, N ≥ 16 concurrent callers
//! and an assertion on the final state that a lost update would break. They run on
//! SQLite and PostgreSQL; SQLite's single writer hides the races, PostgreSQL at READ
//! COMMITTED with a pool of connections shows them unless the row is locked.

mod conversations;
mod resources;

use confab_testkit::{Response, TestServer};
use futures::future::join_all;
use serde_json::Value;

/// Concurrent callers per test.
pub const N: usize = 24;

/// Sends every request at once (one task, interleaved on the wire) and returns the
/// answers in order.
pub async fn all_at_once(
    s: &TestServer,
    key: &str,
    calls: Vec<(&str, String, Option<Value>)>,
) -> Vec<Response> {
    join_all(
        calls
            .into_iter()
            .map(|(method, path, body)| async move { s.call(method, &path, key, body).await }),
    )
    .await
}

/// The statuses of `responses`, counted: `(status, how many)`, sorted by status.
pub fn tally(responses: &[Response]) -> Vec<(u16, usize)> {
    let mut out: Vec<(u16, usize)> = Vec::new();
    for r in responses {
        match out.iter_mut().find(|(s, _)| *s == r.status) {
            Some((_, n)) => *n += 1,
            None => out.push((r.status, 1)),
        }
    }
    out.sort();
    out
}
