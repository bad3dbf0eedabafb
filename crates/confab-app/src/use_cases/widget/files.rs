//! A visitor's attachments: uploaded straight into their conversation, and readable
//! only through it.

use super::conversations::load;
use crate::files::{FileObject, content_of, upload_to};
use crate::{AppResult, Ctx};
use confab_core::id::FileId;

/// Uploads a file into the visitor's conversation, ready to attach to a message.
pub async fn upload(
    ctx: &Ctx,
    token: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> AppResult<FileObject> {
    let conversation = load(ctx, token).await?;
    upload_to(ctx, filename, bytes, Some(conversation.id)).await
}

/// A file of the visitor's conversation and its bytes; any other file is 404.
pub async fn content(ctx: &Ctx, token: &str, file_id: &FileId) -> AppResult<(FileObject, Vec<u8>)> {
    let conversation = load(ctx, token).await?;
    content_of(ctx, file_id, Some(&conversation.id)).await
}
