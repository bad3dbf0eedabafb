//! Conversations, read with their contact.

use confab_core::object::ObjectName;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Columns, Sql, fetch_by_id, fetch_page, json, like_pattern, lock_by_id, ts};
use crate::{Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::conversation::{
    Channel, ContactSummary, Conversation, HandledBy, Resolution, Sentiment, Status, Visitor,
};
use confab_core::id::{AgentId, ContactId, ConversationId, MemberId};
use confab_core::page::{Page, PageRequest};

const SELECT: &str = "SELECT v.id, v.livemode, v.channel, v.status, v.handled_by, v.contact_id, v.agent_id, v.assignee_id, \
    v.lang, v.sentiment, v.intent, v.visitor, v.human_requested_at, v.human_took_over_at, v.resolved_at, v.resolution, v.ticket_id, \
    v.message_count, v.last_activity_at, v.first_response_at, v.metadata, v.created_at, v.updated_at, \
    v.negative_streak, v.low_confidence_streak, \
    c.name AS contact_name, c.email AS contact_email, c.phone AS contact_phone \
    FROM conversations v LEFT JOIN contacts c ON c.id = v.contact_id AND c.workspace_id = v.workspace_id";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn decode(row: &AnyRow) -> Result<Conversation> {
    let channel: String = row.try_get("channel").classified()?;
    let status: String = row.try_get("status").classified()?;
    let handled_by: String = row.try_get("handled_by").classified()?;
    let sentiment: Option<String> = row.try_get("sentiment").classified()?;
    let contact_id: Option<String> = row.try_get("contact_id").classified()?;
    let metadata: String = row.try_get("metadata").classified()?;
    let contact = contact_id.map(|id| -> Result<ContactSummary> {
        Ok(ContactSummary {
            id: ContactId::from_trusted(id),
            name: row.try_get("contact_name").classified()?,
            email: row.try_get("contact_email").classified()?,
            phone: row.try_get("contact_phone").classified()?,
        })
    });
    Ok(Conversation {
        id: ConversationId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        handled_by: HandledBy::parse(&handled_by)
            .ok_or_else(|| corrupt("handled_by", &handled_by))?,
        contact: contact.transpose()?,
        agent_id: row
            .try_get::<Option<String>, _>("agent_id")
            .classified()?
            .map(AgentId::from_trusted),
        assignee_id: row
            .try_get::<Option<String>, _>("assignee_id")
            .classified()?
            .map(MemberId::from_trusted),
        lang: row.try_get("lang").classified()?,
        sentiment: sentiment
            .map(|s| Sentiment::parse(&s).ok_or_else(|| corrupt("sentiment", &s)))
            .transpose()?,
        intent: row.try_get("intent").classified()?,
        visitor: json::<Visitor>(row.try_get("visitor").classified()?)?,
        human_requested_at: ts(row, "human_requested_at")?,
        human_took_over_at: ts(row, "human_took_over_at")?,
        resolved_at: ts(row, "resolved_at")?,
        resolution: json::<Resolution>(row.try_get("resolution").classified()?)?,
        ticket_id: row
            .try_get::<Option<String>, _>("ticket_id")
            .classified()?
            .map(confab_core::id::TicketId::from_trusted),
        message_count: row.try_get("message_count").classified()?,
        last_activity_at: Timestamp::from_millis(row.try_get("last_activity_at").classified()?),
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        metadata: serde_json::from_str(&metadata)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        messages: None,
        first_response_at: ts(row, "first_response_at")?,
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
        negative_streak: row.try_get("negative_streak").classified()?,
        low_confidence_streak: row.try_get("low_confidence_streak").classified()?,
    })
}

fn opt_json<T: serde::Serialize>(v: &Option<T>) -> Option<String> {
    v.as_ref()
        .map(|v| serde_json::to_string(v).unwrap_or_else(|_| "null".into()))
}

/// The written columns: a conversation's channel and creation are fixed, the rest moves.
const COLUMNS: Columns<Conversation> = Columns {
    table: "conversations",
    fixed: &[
        ("id", |c| Arg::Text(c.id.to_string())),
        ("channel", |c| Arg::Text(c.channel.as_str().into())),
        ("visitor", |c| Arg::OptText(opt_json(&c.visitor))),
        ("created_at", |c| Arg::Int(c.created_at.millis())),
    ],
    mutable: &[
        ("status", |c| Arg::Text(c.status.as_str().into())),
        ("handled_by", |c| Arg::Text(c.handled_by.as_str().into())),
        ("contact_id", |c| {
            Arg::OptText(c.contact.as_ref().map(|x| x.id.to_string()))
        }),
        ("agent_id", |c| {
            Arg::OptText(c.agent_id.as_ref().map(|x| x.to_string()))
        }),
        ("assignee_id", |c| {
            Arg::OptText(c.assignee_id.as_ref().map(|x| x.to_string()))
        }),
        ("lang", |c| Arg::OptText(c.lang.clone())),
        ("sentiment", |c| {
            Arg::OptText(c.sentiment.map(|s| s.as_str().to_owned()))
        }),
        ("intent", |c| Arg::OptText(c.intent.clone())),
        ("human_requested_at", |c| {
            Arg::OptInt(c.human_requested_at.map(Timestamp::millis))
        }),
        ("human_took_over_at", |c| {
            Arg::OptInt(c.human_took_over_at.map(Timestamp::millis))
        }),
        ("resolved_at", |c| {
            Arg::OptInt(c.resolved_at.map(Timestamp::millis))
        }),
        ("resolution", |c| Arg::OptText(opt_json(&c.resolution))),
        ("message_count", |c| Arg::Int(c.message_count)),
        ("last_activity_at", |c| {
            Arg::Int(c.last_activity_at.millis())
        }),
        ("first_response_at", |c| {
            Arg::OptInt(c.first_response_at.map(Timestamp::millis))
        }),
        ("metadata", |c| Arg::Text(c.metadata.to_string())),
        ("ticket_id", |c| {
            Arg::OptText(c.ticket_id.as_ref().map(|t| t.to_string()))
        }),
        ("updated_at", |c| Arg::Int(c.updated_at.millis())),
        ("negative_streak", |c| Arg::Int(c.negative_streak)),
        ("low_confidence_streak", |c| {
            Arg::Int(c.low_confidence_streak)
        }),
    ],
};

/// Writes a new conversation; the row is this transaction's (invisible to others until
/// it commits), so it comes back as locked.
pub async fn insert(tx: &mut TenantTx, c: Conversation) -> Result<Locked<Conversation>> {
    COLUMNS.insert(tx, &c).await?;
    Ok(Locked::new(c))
}

/// Writes every mutable field of a row this transaction holds locked, so nothing a
/// concurrent writer committed is overwritten: the lock made it wait, and the row was
/// read after its commit.
pub async fn update(tx: &mut TenantTx, c: &Locked<Conversation>) -> Result<()> {
    COLUMNS.update(tx, c.id.as_str(), c).await?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &ConversationId) -> Result<Option<Conversation>> {
    fetch_by_id(tx, SELECT, "v.", id, decode).await
}

/// [`get`] under a row lock, for a read that the transaction will write back.
pub async fn get_for_update(
    tx: &mut TenantTx,
    id: &ConversationId,
) -> Result<Option<Locked<Conversation>>> {
    lock_by_id(tx, SELECT, "v.", id, decode).await
}

#[derive(Clone, Debug, Default)]
pub struct ConversationFilter {
    pub status: Option<Status>,
    pub handled_by: Option<HandledBy>,
    pub channel: Option<Channel>,
    pub contact_id: Option<String>,
    pub assignee_id: Option<String>,
    /// Case-insensitive match on the contact's name, email or phone.
    pub search: Option<String>,
}

pub async fn list(
    tx: &mut TenantTx,
    f: &ConversationFilter,
    page: &PageRequest,
) -> Result<Page<Conversation>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE v.workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND v.livemode = ")
        .bind(Arg::Int(live));
    if let Some(s) = f.status {
        sql.push(" AND v.status = ")
            .bind(Arg::Text(s.as_str().into()));
    }
    if let Some(h) = f.handled_by {
        sql.push(" AND v.handled_by = ")
            .bind(Arg::Text(h.as_str().into()));
    }
    if let Some(c) = f.channel {
        sql.push(" AND v.channel = ")
            .bind(Arg::Text(c.as_str().into()));
    }
    if let Some(c) = &f.contact_id {
        sql.push(" AND v.contact_id = ").bind(Arg::Text(c.clone()));
    }
    if let Some(a) = &f.assignee_id {
        sql.push(" AND v.assignee_id = ").bind(Arg::Text(a.clone()));
    }
    if let Some(search) = &f.search {
        let p = like_pattern(search);
        sql.push(" AND (lower(coalesce(c.name, '')) LIKE ")
            .bind(Arg::Text(p.clone()))
            .push(" ESCAPE '\\' OR coalesce(c.email_lower, '') LIKE ")
            .bind(Arg::Text(p.clone()))
            .push(" ESCAPE '\\' OR coalesce(c.phone, '') LIKE ")
            .bind(Arg::Text(p))
            .push(" ESCAPE '\\')");
    }
    sql.newest_first("v.", page);
    fetch_page(sql, tx, page, decode, |c| {
        (c.created_at.millis(), c.id.to_string())
    })
    .await
}

