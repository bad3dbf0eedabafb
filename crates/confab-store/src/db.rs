//! Opening a store: pools, pragmas, migrations, and the restricted tenant role.

use std::borrow::Cow;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, Row, SqlSafeStr};

use crate::error::{Classify, Result, StoreError};
use crate::tx::{SystemTx, TenantTx};
use confab_core::id::{ContactId, WorkspaceId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// PostgreSQL: the role tenant transactions switch to. It must not own the tables
    /// and must not have BYPASSRLS; it is created when missing.
    pub tenant_role: String,
    /// PostgreSQL pool size.
    pub max_connections: u32,
    /// SQLite `synchronous=FULL` (survives power loss) unless false (`NORMAL`: survives
    /// a process crash only).
    pub sqlite_full_sync: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            tenant_role: "confab_tenant".into(),
            max_connections: 10,
            sqlite_full_sync: true,
        }
    }
}

/// The one storage API. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// SQLite: one connection, so writers queue instead of failing with SQLITE_BUSY.
    /// PostgreSQL: the shared pool.
    writer: AnyPool,
    /// SQLite: readers that never block in WAL mode. PostgreSQL: the same pool.
    reader: AnyPool,
    tenant_role: Option<String>,
    /// PostgreSQL: the URL, for the listener's own connection (`notify.rs`).
    url: Option<std::sync::Arc<str>>,
}

