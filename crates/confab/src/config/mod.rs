//! Layered configuration: compiled-in defaults, then `confab.toml`, then `CONFAB_*`
//! environment variables, then command-line flags. Validated once at start; secrets are
//! wrapped so they never print.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use confab_app::budget::{Prices, TokenPrices};
use confab_app::core::agent::{ProviderKind, ProviderSettings};
use confab_app::core::money::Microcents;
use confab_app::core::validate::is_env_var_name;
use confab_app::wakeups::WakeupSettings;
use confab_app::{AiConfig, TaskSettings};
use confab_mcp::McpConfig;
use confab_webhooks::{RetrySchedule, WebhookSettings};
use serde::Deserialize;

mod nodes;

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
    /// Behind a reverse proxy: the client's address is the last `X-Forwarded-For` entry.
    pub trust_forwarded_for: Option<bool>,
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
    /// The provider of agents that name none: `local` (default), `openai` or `anthropic`.
    pub ai_provider: Option<String>,
    /// The model of that provider (required for `openai` and `anthropic`).
    pub ai_model: Option<String>,
    /// The environment variable holding that provider's API key
    /// (default `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`).
    pub ai_api_key_env: Option<String>,
    /// OpenAI-compatible endpoint, including the version (default `https://api.openai.com/v1`).
    pub ai_openai_base_url: Option<String>,
    /// Anthropic endpoint, the host alone (default `https://api.anthropic.com`).
    pub ai_anthropic_base_url: Option<String>,
    /// Comma-separated variables agents with their own `base_url` may name as `api_key_env`.
    pub ai_key_envs: Option<String>,
    /// Whole-request bound of one provider call, in milliseconds (default 60000).
    pub ai_timeout_ms: Option<u64>,
    /// Provider attempts per customer message before the AI hands off (default 4).
    pub ai_max_attempts: Option<u64>,
    /// Cents charged to a key for each action the task agent takes (default 0.1).
    pub price_action_cents: Option<Amount>,
    /// Cents per million tokens to and from OpenAI-compatible providers (15 / 60).
    pub price_openai_input_cents_per_mtok: Option<Amount>,
    pub price_openai_output_cents_per_mtok: Option<Amount>,
    /// Cents per million tokens to and from Anthropic (100 / 500).
    pub price_anthropic_input_cents_per_mtok: Option<Amount>,
    pub price_anthropic_output_cents_per_mtok: Option<Amount>,
    /// Tasks one process runs at once (default 4).
    pub tasks_concurrency: Option<u64>,
    /// Comma-separated `Host` values `/mcp` accepts (`host` or `host:port`; default: the
    /// public URL's host and the loopback names).
    pub mcp_allowed_hosts: Option<String>,
    /// PostgreSQL: wake on other nodes' commits by `LISTEN/NOTIFY` (default true).
    pub pg_notify: Option<bool>,
    /// How often the pump, the dispatcher and the workers look when nothing woke them
    /// (default `5s`).
    pub poll_interval: Option<String>,
    /// How long a claimed `Idempotency-Key` blocks retries unless its request renews
    /// it (default `10s`).
    pub idempotency_lease: Option<String>,
}

/// A decimal amount, written as a TOML number or string (`0.1`, `"0.000015"`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Amount {
    Whole(u64),
    Fraction(f64),
    Text(String),
}