/// Names a conversation by the hash of a widget visitor's token. A token already used in
/// this workspace and mode fails the unique index `conversations_visitor_token`.
pub async fn set_visitor_token(
    tx: &mut TenantTx,
    id: &ConversationId,
    token_hash: &str,
) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE conversations SET visitor_token_hash = $4 WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(id.as_str())
    .bind(token_hash)
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// The conversation a widget visitor's token (by its hash) names.
pub async fn find_by_visitor_token(
    tx: &mut TenantTx,
    token_hash: &str,
) -> Result<Option<Conversation>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE v.workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND v.livemode = ")
        .bind(Arg::Int(live))
        .push(" AND v.visitor_token_hash = ")
        .bind(Arg::Text(token_hash.to_owned()));
    let row = sql.build().fetch_optional(tx.conn()).await.classified()?;
    row.as_ref().map(decode).transpose()
}

/// Conversation ids with a contact (erasure), locked in id order: conversations are
/// locked before contacts everywhere (a message locks its conversation and then may
/// lock the contact), so erasure takes them first too.
pub async fn ids_for_contact(
    tx: &mut TenantTx,
    contact: &ContactId,
) -> Result<Vec<ConversationId>> {
    let (ws, live) = tx.scope();
    let lock = crate::sql::for_update(tx.backend(), "");
    let sql = format!(
        "SELECT id FROM conversations WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3 ORDER BY id{lock}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .bind(contact.as_str())
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter()
        .map(|r| Ok(ConversationId::from_trusted(r.try_get("id").classified()?)))
        .collect()
}

/// Erasure: the conversation's visitor details and metadata go.
pub async fn scrub_for_contact(tx: &mut TenantTx, contact: &ContactId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE conversations SET visitor = NULL, metadata = '{}', resolution = NULL \
         WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(contact.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}
