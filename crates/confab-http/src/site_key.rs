//! Site-key authentication for the widget routes, as middleware plus an extractor (like
//! [`crate::auth`]): the middleware resolves the key and the origin rule once, applies
//! the widget's per-route rate limits (site key + client IP), and adds the CORS and
//! `RateLimit-*` headers; handlers take [`Visitor`].

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use confab_app::widget::conversations::VisitorContext;
use confab_app::widget::{self, SiteKeyRequest};
use confab_app::{Actor, Ctx};
use confab_core::ErrorCode;

use crate::cors;
use crate::error::ApiError;
use crate::request_id;
use crate::state::HttpState;
use crate::widget_limits::RouteClass;

/// The header a site key may come in (else the `site_key` query parameter).
pub const SITE_KEY_HEADER: &str = "x-site-key";

/// The visitor calling a widget route: their site key's [`Ctx`] and what their browser
/// told about itself.
pub struct Visitor {
    pub ctx: Ctx,
    pub context: VisitorContext,
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ctx = parts.extensions.get::<Ctx>().cloned().ok_or_else(|| {
            ApiError::new(ErrorCode::Unauthenticated, "This route needs a site key.")
        })?;
        let context = parts
            .extensions
            .get::<VisitorContext>()
            .cloned()
            .unwrap_or_default();
        Ok(Visitor { ctx, context })
    }
}

/// The client's address: the peer, or with `trust_forwarded_for` (behind a reverse
/// proxy) the last address in `X-Forwarded-For`, which the proxy itself appended.
pub fn client_ip(parts: &Parts, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(forwarded) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return forwarded.to_owned();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn header(parts: &Parts, name: impl header::AsHeaderName) -> Option<&str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

pub async fn require_site_key(
    State(state): State<HttpState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let origin = cors::origin(&parts.headers).map(str::to_owned);
    let key = header(&parts, SITE_KEY_HEADER)
        .map(str::to_owned)
        .or_else(|| cors::query_site_key(parts.uri.query()));
    let visitor_token = RawPathParams::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .and_then(|params| {
            params
                .iter()
                .find(|(name, _)| *name == "visitor_token")
                .map(|(_, value)| value.to_owned())
        });
    let authenticated = widget::authenticate(
        &state.app,
        SiteKeyRequest {
            key: key.as_deref(),
            origin: origin.as_deref(),
            host: header(&parts, header::HOST),
            visitor_token: visitor_token.as_deref(),
            request_id: &request_id::current(),
        },
    )
    .await;
    // Errors are made readable by the page in `cors::middleware`.
    let ctx = match authenticated {
        Ok(ctx) => ctx,
        Err(err) => return ApiError(err).into_response(),
    };
    let Actor::SiteKey { key_id, .. } = &ctx.actor else {
        return ApiError::new(ErrorCode::Unauthenticated, "This route needs a site key.")
            .into_response();
    };
    let ip = client_ip(&parts, state.trust_forwarded_for);
    let class = RouteClass::of(&parts.method, parts.uri.path());
    let now = u64::try_from(state.app.clock.now().millis() / 1000).unwrap_or(0);
    let verdict = state.widget_limits.check(class, key_id.as_str(), &ip, now);
    if !verdict.allowed {
        return verdict.refusal("Too many requests from this visitor");
    }
    parts.extensions.insert(VisitorContext {
        ip: Some(ip),
        user_agent: header(&parts, header::USER_AGENT).map(str::to_owned),
    });
    parts.extensions.insert(ctx);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    verdict.write_headers(response.headers_mut(), false);
    cors::allow(response.headers_mut(), origin.as_deref());
    response
}
