//! The floor Confab is compared against: what a naive axum + sqlx service does for one
//! durable SQLite insert per request, with the same durability settings (WAL,
//! `synchronous = FULL`). Confab's overhead is whatever it costs on top of this.
//!
//! It runs in the benchmark's own process and tokio runtime (there is nothing to spawn),
//! so it shares CPU with the load generator, as Confab does on the same machine.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteSynchronous;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use tokio::task::JoinHandle;

/// A running baseline server.
pub struct Baseline {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    server: JoinHandle<()>,
    pool: SqlitePool,
    _dir: tempfile::TempDir,
}

/// The same body the messages endpoint gets, parsed the same way (serde), so the
/// comparison includes JSON decoding on both sides.
#[derive(Deserialize)]
struct Message {
    role: String,
    text: String,
}

/// The conversation travels in the query string (Confab has it in the path) so the
/// body stays byte-for-byte the same as the Confab request's.
#[derive(Deserialize)]
struct Target {
    conversation_id: String,
}

impl Baseline {
    /// Creates a fresh database and serves `POST /insert` on a free local port.
    pub async fn start() -> anyhow::Result<Baseline> {
        let dir = tempfile::tempdir().context("creating the baseline's directory")?;
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(dir.path().join("baseline.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        // What a naive service would write: a small pool shared by all writers,
        // letting SQLite's busy timeout serialise them (Confab uses one writer).
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .context("opening the baseline database")?;
        sqlx::query(
            "CREATE TABLE messages (id TEXT PRIMARY KEY, conversation_id TEXT, text TEXT, created_at INTEGER)",
        )
        .execute(&pool)
        .await?;

        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route("/insert", post(insert))
            .with_state(pool.clone());
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("baseline server stopped: {err}");
            }
        });
        Ok(Baseline {
            url: format!("http://{addr}"),
            server,
            pool,
            _dir: dir,
        })
    }

    /// Stops serving and closes the database.
    pub async fn stop(self) {
        self.server.abort();
        let _ = self.server.await;
        self.pool.close().await;
    }
}

/// Exactly one durable insert, then 201 with a small JSON body.
async fn insert(
    State(pool): State<SqlitePool>,
    Query(target): Query<Target>,
    Json(message): Json<Message>,
) -> Result<(StatusCode, Json<Value>), (StatusCode, String)> {
    // Token validation, standing in for Confab's.
    if message.role.is_empty() || message.text.is_empty() {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            "role and text are required".into(),
        ));
    }
    let id = format!("msg_{}", ulid::Ulid::new());
    let created_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    sqlx::query("INSERT INTO messages (id, conversation_id, text, created_at) VALUES (?, ?, ?, ?)")
        .bind(&id)
        .bind(&target.conversation_id)
        .bind(&message.text)
        .bind(created_at)
        .execute(&pool)
        .await
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}
