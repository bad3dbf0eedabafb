//! Outbound webhooks: what it takes to send one signed request and to decide what
//! happens after it.
//!
//! - [`signing`]: Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature: v1,…`, several signatures during a secret rotation) and the
//!   plain `X-Signature` hex HMAC.
//! - [`schedule`]: the retry schedule (`0s,1s,4s,16s,1m,5m`), `Retry-After`, dead.
//! - [`address`]: which IP addresses a webhook may reach.
//! - [`sender`]: the HTTP client: checks every resolved address, follows no redirect,
//!   times out, reads a bounded response.
//!
//! The durable queue of deliveries and the dispatcher that drives it live in
//! `confab-store` and `confab-app`; nothing here touches storage.

pub mod address;
pub mod schedule;
pub mod sender;
pub mod signing;

use std::time::Duration;

pub use reqwest::Url;
pub use schedule::{Outcome, RetrySchedule};
pub use sender::{AttemptReport, Sender};
pub use signing::SignedHeaders;

/// How webhooks are sent, set by the operator.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// When attempts happen, counted from the event (`CONFAB_WEBHOOKS_RETRY_SCHEDULE`).
    pub schedule: RetrySchedule,
    /// Lets endpoints reach loopback, private and link-local addresses
    /// (`CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS`); off by default.
    pub allow_private_networks: bool,
    /// How long a claimed delivery stays reserved to the node that claimed it. After a
    /// crash, deliveries that were in flight are sent again once it runs out; keep it
    /// above [`REQUEST_TIMEOUT`] so a slow attempt is not sent twice by another node.
    pub lease: Duration,
    /// Requests in flight at once, across all endpoints (per process).
    pub max_in_flight: usize,
    /// Requests in flight at once to one endpoint, so one slow endpoint cannot take
    /// every slot.
    pub max_in_flight_per_endpoint: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            schedule: RetrySchedule::default(),
            allow_private_networks: false,
            lease: Duration::from_secs(30),
            max_in_flight: 256,
            max_in_flight_per_endpoint: 32,
        }
    }
}

/// A 2xx within this time is success (DESIGN §4).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// `Confab/<version>`, sent as `User-Agent`.
pub const USER_AGENT: &str = concat!("Confab/", env!("CARGO_PKG_VERSION"));
