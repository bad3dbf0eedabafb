//! The widget's script and the hosted chat page: static files embedded in the binary.
//! The script is gzip-compressed once at start and served with an `ETag`, so a
//! returning browser revalidates for a 304 and never downloads it twice.

use std::io::Write;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::GzEncoder;

use confab_app::widget;
use confab_core::credential::digest_hex;
use confab_core::{ErrorCode, validate};

use crate::extract::QueryMap;
use crate::request_id;
use crate::state::HttpState;

/// `web/widget.js`, as written (no build step).
pub const WIDGET_JS: &[u8] = include_bytes!("../../../../web/widget.js");
const CHAT_PAGE: &str = include_str!("../../../../web/chat.html");
/// Browsers keep the script this long before revalidating it.
const SCRIPT_CACHE: &str = "public, max-age=600, stale-while-revalidate=86400";
/// What the hosted chat page may load: only Confab itself.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'";
/// Languages written right to left (the widget keeps the same list).
const RTL: &[&str] = &["ar", "he", "fa", "ur"];

/// The script and its compressed form, prepared once.
#[derive(Debug)]
pub struct WidgetScript {
    gzip: Vec<u8>,
    etag: HeaderValue,
}

impl WidgetScript {
    pub fn prepare() -> WidgetScript {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        let gzip = encoder
            .write_all(WIDGET_JS)
            .and_then(|()| encoder.finish())
            .expect("compressing into memory cannot fail");
        let tag = format!("\"{}\"", &digest_hex(&[WIDGET_JS])[..32]);
        WidgetScript {
            gzip,
            etag: HeaderValue::from_str(&tag).expect("hex is a valid header"),
        }
    }

    /// The compressed size, as served to browsers (the size budget's measure).
    pub fn gzipped_len(&self) -> usize {
        self.gzip.len()
    }
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| p.replace(' ', "") == "q=0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// `GET /widget.js`.
pub async fn script(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    let asset = &state.widget_script;
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == asset.etag)
        });
    let gzip = accepts_gzip(&headers);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else if gzip {
        Response::new(Body::from(asset.gzip.clone()))
    } else {
        Response::new(Body::from(WIDGET_JS))
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, asset.etag.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(SCRIPT_CACHE));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if !fresh {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        );
        h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
        // Any site may embed it.
        h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
        if gzip {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
    }
    response
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
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
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
    let title = config.agent_name.as_deref().unwrap_or("Chat");
    let html = CHAT_PAGE
        .replace("{{lang_attr}}", &lang_attr)
        .replace("{{title}}", &escape(title))
        .replace("{{site_key}}", &escape(&site_key));
    page(StatusCode::OK, html)
}
