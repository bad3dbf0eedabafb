//! Resolving a presented credential into a [`Ctx`]: workspace, mode and actor.

use confab_core::credential::{CredentialKind, hash_secret, verify_secret};
use confab_core::{ErrorCode, Mode};
use confab_store::credentials::{self, KeyKind, KeyRow, TokenLookup};

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
            let actor = Actor::secret_key(&key);
            (key.workspace_id, key_mode, actor)
        }
        Some(CredentialKind::MemberToken) => {
            let token = find_member_token(app, presented).await?.ok_or_else(|| {
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

/// The stored key of `kind` whose secret is `presented`, revoked or not (each caller
/// answers a revoked key in its own words); `None` when there is no such key.
pub(crate) async fn find_key(
    app: &App,
    presented: &str,
    kind: KeyKind,
) -> AppResult<Option<KeyRow>> {
    let hash = hash_secret(presented);
    let mut tx = app.store.system_read().await?;
    let found = credentials::find_key_by_hash(&mut tx, &hash).await?;
    drop(tx);
    Ok(found.filter(|k| k.kind == kind && verify_secret(presented, &hash)))
}

/// The member token whose secret is `presented`; `None` when it is unknown or revoked.
async fn find_member_token(app: &App, presented: &str) -> AppResult<Option<TokenLookup>> {
    let mut tx = app.store.system_read().await?;
    let found = credentials::find_token_by_hash(&mut tx, &hash_secret(presented)).await?;
    drop(tx);
    Ok(found.filter(|t| !t.revoked))
}

/// Finds a key of `kind` by its secret: 401 `INVALID_API_KEY` when unknown, 403
/// `KEY_REVOKED` when revoked.
pub async fn lookup_key(app: &App, presented: &str, kind: KeyKind) -> AppResult<KeyRow> {
    let key = find_key(app, presented, kind).await?.ok_or_else(|| {
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

/// Authenticates `/v1/tasks`: a member token in `Authorization: Bearer mt_…` and that
/// member's secret key in `X-Api-Key`. The task then acts as the key (its mode, its
/// scopes, its budget) on the member's behalf. Failures, in order: no or bad token →
/// 401 `UNAUTHENTICATED`; no or bad key → 401 `INVALID_API_KEY`; revoked key → 403
/// `KEY_REVOKED`; someone else's key → 403 `KEY_OWNER_MISMATCH`.
pub async fn authenticate_task(
    app: &App,
    bearer: Option<&str>,
    api_key: Option<&str>,
    request_id: &str,
) -> AppResult<Ctx> {
    let unauthenticated = |why: &str| {
        AppError::new(
            ErrorCode::Unauthenticated,
            format!(
                "{why} Tasks need your member token as `Authorization: Bearer mt_…` and your secret key as `X-Api-Key: sk_…`."
            ),
        )
    };
    let token = bearer
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| unauthenticated("No member token was sent."))?;
    if CredentialKind::of(token) != Some(CredentialKind::MemberToken) {
        return Err(unauthenticated(
            "The Authorization header does not hold a member token.",
        ));
    }
    let member = find_member_token(app, token)
        .await?
        .ok_or_else(|| unauthenticated("This member token is not valid or was revoked."))?;
    let presented = api_key
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidApiKey,
                "No API key was sent; send your secret key as `X-Api-Key: sk_…` next to your member token.",
            )
        })?;
    let mode = match CredentialKind::of(presented) {
        Some(CredentialKind::SecretKey(mode)) => mode,
        _ => {
            return Err(AppError::new(
                ErrorCode::InvalidApiKey,
                "X-Api-Key must hold a secret key (sk_test_… or sk_live_…).",
            ));
        }
    };
    let key = lookup_key(app, presented, KeyKind::Secret).await?;
    if key.workspace_id != member.workspace_id || key.member_id.as_ref() != Some(&member.member_id)
    {
        return Err(AppError::new(
            ErrorCode::KeyOwnerMismatch,
            "This API key belongs to another member; send a key of your own (create one with POST /v1/api-keys).",
        ));
    }
    let actor = Actor::secret_key(&key);
    Ok(Ctx {
        app: app.clone(),
        workspace_id: key.workspace_id,
        mode,
        actor,
        request_id: request_id.to_owned(),
        idempotency: None,
    })
}
