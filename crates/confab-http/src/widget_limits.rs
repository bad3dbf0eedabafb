//! The widget's rate limits (DESIGN §3): per site key and client IP, in one-minute
//! windows, by route class. Counted on the application's clock, so tests move time
//! instead of waiting.

use axum::http::Method;

use crate::rate_limit::{RateLimiter, Verdict};

/// The classes of widget routes, each with its own budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteClass {
    /// `GET /v1/widget/config`: 60 a minute.
    Config,
    /// `POST /v1/widget/conversations`: 5 a minute.
    Create,
    /// History, conversation state, the stream, file downloads: 60 a minute.
    Read,
    /// Messages, hand-off, identify, uploads: 20 a minute.
    Send,
}

impl RouteClass {
    pub const CONFIG_PER_MINUTE: u64 = 60;
    pub const CREATE_PER_MINUTE: u64 = 5;
    pub const READ_PER_MINUTE: u64 = 60;
    pub const SEND_PER_MINUTE: u64 = 20;

    /// The class of a widget request.
    pub fn of(method: &Method, path: &str) -> RouteClass {
        let path = path.trim_end_matches('/');
        if path == "/v1/widget/config" {
            RouteClass::Config
        } else if method == Method::GET {
            RouteClass::Read
        } else if path == "/v1/widget/conversations" {
            RouteClass::Create
        } else {
            RouteClass::Send
        }
    }

    fn name(self) -> &'static str {
        match self {
            RouteClass::Config => "config",
            RouteClass::Create => "create",
            RouteClass::Read => "read",
            RouteClass::Send => "send",
        }
    }
}

#[derive(Clone, Debug)]
pub struct WidgetLimits {
    config: RateLimiter,
    create: RateLimiter,
    read: RateLimiter,
    send: RateLimiter,
}

impl Default for WidgetLimits {
    fn default() -> Self {
        WidgetLimits {
            config: RateLimiter::new(RouteClass::CONFIG_PER_MINUTE),
            create: RateLimiter::new(RouteClass::CREATE_PER_MINUTE),
            read: RateLimiter::new(RouteClass::READ_PER_MINUTE),
            send: RateLimiter::new(RouteClass::SEND_PER_MINUTE),
        }
    }
}

impl WidgetLimits {
    /// Counts one request of `class` from `client_ip` with site key `key_id` at `now`
    /// (Unix seconds).
    pub fn check(&self, class: RouteClass, key_id: &str, client_ip: &str, now: u64) -> Verdict {
        let limiter = match class {
            RouteClass::Config => &self.config,
            RouteClass::Create => &self.create,
            RouteClass::Read => &self.read,
            RouteClass::Send => &self.send,
        };
        limiter.check_at(&format!("{key_id}|{client_ip}|{}", class.name()), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fall_into_their_classes() {
        let post = Method::POST;
        let get = Method::GET;
        assert_eq!(
            RouteClass::of(&get, "/v1/widget/config"),
            RouteClass::Config
        );
        assert_eq!(
            RouteClass::of(&post, "/v1/widget/conversations"),
            RouteClass::Create
        );
        assert_eq!(
            RouteClass::of(&get, "/v1/widget/conversations/t/messages"),
            RouteClass::Read
        );
        assert_eq!(
            RouteClass::of(&get, "/v1/widget/conversations/t/stream"),
            RouteClass::Read
        );
        assert_eq!(
            RouteClass::of(&post, "/v1/widget/conversations/t/messages"),
            RouteClass::Send
        );
        assert_eq!(
            RouteClass::of(&post, "/v1/widget/conversations/t/handoff"),
            RouteClass::Send
        );
        assert_eq!(
            RouteClass::of(&post, "/v1/widget/conversations/t/files"),
            RouteClass::Send
        );
    }

    #[test]
    fn each_class_counts_apart_per_key_and_ip() {
        let limits = WidgetLimits::default();
        for _ in 0..5 {
            assert!(
                limits
                    .check(RouteClass::Create, "key_a", "1.2.3.4", 600)
                    .allowed
            );
        }
        let refused = limits.check(RouteClass::Create, "key_a", "1.2.3.4", 601);
        assert!(!refused.allowed);
        assert_eq!(refused.limit, 5);
        assert_eq!(refused.reset_secs, 59);
        assert!(
            limits
                .check(RouteClass::Send, "key_a", "1.2.3.4", 601)
                .allowed
        );
        assert!(
            limits
                .check(RouteClass::Create, "key_a", "5.6.7.8", 601)
                .allowed
        );
        assert!(
            limits
                .check(RouteClass::Create, "key_b", "1.2.3.4", 601)
                .allowed
        );
        assert!(
            limits
                .check(RouteClass::Create, "key_a", "1.2.3.4", 660)
                .allowed
        );
    }
}