impl Amount {
    fn text(&self) -> String {
        match self {
            Amount::Whole(n) => n.to_string(),
            Amount::Fraction(f) => f.to_string(),
            Amount::Text(t) => t.clone(),
        }
    }
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
            trust_forwarded_for: over.trust_forwarded_for.or(self.trust_forwarded_for),
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
            ai_provider: over.ai_provider.or(self.ai_provider),
            ai_model: over.ai_model.or(self.ai_model),
            ai_api_key_env: over.ai_api_key_env.or(self.ai_api_key_env),
            ai_openai_base_url: over.ai_openai_base_url.or(self.ai_openai_base_url),
            ai_anthropic_base_url: over.ai_anthropic_base_url.or(self.ai_anthropic_base_url),
            ai_key_envs: over.ai_key_envs.or(self.ai_key_envs),
            ai_timeout_ms: over.ai_timeout_ms.or(self.ai_timeout_ms),
            ai_max_attempts: over.ai_max_attempts.or(self.ai_max_attempts),
            price_action_cents: over.price_action_cents.or(self.price_action_cents),
            price_openai_input_cents_per_mtok: over
                .price_openai_input_cents_per_mtok
                .or(self.price_openai_input_cents_per_mtok),
            price_openai_output_cents_per_mtok: over
                .price_openai_output_cents_per_mtok
                .or(self.price_openai_output_cents_per_mtok),
            price_anthropic_input_cents_per_mtok: over
                .price_anthropic_input_cents_per_mtok
                .or(self.price_anthropic_input_cents_per_mtok),
            price_anthropic_output_cents_per_mtok: over
                .price_anthropic_output_cents_per_mtok
                .or(self.price_anthropic_output_cents_per_mtok),
            tasks_concurrency: over.tasks_concurrency.or(self.tasks_concurrency),
            mcp_allowed_hosts: over.mcp_allowed_hosts.or(self.mcp_allowed_hosts),
            pg_notify: over.pg_notify.or(self.pg_notify),
            poll_interval: over.poll_interval.or(self.poll_interval),
            idempotency_lease: over.idempotency_lease.or(self.idempotency_lease),
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
            trust_forwarded_for: parse_bool("CONFAB_TRUST_FORWARDED_FOR")?,
            webhooks_retry_schedule: get("CONFAB_WEBHOOKS_RETRY_SCHEDULE"),
            webhooks_allow_private_networks: parse_bool("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS")?,
            webhooks_lease: get("CONFAB_WEBHOOKS_LEASE"),
            webhooks_max_in_flight: parse_num("CONFAB_WEBHOOKS_MAX_IN_FLIGHT")?,
            webhooks_max_in_flight_per_endpoint: parse_num(
                "CONFAB_WEBHOOKS_MAX_IN_FLIGHT_PER_ENDPOINT",
            )?,
            log_format: get("CONFAB_LOG_FORMAT"),
            ai_provider: get("CONFAB_AI_PROVIDER"),
            ai_model: get("CONFAB_AI_MODEL"),
            ai_api_key_env: get("CONFAB_AI_API_KEY_ENV"),
            ai_openai_base_url: get("CONFAB_AI_OPENAI_BASE_URL"),
            ai_anthropic_base_url: get("CONFAB_AI_ANTHROPIC_BASE_URL"),
            ai_key_envs: get("CONFAB_AI_KEY_ENVS"),
            ai_timeout_ms: parse_num("CONFAB_AI_TIMEOUT_MS")?,
            ai_max_attempts: parse_num("CONFAB_AI_MAX_ATTEMPTS")?,
            price_action_cents: get("CONFAB_PRICE_ACTION_CENTS").map(Amount::Text),
            price_openai_input_cents_per_mtok: get("CONFAB_PRICE_OPENAI_INPUT_CENTS_PER_MTOK")
                .map(Amount::Text),
            price_openai_output_cents_per_mtok: get("CONFAB_PRICE_OPENAI_OUTPUT_CENTS_PER_MTOK")
                .map(Amount::Text),
            price_anthropic_input_cents_per_mtok: get(
                "CONFAB_PRICE_ANTHROPIC_INPUT_CENTS_PER_MTOK",
            )
            .map(Amount::Text),
            price_anthropic_output_cents_per_mtok: get(
                "CONFAB_PRICE_ANTHROPIC_OUTPUT_CENTS_PER_MTOK",
            )
            .map(Amount::Text),
            tasks_concurrency: parse_num("CONFAB_TASKS_CONCURRENCY")?,
            mcp_allowed_hosts: get("CONFAB_MCP_ALLOWED_HOSTS"),
            pg_notify: parse_bool("CONFAB_PG_NOTIFY")?,
            poll_interval: get("CONFAB_POLL_INTERVAL"),
            idempotency_lease: get("CONFAB_IDEMPOTENCY_LEASE"),
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
    /// Take the client's address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// Schedule, private networks, lease and concurrency of webhook delivery.
    pub webhooks: WebhookSettings,
    pub log_json: bool,
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
        let ai = resolve_ai(&layer)?;
        let webhooks = webhook_settings(&layer)?;
        let tasks = task_settings(&layer)?;
        let wakeups = nodes::wakeup_settings(&layer)?;
        let idempotency_lease_ms = nodes::idempotency_lease_ms(&layer)?;
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
        let mcp = McpConfig {
            allowed_hosts: mcp_allowed_hosts(layer.mcp_allowed_hosts.as_deref(), &public_url)?,
        };
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
            trust_forwarded_for: layer.trust_forwarded_for.unwrap_or(false),
            webhooks,
            log_json,
            ai,
            tasks,
            mcp,
            wakeups,
            idempotency_lease_ms,
        })
    }
}

