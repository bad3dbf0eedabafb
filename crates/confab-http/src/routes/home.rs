//! `/` (a page pointing a person at the console, the docs and the health endpoints: a
//! browser opening the server's address should not meet a JSON 404) and the favicon.

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use crate::static_asset::StaticAsset;

/// No script, no outside resources: the page needs nothing else.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Icons change only with a release; browsers may keep them for a day.
const ICON_CACHE: &str = "public, max-age=86400";

static PAGE: LazyLock<StaticAsset> = LazyLock::new(|| {
    StaticAsset::new(
        "text/html; charset=utf-8",
        include_bytes!("../../../../web/home.html"),
        vec![
            (
                "content-security-policy",
                HeaderValue::from_static(PAGE_POLICY),
            ),
            ("referrer-policy", HeaderValue::from_static("no-referrer")),
        ],
    )
});

static ICON: LazyLock<StaticAsset> = LazyLock::new(|| {
    StaticAsset::new(
        "image/x-icon",
        include_bytes!("../../../../web/favicon.ico"),
        Vec::new(),
    )
    .cached(ICON_CACHE)
});

static ICON_SVG: LazyLock<StaticAsset> = LazyLock::new(|| {
    StaticAsset::new(
        "image/svg+xml",
        include_bytes!("../../../../web/favicon.svg"),
        Vec::new(),
    )
    .cached(ICON_CACHE)
});

/// `GET /`.
pub async fn page(headers: HeaderMap) -> Response {
    PAGE.respond(&headers)
}

/// `GET /favicon.ico`: what browsers ask every page for.
pub async fn favicon(headers: HeaderMap) -> Response {
    ICON.respond(&headers)
}

/// `GET /favicon.svg`: the same icon, sharp at any size (the pages link it).
pub async fn favicon_svg(headers: HeaderMap) -> Response {
    ICON_SVG.respond(&headers)
}
