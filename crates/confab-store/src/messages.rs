//! Messages, listed oldest first.

use confab_core::object::ObjectName;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::TenantTx;
use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Sql, fetch_by_id, fetch_page};
use confab_core::Timestamp;
use confab_core::conversation::{Author, AuthorType, Message, MessageRole, Sentiment};
use confab_core::id::{ContactId, ConversationId, MessageId};
use confab_core::page::{Page, PageRequest};

const COLUMNS: &str = "id, livemode, conversation_id, role, text, author_type, author_id, author_name, attachments, \
    intent, lang, sentiment, sentiment_score, reply_to, created_at";

fn decode(row: &AnyRow) -> Result<Message> {
    let role: String = row.try_get("role").classified()?;
    let author_type: String = row.try_get("author_type").classified()?;
    let attachments: String = row.try_get("attachments").classified()?;
    let sentiment: Option<String> = row.try_get("sentiment").classified()?;
    let bad = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v:?}"));
    Ok(Message {
        id: MessageId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        conversation_id: ConversationId::from_trusted(row.try_get("conversation_id").classified()?),
        role: MessageRole::parse(&role).ok_or_else(|| bad("role", &role))?,
        text: row.try_get("text").classified()?,
        author: Author {
            author_type: AuthorType::parse(&author_type)
                .ok_or_else(|| bad("author", &author_type))?,
            id: row.try_get("author_id").classified()?,
            name: row.try_get("author_name").classified()?,
        },
        attachments: serde_json::from_str(&attachments)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        intent: row.try_get("intent").classified()?,
        lang: row.try_get("lang").classified()?,
        sentiment: sentiment
            .map(|s| Sentiment::parse(&s).ok_or_else(|| bad("sentiment", &s)))
            .transpose()?,
        sentiment_score: row.try_get("sentiment_score").classified()?,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        reply_to: row
            .try_get::<Option<String>, _>("reply_to")
            .classified()?
            .map(MessageId::from_trusted),
    })
}

pub async fn insert(tx: &mut TenantTx, m: &Message) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO messages (id, workspace_id, livemode, conversation_id, role, text, author_type, author_id, author_name, \
         attachments, intent, lang, sentiment, sentiment_score, reply_to, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CAST($14 AS DOUBLE PRECISION), $15, $16)",
    )
    .bind(m.id.as_str())
    .bind(ws)
    .bind(live)
    .bind(m.conversation_id.as_str())
    .bind(m.role.as_str())
    .bind(m.text.clone())
    .bind(m.author.author_type.as_str())
    .bind(m.author.id.clone())
    .bind(m.author.name.clone())
    .bind(serde_json::to_string(&m.attachments).unwrap_or_else(|_| "[]".into()))
    .bind(m.intent.clone())
    .bind(m.lang.clone())
    .bind(m.sentiment.map(|s| s.as_str().to_owned()))
    .bind(crate::sql::double_as_text(m.sentiment_score))
    .bind(m.reply_to.as_ref().map(|r| r.to_string()))
    .bind(m.created_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &MessageId) -> Result<Option<Message>> {
    let select = format!("SELECT {COLUMNS} FROM messages");
    fetch_by_id(tx, &select, "", id, decode).await
}

/// A conversation's messages oldest first, from `since` (inclusive) and after the cursor.
pub async fn list(
    tx: &mut TenantTx,
    conversation: &ConversationId,
    since: Option<Timestamp>,
    page: &PageRequest,
) -> Result<Page<Message>> {
    list_of_roles(tx, conversation, None, since, page).await
}

/// Like [`list`], only messages with one of `roles` (what a widget visitor may see), so
/// pages stay full.
pub async fn list_roles(
    tx: &mut TenantTx,
    conversation: &ConversationId,
    roles: &[MessageRole],
    since: Option<Timestamp>,
    page: &PageRequest,
) -> Result<Page<Message>> {
    list_of_roles(tx, conversation, Some(roles), since, page).await
}

async fn list_of_roles(
    tx: &mut TenantTx,
    conversation: &ConversationId,
    roles: Option<&[MessageRole]>,
    since: Option<Timestamp>,
    page: &PageRequest,
) -> Result<Page<Message>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM messages WHERE workspace_id = "
    ));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live))
        .push(" AND conversation_id = ")
        .bind(Arg::Text(conversation.to_string()));
    if let Some(since) = since {
        sql.push(" AND created_at >= ")
            .bind(Arg::Int(since.millis()));
    }
    if let Some(roles) = roles {
        sql.push(" AND role IN (");
        for (i, role) in roles.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Arg::Text(role.as_str().to_owned()));
        }
        sql.push(")");
    }
    sql.oldest_first("", page);
    fetch_page(sql, tx, page, decode, |m| {
        (m.created_at.millis(), m.id.to_string())
    })
    .await
}

/// The whole history of a conversation, oldest first.
pub async fn all(tx: &mut TenantTx, conversation: &ConversationId) -> Result<Vec<Message>> {
    let (ws, live) = tx.scope();
    let sql = format!(
        "SELECT {COLUMNS} FROM messages WHERE workspace_id = $1 AND livemode = $2 AND conversation_id = $3 ORDER BY created_at, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .bind(conversation.as_str())
        .fetch_all(tx.conn())
        .await
        .classified()?;
    rows.iter().map(decode).collect()
}

/// Erasure: the text and attachments of every message in the contact's conversations.
pub async fn erase_for_contact(tx: &mut TenantTx, contact: &ContactId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE messages SET text = '', author_name = NULL, attachments = '[]' WHERE workspace_id = $1 AND livemode = $2 \
         AND conversation_id IN (SELECT id FROM conversations WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3)",
    )
    .bind(ws)
    .bind(live)
    .bind(contact.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}