/// The price table and the task worker's concurrency.
fn task_settings(layer: &Layer) -> anyhow::Result<TaskSettings> {
    let defaults = TaskSettings::default();
    let price = |value: &Option<Amount>, default: Microcents, key: &str| match value {
        None => Ok(default),
        Some(amount) => {
            Microcents::parse_cents(&amount.text()).map_err(|e| anyhow::anyhow!("{key}: {e}"))
        }
    };
    let p = defaults.prices;
    let prices = Prices {
        action: price(&layer.price_action_cents, p.action, "price_action_cents")?,
        openai: TokenPrices {
            input_per_million: price(
                &layer.price_openai_input_cents_per_mtok,
                p.openai.input_per_million,
                "price_openai_input_cents_per_mtok",
            )?,
            output_per_million: price(
                &layer.price_openai_output_cents_per_mtok,
                p.openai.output_per_million,
                "price_openai_output_cents_per_mtok",
            )?,
        },
        anthropic: TokenPrices {
            input_per_million: price(
                &layer.price_anthropic_input_cents_per_mtok,
                p.anthropic.input_per_million,
                "price_anthropic_input_cents_per_mtok",
            )?,
            output_per_million: price(
                &layer.price_anthropic_output_cents_per_mtok,
                p.anthropic.output_per_million,
                "price_anthropic_output_cents_per_mtok",
            )?,
        },
    };
    let concurrency = match layer.tasks_concurrency {
        Some(0) => bail!("tasks_concurrency must be at least 1"),
        Some(n) => n as usize,
        None => defaults.concurrency,
    };
    Ok(TaskSettings {
        prices,
        concurrency,
        ..defaults
    })
}

/// The `Host` values `/mcp` answers to: the configured list, or the public URL's host
/// and the loopback names.
fn mcp_allowed_hosts(value: Option<&str>, public_url: &str) -> anyhow::Result<Vec<String>> {
    let hosts: Vec<String> = value
        .unwrap_or("")
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if hosts.is_empty() {
        return Ok(confab_mcp::default_allowed_hosts(public_url));
    }
    if let Some(bad) = hosts
        .iter()
        .find(|h| h.contains("://") || h.contains('/') || h.chars().any(char::is_whitespace))
    {
        bail!(
            "mcp_allowed_hosts lists {bad:?}; give host names or host:port, e.g. chat.example.com"
        );
    }
    Ok(hosts)
}

fn base_url(value: Option<&String>, default: String, key: &str) -> anyhow::Result<String> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(url.trim_end_matches('/').to_owned())
        }
        Some(url) => bail!("{key} must be an http:// or https:// URL, not {url:?}"),
    }
}

/// The AI settings: which provider answers by default and where providers live.
fn resolve_ai(layer: &Layer) -> anyhow::Result<AiConfig> {
    let defaults = AiConfig::default();
    let kind = match layer.ai_provider.as_deref().filter(|k| !k.is_empty()) {
        None => ProviderKind::Local,
        Some(raw) => raw.parse::<ProviderKind>().map_err(|_| {
            anyhow::anyhow!("ai_provider must be local, openai or anthropic, not {raw:?}")
        })?,
    };
    let model = layer.ai_model.clone().filter(|m| !m.is_empty());
    if kind.is_model() && model.is_none() {
        bail!("ai_provider {kind} needs ai_model (CONFAB_AI_MODEL), e.g. gpt-4o-mini");
    }
    let api_key_env = layer.ai_api_key_env.clone().filter(|k| !k.is_empty());
    if let Some(name) = &api_key_env
        && !is_env_var_name(name)
    {
        bail!("ai_api_key_env must be an environment variable name, not {name:?}");
    }
    let key_envs: Vec<String> = layer
        .ai_key_envs
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    if let Some(bad) = key_envs.iter().find(|k| !is_env_var_name(k)) {
        bail!("ai_key_envs lists {bad:?}, which is not an environment variable name");
    }
    let timeout_ms = layer.ai_timeout_ms.unwrap_or(defaults.timeout_ms);
    if timeout_ms < 100 {
        bail!("ai_timeout_ms must be at least 100");
    }
    let max_attempts = layer
        .ai_max_attempts
        .unwrap_or(defaults.max_attempts as u64);
    if !(1..=20).contains(&max_attempts) {
        bail!("ai_max_attempts must be 1 to 20");
    }
    Ok(AiConfig {
        provider: ProviderSettings {
            kind,
            model,
            base_url: None,
            api_key_env,
        },
        openai_base_url: base_url(
            layer.ai_openai_base_url.as_ref(),
            defaults.openai_base_url.clone(),
            "ai_openai_base_url",
        )?,
        anthropic_base_url: base_url(
            layer.ai_anthropic_base_url.as_ref(),
            defaults.anthropic_base_url.clone(),
            "ai_anthropic_base_url",
        )?,
        key_envs,
        timeout_ms,
        idle_timeout_ms: defaults.idle_timeout_ms.min(timeout_ms),
        max_attempts: max_attempts as i64,
    })
}

