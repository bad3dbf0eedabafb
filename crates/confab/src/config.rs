//! Layered configuration: compiled-in defaults, then `confab.toml`, then `CONFAB_*`
//! environment variables, then command-line flags. Validated once at start; secrets are
//! wrapped so they never print.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use confab_webhooks::{RetrySchedule, WebhookSettings};
use serde::Deserialize;

/// A value that must never reach a log.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One layer: every field optional, so layers can be stacked.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    /// Where uploaded files are kept (default: `<data_dir>/files`).
    pub files_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub database_tenant_role: Option<String>,
    pub database_max_connections: Option<u32>,
    /// `full` (default: survives power loss) or `normal` (survives a process crash only).
    pub sqlite_synchronous: Option<String>,
    pub public_url: Option<String>,
    pub admin_token: Option<Secret>,
    pub rate_limit_per_minute: Option<u64>,
    pub webhooks_retry_schedule: Option<String>,
    pub webhooks_allow_private_networks: Option<bool>,
    /// How long a claimed delivery is reserved (`30s`); after a crash, deliveries that
    /// were in flight go out again once it runs out.
    pub webhooks_lease: Option<String>,
    /// Webhook requests in flight at once (per process), and to one endpoint.
    pub webhooks_max_in_flight: Option<u64>,
    pub webhooks_max_in_flight_per_endpoint: Option<u64>,
    /// `json` (default) or `pretty`.
    pub log_format: Option<String>,
}

impl Layer {
    /// Fields of `over` win where set.
    fn overlay(self, over: Layer) -> Layer {
        Layer {
            listen: over.listen.or(self.listen),
            data_dir: over.data_dir.or(self.data_dir),
            files_dir: over.files_dir.or(self.files_dir),
            database_url: over.database_url.or(self.database_url),
            database_tenant_role: over.database_tenant_role.or(self.database_tenant_role),
            database_max_connections: over
                .database_max_connections
                .or(self.database_max_connections),
            sqlite_synchronous: over.sqlite_synchronous.or(self.sqlite_synchronous),
            public_url: over.public_url.or(self.public_url),
            admin_token: over.admin_token.or(self.admin_token),
            rate_limit_per_minute: over.rate_limit_per_minute.or(self.rate_limit_per_minute),
            webhooks_retry_schedule: over
                .webhooks_retry_schedule
                .or(self.webhooks_retry_schedule),
            webhooks_allow_private_networks: over
                .webhooks_allow_private_networks
                .or(self.webhooks_allow_private_networks),
            webhooks_lease: over.webhooks_lease.or(self.webhooks_lease),
            webhooks_max_in_flight: over.webhooks_max_in_flight.or(self.webhooks_max_in_flight),
            webhooks_max_in_flight_per_endpoint: over
                .webhooks_max_in_flight_per_endpoint
                .or(self.webhooks_max_in_flight_per_endpoint),
            log_format: over.log_format.or(self.log_format),
        }
    }

