//! `[webhooks]`: the delivery schedule, where deliveries may go, and their bounds.

use anyhow::bail;
use confab_webhooks::{RetrySchedule, WebhookSettings};
use serde::{Deserialize, Serialize};

use super::{duration, setting};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksSection {
    /// When attempts happen, counted from the event (default `0s,1s,4s,16s,1m,5m`).
    pub retry_schedule: Option<String>,
    /// Allow targets on loopback, private, link-local or metadata addresses (default false).
    pub allow_private_networks: Option<bool>,
    /// How long a claimed delivery is reserved (`30s`); after a crash, deliveries that
    /// were in flight go out again once it runs out.
    pub lease: Option<String>,
    /// Webhook requests in flight at once (per process), and to one endpoint.
    pub max_in_flight: Option<u64>,
    pub max_in_flight_per_endpoint: Option<u64>,
}

impl WebhooksSection {
    pub fn validate(self) -> anyhow::Result<WebhookSettings> {
        let defaults = WebhookSettings::default();
        let schedule = match self.retry_schedule.as_deref() {
            Some(text) => RetrySchedule::parse(text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", setting("webhooks.retry_schedule")))?,
            None => defaults.schedule,
        };
        let lease = match self.lease.as_deref() {
            Some(text) => duration(text, "webhooks.lease", std::time::Duration::from_secs(1))?,
            None => defaults.lease,
        };
        let count = |value: Option<u64>, default: usize, path: &str| -> anyhow::Result<usize> {
            match value {
                Some(0) => bail!("{} must be at least 1", setting(path)),
                Some(n) => Ok(n as usize),
                None => Ok(default),
            }
        };
        Ok(WebhookSettings {
            schedule,
            allow_private_networks: self.allow_private_networks.unwrap_or(false),
            lease,
            max_in_flight: count(
                self.max_in_flight,
                defaults.max_in_flight,
                "webhooks.max_in_flight",
            )?,
            max_in_flight_per_endpoint: count(
                self.max_in_flight_per_endpoint,
                defaults.max_in_flight_per_endpoint,
                "webhooks.max_in_flight_per_endpoint",
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{Config, Layer};

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        let bad = |layer: Layer| Config::resolve([layer]).unwrap_err().to_string();
        assert!(bad(Layer::toml("webhooks_retry_schedule = \"1s,0s\"")).contains("backwards"));
        assert!(bad(Layer::toml("webhooks_lease = \"0s\"")).contains("webhooks_lease"));
        let config = Config::resolve([Layer::toml(
            "webhooks_retry_schedule = \"0s,1m\"\nwebhooks_lease = \"2s\"",
        )])
        .unwrap();
        assert_eq!(
            config.webhooks.schedule.offset(1),
            Some(Duration::from_secs(60))
        );
        assert_eq!(config.webhooks.lease, Duration::from_secs(2));
        assert!(
            Config::resolve([Layer::env(&[(
                "CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
                "maybe"
            )])])
            .is_err()
        );
    }

    #[test]
    fn the_webhooks_section_reads_like_the_flat_names() {
        let config = Config::resolve([Layer::toml(
            "[webhooks]\nretry_schedule = \"0s,1m\"\nallow_private_networks = true\nmax_in_flight = 8",
        )])
        .unwrap();
        assert_eq!(config.webhooks.schedule.attempts(), 2);
        assert!(config.webhooks.allow_private_networks);
        assert_eq!(config.webhooks.max_in_flight, 8);
        let env = Layer::env(&[("CONFAB_WEBHOOKS__ALLOW_PRIVATE_NETWORKS", "yes")]);
        assert!(
            Config::resolve([env])
                .unwrap()
                .webhooks
                .allow_private_networks
        );
    }
}
