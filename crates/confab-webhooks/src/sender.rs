//! The outbound HTTP client. One per process, so connections to an endpoint are pooled
//! and reused across deliveries.
//!
//! Every attempt is checked against the address policy after DNS resolution: the
//! client's resolver drops every refused address and fails when none is left, so the
//! connection can only go to an address that passed (a later DNS answer cannot swap in
//! a private one: each new connection resolves and checks again, and a pooled
//! connection is to an address that passed). URLs naming an IP literally skip DNS and
//! are checked here before sending. No proxy (it would resolve names on our behalf), no
//! redirects, a 10 s limit on the whole exchange, and at most
//! [`MAX_RESPONSE_READ`] bytes of the response are read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};

use crate::address::{is_public, literal_host};
use crate::schedule::Outcome;
use crate::signing::SignedHeaders;
use crate::{REQUEST_TIMEOUT, USER_AGENT as CONFAB_AGENT};

/// The most of a response body read (the rest is dropped with the connection).
pub const MAX_RESPONSE_READ: usize = 64 * 1024;
/// The most of a response body kept with an attempt.
pub const MAX_STORED_BODY: usize = 1024;

/// What one attempt did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptReport {
    pub outcome: Outcome,
    pub status_code: Option<u16>,
    pub latency: Duration,
    /// Why the attempt failed when there was no 2xx (a sentence for people).
    pub error: Option<String>,
    /// The start of the response body, cut at [`MAX_STORED_BODY`] bytes.
    pub response_body: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to private, loopback or link-local addresses")]
struct RefusedAddress {
    host: String,
}

/// Resolves with the system resolver, then keeps only addresses the policy allows.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found
                .filter(|addr| allow_private || is_public(addr.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(RefusedAddress { host }) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[derive(Clone, Debug)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub fn new(allow_private: bool) -> Result<Sender, String> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| format!("building the webhook HTTP client: {e}"))?;
        Ok(Sender {
            client,
            allow_private,
        })
    }

    /// POSTs `body` (the exact bytes that were signed) to `url` and reports.
    pub async fn send(&self, url: &str, signed: &SignedHeaders, body: Vec<u8>) -> AttemptReport {
        self.send_with(url, signed, &[], body).await
    }

    /// [`Sender::send`] with `extra` headers (a task result's `X-Task-Id`).
    pub async fn send_with(
        &self,
        url: &str,
        signed: &SignedHeaders,
        extra: &[(&'static str, String)],
        body: Vec<u8>,
    ) -> AttemptReport {
        let started = Instant::now();
        let failed = |error: String| AttemptReport {
            outcome: Outcome::Failed { retry_after: None },
            status_code: None,
            latency: started.elapsed(),
            error: Some(error),
            response_body: None,
        };
        let parsed = match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            _ => return failed("the endpoint URL is not an http(s) URL".into()),
        };
        if let Some(ip) = parsed.host_str().and_then(literal_host)
            && !self.allow_private
            && !is_public(ip)
        {
            return failed(format!(
                "refused: {ip} is a private, loopback or link-local address"
            ));
        }
        let response = match self
            .client
            .post(parsed)
            .headers(headers(signed, extra))
            .body(body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(err) => return failed(describe(&err)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (body, read_error) = read_capped(response).await;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let mut outcome = Outcome::of_status(status, retry_after.as_deref(), now_ms);
        // A 2xx must arrive whole within the limit; a body cut off by the timeout is not.
        if outcome == Outcome::Delivered && read_error.is_some() {
            outcome = Outcome::Failed { retry_after: None };
        }
        let error = match (&outcome, read_error) {
            (Outcome::Delivered, _) => None,
            (_, Some(e)) => Some(e),
            (Outcome::Gone, None) => Some("410 Gone: the endpoint was disabled".into()),
            (_, None) => Some(format!("the endpoint answered {status}")),
        };
        AttemptReport {
            outcome,
            status_code: Some(status),
            latency: started.elapsed(),
            error,
            response_body: Some(body).filter(|b| !b.is_empty()),
        }
    }
}

fn headers(signed: &SignedHeaders, extra: &[(&'static str, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            map.insert(name, v);
        }
    };
    put("webhook-id", &signed.webhook_id);
    put("webhook-timestamp", &signed.webhook_timestamp);
    put("webhook-signature", &signed.webhook_signature);
    put("x-signature", &signed.x_signature);
    for (name, value) in extra {
        put(name, value);
    }
    map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    map.insert(USER_AGENT, HeaderValue::from_static(CONFAB_AGENT));
    map
}

/// Reads at most [`MAX_RESPONSE_READ`] bytes; returns the stored prefix and, when the
/// read failed (timeout, reset), why.
async fn read_capped(mut response: reqwest::Response) -> (String, Option<String>) {
    let mut read = Vec::new();
    let mut error = None;
    while read.len() < MAX_RESPONSE_READ {
        match response.chunk().await {
            Ok(Some(chunk)) => read.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(err) => {
                error = Some(describe(&err));
                break;
            }
        }
    }
    read.truncate(MAX_STORED_BODY);
    let mut text = String::from_utf8_lossy(&read).into_owned();
    // A cut in the middle of a character leaves a replacement character; drop it.
    if read.len() == MAX_STORED_BODY && text.ends_with('\u{FFFD}') {
        text.pop();
    }
    (text, error)
}

/// A sentence for an attempt that got no response.
fn describe(err: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(refused) = e.downcast_ref::<RefusedAddress>() {
            return format!("refused: {refused}");
        }
        source = e.source();
    }
    if err.is_timeout() {
        format!("no response within {} s", REQUEST_TIMEOUT.as_secs())
    } else if err.is_connect() {
        format!("could not connect: {}", root_cause(err))
    } else {
        format!("request failed: {}", root_cause(err))
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}
