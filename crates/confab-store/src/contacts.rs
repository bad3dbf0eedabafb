//! Contacts and their tags.

use confab_core::object::ObjectName;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{Arg, Columns, Sql, fetch_page, like_pattern, lock_by_id};
use crate::{Backend, Locked, TenantTx};
use confab_core::Timestamp;
use confab_core::contact::Contact;
use confab_core::id::{AgentId, ContactId};
use confab_core::page::{Page, PageRequest};

const COLUMNS: &str = "id, livemode, name, email, phone, external_id, tags, attributes, blocked, agent_id, created_at, updated_at";

fn decode(row: &AnyRow) -> Result<Contact> {
    let tags: String = row.try_get("tags").classified()?;
    let attributes: String = row.try_get("attributes").classified()?;
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
    Ok(Contact {
        id: ContactId::from_trusted(row.try_get("id").classified()?),
        object: ObjectName::new(),
        name: row.try_get("name").classified()?,
        email: row.try_get("email").classified()?,
        phone: row.try_get("phone").classified()?,
        external_id: row.try_get("external_id").classified()?,
        tags: serde_json::from_str(&tags).map_err(corrupt)?,
        attributes: serde_json::from_str(&attributes).map_err(corrupt)?,
        blocked: row.try_get::<i64, _>("blocked").classified()? != 0,
        agent_id: row
            .try_get::<Option<String>, _>("agent_id")
            .classified()?
            .map(AgentId::from_trusted),
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
    })
}

fn email_lower(contact: &Contact) -> Option<String> {
    contact.email.as_ref().map(|e| e.to_lowercase())
}

/// The written columns: a contact's id and creation are fixed, the rest moves.
const WRITTEN: Columns<Contact> = Columns {
    table: "contacts",
    fixed: &[
        ("id", |c| Arg::Text(c.id.to_string())),
        ("created_at", |c| Arg::Int(c.created_at.millis())),
    ],
    mutable: &[
        ("name", |c| Arg::OptText(c.name.clone())),
        ("email", |c| Arg::OptText(c.email.clone())),
        ("email_lower", |c| Arg::OptText(email_lower(c))),
        ("phone", |c| Arg::OptText(c.phone.clone())),
        ("external_id", |c| Arg::OptText(c.external_id.clone())),
        ("tags", |c| {
            Arg::Text(serde_json::to_string(&c.tags).unwrap_or_else(|_| "[]".into()))
        }),
        ("attributes", |c| Arg::Text(c.attributes.to_string())),
        ("blocked", |c| Arg::Int(c.blocked as i64)),
        ("agent_id", |c| {
            Arg::OptText(c.agent_id.as_ref().map(|a| a.to_string()))
        }),
        ("updated_at", |c| Arg::Int(c.updated_at.millis())),
    ],
};

pub async fn insert(tx: &mut TenantTx, c: &Contact) -> Result<()> {
    WRITTEN.insert(tx, c).await?;
    write_tags(tx, &c.id, &c.tags).await
}

/// Rewrites every mutable field of a contact this transaction holds locked.
pub async fn update(tx: &mut TenantTx, c: &Locked<Contact>) -> Result<()> {
    WRITTEN.update(tx, c.id.as_str(), c).await?;
    write_tags(tx, &c.id, &c.tags).await
}

async fn write_tags(tx: &mut TenantTx, id: &ContactId, tags: &[String]) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "DELETE FROM contact_tags WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3",
    )
    .bind(ws.clone())
    .bind(live)
    .bind(id.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    for tag in tags {
        sqlx::query(
            "INSERT INTO contact_tags (workspace_id, livemode, contact_id, tag) VALUES ($1, $2, $3, $4)",
        )
        .bind(ws.clone())
        .bind(live)
        .bind(id.as_str())
        .bind(tag.to_lowercase())
        .execute(tx.conn())
        .await
        .classified()?;
    }
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &ContactId) -> Result<Option<Contact>> {
    find_by(tx, "id", id.to_string()).await
}

