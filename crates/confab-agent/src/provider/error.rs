//! How asking a provider fails, and whether trying again could help.

use std::time::Duration;

use super::ApiKey;

/// The longest provider message kept in [`ProviderError::Http`], in characters.
const MESSAGE_LIMIT: usize = 500;

/// Why a provider gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No complete answer within the whole-request or the idle timeout (the duration says
    /// which).
    #[error("the provider did not answer within {0:?}")]
    Timeout(Duration),
    /// The provider refused the request; `message` is its own explanation, truncated, with
    /// the API key scrubbed out should it have echoed it.
    #[error("the provider answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    /// The answer broke the protocol: malformed JSON, an error event mid-stream, a stream
    /// that ended early.
    #[error("the provider's answer could not be read: {0}")]
    Protocol(String),
    /// No connection, or it broke.
    #[error("the provider could not be reached: {0}")]
    Transport(String),
}

impl ProviderError {
    /// Whether the same request may succeed later: timeouts, lost connections, 408, 409
    /// (Anthropic's "conflict"), 429 (rate limits) and 5xx (including Anthropic's 529
    /// "overloaded") are; bad requests, bad keys and unknown models are not, nor are
    /// protocol errors, which would recur.
    pub fn is_retryable(&self) -> bool {
        match self {
            ProviderError::Timeout(_) | ProviderError::Transport(_) => true,
            ProviderError::Http { status, .. } => {
                matches!(status, 408 | 409 | 429) || (500..600).contains(status)
            }
            ProviderError::Protocol(_) => false,
        }
    }

    /// The error for an HTTP failure whose body is `body`. Both protocols answer
    /// `{"error": {"message": …}}`; anything else is quoted as it came.
    pub(crate) fn from_http(status: u16, body: &[u8], key: Option<&ApiKey>) -> Self {
        let parsed = serde_json::from_slice::<serde_json::Value>(body).ok();
        let message = parsed
            .as_ref()
            .and_then(|json| {
                let error = json.get("error")?;
                // Some compatible servers answer `{"error": "text"}`.
                error
                    .get("message")
                    .and_then(|m| m.as_str())
                    .or_else(|| error.as_str())
            })
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
        let message = if message.is_empty() {
            "(no message)".to_owned()
        } else {
            message
        };
        ProviderError::Http {
            status,
            message: truncate(&scrub(&message, key), MESSAGE_LIMIT),
        }
    }

    /// An error event or field inside an otherwise good stream.
    pub(crate) fn from_stream_error(error: &serde_json::Value, key: Option<&ApiKey>) -> Self {
        let message = error
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| error.to_string());
        ProviderError::Protocol(format!(
            "the stream reported an error: {}",
            truncate(&scrub(&message, key), MESSAGE_LIMIT)
        ))
    }
}

/// `text` with every occurrence of the key replaced, so a provider that echoes the key
/// it rejected cannot leak it into our logs.
pub(crate) fn scrub(text: &str, key: Option<&ApiKey>) -> String {
    match key.map(ApiKey::expose) {
        Some(secret) if !secret.is_empty() => text.replace(secret, "***"),
        _ => text.to_owned(),
    }
}

/// At most `limit` characters of `text`, with an ellipsis when cut.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_errors_keep_the_provider_message_truncated_and_scrubbed() {
        let key = ApiKey::new("sk-secret");
        let long = "x".repeat(2000);
        let body = format!(r#"{{"error": {{"message": "bad key sk-secret {long}"}}}}"#);
        let ProviderError::Http { status, message } =
            ProviderError::from_http(401, body.as_bytes(), Some(&key))
        else {
            panic!("expected an HTTP error");
        };
        assert_eq!(status, 401);
        assert!(message.starts_with("bad key *** x"), "{message}");
        assert!(!message.contains("sk-secret"));
        assert_eq!(message.chars().count(), MESSAGE_LIMIT + 1);
    }

    #[test]
    fn a_body_that_is_not_json_is_quoted() {
        let error = ProviderError::from_http(502, b"<html>Bad Gateway</html>", None);
        assert_eq!(
            error.to_string(),
            "the provider answered HTTP 502: <html>Bad Gateway</html>"
        );
        assert!(error.is_retryable());
    }

    #[test]
    fn retryable_statuses() {
        let http = |status| ProviderError::Http {
            status,
            message: String::new(),
        };
        for status in [408, 409, 429, 500, 503, 529] {
            assert!(http(status).is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 422] {
            assert!(!http(status).is_retryable(), "{status}");
        }
        assert!(ProviderError::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(ProviderError::Transport("reset".into()).is_retryable());
        assert!(!ProviderError::Protocol("bad json".into()).is_retryable());
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hé", 2), "hé");
    }
}
