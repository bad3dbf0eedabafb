//! Per-credential rate limits in fixed one-minute windows, reported with the
//! `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` headers and, when
//! exceeded, `Retry-After`. Limits are per process (each node counts its own).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use confab_core::ErrorCode;

use crate::error::ApiError;

const WINDOW_SECS: u64 = 60;

#[derive(Clone, Debug)]
pub struct RateLimiter {
    per_minute: u64,
    windows: Arc<Mutex<HashMap<String, (u64, u64)>>>,
}

/// The outcome of one check, ready to become headers.
#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u64,
    pub remaining: u64,
    pub reset_secs: u64,
}

impl Verdict {
    /// The 429 for a refused request: `RATE_LIMITED` saying `what` and when to retry, with
    /// the `RateLimit-*` and `Retry-After` headers.
    pub fn refusal(&self, what: &str) -> Response {
        let mut response = ApiError::new(
            ErrorCode::RateLimited,
            format!("{what}; retry in {} s.", self.reset_secs),
        )
        .into_response();
        self.write_headers(response.headers_mut(), true);
        response
    }

    pub fn write_headers(&self, headers: &mut HeaderMap, refused: bool) {
        let mut put = |name: &'static str, value: u64| {
            if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
                headers.insert(name, v);
            }
        };
        put("ratelimit-limit", self.limit);
        put("ratelimit-remaining", self.remaining);
        put("ratelimit-reset", self.reset_secs);
        if refused {
            put("retry-after", self.reset_secs.max(1));
        }
    }
}

impl RateLimiter {
    pub fn new(per_minute: u64) -> Self {
        RateLimiter {
            per_minute: per_minute.max(1),
            windows: Arc::default(),
        }
    }

    /// The requests a key may make per minute.
    pub fn per_minute(&self) -> u64 {
        self.per_minute
    }

    /// Counts one request for `key` and says whether it may proceed.
    pub fn check(&self, key: &str) -> Verdict {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.check_at(key, now)
    }

    /// Counts one request for `key` at `now` (Unix seconds).
    pub fn check_at(&self, key: &str, now: u64) -> Verdict {
        let window = now / WINDOW_SECS;
        let reset_secs = (window + 1) * WINDOW_SECS - now;
        let mut windows = self.windows.lock().expect("rate limiter poisoned");
        if windows.len() > 100_000 {
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < self.per_minute;
        if allowed {
            entry.1 += 1;
        }
        Verdict {
            allowed,
            limit: self.per_minute,
            remaining: self.per_minute - entry.1,
            reset_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_and_recovers_with_the_window() {
        let limiter = RateLimiter::new(2);
        assert!(limiter.check_at("k", 120).allowed);
        let second = limiter.check_at("k", 121);
        assert!(second.allowed);
        assert_eq!(second.remaining, 0);
        let third = limiter.check_at("k", 130);
        assert!(!third.allowed);
        assert_eq!(third.reset_secs, 50);
        assert!(limiter.check_at("other", 130).allowed);
        assert!(limiter.check_at("k", 180).allowed);
    }
}
