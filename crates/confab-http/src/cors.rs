//! CORS for the widget routes. The site key decides which origins may call (see
//! `confab_app::widget::authenticate`); this module only speaks the protocol:
//! preflights, and the headers that let an allowed page read an answer.
//!
//! A preflight carries no `X-Site-Key` header, so it is checked against the key in the
//! `site_key` query parameter when there is one (the widget always sends it there); a
//! preflight without one is answered permissively, and the request that follows is
//! refused with 403 if its origin is not allowed.
//!
//! Every error a widget route answers is readable by the page that asked, whatever its
//! origin: without that the browser hides the answer and the page's developer sees
//! only "Failed to fetch" instead of the sentence that says what to fix (an origin
//! missing from `allowed_origins`, a wrong key). A refused request has had no effect by
//! then, and its answer is the same sentence anyone can get without a browser, so
//! reading it gives a refused origin nothing else.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use confab_app::widget::{self, SiteKeyRequest};

use crate::error::ApiError;
use crate::request_id;
use crate::state::HttpState;

/// The prefix of the routes CORS applies to.
pub const WIDGET_PREFIX: &str = "/v1/widget/";
const ALLOW_HEADERS: &str = "Content-Type, X-Site-Key, Idempotency-Key, Last-Event-ID";
const EXPOSE_HEADERS: &str = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-Id, Idempotent-Replayed";
/// How long a browser may reuse a preflight's answer.
const MAX_AGE_SECS: &str = "600";

/// The browser's `Origin`, when it sent one.
pub fn origin(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| !o.is_empty() && *o != "null")
}

/// Lets `origin` read this response (the origin was allowed, or the answer is an error).
/// Calling it again on the same response changes nothing.
pub fn allow(headers: &mut HeaderMap, origin: Option<&str>) {
    let varies = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("origin"));
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    let Some(value) = origin.and_then(|o| HeaderValue::from_str(o).ok()) else {
        return;
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
}

/// The `site_key` query parameter.
pub fn query_site_key(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "site_key")
        .map(|(_, v)| v.to_owned())
}

/// Answers `OPTIONS` preflights for the widget routes before routing, and lets the page
/// read every error a widget route answers (from the site key's check, a handler, or
/// the router itself for a path that does not exist); other requests pass through.
pub async fn middleware(State(state): State<HttpState>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with(WIDGET_PREFIX) {
        return next.run(request).await;
    }
    if request.method() == Method::OPTIONS {
        return preflight(&state, request).await;
    }
    let origin = origin(request.headers()).map(str::to_owned);
    let mut response = next.run(request).await;
    if response.status().is_client_error() || response.status().is_server_error() {
        allow(response.headers_mut(), origin.as_deref());
    }
    response
}

async fn preflight(state: &HttpState, request: Request) -> Response {
    let headers = request.headers();
    let origin = origin(headers).map(str::to_owned);
    if let Some(key) = query_site_key(request.uri().query()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let checked = widget::authenticate(
            &state.app,
            SiteKeyRequest {
                key: Some(&key),
                origin: origin.as_deref(),
                host,
                visitor_token: None,
                request_id: &request_id::current(),
            },
        )
        .await;
        if let Err(err) = checked {
            return ApiError(err).into_response();
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    allow(headers, origin.as_deref());
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECS),
    );
    response
}
