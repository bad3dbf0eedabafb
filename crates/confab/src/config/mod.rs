//! Layered configuration: compiled-in defaults, then `confab.toml`, then `CONFAB_*`
//! environment variables, then command-line flags ([`sources`]). Settings come in
//! sections, each a type with the `validate()` that turns what was written into what the
//! application takes; the defaults are the application's own (`AiConfig::default()`, …).
//! Adding a setting is one field (with its doc) in its section, used in its `validate()`:
//! its `confab.toml` key and `CONFAB_SECTION__KEY` variable follow from the field. A new
//! section (`[channels]`, `[voice]`, `[embeddings]`) is a file with its type and
//! `validate()`, a field of [`Settings`], and a field of [`Config`].

mod ai;
mod database;
mod mcp;
mod nodes;
mod prices;
mod sources;
mod tasks;
mod webhooks;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use confab_app::wakeups::WakeupSettings;
use confab_app::{AiConfig, TaskSettings};
use confab_mcp::McpConfig;
use confab_webhooks::{RetrySchedule, WebhookSettings};
use serde::{Deserialize, Serialize};

pub use sources::Layer;
pub(crate) use sources::setting;

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

/// Serialised masked, so a secret cannot leave through serde either.
impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// Everything `confab.toml` and the environment can set, as written: the top-level
/// settings, then one field per section. Every value is optional, so layers stack and
/// the defaults stay with the types that use them. (`Serialize` lists the settings'
/// names for the environment; see `sources`.)
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on (default `127.0.0.1:8080`).
    pub listen: Option<String>,
    /// SQLite database and files (default `confab-data`).
    pub data_dir: Option<PathBuf>,
    /// Where uploaded files are kept (default: `<data_dir>/files`).
    pub files_dir: Option<PathBuf>,
    /// The address people and webhooks reach this server at (default `http://<listen>`).
    pub public_url: Option<String>,
    /// Turns the platform admin API on.
    pub admin_token: Option<Secret>,
    /// Requests per credential per minute (default 6000).
    pub rate_limit_per_minute: Option<u64>,
    /// Behind a reverse proxy: the client's address is the last `X-Forwarded-For` entry.
    pub trust_forwarded_for: Option<bool>,
    /// `auto` (default: `pretty` when stderr is a terminal, `json` otherwise), `json`
    /// or `pretty`.
    pub log_format: Option<String>,
    pub database: database::DatabaseSection,
    pub ai: ai::AiSection,
    pub webhooks: webhooks::WebhooksSection,
    pub prices: prices::PricesSection,
    pub tasks: tasks::TasksSection,
    pub mcp: mcp::McpSection,
    pub nodes: nodes::NodesSection,
}

/// How log lines are written to stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Readable lines for a person at a terminal, JSON for a collector.
    Auto,
    Json,
    Pretty,
}

impl LogFormat {
    pub fn json(self, stderr_is_terminal: bool) -> bool {
        match self {
            LogFormat::Auto => !stderr_is_terminal,
            LogFormat::Json => true,
            LogFormat::Pretty => false,
        }
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
    /// Take the client's address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// Schedule, private networks, lease and concurrency of webhook delivery.
    pub webhooks: WebhookSettings,
    pub log_format: LogFormat,
    pub ai: AiConfig,
    /// Prices and concurrency of the task gateway.
    pub tasks: TaskSettings,
    pub mcp: McpConfig,
    /// How this node learns of the others' commits.
    pub wakeups: WakeupSettings,
    pub idempotency_lease_ms: i64,
}

impl Config {
    /// Stacks the layers and validates. `file` is an explicit `--config`; without it
    /// `./confab.toml` is read when present. `flags` are the command line's.
    pub fn load(file: Option<&Path>, flags: Layer) -> anyhow::Result<Config> {
        let file_layer = match file {
            Some(path) => Layer::from_file(path)?,
            None if Path::new("confab.toml").exists() => {
                Layer::from_file(Path::new("confab.toml"))?
            }
            None => Layer::named("no config file"),
        };
        Self::resolve([file_layer, Layer::from_process_env()?, flags])
    }

