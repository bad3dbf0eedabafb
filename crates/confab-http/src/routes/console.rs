//! `/console`: the human agents' console. Plain HTML, CSS and JavaScript modules from
//! `web/console/`, embedded in the binary; the page is a client of the public REST API
//! with a member token, so these routes serve files only (no data, no credential).

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use confab_core::ErrorCode;

use crate::error::ApiError;
use crate::static_asset::StaticAsset;

/// Only the console's own files and API; no inline script, no framing.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self' data: blob:; form-action 'self'; frame-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

const JS: &str = "text/javascript; charset=utf-8";

/// The files under `/console/` (the page itself is `/console`).
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../../web/console/console.css"),
    ),
    (
        "app.js",
        JS,
        include_bytes!("../../../../web/console/app.js"),
    ),
    (
        "api.js",
        JS,
        include_bytes!("../../../../web/console/api.js"),
    ),
    (
        "widget.js",
        JS,
        include_bytes!("../../../../web/console/widget.js"),
    ),
    (
        "tickets.js",
        JS,
        include_bytes!("../../../../web/console/tickets.js"),
    ),
    (
        "stream.js",
        JS,
        include_bytes!("../../../../web/console/stream.js"),
    ),
    (
        "state.js",
        JS,
        include_bytes!("../../../../web/console/state.js"),
    ),
    (
        "dom.js",
        JS,
        include_bytes!("../../../../web/console/dom.js"),
    ),
    (
        "inbox.js",
        JS,
        include_bytes!("../../../../web/console/inbox.js"),
    ),
    (
        "conversation.js",
        JS,
        include_bytes!("../../../../web/console/conversation.js"),
    ),
    (
        "contact.js",
        JS,
        include_bytes!("../../../../web/console/contact.js"),
    ),
    (
        "analytics.js",
        JS,
        include_bytes!("../../../../web/console/analytics.js"),
    ),
    (
        "team.js",
        JS,
        include_bytes!("../../../../web/console/team.js"),
    ),
    (
        "keys.js",
        JS,
        include_bytes!("../../../../web/console/keys.js"),
    ),
    (
        "agents.js",
        JS,
        include_bytes!("../../../../web/console/agents.js"),
    ),
    (
        "knowledge.js",
        JS,
        include_bytes!("../../../../web/console/knowledge.js"),
    ),
    (
        "webhooks.js",
        JS,
        include_bytes!("../../../../web/console/webhooks.js"),
    ),
];

static PAGE: LazyLock<StaticAsset> = LazyLock::new(|| {
    StaticAsset::new(
        "text/html; charset=utf-8",
        include_bytes!("../../../../web/console/index.html"),
        vec![
            (
                "content-security-policy",
                HeaderValue::from_static(PAGE_POLICY),
            ),
            ("referrer-policy", HeaderValue::from_static("no-referrer")),
            ("x-frame-options", HeaderValue::from_static("DENY")),
        ],
    )
});

static ASSETS: LazyLock<HashMap<&'static str, StaticAsset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, content_type, bytes)| {
            (*name, StaticAsset::new(content_type, bytes, Vec::new()))
        })
        .collect()
});

/// `GET /console`: the single page (its views are `#/…` routes in the browser).
pub async fn page(headers: HeaderMap) -> Response {
    PAGE.respond(&headers)
}

/// `GET /console/`: the same page at its one address.
pub async fn trailing_slash() -> Redirect {
    Redirect::permanent("/console")
}

/// `GET /console/{file}`: a stylesheet or script module of the console.
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.get(file.as_str()) {
        Some(asset) => asset.respond(&headers),
        None => ApiError::new(
            ErrorCode::NotFound,
            format!("The console has no file named `{file}`."),
        )
        .into_response(),
    }
}
