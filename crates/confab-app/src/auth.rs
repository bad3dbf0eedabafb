//! Resolving a presented credential into a [`Ctx`]: workspace, mode and actor.

use confab_core::credential::{CredentialKind, hash_secret, verify_secret};
use confab_core::{ErrorCode, Mode};
use confab_store::credentials::{self, KeyKind};

use crate::{Actor, App, AppError, AppResult, Ctx};

/// Authenticates `Authorization: Bearer …` for `/v1` and `/mcp`. Member tokens act in
/// live mode unless `mode` asks for test; keys act in their own mode.
pub async fn authenticate(
    app: &App,
    bearer: Option<&str>,
    mode: Option<Mode>,
    request_id: &str,
) -> AppResult<Ctx> {
    let presented = bearer
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Unauthenticated,
                "No credential was sent. Send your secret key as `Authorization: Bearer sk_…`.",
            )
        })?;
    let (workspace_id, mode, actor) = match CredentialKind::of(presented) {
        Some(CredentialKind::SecretKey(key_mode)) => {
            let key = lookup_key(app, presented, KeyKind::Secret).await?;
            (
                key.workspace_id,
                key_mode,
                Actor::SecretKey {
                    key_id: key.id,
                    member_id: key.member_id,
                    scopes: key.scopes,
                },
            )
        }
        Some(CredentialKind::MemberToken) => {
            let mut tx = app.store.system_read().await?;
            let found = credentials::find_token_by_hash(&mut tx, &hash_secret(presented)).await?;
            drop(tx);
            let token = found.filter(|t| !t.revoked).ok_or_else(|| {
                AppError::new(
                    ErrorCode::Unauthenticated,
                    "This member token is not valid or was revoked; sign in with a current token.",
                )
            })?;
            (
                token.workspace_id,
                mode.unwrap_or(Mode::Live),
                Actor::Member {
                    token_id: token.token_id,
                    member_id: token.member_id,
                    role: token.role,
                },
            )
        }
        Some(CredentialKind::SiteKey(_)) => {
            return Err(AppError::new(
                ErrorCode::InvalidApiKey,
                "Site keys (pk_…) only work on /v1/widget routes and the chat page; use a secret key (sk_…) here.",
            ));
        }
        None => {
            return Err(AppError::new(
                ErrorCode::InvalidApiKey,
                "The credential is not a Confab key; secret keys start with sk_test_ or sk_live_.",
            ));
        }
    };
    Ok(Ctx {
        app: app.clone(),
        workspace_id,
        mode,
        actor,
        request_id: request_id.to_owned(),
        idempotency: None,
    })
}

/// Finds a key of `kind` by its secret: 401 `INVALID_API_KEY` when unknown, 403
/// `KEY_REVOKED` when revoked.
pub async fn lookup_key(
    app: &App,
    presented: &str,
    kind: KeyKind,
) -> AppResult<credentials::KeyRow> {
    let hash = hash_secret(presented);
    let mut tx = app.store.system_read().await?;
    let found = credentials::find_key_by_hash(&mut tx, &hash).await?;
    drop(tx);
    let key = found
        .filter(|k| k.kind == kind && verify_secret(presented, &hash))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidApiKey,
                "This API key is not valid. Check that you copied the whole key, and its mode (test or live).",
            )
        })?;
    if key.revoked_at.is_some() {
        return Err(AppError::new(
            ErrorCode::KeyRevoked,
            "This API key was revoked; create a new key and use that.",
        ));
    }
    Ok(key)
}
