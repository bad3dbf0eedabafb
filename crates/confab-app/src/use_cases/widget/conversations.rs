//! A visitor's conversation: start it (with the first message), read its state, ask
//! for a person, and link it to a verified identity.

use serde::{Deserialize, Serialize};

use confab_core::conversation::{Channel, Conversation, HandledBy, Visitor, validate_text};
use confab_core::credential::hash_secret;
use confab_core::id::ConversationId;
use confab_core::widget::{self, VisitorConversation};
use confab_core::{ErrorCode, FieldErrors, validate};
use confab_store::{TenantTx, contacts, conversations};

use super::identity::{self, Identity, refuse_blocked};
use crate::conversations::{ConversationCreate, FirstMessage, check, create_in, summary};
use crate::handoff;
use crate::input::{optional, optional_text};
use crate::{Access, AppError, AppResult, Ctx, Resource};

/// The longest `page_url` or `referrer` kept.
pub const MAX_URL_CHARS: usize = 2048;

/// `POST /v1/widget/conversations`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetConversationCreate {
    /// The visitor's name (required).
    #[schema(value_type = String, required = true, min_length = 1, pattern = r"\S")]
    pub name: Option<String>,
    /// Required when the widget's settings say `require_email`.
    pub email: Option<String>,
    /// The first message (at most 10,000 characters). Required, unless it is sent as
    /// `text`.
    #[schema(value_type = String, min_length = 1, max_length = 10_000, pattern = r"\S")]
    pub message: Option<String>,
    /// An alias of `message`, as the rest of the API names a message's words; sending
    /// both with different values is 422.
    #[schema(value_type = String, min_length = 1, max_length = 10_000, pattern = r"\S")]
    pub text: Option<String>,
    /// A random value the widget generated and keeps (16–128 of `A-Za-z0-9_-`); it names
    /// this conversation from now on.
    #[schema(value_type = String, required = true, pattern = "^[A-Za-z0-9_-]{16,128}$")]
    pub visitor_token: Option<String>,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    /// Identity verification: the host page's user id, with `user_hash`.
    pub external_id: Option<String>,
    pub user_hash: Option<String>,
}

/// What the browser knows of itself, read by the HTTP layer.
#[derive(Clone, Debug, Default)]
pub struct VisitorContext {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The answer to starting a conversation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WidgetConversationStarted {
    /// The token that names this conversation in the widget's paths
    /// (`/v1/widget/conversations/{visitor_token}/…`): the `visitor_token` sent.
    pub conversation_token: String,
    pub conversation_id: ConversationId,
    /// True when the AI will answer the first message (a reply is on its way).
    pub auto_reply: bool,
}

fn not_found() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "No conversation has this visitor token; start one with POST /v1/widget/conversations.",
    )
}

/// The conversation a visitor's token names, refused with 403 when its contact is
/// blocked.
pub(crate) async fn by_token(tx: &mut TenantTx, token: &str) -> AppResult<Conversation> {
    if widget::visitor_token(token).is_err() {
        return Err(not_found());
    }
    let conversation = conversations::find_by_visitor_token(tx, &hash_secret(token))
        .await?
        .ok_or_else(not_found)?;
    if let Some(contact) = &conversation.contact
        && let Some(contact) = contacts::get(tx, &contact.id).await?
    {
        refuse_blocked(&contact)?;
    }
    Ok(conversation)
}

/// Reads a visitor's conversation (any access check of a widget route starts here).
pub(crate) async fn load(ctx: &Ctx, token: &str) -> AppResult<Conversation> {
    ctx.authorize(Resource::Conversations, Access::Read)?;
    let mut tx = ctx.read().await?;
    by_token(&mut tx, token).await
}

fn required<'a>(raw: Option<&'a str>, field: &str, errors: &mut FieldErrors) -> Option<&'a str> {
    if raw.is_none() {
        errors.add(field, "is required");
    }
    raw
}

