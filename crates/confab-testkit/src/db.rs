//! A fresh database per test.

use std::time::Duration;

use confab_store::{Store, StoreOptions};
use sqlx::{Connection, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

fn admin_url() -> String {
    std::env::var("CONFAB_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_required() -> bool {
    std::env::var("CONFAB_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

impl TestBackend {
    /// Whether PostgreSQL tests can run here. Prints why not, or panics when
    /// PostgreSQL is required.
    pub async fn postgres_available() -> bool {
        sqlx::any::install_default_drivers();
        let attempt = tokio::time::timeout(
            Duration::from_secs(5),
            sqlx::AnyConnection::connect(&admin_url()),
        )
        .await;
        match attempt {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                true
            }
            Ok(Err(err)) => skip_or_fail(&err.to_string()),
            Err(_) => skip_or_fail("connection timed out"),
        }
    }
}

fn skip_or_fail(reason: &str) -> bool {
    if postgres_required() {
        panic!("PostgreSQL is required (CONFAB_REQUIRE_POSTGRES=1) but unreachable: {reason}");
    }
    eprintln!(
        "skipping PostgreSQL test: {} is unreachable ({reason})",
        admin_url()
    );
    false
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub backend: TestBackend,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: TestBackend) -> TestDb {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/confab.db", dir.path().display());
                TestDb {
                    url,
                    backend,
                    _dir: Some(dir),
                }
            }
            TestBackend::Postgres => {
                sqlx::any::install_default_drivers();
                let name = format!("confab_t_{}", ulid::Ulid::new().to_string().to_lowercase());
                let mut admin = sqlx::AnyConnection::connect(&admin_url())
                    .await
                    .expect("connect to PostgreSQL");
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create test database");
                let _ = admin.close().await;
                let base = admin_url();
                let root = base.rsplit_once('/').map(|(r, _)| r).unwrap_or(&base);
                TestDb {
                    url: format!("{root}/{name}"),
                    backend,
                    _dir: None,
                }
            }
        }
    }

    /// Opens the store (runs migrations; prepares the tenant role on PostgreSQL).
    pub async fn store(&self) -> Store {
        Store::open(&self.url, &StoreOptions::default())
            .await
            .expect("open store")
    }

    /// The directory holding the SQLite file (for files and crash tests).
    pub fn dir(&self) -> Option<&std::path::Path> {
        self._dir.as_ref().map(|d| d.path())
    }
}
