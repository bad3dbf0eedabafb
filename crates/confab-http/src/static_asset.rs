//! Files embedded in the binary and served to browsers (the console's HTML, CSS and
//! JavaScript). Each is prepared once: a strong ETag from its SHA-256, and a gzip copy
//! when that is smaller. Responses say `Cache-Control: no-cache`, so browsers keep the
//! file but revalidate it (a cheap 304) and never run a stale script after an upgrade.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

/// One representation of an asset: its bytes (shared, so answering copies nothing) and
/// their ETag.
struct Representation {
    body: Bytes,
    etag: HeaderValue,
}

/// An embedded file ready to serve.
pub struct StaticAsset {
    content_type: HeaderValue,
    plain: Representation,
    gzip: Option<Representation>,
    /// Extra headers (a Content-Security-Policy for pages).
    extra: Vec<(&'static str, HeaderValue)>,
    cache_control: HeaderValue,
}

/// The file's tag: the first 12 bytes of its SHA-256, in hex.
fn tag(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn etag(tag: &str, suffix: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{tag}{suffix}\"")).expect("hex is a valid header value")
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

impl StaticAsset {
    /// Prepares `bytes` served as `content_type`, with `extra` headers on every answer.
    pub fn new(
        content_type: &'static str,
        bytes: &'static [u8],
        extra: Vec<(&'static str, HeaderValue)>,
    ) -> StaticAsset {
        let tag = tag(bytes);
        let gzip = gzip(bytes)
            .filter(|z| z.len() < bytes.len())
            .map(|body| Representation {
                // A representation has its own ETag (RFC 9110 §8.8.3).
                etag: etag(&tag, "-gz"),
                body: Bytes::from(body),
            });
        StaticAsset {
            content_type: HeaderValue::from_static(content_type),
            plain: Representation {
                body: Bytes::from_static(bytes),
                etag: etag(&tag, ""),
            },
            gzip,
            extra,
            cache_control: HeaderValue::from_static("no-cache"),
        }
    }

    /// Lets browsers keep the file for a while before revalidating (the widget's
    /// script, loaded on every page of a customer's site), instead of `no-cache`.
    pub fn cached(mut self, cache_control: &'static str) -> StaticAsset {
        self.cache_control = HeaderValue::from_static(cache_control);
        self
    }

    /// The size of the gzip representation, when there is one.
    pub fn gzipped_len(&self) -> Option<usize> {
        self.gzip.as_ref().map(|g| g.body.len())
    }

    /// Answers a GET: 304 when the browser's copy is current, else the file, gzipped
    /// when the browser accepts it.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let gzip = self.gzip.as_ref().filter(|_| accepts_gzip(request));
        let chosen = gzip.unwrap_or(&self.plain);
        let fresh = request
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == chosen.etag);
        let mut response = if fresh {
            Response::builder().status(StatusCode::NOT_MODIFIED)
        } else {
            Response::builder()
                .status(StatusCode::OK)
                .header(CONTENT_TYPE, self.content_type.clone())
        };
        let headers = response.headers_mut().expect("a fresh builder has headers");
        headers.insert(ETAG, chosen.etag.clone());
        headers.insert(CACHE_CONTROL, self.cache_control.clone());
        headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        for (name, value) in &self.extra {
            headers.insert(*name, value.clone());
        }
        if gzip.is_some() {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        let body = if fresh {
            Body::empty()
        } else {
            Body::from(chosen.body.clone())
        };
        response.body(body).expect("static headers are valid")
    }
}

/// True when `Accept-Encoding` lists gzip (or `*`) without `q=0`.
fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("").to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding == "gzip" || coding == "*") && !refused
        })
}
