//! Authentication as middleware plus an extractor: the middleware resolves the
//! credential once (and applies the per-credential rate limit); handlers take [`Auth`]
//! and never read headers themselves.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use confab_app::{Actor, AppError, Ctx, auth};
use confab_core::{ErrorCode, Mode};

use crate::error::ApiError;
use crate::request_id;
use crate::state::HttpState;

/// The authenticated caller of this request.
pub struct Auth(pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .map(Auth)
            .ok_or_else(|| {
                ApiError::new(ErrorCode::Unauthenticated, "This route needs a credential.")
            })
    }
}

/// The header a member token uses to pick test mode (keys carry their own mode).
pub const MODE_HEADER: &str = "confab-mode";

/// The token of an `Authorization: Bearer …` header: none without the header, an
/// answer for a malformed one.
pub(crate) fn bearer(parts: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = parts.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "The Authorization header is not readable text.",
        )
    })?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "Use `Authorization: Bearer <key>`.",
            )
        })?;
    Ok(Some(token.trim().to_owned()))
}

/// The header `/v1/tasks` takes the secret key from (the member token is the bearer).
pub const API_KEY_HEADER: &str = "x-api-key";

/// Resolves a task request's two credentials (member token and `X-Api-Key`),
/// rate-limits the key, and hands the [`Ctx`] (acting as the key) to the handler.
pub async fn require_task_credentials(
    State(state): State<HttpState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let token = match bearer(headers) {
        Ok(token) => token,
        Err(err) => return err.into_response(),
    };
    let api_key = headers
        .get(API_KEY_HEADER)
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let authenticated = auth::authenticate_task(
        &state.app,
        token.as_deref(),
        api_key.as_deref(),
        &request_id::current(),
    )
    .await;
    run_as(&state, authenticated, request, next).await
}

/// Runs the request as the authenticated caller, within its rate limit (or answers
/// why not).
async fn run_as(
    state: &HttpState,
    authenticated: confab_app::AppResult<Ctx>,
    mut request: Request,
    next: Next,
) -> Response {
    let ctx = match authenticated {
        Ok(ctx) => ctx,
        Err(err) => return ApiError(err).into_response(),
    };
    let verdict = state.limiter.check(&ctx.credential_id());
    if !verdict.allowed {
        return verdict.refusal("Too many requests for this credential");
    }
    request.extensions_mut().insert(ctx);
    let mut response = next.run(request).await;
    verdict.write_headers(response.headers_mut(), false);
    response
}

/// Resolves the credential, rate-limits it, and hands the [`Ctx`] to the handler.
pub async fn require_credential(
    State(state): State<HttpState>,
    request: Request,
    next: Next,
) -> Response {
    let (mode, token) = match presented(request.headers()) {
        Ok(presented) => presented,
        Err(refusal) => return refusal.into_response(),
    };
    let authenticated =
        auth::authenticate(&state.app, token.as_deref(), mode, &request_id::current()).await;
    run_as(&state, authenticated, request, next).await
}

/// [`require_credential`] for the services mounted beside the API (`/mcp`), which take
/// secret keys only (DESIGN §3): any other credential is refused as a missing key is.
pub async fn require_secret_key(
    State(state): State<HttpState>,
    request: Request,
    next: Next,
) -> Response {
    let (mode, token) = match presented(request.headers()) {
        Ok(presented) => presented,
        Err(refusal) => return refusal.into_response(),
    };
    let authenticated =
        auth::authenticate(&state.app, token.as_deref(), mode, &request_id::current())
            .await
            .and_then(|ctx| match ctx.actor {
                Actor::SecretKey { .. } => Ok(ctx),
                _ => Err(AppError::new(
                    ErrorCode::Unauthenticated,
                    "The MCP server takes secret keys only; send `Authorization: Bearer sk_…`.",
                )),
            });
    run_as(&state, authenticated, request, next).await
}

/// The `Confab-Mode` and bearer credential presented, or the answer to a malformed header.
fn presented(headers: &axum::http::HeaderMap) -> Result<(Option<Mode>, Option<String>), ApiError> {
    let mode = match headers
        .get(MODE_HEADER)
        .map(|v| v.to_str().ok().and_then(Mode::parse))
    {
        None => None,
        Some(Some(mode)) => Some(mode),
        Some(None) => {
            return Err(ApiError::new(
                ErrorCode::BadRequest,
                "The Confab-Mode header must be `test` or `live`.",
            ));
        }
    };
    Ok((mode, bearer(headers)?))
}