    fn from_file(path: &Path) -> anyhow::Result<Layer> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
    }

    fn from_env(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Layer> {
        let parse_bool = |name: &str| -> anyhow::Result<Option<bool>> {
            match get(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("") => Ok(None),
                Some("1" | "true" | "yes" | "on") => Ok(Some(true)),
                Some("0" | "false" | "no" | "off") => Ok(Some(false)),
                Some(other) => bail!("{name} must be true or false, not {other:?}"),
            }
        };
        let parse_num = |name: &str| -> anyhow::Result<Option<u64>> {
            get(name)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    v.parse::<u64>()
                        .with_context(|| format!("{name} must be a whole number"))
                })
                .transpose()
        };
        Ok(Layer {
            listen: get("CONFAB_LISTEN"),
            data_dir: get("CONFAB_DATA_DIR").map(PathBuf::from),
            files_dir: get("CONFAB_FILES_DIR").map(PathBuf::from),
            database_url: get("CONFAB_DATABASE_URL"),
            database_tenant_role: get("CONFAB_DATABASE_TENANT_ROLE"),
            database_max_connections: parse_num("CONFAB_DATABASE_MAX_CONNECTIONS")?
                .map(|n| n as u32),
            sqlite_synchronous: get("CONFAB_SQLITE_SYNCHRONOUS"),
            public_url: get("CONFAB_PUBLIC_URL"),
            admin_token: get("CONFAB_ADMIN_TOKEN").map(Secret),
            rate_limit_per_minute: parse_num("CONFAB_RATE_LIMIT_PER_MINUTE")?,
            webhooks_retry_schedule: get("CONFAB_WEBHOOKS_RETRY_SCHEDULE"),
            webhooks_allow_private_networks: parse_bool("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS")?,
            webhooks_lease: get("CONFAB_WEBHOOKS_LEASE"),
            webhooks_max_in_flight: parse_num("CONFAB_WEBHOOKS_MAX_IN_FLIGHT")?,
            webhooks_max_in_flight_per_endpoint: parse_num(
                "CONFAB_WEBHOOKS_MAX_IN_FLIGHT_PER_ENDPOINT",
            )?,
            log_format: get("CONFAB_LOG_FORMAT"),
        })
    }
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub files_dir: PathBuf,
    pub database_url: String,
    pub database_tenant_role: String,
    pub database_max_connections: u32,
    pub sqlite_full_sync: bool,
    pub public_url: String,
    pub admin_token: Option<Secret>,
    pub rate_limit_per_minute: u64,
    /// Schedule, private networks, lease and concurrency of webhook delivery.
    pub webhooks: WebhookSettings,
    pub log_json: bool,
}

impl Config {
    /// Stacks the layers and validates. `file` is an explicit `--config`; without it
    /// `./confab.toml` is read when present.
    pub fn load(file: Option<&Path>, flags: Layer) -> anyhow::Result<Config> {
        let env = Layer::from_env(|k| std::env::var(k).ok())?;
        let file_layer = match file {
            Some(path) => Layer::from_file(path)?,
            None if Path::new("confab.toml").exists() => {
                Layer::from_file(Path::new("confab.toml"))?
            }
            None => Layer::default(),
        };
        Self::resolve(
            Layer::default()
                .overlay(file_layer)
                .overlay(env)
                .overlay(flags),
        )
    }

    pub fn resolve(layer: Layer) -> anyhow::Result<Config> {
        let webhooks = webhook_settings(&layer)?;
        let listen = layer.listen.unwrap_or_else(|| "127.0.0.1:8080".into());
        listen
            .parse::<std::net::SocketAddr>()
            .with_context(|| format!("listen address {listen:?} must look like 127.0.0.1:8080"))?;
        let data_dir = layer
            .data_dir
            .unwrap_or_else(|| PathBuf::from("confab-data"));
        let database_url = match layer.database_url.filter(|u| !u.is_empty()) {
            Some(url) => url,
            None => format!("sqlite://{}/confab.db", data_dir.display()),
        };
        if confab_store::Backend::of_url(&database_url).is_none() {
            bail!("CONFAB_DATABASE_URL must start with sqlite:// or postgres://");
        }
        let sqlite_full_sync = match layer.sqlite_synchronous.as_deref().unwrap_or("full") {
            "full" => true,
            "normal" => false,
            other => bail!("sqlite_synchronous must be `full` or `normal`, not {other:?}"),
        };
        let public_url = layer
            .public_url
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        let log_json = match layer.log_format.as_deref().unwrap_or("json") {
            "json" => true,
            "pretty" => false,
            other => bail!("log_format must be `json` or `pretty`, not {other:?}"),
        };
        let rate_limit_per_minute = layer.rate_limit_per_minute.unwrap_or(6000);
        if rate_limit_per_minute == 0 {
            bail!("rate_limit_per_minute must be at least 1");
        }
        let files_dir = layer.files_dir.unwrap_or_else(|| data_dir.join("files"));
        Ok(Config {
            listen,
            files_dir,
            data_dir,
            database_url,
            database_tenant_role: layer
                .database_tenant_role
                .unwrap_or_else(|| "confab_tenant".into()),
            database_max_connections: layer.database_max_connections.unwrap_or(10).max(1),
            sqlite_full_sync,
            public_url,
            admin_token: layer.admin_token.filter(|t| !t.expose().is_empty()),
            rate_limit_per_minute,
            webhooks,
            log_json,
        })
    }
}