/// [`get`] under a row lock, for a read that the transaction will write back.
pub async fn get_for_update(tx: &mut TenantTx, id: &ContactId) -> Result<Option<Locked<Contact>>> {
    let sql = format!("SELECT {COLUMNS} FROM contacts");
    lock_by_id(tx, &sql, "", id, decode).await
}

pub async fn find_by_email(tx: &mut TenantTx, email: &str) -> Result<Option<Contact>> {
    find_by(tx, "email_lower", email.to_lowercase()).await
}

pub async fn find_by_external_id(tx: &mut TenantTx, external_id: &str) -> Result<Option<Contact>> {
    find_by(tx, "external_id", external_id.to_owned()).await
}

async fn find_by(
    tx: &mut TenantTx,
    column: &'static str,
    value: String,
) -> Result<Option<Contact>> {
    let (ws, live) = tx.scope();
    let sql = format!(
        "SELECT {COLUMNS} FROM contacts WHERE workspace_id = $1 AND livemode = $2 AND {column} = $3"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .bind(value)
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    row.as_ref().map(decode).transpose()
}

/// List filters; every one is optional.
#[derive(Clone, Debug, Default)]
pub struct ContactFilter {
    /// Case-insensitive substring of name, email or phone.
    pub search: Option<String>,
    /// Has this tag (case-insensitive).
    pub tag: Option<String>,
    /// Each attribute (a name of letters, digits and underscores) equals its value,
    /// ignoring case: `[("city", "London")]`.
    pub attributes: Vec<(String, String)>,
}

pub async fn list(
    tx: &mut TenantTx,
    filter: &ContactFilter,
    page: &PageRequest,
) -> Result<Page<Contact>> {
    let (ws, live) = tx.scope();
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM contacts WHERE workspace_id = "
    ));
    sql.bind(Arg::Text(ws.clone()))
        .push(" AND livemode = ")
        .bind(Arg::Int(live));
    if let Some(search) = &filter.search {
        let pattern = like_pattern(search);
        sql.push(" AND (lower(coalesce(name, '')) LIKE ")
            .bind(Arg::Text(pattern.clone()))
            .push(" ESCAPE '\\' OR coalesce(email_lower, '') LIKE ")
            .bind(Arg::Text(pattern.clone()))
            .push(" ESCAPE '\\' OR coalesce(phone, '') LIKE ")
            .bind(Arg::Text(pattern))
            .push(" ESCAPE '\\')");
    }
    if let Some(tag) = &filter.tag {
        sql.push(" AND id IN (SELECT contact_id FROM contact_tags WHERE workspace_id = ")
            .bind(Arg::Text(ws))
            .push(" AND livemode = ")
            .bind(Arg::Int(live))
            .push(" AND tag = ")
            .bind(Arg::Text(tag.to_lowercase()))
            .push(")");
    }
    for (name, value) in &filter.attributes {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Config(format!("attribute name {name:?}")));
        }
        // The attributes are JSON text; each engine reads one member its own way.
        let member = match tx.backend() {
            Backend::Sqlite => format!("json_extract(attributes, '$.{name}')"),
            Backend::Postgres => format!("(CAST(attributes AS jsonb) ->> '{name}')"),
        };
        sql.push(&format!(" AND lower(CAST({member} AS TEXT)) = "))
            .bind(Arg::Text(value.to_lowercase()));
    }
    sql.newest_first("", page);
    fetch_page(sql, tx, page, decode, |c| {
        (c.created_at.millis(), c.id.to_string())
    })
    .await
}

/// Deletes the contact row and its tags (erasure of related data is the caller's
/// business: events, stored responses, and later conversations).
pub async fn delete(tx: &mut TenantTx, id: &ContactId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "DELETE FROM contact_tags WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3",
    )
    .bind(ws.clone())
    .bind(live)
    .bind(id.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    sqlx::query("DELETE FROM contacts WHERE workspace_id = $1 AND livemode = $2 AND id = $3")
        .bind(ws)
        .bind(live)
        .bind(id.as_str())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}
