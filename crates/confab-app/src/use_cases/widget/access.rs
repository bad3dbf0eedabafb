//! Who may use a site key, and from where: the key must be a live site key of its
//! workspace, and a browser's `Origin` must be one the key accepts.

use confab_core::credential::{CredentialKind, hash_secret};
use confab_core::widget::{WidgetConfig, origin_matches};
use confab_core::{ErrorCode, Mode};
use confab_store::credentials::{KeyKind, KeyRow};

use crate::auth::find_key;
use crate::{Actor, App, AppError, AppResult, Ctx};

/// What a widget request presents.
#[derive(Clone, Copy, Debug, Default)]
pub struct SiteKeyRequest<'a> {
    /// `X-Site-Key` or `?site_key=`.
    pub key: Option<&'a str>,
    /// The browser's `Origin` header (absent for server-side callers and same-origin GETs).
    pub origin: Option<&'a str>,
    /// The `Host` the request was sent to: a page served by Confab itself (the hosted
    /// chat page) is same-origin and always allowed.
    pub host: Option<&'a str>,
    /// The visitor token in the path, which scopes the caller's idempotency keys.
    pub visitor_token: Option<&'a str>,
    pub request_id: &'a str,
}

fn invalid(message: &str) -> AppError {
    AppError::new(ErrorCode::InvalidApiKey, message)
}

/// Resolves a site key into a visitor's [`Ctx`]: 401 `UNAUTHENTICATED` without a key,
/// 401 `INVALID_API_KEY` for an unknown or revoked one (or a key of another kind), 403
/// `FORBIDDEN` for a browser origin the key does not accept.
pub async fn authenticate(app: &App, request: SiteKeyRequest<'_>) -> AppResult<Ctx> {
    let key = lookup(app, request.key).await?;
    if let Some(origin) = request.origin
        && !origin_allowed(&key, origin, request.host)
    {
        return Err(AppError::forbidden(format!(
            "This site key does not accept requests from {origin}. Add the origin to `allowed_origins` with PUT /v1/settings/widget."
        )));
    }
    Ok(Ctx {
        app: app.clone(),
        workspace_id: key.workspace_id,
        mode: if key.livemode { Mode::Live } else { Mode::Test },
        actor: Actor::SiteKey {
            key_id: key.id,
            visitor: request.visitor_token.map(hash_secret),
        },
        request_id: request.request_id.to_owned(),
        idempotency: None,
    })
}

async fn lookup(app: &App, presented: Option<&str>) -> AppResult<KeyRow> {
    let presented = presented.map(str::trim).filter(|k| !k.is_empty()).ok_or_else(|| {
        AppError::new(
            ErrorCode::Unauthenticated,
            "No site key was sent. Send it as the `X-Site-Key` header or the `site_key` query parameter.",
        )
    })?;
    if !matches!(
        CredentialKind::of(presented),
        Some(CredentialKind::SiteKey(_))
    ) {
        return Err(invalid(
            "Widget routes take a site key (pk_test_… or pk_live_…); never put a secret key in a web page.",
        ));
    }
    let key = find_key(app, presented, KeyKind::Site)
        .await?
        .ok_or_else(|| invalid("This site key is not valid. Check the data-site-key attribute of the widget's script tag."))?;
    if key.revoked_at.is_some() {
        return Err(invalid(
            "This site key was revoked; embed the workspace's current site key.",
        ));
    }
    Ok(key)
}

/// The origin rule: same-origin requests (Confab's own hosted chat page) always pass;
/// otherwise the origin must match one of the key's `allowed_origins`. A key with no
/// list accepts any origin in test mode and none in live mode, so a live key works
/// only where the business said it may.
fn origin_allowed(key: &KeyRow, origin: &str, host: Option<&str>) -> bool {
    let same_origin = host.is_some_and(|host| {
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
    });
    if same_origin {
        return true;
    }
    if key.allowed_origins.is_empty() {
        return !key.livemode;
    }
    key.allowed_origins
        .iter()
        .any(|allowed| origin_matches(allowed, origin))
}

/// What the hosted chat page shows around the widget.
#[derive(Debug)]
pub struct PageConfig {
    /// The workspace's name: the page's title and heading.
    pub business_name: String,
    pub widget: WidgetConfig,
}

/// The hosted chat page's check: the key must be a valid site key; answers the
/// business's name and the widget's configuration.
pub async fn page_config(app: &App, site_key: &str, request_id: &str) -> AppResult<PageConfig> {
    let ctx = authenticate(
        app,
        SiteKeyRequest {
            key: Some(site_key),
            request_id,
            ..SiteKeyRequest::default()
        },
    )
    .await?;
    let mut tx = ctx.read().await?;
    Ok(PageConfig {
        business_name: confab_store::workspaces::current(&mut tx).await?.name,
        widget: super::settings::resolved(&mut tx).await?,
    })
}