fn webhook_settings(layer: &Layer) -> anyhow::Result<WebhookSettings> {
    let defaults = WebhookSettings::default();
    let schedule = match layer.webhooks_retry_schedule.as_deref() {
        Some(text) => RetrySchedule::parse(text).map_err(anyhow::Error::msg)?,
        None => defaults.schedule,
    };
    let lease = match layer.webhooks_lease.as_deref() {
        Some(text) => {
            let parsed = RetrySchedule::parse(text)
                .ok()
                .filter(|s| s.attempts() == 1)
                .and_then(|s| s.offset(0))
                .with_context(|| {
                    format!("webhooks_lease {text:?} must be one duration, e.g. 30s")
                })?;
            if parsed < Duration::from_secs(1) {
                bail!("webhooks_lease must be at least 1s");
            }
            parsed
        }
        None => defaults.lease,
    };
    let count = |value: Option<u64>, default: usize, name: &str| -> anyhow::Result<usize> {
        match value {
            Some(0) => bail!("{name} must be at least 1"),
            Some(n) => Ok(n as usize),
            None => Ok(default),
        }
    };
    Ok(WebhookSettings {
        schedule,
        allow_private_networks: layer.webhooks_allow_private_networks.unwrap_or(false),
        lease,
        max_in_flight: count(
            layer.webhooks_max_in_flight,
            defaults.max_in_flight,
            "webhooks_max_in_flight",
        )?,
        max_in_flight_per_endpoint: count(
            layer.webhooks_max_in_flight_per_endpoint,
            defaults.max_in_flight_per_endpoint,
            "webhooks_max_in_flight_per_endpoint",
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_win_and_defaults_fill_in() {
        let file = Layer {
            listen: Some("127.0.0.1:9000".into()),
            data_dir: Some("/tmp/a".into()),
            ..Layer::default()
        };
        let env =
            Layer::from_env(|k| (k == "CONFAB_LISTEN").then(|| "127.0.0.1:9001".into())).unwrap();
        let flags = Layer {
            data_dir: Some("/tmp/b".into()),
            ..Layer::default()
        };
        let config =
            Config::resolve(Layer::default().overlay(file).overlay(env).overlay(flags)).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9001");
        assert_eq!(config.database_url, "sqlite:///tmp/b/confab.db");
        assert_eq!(config.webhooks.schedule.attempts(), 6);
        assert!(!config.webhooks.allow_private_networks);
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        let bad = |layer: Layer| Config::resolve(layer).unwrap_err().to_string();
        assert!(
            bad(Layer {
                listen: Some("nowhere".into()),
                ..Layer::default()
            })
            .contains("listen")
        );
        assert!(
            bad(Layer {
                database_url: Some("mysql://x".into()),
                ..Layer::default()
            })
            .contains("sqlite://")
        );
        assert!(
            bad(Layer {
                webhooks_retry_schedule: Some("1s,0s".into()),
                ..Layer::default()
            })
            .contains("backwards")
        );
        assert!(
            bad(Layer {
                webhooks_lease: Some("0s".into()),
                ..Layer::default()
            })
            .contains("webhooks_lease")
        );
        let config = Config::resolve(Layer {
            webhooks_retry_schedule: Some("0s,1m".into()),
            webhooks_lease: Some("2s".into()),
            ..Layer::default()
        })
        .unwrap();
        assert_eq!(
            config.webhooks.schedule.offset(1),
            Some(Duration::from_secs(60))
        );
        assert_eq!(config.webhooks.lease, Duration::from_secs(2));
        assert!(
            Layer::from_env(
                |k| (k == "CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS").then(|| "maybe".into())
            )
            .is_err()
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret("super-secret".into());
        assert!(!format!("{s:?}").contains("super"));
    }
}