    /// `layers` stacked (later ones win), then validated.
    pub fn resolve(layers: impl IntoIterator<Item = Layer>) -> anyhow::Result<Config> {
        sources::stack(layers)?.validate()
    }
}

impl Settings {
    /// The top-level settings, then each section's `validate()`.
    pub fn validate(self) -> anyhow::Result<Config> {
        let listen = self.listen.unwrap_or_else(|| "127.0.0.1:8080".into());
        listen.parse::<std::net::SocketAddr>().with_context(|| {
            format!(
                "{} {listen:?} must look like 127.0.0.1:8080",
                setting("listen")
            )
        })?;
        let data_dir = self
            .data_dir
            .unwrap_or_else(|| PathBuf::from("confab-data"));
        let database = self.database.validate(&data_dir)?;
        let public_url = self
            .public_url
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        let log_format = match self.log_format.as_deref().unwrap_or("auto") {
            "auto" => LogFormat::Auto,
            "json" => LogFormat::Json,
            "pretty" => LogFormat::Pretty,
            other => bail!(
                "{} must be `auto`, `json` or `pretty`, not {other:?}",
                setting("log_format")
            ),
        };
        let rate_limit_per_minute = self.rate_limit_per_minute.unwrap_or(6000);
        if rate_limit_per_minute == 0 {
            bail!("{} must be at least 1", setting("rate_limit_per_minute"));
        }
        let files_dir = self.files_dir.unwrap_or_else(|| data_dir.join("files"));
        let nodes = self.nodes.validate()?;
        Ok(Config {
            ai: self.ai.validate()?,
            webhooks: self.webhooks.validate()?,
            tasks: self.tasks.validate(self.prices.validate()?)?,
            mcp: self.mcp.validate(&public_url)?,
            wakeups: nodes.wakeups,
            idempotency_lease_ms: nodes.idempotency_lease_ms,
            listen,
            files_dir,
            data_dir,
            database_url: database.url,
            database_tenant_role: database.tenant_role,
            database_max_connections: database.max_connections,
            sqlite_full_sync: database.sqlite_full_sync,
            public_url,
            admin_token: self.admin_token.filter(|t| !t.expose().is_empty()),
            rate_limit_per_minute,
            trust_forwarded_for: self.trust_forwarded_for.unwrap_or(false),
            log_format,
        })
    }
}

/// The items of a comma-separated list, trimmed, empty ones left out.
pub(crate) fn comma_list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(',')
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

/// One duration (`500ms`, `5s`, `1m`) of the setting at `path`, at least `min`.
pub(crate) fn duration(text: &str, path: &str, min: Duration) -> anyhow::Result<Duration> {
    let parsed = RetrySchedule::parse(text)
        .ok()
        .filter(|s| s.attempts() == 1)
        .and_then(|s| s.offset(0))
        .with_context(|| format!("{} {text:?} must be one duration, e.g. 30s", setting(path)))?;
    if parsed < min {
        bail!("{} must be at least {min:?}", setting(path));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_win_and_defaults_fill_in() {
        let file = Layer::toml("listen = \"127.0.0.1:9000\"\ndata_dir = \"/tmp/a\"");
        let env = Layer::env(&[("CONFAB_LISTEN", "127.0.0.1:9001")]);
        let flags = Layer::named("flags").set("data_dir", Some("/tmp/b"));
        let config = Config::resolve([file, env, flags]).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9001");
        assert_eq!(config.database_url, "sqlite:///tmp/b/confab.db");
        assert_eq!(config.webhooks.schedule.attempts(), 6);
        assert!(!config.webhooks.allow_private_networks);
        assert!(!config.trust_forwarded_for);
        let behind_proxy = Layer::env(&[("CONFAB_TRUST_FORWARDED_FOR", "true")]);
        assert!(Config::resolve([behind_proxy]).unwrap().trust_forwarded_for);
    }

    #[test]
    fn logs_are_readable_at_a_terminal_and_json_elsewhere_unless_chosen() {
        let default = Config::resolve([]).unwrap().log_format;
        assert_eq!(default, LogFormat::Auto);
        assert!(!default.json(true), "a person at a terminal reads lines");
        assert!(default.json(false), "a collector reads JSON");
        let json = Layer::env(&[("CONFAB_LOG_FORMAT", "json")]);
        assert!(Config::resolve([json]).unwrap().log_format.json(true));
        let pretty = Layer::toml("log_format = \"pretty\"");
        assert!(!Config::resolve([pretty]).unwrap().log_format.json(false));
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        let bad = |layer: Layer| Config::resolve([layer]).unwrap_err().to_string();
        assert!(bad(Layer::toml("listen = \"nowhere\"")).contains("listen"));
        assert!(bad(Layer::toml("database_url = \"mysql://x\"")).contains("sqlite://"));
        assert!(bad(Layer::toml("log_format = \"xml\"")).contains("log_format"));
        assert!(bad(Layer::toml("rate_limit_per_minute = 0")).contains("rate_limit_per_minute"));
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret("super-secret".into());
        assert!(!format!("{s:?}").contains("super"));
        let config = Config::resolve([Layer::env(&[("CONFAB_ADMIN_TOKEN", "super-secret")])]);
        let config = config.unwrap();
        assert_eq!(
            config.admin_token.as_ref().map(Secret::expose),
            Some("super-secret")
        );
        assert!(!format!("{config:?}").contains("super"));
    }
}
