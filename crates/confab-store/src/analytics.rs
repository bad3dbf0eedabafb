//! Raw figures for analytics: counts of conversations and messages in a time range,
//! computed with aggregate queries on both backends. Rates, rounding and the choice
//! of the range live in `confab-app`.
//!
//! What is counted (the contract; `confab_app::analytics` documents the fields):
//! - **chats**: conversations of the tenant with `from <= created_at < to` (and the
//!   channel, when given);
//! - **messages**: messages with `from <= created_at < to` whose conversation is the
//!   tenant's (and in the channel, when given; the conversation itself may be older),
//!   with role `customer`, `ai` or `agent` (notes and system messages are not counted).

use sqlx::Row;

use crate::TenantTx;
use crate::error::{Classify, Result};
use crate::sql::{Arg, Sql};
use confab_core::conversation::Channel;

/// How the range is cut into chart buckets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Buckets {
    /// `count` buckets of `width_ms` each, the first starting at `from`.
    Uniform { width_ms: i64, count: usize },
    /// Buckets starting at these instants (ascending, the first equal to `from`); each
    /// ends where the next starts, the last at `to`.
    Starts(Vec<i64>),
}

impl Buckets {
    fn len(&self) -> usize {
        match self {
            Buckets::Uniform { count, .. } => *count,
            Buckets::Starts(starts) => starts.len(),
        }
    }
}

/// What to count: the range `from <= created_at < to` (epoch ms), an optional channel,
/// and the chart buckets.
#[derive(Clone, Debug)]
pub struct Query {
    pub from: i64,
    pub to: i64,
    pub channel: Option<Channel>,
    pub buckets: Buckets,
}

/// One chart bucket's counts (chats by conversation `created_at`, messages as counted
/// in [`Figures`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BucketCounts {
    pub chats: i64,
    pub messages: i64,
}

/// Raw counts; see the module documentation for what is counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Chats in the range.
    pub total_chats: i64,
    /// Chats with at least one `customer` message and at least one `ai` or `agent`
    /// message (at any time).
    pub engaged_chats: i64,
    /// Chats with status `open`.
    pub active_chats: i64,
    /// Chats with status `resolved`.
    pub completed_chats: i64,
    /// Distinct `coalesce(contact_id, id)` among the chats.
    pub unique_visitors: i64,
    /// Chats with `human_requested_at` set.
    pub handoff_chats: i64,
    /// Resolved chats with neither `human_requested_at` nor `human_took_over_at` set.
    pub ai_resolved_chats: i64,
    /// Chats with `first_response_at` set.
    pub responded_chats: i64,
    /// The middle value (odd count) or the two middle values (even count) of
    /// `first_response_at - created_at` over the responded chats, ascending; empty
    /// when there are none.
    pub first_response_middle: Vec<i64>,
    /// Messages with role `customer`.
    pub visitor_messages: i64,
    /// Messages with role `ai`.
    pub bot_messages: i64,
    /// Messages with role `agent`.
    pub agent_messages: i64,
    /// One entry per bucket, oldest first (empty buckets included).
    pub chart: Vec<BucketCounts>,
}

/// `count(*)` of rows matching `condition`, as a BIGINT on both backends (a plain
/// `SUM` over bigint is `numeric` on PostgreSQL and NULL over no rows).
fn count_if(condition: &str, alias: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {alias}")
}

/// Starts a query over the range's chats: `FROM conversations v WHERE …`.
fn chats_where(sql: &mut Sql, tx: &TenantTx, q: &Query) {
    let (ws, live) = tx.scope();
    sql.push(" FROM conversations v WHERE v.workspace_id = ")
        .bind(Arg::Text(ws))
        .push(" AND v.livemode = ")
        .bind(Arg::Int(live))
        .push(" AND v.created_at >= ")
        .bind(Arg::Int(q.from))
        .push(" AND v.created_at < ")
        .bind(Arg::Int(q.to));
    if let Some(c) = q.channel {
        sql.push(" AND v.channel = ")
            .bind(Arg::Text(c.as_str().into()));
    }
}

/// Starts a query over the range's counted messages: `FROM messages m JOIN … WHERE …`.
fn messages_where(sql: &mut Sql, tx: &TenantTx, q: &Query) {
    let (ws, live) = tx.scope();
    sql.push(
        " FROM messages m JOIN conversations v ON v.id = m.conversation_id \
         AND v.workspace_id = m.workspace_id AND v.livemode = m.livemode \
         WHERE m.workspace_id = ",
    )
    .bind(Arg::Text(ws))
    .push(" AND m.livemode = ")
    .bind(Arg::Int(live))
    .push(" AND m.created_at >= ")
    .bind(Arg::Int(q.from))
    .push(" AND m.created_at < ")
    .bind(Arg::Int(q.to))
    .push(" AND m.role IN ('customer', 'ai', 'agent')");
    if let Some(c) = q.channel {
        sql.push(" AND v.channel = ")
            .bind(Arg::Text(c.as_str().into()));
    }
}