impl Store {
    /// Connects, runs the backend's migrations, and (PostgreSQL) prepares the tenant role.
    pub async fn open(url: &str, options: &StoreOptions) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| {
            StoreError::Config(
                "the database URL must start with sqlite:// or postgres://".to_owned(),
            )
        })?;
        let store = match backend {
            Backend::Sqlite => Self::open_sqlite(url, options).await?,
            Backend::Postgres => Self::open_postgres(url, options).await?,
        };
        store.migrate().await?;
        let store = match backend {
            Backend::Sqlite => store,
            Backend::Postgres => store.prepare_tenant_role(&options.tenant_role).await?,
        };
        Ok(store)
    }

    async fn open_sqlite(url: &str, options: &StoreOptions) -> Result<Store> {
        let sync = if options.sqlite_full_sync {
            "FULL"
        } else {
            "NORMAL"
        };
        let pragmas: &'static str = if options.sqlite_full_sync {
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
        } else {
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
        };
        tracing::debug!(synchronous = sync, "opening sqlite");
        let url = if url.contains('?') {
            url.to_owned()
        } else {
            format!("{url}?mode=rwc")
        };
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        conn.execute(pragmas).await?;
                        Ok(())
                    })
                })
        };
        let writer = pool(1).connect(&url).await.classified()?;
        let reader = pool(4).connect(&url).await.classified()?;
        Ok(Store {
            backend: Backend::Sqlite,
            writer,
            reader,
            tenant_role: None,
            url: None,
        })
    }

    async fn open_postgres(url: &str, options: &StoreOptions) -> Result<Store> {
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .classified()?;
        Ok(Store {
            backend: Backend::Postgres,
            writer: pool.clone(),
            reader: pool,
            tenant_role: None,
            url: Some(url.into()),
        })
    }

    async fn migrate(&self) -> Result<()> {
        let migrations = match self.backend {
            Backend::Sqlite => vec![
                migration(
                    1,
                    "foundation",
                    include_str!("../migrations/sqlite/0001_foundation.sql"),
                ),
                migration(
                    2,
                    "conversations",
                    include_str!("../migrations/sqlite/0002_conversations.sql"),
                ),
                migration(
                    3,
                    "agent",
                    include_str!("../migrations/sqlite/0003_agent.sql"),
                ),
                migration(
                    4,
                    "webhooks",
                    include_str!("../migrations/sqlite/0004_webhooks.sql"),
                ),
                migration(
                    5,
                    "widget",
                    include_str!("../migrations/sqlite/0005_widget.sql"),
                ),
                migration(
                    6,
                    "tasks",
                    include_str!("../migrations/sqlite/0006_tasks.sql"),
                ),
                migration(
                    7,
                    "rls mode",
                    include_str!("../migrations/sqlite/0007_rls_mode.sql"),
                ),
                migration(
                    8,
                    "wakeups",
                    include_str!("../migrations/sqlite/0008_wakeups.sql"),
                ),
                migration(
                    9,
                    "member display name",
                    include_str!("../migrations/sqlite/0009_member_display_name.sql"),
                ),
                migration(
                    10,
                    "site key text",
                    include_str!("../migrations/sqlite/0010_site_key_text.sql"),
                ),
                migration(
                    11,
                    "workspace hours",
                    include_str!("../migrations/sqlite/0011_workspace_hours.sql"),
                ),
                migration(
                    12,
                    "bookings",
                    include_str!("../migrations/sqlite/0012_bookings.sql"),
                ),
                migration(
                    13,
                    "tickets",
                    include_str!("../migrations/sqlite/0013_tickets.sql"),
                ),
            ],
            Backend::Postgres => vec![
                migration(
                    1,
                    "foundation",
                    include_str!("../migrations/postgres/0001_foundation.sql"),
                ),
                migration(
                    2,
                    "conversations",
                    include_str!("../migrations/postgres/0002_conversations.sql"),
                ),
                migration(
                    3,
                    "agent",
                    include_str!("../migrations/postgres/0003_agent.sql"),
                ),
                migration(
                    4,
                    "webhooks",
                    include_str!("../migrations/postgres/0004_webhooks.sql"),
                ),
                migration(
                    5,
                    "widget",
                    include_str!("../migrations/postgres/0005_widget.sql"),
                ),
                migration(
                    6,
                    "tasks",
                    include_str!("../migrations/postgres/0006_tasks.sql"),
                ),
                migration(
                    7,
                    "rls mode",
                    include_str!("../migrations/postgres/0007_rls_mode.sql"),
                ),
                migration(
                    8,
                    "wakeups",
                    include_str!("../migrations/postgres/0008_wakeups.sql"),
                ),
                migration(
                    9,
                    "member display name",
                    include_str!("../migrations/postgres/0009_member_display_name.sql"),
                ),
                migration(
                    10,
                    "site key text",
                    include_str!("../migrations/postgres/0010_site_key_text.sql"),
                ),
                migration(
                    11,
                    "workspace hours",
                    include_str!("../migrations/postgres/0011_workspace_hours.sql"),
                ),
                migration(
                    12,
                    "bookings",
                    include_str!("../migrations/postgres/0012_bookings.sql"),
                ),
                migration(
                    13,
                    "tickets",
                    include_str!("../migrations/postgres/0013_tickets.sql"),
                ),
            ],
        };
        Migrator::with_migrations(migrations)
            .run(&self.writer)
            .await?;
        Ok(())
    }

    /// Creates the restricted role when missing and grants it table access. Tenant
    /// transactions `SET LOCAL ROLE` to it, so row-level security holds even when the
    /// connection URL names a superuser.
    async fn prepare_tenant_role(mut self, role: &str) -> Result<Store> {
        if role.is_empty()
            || !role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(StoreError::Config(format!(
                "tenant role `{role}` must be lower-case letters, digits and underscores"
            )));
        }
        let mut conn = self.writer.acquire().await.classified()?;
        let row = sqlx::query(
            "SELECT rolsuper, current_user::text AS name FROM pg_roles WHERE rolname = current_user",
        )
        .fetch_one(&mut *conn)
        .await
        .classified()?;
        let is_superuser: bool = row.try_get("rolsuper").classified()?;
        let login_role: String = row.try_get("name").classified()?;
        if login_role == role {
            return Err(StoreError::Config(format!(
                "the database URL logs in as `{role}`, the tenant role; connect as the role that owns the schema"
            )));
        }
        let create = format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
        );
        if let Err(err) = conn.execute(sqlx::AssertSqlSafe(create)).await {
            // Two processes creating the role at once: the loser sees a duplicate.
            let duplicate = matches!(&err, sqlx::Error::Database(db)
                if db.code().is_some_and(|c| c == "42710" || c == "23505"));
            if !duplicate {
                return Err(StoreError::Database(err));
            }
        }
        let bypass: bool =
            sqlx::query("SELECT rolbypassrls OR rolsuper AS b FROM pg_roles WHERE rolname = $1")
                .bind(role)
                .fetch_one(&mut *conn)
                .await
                .classified()?
                .try_get("b")
                .classified()?;
        if bypass {
            return Err(StoreError::Config(format!(
                "tenant role `{role}` has BYPASSRLS or SUPERUSER; row-level security would not hold"
            )));
        }
        let grants = format!(
            "GRANT USAGE ON SCHEMA public TO {role}; \
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};"
        );
        conn.execute(sqlx::AssertSqlSafe(grants))
            .await
            .classified()?;
        if !is_superuser {
            let member = format!("GRANT {role} TO CURRENT_USER");
            conn.execute(sqlx::AssertSqlSafe(member))
                .await
                .classified()?;
        }
        tracing::info!(
            login_role = %login_role,
            tenant_role = %role,
            "postgres: tenant queries run as role {role} under row-level security"
        );
        drop(conn);
        self.tenant_role = Some(role.to_owned());
        Ok(self)
    }

    pub(crate) fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    pub(crate) fn writer_pool(&self) -> &AnyPool {
        &self.writer
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The role tenant transactions run as (PostgreSQL), for logs and tests.
    pub fn tenant_role(&self) -> Option<&str> {
        self.tenant_role.as_deref()
    }

    /// A read-write transaction fenced to one workspace and mode.
    pub async fn tenant(&self, workspace: &WorkspaceId, livemode: bool) -> Result<TenantTx> {
        self.system().await?.enter(workspace, livemode).await
    }

    /// A transaction for reads only, fenced like [`Store::tenant`]. On SQLite it runs on
    /// the reader pool, so it never waits behind writers.
    pub async fn tenant_read(&self, workspace: &WorkspaceId, livemode: bool) -> Result<TenantTx> {
        let tx = self.reader.begin().await.classified()?;
        SystemTx::new(tx, self.backend, self.tenant_role.clone())
            .enter(workspace, livemode)
            .await
    }

    /// A privileged transaction that is not fenced to a tenant: bootstrap, credential
    /// lookup, workers and cleaners only. Never reachable from a request's own data.
    pub async fn system(&self) -> Result<SystemTx> {
        let tx = self.writer.begin().await.classified()?;
        Ok(SystemTx::new(tx, self.backend, self.tenant_role.clone()))
    }

    /// A privileged read transaction (credential lookup on every request).
    pub async fn system_read(&self) -> Result<SystemTx> {
        let tx = self.reader.begin().await.classified()?;
        Ok(SystemTx::new(tx, self.backend, self.tenant_role.clone()))
    }

    /// Makes what an erasure deleted unreadable on disk; run after the erasure commits,
    /// off the request path. SQLite (where `secure_delete` already zeroed the freed
    /// content in the pages it wrote): a `TRUNCATE` checkpoint copies those pages into
    /// the database file and empties the WAL, which still held the old versions.
    /// PostgreSQL: `VACUUM` of the tables an erasure touches removes the dead tuples
    /// (it cannot run in a transaction, so it runs on its own connection).
    /// Answers whether it finished (a SQLite checkpoint can stay busy behind readers).
    pub async fn purge_erased(&self) -> Result<bool> {
        match self.backend {
            Backend::Sqlite => {
                // Readers in the middle of a read keep older frames alive: try again.
                for _ in 0..20 {
                    let busy: i64 = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(&self.writer)
                        .await
                        .classified()?
                        .try_get(0)
                        .classified()?;
                    if busy == 0 {
                        return Ok(true);
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Ok(false)
            }
            Backend::Postgres => {
                let sql = format!("VACUUM {}", ERASED_TABLES.join(", "));
                self.writer
                    .execute(sqlx::AssertSqlSafe(sql))
                    .await
                    .classified()?;
                Ok(true)
            }
        }
    }

    /// Whether none of these contacts is in the committed database any more: an
    /// erasure's purge waits for this, since under `Idempotency-Key` the erasure commits
    /// only after its response is stored. Read outside any tenant (privileged).
    pub async fn contacts_gone(&self, ids: &[ContactId]) -> Result<bool> {
        for id in ids {
            let found = sqlx::query("SELECT 1 AS one FROM contacts WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.reader)
                .await
                .classified()?;
            if found.is_some() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.reader).await.is_ok()
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// The tables `contacts::erase` deletes from or rewrites.
const ERASED_TABLES: [&str; 11] = [
    "contacts",
    "contact_tags",
    "events",
    "messages",
    "files",
    "conversations",
    "idempotency_keys",
    "webhook_deliveries",
    "webhook_attempts",
    "tasks",
    "task_turns",
];

fn migration(version: i64, description: &'static str, sql: &'static str) -> Migration {
    Migration::new(
        version,
        Cow::Borrowed(description),
        MigrationType::Simple,
        sql.into_sql_str(),
        false,
    )
}
