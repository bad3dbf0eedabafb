//! Files: uploads stored as blobs under the configured directory, metadata in the
//! database, content types sniffed from the bytes.

use confab_core::object::ObjectName;
use std::path::{Path, PathBuf};

use serde::Serialize;

use confab_core::credential::digest_hex;
use confab_core::id::{ConversationId, FileId};
use confab_core::sniff;
use confab_core::{ErrorCode, Timestamp};
use confab_store::files::{self, FileRow};

use crate::{Access, AppError, AppResult, Ctx, Resource};

pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;
/// The largest request body an upload may send: the file and its multipart framing.
pub const MAX_UPLOAD_BODY_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

/// 413 for a file over the limit.
pub fn too_large() -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("Files may be at most {} MiB.", MAX_FILE_BYTES / 1024 / 1024),
    )
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FileObject {
    pub id: FileId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub filename: String,
    /// Sniffed from the bytes, never taken from the client.
    pub content_type: String,
    pub size: i64,
    pub conversation_id: Option<ConversationId>,
    pub created_at: Timestamp,
    pub livemode: bool,
}

confab_core::named!(FileObject => "file");

impl From<FileRow> for FileObject {
    fn from(f: FileRow) -> Self {
        FileObject {
            id: f.id,
            object: ObjectName::new(),
            filename: f.filename,
            content_type: f.content_type,
            size: f.size,
            conversation_id: f.conversation_id,
            created_at: f.created_at,
            livemode: f.livemode,
        }
    }
}

/// Where blobs live. Keys are `workspace/file_id`, both validated ids.
#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FileStore { root: root.into() }
    }

    fn path(&self, key: &str) -> AppResult<PathBuf> {
        if key
            .split('/')
            .any(|part| part.is_empty() || part == ".." || part.contains('\\'))
        {
            return Err(AppError::Internal(format!("bad storage key {key:?}")));
        }
        Ok(self.root.join(key))
    }

    /// Writes durably: to a temporary name, fsync, then rename into place.
    async fn put(&self, key: &str, bytes: &[u8]) -> AppResult<()> {
        let path = self.path(key)?;
        let tmp = path.with_extension("part");
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            std::fs::create_dir_all(&dir)?;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("writing file: {e}")))
    }

    async fn get(&self, key: &str) -> AppResult<Vec<u8>> {
        tokio::fs::read(self.path(key)?)
            .await
            .map_err(|e| AppError::Internal(format!("reading file {key}: {e}")))
    }

    /// Removes blobs (erasure); a missing blob is already gone.
    pub async fn remove(&self, keys: &[String]) {
        for key in keys {
            if let Ok(path) = self.path(key)
                && let Err(err) = tokio::fs::remove_file(&path).await
                && err.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(%key, error = %err, "could not remove an erased file");
            }
        }
    }
}

pub async fn upload(ctx: &Ctx, filename: &str, bytes: Vec<u8>) -> AppResult<FileObject> {
    upload_to(ctx, filename, bytes, None).await
}

/// Uploads a file, already linked to `conversation` when given (a widget visitor's
/// upload belongs to their conversation from the start).
pub(crate) async fn upload_to(
    ctx: &Ctx,
    filename: &str,
    bytes: Vec<u8>,
    conversation: Option<ConversationId>,
) -> AppResult<FileObject> {
    ctx.authorize(Resource::Files, Access::Write)?;
    if bytes.is_empty() {
        return Err(AppError::field("file", "is empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let id = FileId::generate();
    let key = format!("{}/{}", ctx.workspace_id, id);
    ctx.app.files.put(&key, &bytes).await?;
    let row = FileRow {
        id,
        filename: sniff::clean_filename(filename),
        content_type: sniff::content_type(&bytes).to_owned(),
        size: bytes.len() as i64,
        sha256: digest_hex(&[&bytes]),
        storage_key: key,
        conversation_id: conversation,
        created_at: ctx.app.clock.now(),
        livemode: ctx.livemode(),
    };
    let mut uow = ctx.write().await?;
    files::insert(uow.tx(), &row).await?;
    uow.commit().await?;
    Ok(row.into())
}

pub async fn get(ctx: &Ctx, id: &FileId) -> AppResult<FileObject> {
    ctx.authorize(Resource::Files, Access::Read)?;
    let mut tx = ctx.read().await?;
    files::get(&mut tx, id)
        .await?
        .map(FileObject::from)
        .ok_or_else(|| AppError::not_found("file", id))
}

/// The file and its bytes.
pub async fn content(ctx: &Ctx, id: &FileId) -> AppResult<(FileObject, Vec<u8>)> {
    content_of(ctx, id, None).await
}

/// The file and its bytes; with `conversation`, only a file attached to that
/// conversation (a widget visitor sees their own files and no others).
pub(crate) async fn content_of(
    ctx: &Ctx,
    id: &FileId,
    conversation: Option<&ConversationId>,
) -> AppResult<(FileObject, Vec<u8>)> {
    ctx.authorize(Resource::Files, Access::Read)?;
    let mut tx = ctx.read().await?;
    let row = files::get(&mut tx, id)
        .await?
        .filter(|f| conversation.is_none() || f.conversation_id.as_ref() == conversation)
        .ok_or_else(|| AppError::not_found("file", id))?;
    drop(tx);
    let bytes = ctx.app.files.get(&row.storage_key).await?;
    Ok((row.into(), bytes))
}