/// The bucket index of `column` (a `created_at`), as a BIGINT expression.
fn bucket_expr(sql: &mut Sql, column: &str, q: &Query) {
    match &q.buckets {
        Buckets::Uniform { width_ms, .. } => {
            // Rows are at or after `from`, so integer division is the floor.
            sql.push(&format!("CAST(({column} - "))
                .bind(Arg::Int(q.from))
                .push(") / ")
                .bind(Arg::Int((*width_ms).max(1)))
                .push(" AS BIGINT)");
        }
        Buckets::Starts(starts) => {
            sql.push("CAST(CASE");
            for (i, next) in starts.iter().enumerate().skip(1) {
                sql.push(&format!(" WHEN {column} < "))
                    .bind(Arg::Int(*next))
                    .push(&format!(" THEN {}", i - 1));
            }
            sql.push(&format!(
                " ELSE {} END AS BIGINT)",
                starts.len().saturating_sub(1)
            ));
        }
    }
}

/// Counts per bucket index from rows of `(b, n)`.
fn fill(rows: &[sqlx::any::AnyRow], len: usize, mut set: impl FnMut(usize, i64)) -> Result<()> {
    for row in rows {
        let b: i64 = row.try_get("b").classified()?;
        let n: i64 = row.try_get("n").classified()?;
        if let Ok(i) = usize::try_from(b)
            && i < len
        {
            set(i, n);
        }
    }
    Ok(())
}

/// Every figure for the range, in a handful of aggregate queries.
pub async fn figures(tx: &mut TenantTx, q: &Query) -> Result<Figures> {
    let mut f = Figures::default();

    // The chats.
    let mut sql = Sql::new(&format!(
        "SELECT COUNT(*) AS total, {}, {}, {}, {}, {}, {}, \
         COUNT(DISTINCT COALESCE(v.contact_id, v.id)) AS visitors",
        count_if(
            "EXISTS (SELECT 1 FROM messages e WHERE e.workspace_id = v.workspace_id \
             AND e.livemode = v.livemode AND e.conversation_id = v.id AND e.role = 'customer') \
             AND EXISTS (SELECT 1 FROM messages e WHERE e.workspace_id = v.workspace_id \
             AND e.livemode = v.livemode AND e.conversation_id = v.id AND e.role IN ('ai', 'agent'))",
            "engaged"
        ),
        count_if("v.status = 'open'", "active"),
        count_if("v.status = 'resolved'", "completed"),
        count_if("v.human_requested_at IS NOT NULL", "handoff"),
        count_if(
            "v.status = 'resolved' AND v.human_requested_at IS NULL AND v.human_took_over_at IS NULL",
            "ai_resolved"
        ),
        count_if("v.first_response_at IS NOT NULL", "responded"),
    ));
    chats_where(&mut sql, tx, q);
    let row = sql.build().fetch_one(tx.conn()).await.classified()?;
    f.total_chats = row.try_get("total").classified()?;
    f.engaged_chats = row.try_get("engaged").classified()?;
    f.active_chats = row.try_get("active").classified()?;
    f.completed_chats = row.try_get("completed").classified()?;
    f.handoff_chats = row.try_get("handoff").classified()?;
    f.ai_resolved_chats = row.try_get("ai_resolved").classified()?;
    f.responded_chats = row.try_get("responded").classified()?;
    f.unique_visitors = row.try_get("visitors").classified()?;

    // The median's middle value(s), without reading every row.
    if f.responded_chats > 0 {
        let n = f.responded_chats;
        let mut sql = Sql::new("SELECT CAST(v.first_response_at - v.created_at AS BIGINT) AS d");
        chats_where(&mut sql, tx, q);
        sql.push(" AND v.first_response_at IS NOT NULL ORDER BY d LIMIT ")
            .bind(Arg::Int(if n % 2 == 0 { 2 } else { 1 }))
            .push(" OFFSET ")
            .bind(Arg::Int((n - 1) / 2));
        let rows = sql.build().fetch_all(tx.conn()).await.classified()?;
        f.first_response_middle = rows
            .iter()
            .map(|r| r.try_get::<i64, _>("d").classified())
            .collect::<Result<_>>()?;
    }

    // The messages.
    let mut sql = Sql::new(&format!(
        "SELECT {}, {}, {}",
        count_if("m.role = 'customer'", "visitor"),
        count_if("m.role = 'ai'", "bot"),
        count_if("m.role = 'agent'", "agent"),
    ));
    messages_where(&mut sql, tx, q);
    let row = sql.build().fetch_one(tx.conn()).await.classified()?;
    f.visitor_messages = row.try_get("visitor").classified()?;
    f.bot_messages = row.try_get("bot").classified()?;
    f.agent_messages = row.try_get("agent").classified()?;

    // The chart.
    let len = q.buckets.len();
    f.chart = vec![BucketCounts::default(); len];
    if len > 0 {
        let mut sql = Sql::new("SELECT b, COUNT(*) AS n FROM (SELECT ");
        bucket_expr(&mut sql, "v.created_at", q);
        sql.push(" AS b");
        chats_where(&mut sql, tx, q);
        sql.push(") t GROUP BY b");
        let rows = sql.build().fetch_all(tx.conn()).await.classified()?;
        fill(&rows, len, |i, n| f.chart[i].chats = n)?;

        let mut sql = Sql::new("SELECT b, COUNT(*) AS n FROM (SELECT ");
        bucket_expr(&mut sql, "m.created_at", q);
        sql.push(" AS b");
        messages_where(&mut sql, tx, q);
        sql.push(") t GROUP BY b");
        let rows = sql.build().fetch_all(tx.conn()).await.classified()?;
        fill(&rows, len, |i, n| f.chart[i].messages = n)?;
    }
    Ok(f)
}
