//! Cross-node wake-ups on PostgreSQL: a second application on the same database (a
//! node sharing nothing with the server but the database) has its event pump woken by
//! the server's commits through `LISTEN/NOTIFY`, long before its poll would, and after
//! its listener's connection is killed it reconnects and catches up from the log.

use std::time::Duration;

use confab_app::wakeups::WakeupSettings;
use confab_app::{App, AppConfig, Clock, live, wakeups};
use confab_store::events;
use confab_testkit::{TestBackend, TestServer};
use serde_json::json;
use sqlx::{Connection, Executor};

/// Far below the other node's poll interval: only a wake-up moves its pump this fast.
const WAIT: Duration = Duration::from_secs(5);

/// The position of the newest event in the log.
async fn log_head(s: &TestServer) -> i64 {
    let mut tx = s.app.store.system_read().await.unwrap();
    events::max_seq(&mut tx).await.unwrap()
}

/// Waits until `node`'s pump has published the event at `seq` (to its streams).
async fn pumped(node: &App, seq: i64, what: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while node.bus.head() < seq {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: the pump is at {}, not {seq}",
            node.bus.head()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_node_hears_commits_and_catches_up_after_losing_its_listener() {
    if !TestBackend::postgres_available().await {
        return;
    }
    let s = TestServer::start(TestBackend::Postgres).await;
    let node = App::new(
        s.db.store().await,
        Clock::system(),
        AppConfig {
            wakeups: WakeupSettings {
                listen: true,
                poll: Duration::from_secs(600),
            },
            ..AppConfig::default()
        },
    );
    tokio::spawn(live::run_pump(node.clone(), s.background.clone()));
    tokio::spawn(wakeups::run_listener(node.clone(), s.background.clone()));
    s.contact(json!({"name": "Before"})).await;
    pumped(&node, log_head(&s).await, "started").await;

    s.contact(json!({"name": "Heard"})).await;
    pumped(&node, log_head(&s).await, "a commit on the other node").await;

    // Kill the listener's connection, then commit at once: the notification may be
    // lost, the event may not.
    let mut admin = sqlx::AnyConnection::connect(&s.db.url).await.unwrap();
    let killed = admin
        .fetch_all(
            "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    assert!(!killed.is_empty(), "the listener's connection was found");
    s.contact(json!({"name": "Caught up"})).await;
    pumped(&node, log_head(&s).await, "after the listener reconnected").await;
}
