//! A visitor's messages: the history they may see, and sending one.

use serde::Deserialize;

use confab_core::FieldErrors;
use confab_core::conversation::MessageRole;
use confab_core::id::FileId;
use confab_core::object::ObjectName;
use confab_core::page::{Page, PageRequest};
use confab_core::widget::VisitorMessage;
use confab_store::{files, messages};

use super::conversations::by_token;
use crate::messages::{MAX_ATTACHMENTS, MessageCreate, check_text, parse_since};
use crate::{Access, AppError, AppResult, Ctx, Resource};

/// `POST /v1/widget/conversations/{visitor_token}/messages`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetMessageCreate {
    /// At most 10,000 characters. Required, unless it is sent as `text`.
    #[schema(value_type = String, min_length = 1, max_length = 10_000, pattern = r"\S")]
    pub message: Option<String>,
    /// An alias of `message`, as the rest of the API names a message's words; sending
    /// both with different values is 422.
    #[schema(value_type = String, min_length = 1, max_length = 10_000, pattern = r"\S")]
    pub text: Option<String>,
    /// Files (`fil_…`) uploaded to this conversation with `…/files`.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<String>,
}

/// The history the visitor may see (their messages, the AI's and the team's; never
/// notes), oldest first, from `since` (inclusive).
pub async fn list(
    ctx: &Ctx,
    token: &str,
    since: Option<&str>,
    page: &PageRequest,
) -> AppResult<Page<VisitorMessage>> {
    ctx.authorize(Resource::Conversations, Access::Read)?;
    let since = parse_since(since)?;
    let mut tx = ctx.read().await?;
    let conversation = by_token(&mut tx, token).await?;
    let found = messages::list_roles(
        &mut tx,
        &conversation.id,
        VisitorMessage::VISIBLE,
        since,
        page,
    )
    .await?;
    Ok(Page {
        object: ObjectName::new(),
        data: found.data.iter().filter_map(VisitorMessage::of).collect(),
        has_more: found.has_more,
        next_cursor: found.next_cursor,
    })
}

/// The visitor writes: a customer message, which reopens a resolved conversation and,
/// while the AI handles it, queues the AI's reply. Attachments must have been uploaded
/// to this conversation.
pub async fn send(ctx: &Ctx, token: &str, input: WidgetMessageCreate) -> AppResult<VisitorMessage> {
    let mut errors = FieldErrors::new();
    let sent = super::message_or_text(input.message, input.text, &mut errors);
    if let Some((field, text)) = &sent {
        check_text(text, field, &mut errors);
    }
    if input.attachments.len() > MAX_ATTACHMENTS {
        errors.add(
            "attachments",
            format!("at most {MAX_ATTACHMENTS} files per message"),
        );
    }
    errors.into_result()?;
    // One read: the visitor's conversation and the files they attach to it.
    ctx.authorize(Resource::Conversations, Access::Read)?;
    let mut tx = ctx.read().await?;
    let conversation = by_token(&mut tx, token).await?;
    let mut errors = FieldErrors::new();
    for (i, id) in input.attachments.iter().enumerate() {
        let found = match FileId::parse(id) {
            Some(id) => files::get(&mut tx, &id).await?,
            None => None,
        };
        let mine = found.is_some_and(|f| f.conversation_id.as_ref() == Some(&conversation.id));
        if !mine {
            errors.add(
                format!("attachments.{i}"),
                "no file with this id was uploaded to this conversation",
            );
        }
    }
    drop(tx);
    errors.into_result()?;
    let create = MessageCreate {
        role: MessageRole::Customer,
        text: sent.map(|(_, text)| text).unwrap_or_default(),
        attachments: input.attachments,
    };
    let message = crate::messages::post(ctx, &conversation.id, create).await?;
    VisitorMessage::of(&message)
        .ok_or_else(|| AppError::Internal("a customer message is always visible".into()))
}