/// Starts a visitor's conversation with their first message, finding or creating their
/// contact. 422 for a missing or bad field, 409 `VISITOR_TOKEN_TAKEN` for a token in
/// use, 403 `CONTACT_BLOCKED` for a blocked contact.
pub async fn start(
    ctx: &Ctx,
    input: WidgetConversationCreate,
    visitor: VisitorContext,
) -> AppResult<WidgetConversationStarted> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut errors = FieldErrors::new();
    let token =
        required(input.visitor_token.as_deref(), "visitor_token", &mut errors).and_then(|t| {
            widget::visitor_token(t)
                .map_err(|m| errors.add("visitor_token", m))
                .ok()
        });
    let name = required(input.name.as_deref(), "name", &mut errors)
        .and_then(|n| validate::name(n).map_err(|m| errors.add("name", m)).ok());
    let message = super::message_or_text(input.message, input.text, &mut errors)
        .and_then(|(field, m)| validate_text(&m).map_err(|e| errors.add(field, e)).ok());
    let email = optional(
        input.email.as_deref(),
        "email",
        validate::email,
        &mut errors,
    );
    let page_url = optional_text(
        input.page_url.as_deref(),
        "page_url",
        MAX_URL_CHARS,
        &mut errors,
    );
    let referrer = optional_text(
        input.referrer.as_deref(),
        "referrer",
        MAX_URL_CHARS,
        &mut errors,
    );
    let mut tx = ctx.read().await?;
    if input.email.is_none() && super::settings::stored(&mut tx).await?.require_email {
        errors.add("email", "is required");
    }
    let verified = identity::verify(
        &mut tx,
        input.external_id.as_deref(),
        input.user_hash.as_deref(),
        &mut errors,
    )
    .await?;
    drop(tx);
    errors.into_result()?;
    let (Some(token), Some(message)) = (token, message) else {
        return Err(AppError::Internal("validated fields are missing".into()));
    };
    let token_hash = hash_secret(&token);
    let create = ConversationCreate {
        channel: Some(Channel::Web),
        message: Some(FirstMessage {
            text: message,
            attachments: Vec::new(),
        }),
        visitor: Some(Visitor {
            ip: visitor.ip,
            page_url,
            referrer,
            user_agent: visitor.user_agent,
        }),
        ..ConversationCreate::default()
    };

    let mut uow = ctx.write().await?;
    if conversations::find_by_visitor_token(uow.tx(), &token_hash)
        .await?
        .is_some()
    {
        return Err(token_taken());
    }
    let contact =
        identity::resolve_contact(&mut uow, ctx, verified.as_deref(), name, email.clone()).await?;
    refuse_blocked(&contact)?;
    // An email the contact could not take (another person's) stays with the conversation.
    let claimed = email.filter(|e| contact.email.as_ref() != Some(e));
    let create = ConversationCreate {
        contact_id: Some(contact.id.to_string()),
        metadata: claimed.map(|e| serde_json::json!({"claimed_email": e})),
        ..create
    };
    let checked = check(&create)?;
    let conversation = create_in(&mut uow, ctx, create, checked).await?;
    conversations::set_visitor_token(uow.tx(), &conversation.id, &token_hash)
        .await
        .map_err(|e| {
            if e.is_unique_on("visitor_token") {
                token_taken()
            } else {
                e.into()
            }
        })?;
    uow.commit().await?;
    Ok(WidgetConversationStarted {
        conversation_token: token,
        auto_reply: conversation.handled_by == HandledBy::Ai,
        conversation_id: conversation.id.clone(),
    })
}

fn token_taken() -> AppError {
    AppError::new(
        ErrorCode::VisitorTokenTaken,
        "This visitor token already names a conversation; continue it at /v1/widget/conversations/{visitor_token}, or generate a new token to start another.",
    )
}

/// The state of a visitor's conversation.
pub async fn get(ctx: &Ctx, token: &str) -> AppResult<VisitorConversation> {
    Ok(VisitorConversation::of(&load(ctx, token).await?))
}

/// The visitor asks for a person. Asking again while one is awaited or already there
/// changes nothing and answers the conversation as it is.
pub async fn request_handoff(ctx: &Ctx, token: &str) -> AppResult<VisitorConversation> {
    let conversation = load(ctx, token).await?;
    let conversation = handoff::request_by_visitor(ctx, &conversation.id).await?;
    Ok(VisitorConversation::of(&conversation))
}

/// `Confab.identify(…)` after the conversation started: links it to the verified
/// user's contact (found or created). 422 when `user_hash` does not verify.
pub async fn identify(ctx: &Ctx, token: &str, input: Identity) -> AppResult<VisitorConversation> {
    ctx.authorize(Resource::Conversations, Access::Write)?;
    let mut errors = FieldErrors::new();
    let name = optional(input.name.as_deref(), "name", validate::name, &mut errors);
    let email = optional(
        input.email.as_deref(),
        "email",
        validate::email,
        &mut errors,
    );
    if input.external_id.is_none() {
        errors.add("external_id", "is required");
    }
    let mut uow = ctx.write().await?;
    let verified = identity::verify(
        uow.tx(),
        input.external_id.as_deref(),
        input.user_hash.as_deref(),
        &mut errors,
    )
    .await?;
    errors.into_result()?;
    let conversation = by_token(uow.tx(), token).await?;
    let mut conversation =
        crate::conversations::load_for_update(uow.tx(), &conversation.id).await?;
    let contact =
        identity::resolve_contact(&mut uow, ctx, verified.as_deref(), name, email).await?;
    refuse_blocked(&contact)?;
    if conversation.contact.as_ref().map(|c| &c.id) != Some(&contact.id) {
        conversation.contact = Some(summary(&contact));
        conversation.updated_at = uow.now;
        conversations::update(uow.tx(), &conversation).await?;
    }
    uow.commit().await?;
    Ok(VisitorConversation::of(&conversation))
}
