//! Tickets and their replies.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Columns, Sql, fetch_by_id, fetch_page, lock_by_id, ts};
use crate::{Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::id::{ContactId, ConversationId, DepartmentId, MemberId, TicketId, TicketReplyId};
use confab_core::object::ObjectName;
use confab_core::page::{Page, PageRequest};
use confab_core::ticket::{Priority, ReplyAuthor, Ticket, TicketReply, TicketStatus};

const SELECT: &str = "SELECT id, livemode, reference, subject, description, contact_id, conversation_id, \
    department_id, priority, status, assignee_id, reply_count, solved_at, closed_at, created_at, updated_at \
    FROM tickets";

fn opt<T>(row: &AnyRow, col: &str, make: fn(String) -> T) -> Result<Option<T>> {
    Ok(row
        .try_get::<Option<String>, _>(col)
        .classified()?
        .map(make))
}

fn decode(row: &AnyRow) -> Result<Ticket> {
    let priority: String = row.try_get("priority").classified()?;
    let status: String = row.try_get("status").classified()?;
    Ok(Ticket {
        id: TicketId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        reference: row.try_get("reference").classified()?,
        subject: row.try_get("subject").classified()?,
        description: row.try_get("description").classified()?,
        contact_id: opt(row, "contact_id", ContactId::from_trusted)?,
        conversation_id: opt(row, "conversation_id", ConversationId::from_trusted)?,
        department_id: opt(row, "department_id", DepartmentId::from_trusted)?,
        priority: Priority::parse(&priority)
            .ok_or_else(|| StoreError::Corrupt(format!("priority {priority}")))?,
        status: TicketStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("ticket status {status}")))?,
        assignee_id: opt(row, "assignee_id", MemberId::from_trusted)?,
        reply_count: row.try_get("reply_count").classified()?,
        solved_at: ts(row, "solved_at")?,
        closed_at: ts(row, "closed_at")?,
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
    })
}

fn text<T: ToString>(v: &Option<T>) -> Arg {
    Arg::OptText(v.as_ref().map(ToString::to_string))
}

const COLUMNS: Columns<Ticket> = Columns {
    table: "tickets",
    fixed: &[
        ("id", |t| Arg::Text(t.id.to_string())),
        ("reference", |t| Arg::Text(t.reference.clone())),
        ("created_at", |t| Arg::Int(t.created_at.millis())),
    ],
    mutable: &[
        ("subject", |t| Arg::Text(t.subject.clone())),
        ("description", |t| Arg::OptText(t.description.clone())),
        ("contact_id", |t| text(&t.contact_id)),
        ("conversation_id", |t| text(&t.conversation_id)),
        ("department_id", |t| text(&t.department_id)),
        ("priority", |t| Arg::Text(t.priority.as_str().to_owned())),
        ("status", |t| Arg::Text(t.status.as_str().to_owned())),
        ("assignee_id", |t| text(&t.assignee_id)),
        ("reply_count", |t| Arg::Int(t.reply_count)),
        ("solved_at", |t| {
            Arg::OptInt(t.solved_at.map(Timestamp::millis))
        }),
        ("closed_at", |t| {
            Arg::OptInt(t.closed_at.map(Timestamp::millis))
        }),
        ("updated_at", |t| Arg::Int(t.updated_at.millis())),
    ],
};

pub async fn insert(tx: &mut TenantTx, t: &Ticket) -> Result<()> {
    COLUMNS.insert(tx, t).await
}

pub async fn update(tx: &mut TenantTx, t: &Locked<Ticket>) -> Result<()> {
    COLUMNS.update(tx, t.id.as_str(), t).await?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &TicketId) -> Result<Option<Ticket>> {
    fetch_by_id(tx, SELECT, "", id, decode).await
}

pub async fn get_for_update(tx: &mut TenantTx, id: &TicketId) -> Result<Option<Locked<Ticket>>> {
    lock_by_id(tx, SELECT, "", id, decode).await
}