fn webhook_settings(layer: &Layer) -> anyhow::Result<WebhookSettings> {
    let defaults = WebhookSettings::default();
    let schedule = match layer.webhooks_retry_schedule.as_deref() {
        Some(text) => RetrySchedule::parse(text).map_err(anyhow::Error::msg)?,
        None => defaults.schedule,
    };
    let lease = match layer.webhooks_lease.as_deref() {
        Some(text) => nodes::duration(text, "webhooks_lease", Duration::from_secs(1))?,
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
        assert!(!config.trust_forwarded_for);
        let behind_proxy =
            Layer::from_env(|k| (k == "CONFAB_TRUST_FORWARDED_FOR").then(|| "true".into()));
        assert!(
            Config::resolve(behind_proxy.unwrap())
                .unwrap()
                .trust_forwarded_for
        );
    }

    #[test]
    fn mcp_hosts_default_to_the_public_host_and_can_be_listed() {
        let config = Config::resolve(Layer {
            public_url: Some("https://chat.example.com".into()),
            ..Layer::default()
        })
        .unwrap();
        assert_eq!(
            config.mcp.allowed_hosts,
            ["localhost", "127.0.0.1", "::1", "chat.example.com"]
        );
        let env = Layer::from_env(|k| {
            (k == "CONFAB_MCP_ALLOWED_HOSTS").then(|| "Chat.Example.com, 10.0.0.5:8080".into())
        })
        .unwrap();
        let config = Config::resolve(env).unwrap();
        assert_eq!(
            config.mcp.allowed_hosts,
            ["chat.example.com", "10.0.0.5:8080"]
        );
        let bad = Config::resolve(Layer {
            mcp_allowed_hosts: Some("https://chat.example.com".into()),
            ..Layer::default()
        })
        .unwrap_err();
        assert!(bad.to_string().contains("mcp_allowed_hosts"));
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
    fn ai_settings_come_from_the_environment_and_are_checked() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            Layer::from_env(|k| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).into())
            })
            .unwrap()
        };
        let config = Config::resolve(env(&[
            ("CONFAB_AI_PROVIDER", "openai"),
            ("CONFAB_AI_MODEL", "gpt-4o-mini"),
            ("CONFAB_AI_OPENAI_BASE_URL", "http://127.0.0.1:8081/v1/"),
            ("CONFAB_AI_KEY_ENVS", "TEAM_KEY, OTHER_KEY"),
        ]))
        .unwrap();
        assert_eq!(config.ai.provider.kind, ProviderKind::OpenAi);
        assert_eq!(config.ai.provider.model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!(config.ai.openai_base_url, "http://127.0.0.1:8081/v1");
        assert_eq!(config.ai.key_envs, vec!["TEAM_KEY", "OTHER_KEY"]);
        let defaults = Config::resolve(Layer::default()).unwrap();
        assert_eq!(defaults.ai.provider.kind, ProviderKind::Local);
        let bad = |pairs| Config::resolve(env(pairs)).unwrap_err().to_string();
        assert!(bad(&[("CONFAB_AI_PROVIDER", "gemini")]).contains("ai_provider"));
        assert!(bad(&[("CONFAB_AI_PROVIDER", "anthropic")]).contains("ai_model"));
        assert!(bad(&[("CONFAB_AI_KEY_ENVS", "lower-case")]).contains("ai_key_envs"));
        assert!(bad(&[("CONFAB_AI_OPENAI_BASE_URL", "ftp://x")]).contains("ai_openai_base_url"));
    }

    #[test]
    fn prices_come_from_the_environment_or_the_file_and_are_checked() {
        let env = Layer::from_env(|k| match k {
            "CONFAB_PRICE_ACTION_CENTS" => Some("0.25".into()),
            "CONFAB_PRICE_OPENAI_INPUT_CENTS_PER_MTOK" => Some("7.5".into()),
            "CONFAB_TASKS_CONCURRENCY" => Some("2".into()),
            _ => None,
        })
        .unwrap();
        let config = Config::resolve(env).unwrap();
        assert_eq!(config.tasks.prices.action, Microcents(250_000));
        assert_eq!(
            config.tasks.prices.openai.input_per_million,
            Microcents(7_500_000)
        );
        assert_eq!(
            config.tasks.prices.openai.output_per_million,
            TaskSettings::default().prices.openai.output_per_million
        );
        assert_eq!(config.tasks.concurrency, 2);
        let file: Layer =
            toml::from_str("price_action_cents = 1\nprice_anthropic_output_cents_per_mtok = 0.5")
                .unwrap();
        let config = Config::resolve(file).unwrap();
        assert_eq!(config.tasks.prices.action, Microcents::from_cents(1));
        assert_eq!(
            config.tasks.prices.anthropic.output_per_million,
            Microcents(500_000)
        );
        let bad = Config::resolve(Layer {
            price_action_cents: Some(Amount::Text("-1".into())),
            ..Layer::default()
        })
        .unwrap_err()
        .to_string();
        assert!(bad.contains("price_action_cents"), "{bad}");
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret("super-secret".into());
        assert!(!format!("{s:?}").contains("super"));
    }
}
