//! Which provider to talk to, where, with which credential and how patiently.

use std::fmt;
use std::time::Duration;

pub use confab_core::agent::{ProviderKind, UnknownProviderKind};

/// The provider's public endpoint. For `openai` it ends in the API version (`/v1`),
/// for `anthropic` it does not: see the module documentation. `local` has none.
pub fn default_base_url(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::OpenAi => "https://api.openai.com/v1",
        ProviderKind::Anthropic => "https://api.anthropic.com",
        ProviderKind::Local => "",
    }
}

/// A provider's secret key. It has no `Display`, its `Debug` prints `ApiKey(***)`, and
/// only the adapters read it, to put it in a request header.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(secret: impl Into<String>) -> Self {
        ApiKey(secret.into())
    }

    /// The key in the environment variable `name` (config names the variable, never the
    /// key), or `None` when it is unset or empty.
    pub fn from_env(name: &str) -> Option<Self> {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
            .map(|value| ApiKey(value.trim().to_owned()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// Everything an adapter needs to reach its provider.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The wire protocol.
    pub kind: ProviderKind,
    /// Where the provider lives; see [`default_base_url`] for the convention.
    pub base_url: String,
    /// Sent when present; local servers usually need none.
    pub api_key: Option<ApiKey>,
    /// The most one request may take, from sending it to the last streamed byte.
    pub timeout: Duration,
    /// The longest silence tolerated while waiting for the response headers or between
    /// two chunks of the stream.
    pub idle_timeout: Duration,
}

impl ProviderConfig {
    /// The provider's public endpoint, no key, two minutes per request and 30 s of
    /// silence at most.
    pub fn new(kind: ProviderKind) -> Self {
        ProviderConfig {
            kind,
            base_url: default_base_url(kind).to_owned(),
            api_key: None,
            timeout: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(30),
        }
    }
}
