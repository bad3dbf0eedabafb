//! `[nodes]`: running several nodes on one database: how a node learns of the others'
//! commits, and how soon a dead node's idempotency claims are released.

use std::time::Duration;

use confab_app::AppConfig;
use confab_app::wakeups::WakeupSettings;
use serde::{Deserialize, Serialize};

use super::duration;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodesSection {
    /// PostgreSQL: wake on other nodes' commits by `LISTEN/NOTIFY` (default true).
    pub pg_notify: Option<bool>,
    /// How often the pump, the dispatcher and the workers look when nothing woke them
    /// (default `5s`).
    pub poll_interval: Option<String>,
    /// How long a claimed `Idempotency-Key` blocks retries unless its request renews
    /// it (default `10s`).
    pub idempotency_lease: Option<String>,
}

/// The node settings, checked.
pub struct Nodes {
    pub wakeups: WakeupSettings,
    pub idempotency_lease_ms: i64,
}

impl NodesSection {
    pub fn validate(self) -> anyhow::Result<Nodes> {
        let defaults = WakeupSettings::default();
        let poll = match self.poll_interval.as_deref() {
            Some(text) => duration(text, "nodes.poll_interval", Duration::from_millis(10))?,
            None => defaults.poll,
        };
        let idempotency_lease_ms = match self.idempotency_lease.as_deref() {
            Some(text) => duration(text, "nodes.idempotency_lease", Duration::from_secs(1))?
                .as_millis() as i64,
            // Renewed every third of it while a request runs, so a claim left by a dead
            // node blocks its key's retries for at most this long.
            None => AppConfig::default().idempotency_lease_ms,
        };
        Ok(Nodes {
            wakeups: WakeupSettings {
                listen: self.pg_notify.unwrap_or(defaults.listen),
                poll,
            },
            idempotency_lease_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{Config, Layer};

    #[test]
    fn node_settings_have_defaults_and_are_checked() {
        let config = Config::resolve([Layer::named("nothing")]).unwrap();
        assert!(config.wakeups.listen);
        assert_eq!(config.wakeups.poll, Duration::from_secs(5));
        assert_eq!(config.idempotency_lease_ms, 10_000);
        let env = Layer::env(&[
            ("CONFAB_PG_NOTIFY", "false"),
            ("CONFAB_POLL_INTERVAL", "250ms"),
            ("CONFAB_IDEMPOTENCY_LEASE", "3s"),
        ]);
        let config = Config::resolve([env]).unwrap();
        assert!(!config.wakeups.listen);
        assert_eq!(config.wakeups.poll, Duration::from_millis(250));
        assert_eq!(config.idempotency_lease_ms, 3_000);
        let bad = Config::resolve([Layer::toml("idempotency_lease = \"0s\"")]).unwrap_err();
        assert!(bad.to_string().contains("idempotency_lease"), "{bad}");
        let bad = Config::resolve([Layer::toml("poll_interval = \"soon\"")]).unwrap_err();
        assert!(bad.to_string().contains("poll_interval"), "{bad}");
    }

    #[test]
    fn the_nodes_section_takes_sectioned_names() {
        let file = Layer::toml("[nodes]\npg_notify = false\nidempotency_lease = \"2s\"");
        let env = Layer::env(&[("CONFAB_NODES__POLL_INTERVAL", "1s")]);
        let config = Config::resolve([file, env]).unwrap();
        assert!(!config.wakeups.listen);
        assert_eq!(config.wakeups.poll, Duration::from_secs(1));
        assert_eq!(config.idempotency_lease_ms, 2_000);
    }
}
