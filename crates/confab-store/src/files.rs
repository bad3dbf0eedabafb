//! Uploaded files' metadata (the bytes live in the file store, keyed by `storage_key`).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::TenantTx;
use crate::error::{Classify, Result};
use crate::sql::fetch_by_id;
use confab_core::Timestamp;
use confab_core::id::{ContactId, ConversationId, FileId};

#[derive(Clone, Debug)]
pub struct FileRow {
    pub id: FileId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
    pub conversation_id: Option<ConversationId>,
    pub created_at: Timestamp,
    pub livemode: bool,
}

const COLUMNS: &str =
    "id, livemode, filename, content_type, size, sha256, storage_key, conversation_id, created_at";

fn decode(row: &AnyRow) -> Result<FileRow> {
    Ok(FileRow {
        id: FileId::from_trusted(row.try_get("id").classified()?),
        filename: row.try_get("filename").classified()?,
        content_type: row.try_get("content_type").classified()?,
        size: row.try_get("size").classified()?,
        sha256: row.try_get("sha256").classified()?,
        storage_key: row.try_get("storage_key").classified()?,
        conversation_id: row
            .try_get::<Option<String>, _>("conversation_id")
            .classified()?
            .map(ConversationId::from_trusted),
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
    })
}

pub async fn insert(tx: &mut TenantTx, f: &FileRow) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO files (id, workspace_id, livemode, filename, content_type, size, sha256, storage_key, conversation_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(f.id.as_str())
    .bind(ws)
    .bind(live)
    .bind(f.filename.clone())
    .bind(f.content_type.clone())
    .bind(f.size)
    .bind(f.sha256.clone())
    .bind(f.storage_key.clone())
    .bind(f.conversation_id.as_ref().map(|c| c.to_string()))
    .bind(f.created_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &FileId) -> Result<Option<FileRow>> {
    let select = format!("SELECT {COLUMNS} FROM files");
    fetch_by_id(tx, &select, "", id, decode).await
}

/// Records that a file was attached in a conversation.
pub async fn link(tx: &mut TenantTx, id: &FileId, conversation: &ConversationId) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE files SET conversation_id = coalesce(conversation_id, $4) WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(id.as_str())
    .bind(conversation.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Erasure: removes the rows of files attached in the contact's conversations and
/// returns their storage keys so the bytes can be deleted after commit.
pub async fn delete_for_contact(tx: &mut TenantTx, contact: &ContactId) -> Result<Vec<String>> {
    let (ws, live) = tx.scope();
    let rows = sqlx::query(
        "SELECT storage_key FROM files WHERE workspace_id = $1 AND livemode = $2 AND conversation_id IN \
         (SELECT id FROM conversations WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3)",
    )
    .bind(ws.clone())
    .bind(live)
    .bind(contact.as_str())
    .fetch_all(tx.conn())
    .await
    .classified()?;
    let keys = rows
        .iter()
        .map(|r| r.try_get::<String, _>("storage_key").classified())
        .collect::<Result<Vec<_>>>()?;
    sqlx::query(
        "DELETE FROM files WHERE workspace_id = $1 AND livemode = $2 AND conversation_id IN \
         (SELECT id FROM conversations WHERE workspace_id = $1 AND livemode = $2 AND contact_id = $3)",
    )
    .bind(ws)
    .bind(live)
    .bind(contact.as_str())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(keys)
}
