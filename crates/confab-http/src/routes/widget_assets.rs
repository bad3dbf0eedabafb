//! The widget's script and the hosted chat page: static files embedded in the binary.
//! The script is gzip-compressed once, on first use, and served with an `ETag` and a short
//! `max-age`, so a returning browser mostly uses its copy and otherwise revalidates for
//! a 304.

use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use confab_app::widget;
use confab_core::{ErrorCode, validate};

use crate::extract::QueryMap;
use crate::request_id;
use crate::state::HttpState;
use crate::static_asset::StaticAsset;

/// `web/widget.js`, as written (no build step).
pub const WIDGET_JS: &[u8] = include_bytes!("../../../../web/widget.js");
const CHAT_PAGE: &str = include_str!("../../../../web/chat.html");
/// Browsers keep the script ten minutes, then revalidate (an upgrade reaches every
/// visitor within that).
const SCRIPT_CACHE: &str = "public, max-age=600, stale-while-revalidate=86400";
/// What the hosted chat page may load: only Confab itself.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'";
/// Languages written right to left (the widget keeps the same list).
const RTL: &[&str] = &["ar", "he", "fa", "ur"];

/// The script, prepared once for the process (compressed, tagged).
static SCRIPT: LazyLock<StaticAsset> = LazyLock::new(|| {
    StaticAsset::new(
        "text/javascript; charset=utf-8",
        WIDGET_JS,
        // Any site may embed it.
        vec![(
            "cross-origin-resource-policy",
            HeaderValue::from_static("cross-origin"),
        )],
    )
    .cached(SCRIPT_CACHE)
});

/// The script's size as served to browsers that accept gzip (the size budget's measure).
pub fn widget_js_gzipped_len() -> usize {
    SCRIPT.gzipped_len().unwrap_or(WIDGET_JS.len())
}

/// `GET /widget.js`.
pub async fn script(headers: HeaderMap) -> Response {
    SCRIPT.respond(&headers)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /chat/{site_key}`: a full-page chat on the same script, for a link or a QR
/// code. `?lang=ar` sets the page's language (else the browser's).
pub async fn chat_page(
    State(state): State<HttpState>,
    Path(site_key): Path<String>,
    q: QueryMap,
) -> Response {
    let config = match widget::page_config(&state.app, &site_key, &request_id::current()).await {
        Ok(config) => config,
        Err(err) => {
            let (status, text) = match err.code() {
                ErrorCode::InvalidApiKey | ErrorCode::Unauthenticated => (
                    StatusCode::UNAUTHORIZED,
                    "This chat link is not valid. Ask the business for a current link.",
                ),
                _ => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The chat cannot open right now. Please try again in a moment.",
                ),
            };
            return page(
                status,
                format!(
                    "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Chat</title></head><body><p>{text}</p></body></html>"
                ),
            );
        }
    };
    let lang = q.get("lang").and_then(|l| validate::lang(l).ok());
    let lang_attr = match &lang {
        Some(l) if RTL.contains(&l.as_str()) => format!(" lang=\"{l}\" dir=\"rtl\""),
        Some(l) => format!(" lang=\"{l}\""),
        None => String::new(),
    };
    let title = format!("Chat · {}", config.business_name);
    let html = CHAT_PAGE
        .replace("{{lang_attr}}", &lang_attr)
        .replace("{{title}}", &escape(&title))
        .replace("{{business_name}}", &escape(&config.business_name))
        .replace("{{accent}}", &escape(&config.widget.accent_color))
        .replace("{{site_key}}", &escape(&site_key));
    page(StatusCode::OK, html)
}
