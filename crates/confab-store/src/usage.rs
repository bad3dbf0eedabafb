//! What a workspace used in one mode since an instant (the account's month to date).

use sqlx::Row;

use crate::TenantTx;
use crate::error::{Classify, Result};
use confab_core::Timestamp;

/// Counts since an instant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub conversations: i64,
    pub messages: i64,
    pub ai_replies: i64,
    pub ai_input_tokens: i64,
    pub ai_output_tokens: i64,
    pub tasks: i64,
    pub tickets: i64,
    pub bookings: i64,
}

async fn scalar(tx: &mut TenantTx, sql: &str, since: Timestamp) -> Result<i64> {
    let (ws, live) = tx.scope();
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(ws)
        .bind(live)
        .bind(since.millis())
        .fetch_one(tx.conn())
        .await
        .classified()?;
    Ok(row
        .try_get::<Option<i64>, _>("n")
        .classified()?
        .unwrap_or(0))
}

fn count(table: &str) -> String {
    format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE workspace_id = $1 AND livemode = $2 AND created_at >= $3"
    )
}

fn total(column: &str) -> String {
    format!(
        "SELECT CAST(SUM({column}) AS BIGINT) AS n FROM ai_replies \
         WHERE workspace_id = $1 AND livemode = $2 AND created_at >= $3"
    )
}

pub async fn since(tx: &mut TenantTx, since: Timestamp) -> Result<Usage> {
    Ok(Usage {
        conversations: scalar(tx, &count("conversations"), since).await?,
        messages: scalar(tx, &count("messages"), since).await?,
        ai_replies: scalar(tx, &count("ai_replies"), since).await?,
        ai_input_tokens: scalar(tx, &total("input_tokens"), since).await?,
        ai_output_tokens: scalar(tx, &total("output_tokens"), since).await?,
        tasks: scalar(tx, &count("tasks"), since).await?,
        tickets: scalar(tx, &count("tickets"), since).await?,
        bookings: scalar(tx, &count("bookings"), since).await?,
    })
}