/// What a list of tickets is narrowed to.
#[derive(Debug, Default)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub department_id: Option<DepartmentId>,
    pub assignee_id: Option<MemberId>,
    pub contact_id: Option<ContactId>,
}

pub async fn list(tx: &mut TenantTx, f: &TicketFilter, page: &PageRequest) -> Result<Page<Ticket>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{SELECT} WHERE workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live));
    let filters = [
        ("status", f.status.map(|s| s.as_str().to_owned())),
        ("priority", f.priority.map(|p| p.as_str().to_owned())),
        (
            "department_id",
            f.department_id.as_ref().map(|d| d.to_string()),
        ),
        ("assignee_id", f.assignee_id.as_ref().map(|m| m.to_string())),
        ("contact_id", f.contact_id.as_ref().map(|c| c.to_string())),
    ];
    for (col, value) in filters {
        if let Some(v) = value {
            sql.push(&format!(" AND {col} = ")).bind(Arg::Text(v));
        }
    }
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |t| {
        (t.created_at.millis(), t.id.to_string())
    })
    .await
}

const REPLY_SELECT: &str = "SELECT id, livemode, ticket_id, author_type, author_id, body, internal, created_at \
    FROM ticket_replies";

fn decode_reply(row: &AnyRow) -> Result<TicketReply> {
    let author: String = row.try_get("author_type").classified()?;
    Ok(TicketReply {
        id: TicketReplyId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        ticket_id: TicketId::from_trusted(row.try_get("ticket_id").classified()?),
        author_type: ReplyAuthor::parse(&author)
            .ok_or_else(|| StoreError::Corrupt(format!("reply author {author}")))?,
        author_id: row.try_get("author_id").classified()?,
        body: row.try_get("body").classified()?,
        internal: row.try_get::<i64, _>("internal").classified()? != 0,
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
    })
}

const REPLY_COLUMNS: Columns<TicketReply> = Columns {
    table: "ticket_replies",
    fixed: &[
        ("id", |r| Arg::Text(r.id.to_string())),
        ("ticket_id", |r| Arg::Text(r.ticket_id.to_string())),
        ("author_type", |r| {
            Arg::Text(r.author_type.as_str().to_owned())
        }),
        ("author_id", |r| Arg::OptText(r.author_id.clone())),
        ("body", |r| Arg::Text(r.body.clone())),
        ("internal", |r| Arg::Int(i64::from(r.internal))),
        ("created_at", |r| Arg::Int(r.created_at.millis())),
    ],
    mutable: &[],
};

pub async fn insert_reply(tx: &mut TenantTx, r: &TicketReply) -> Result<()> {
    REPLY_COLUMNS.insert(tx, r).await
}

/// A ticket's replies, oldest first.
pub async fn replies(
    tx: &mut TenantTx,
    ticket: &TicketId,
    page: &PageRequest,
) -> Result<Page<TicketReply>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!("{REPLY_SELECT} WHERE workspace_id = "));
    sql.bind(Arg::Text(ws))
        .push(" AND livemode = ")
        .bind(Arg::Int(live))
        .push(" AND ticket_id = ")
        .bind(Arg::Text(ticket.to_string()));
    sql.oldest_first("", page);
    fetch_page(sql, tx, page, decode_reply, |r| {
        (r.created_at.millis(), r.id.to_string())
    })
    .await
}

/// Deletes a ticket and its replies.
pub async fn delete(tx: &mut TenantTx, id: &TicketId) -> Result<()> {
    let (ws, live) = tx.scope();
    for table in ["ticket_replies WHERE ticket_id", "tickets WHERE id"] {
        let sql = format!("DELETE FROM {table} = $3 AND workspace_id = $1 AND livemode = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ws.clone())
            .bind(live)
            .bind(id.as_str())
            .execute(tx.conn())
            .await
            .classified()?;
    }
    Ok(())
}
