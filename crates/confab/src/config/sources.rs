//! Where settings come from and the names they go by. A [`Layer`] is one source (the
//! file, the environment, the command line) holding values nested as in the sectioned
//! `confab.toml`; later layers win key by key. Names are derived from the sections'
//! fields, so a new setting needs no entry here: `[ai] timeout_ms` is `ai.timeout_ms` in
//! the file and `CONFAB_AI__TIMEOUT_MS` in the environment.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, bail};
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

use super::Settings;

/// The flat names settings had before sections, and the setting each names. Each still
/// works as a `confab.toml` key and, upper-cased after `CONFAB_`, as an environment
/// variable. Frozen: settings added later have their sectioned names only.
const FLAT_NAMES: &[(&str, &str)] = &[
    ("database_url", "database.url"),
    ("database_tenant_role", "database.tenant_role"),
    ("database_max_connections", "database.max_connections"),
    ("sqlite_synchronous", "database.sqlite_synchronous"),
    ("ai_provider", "ai.provider"),
    ("ai_model", "ai.model"),
    ("ai_api_key_env", "ai.api_key_env"),
    ("ai_openai_base_url", "ai.openai_base_url"),
    ("ai_anthropic_base_url", "ai.anthropic_base_url"),
    ("ai_key_envs", "ai.key_envs"),
    ("ai_timeout_ms", "ai.timeout_ms"),
    ("ai_max_attempts", "ai.max_attempts"),
    ("webhooks_retry_schedule", "webhooks.retry_schedule"),
    (
        "webhooks_allow_private_networks",
        "webhooks.allow_private_networks",
    ),
    ("webhooks_lease", "webhooks.lease"),
    ("webhooks_max_in_flight", "webhooks.max_in_flight"),
    (
        "webhooks_max_in_flight_per_endpoint",
        "webhooks.max_in_flight_per_endpoint",
    ),
    ("price_action_cents", "prices.action_cents"),
    (
        "price_openai_input_cents_per_mtok",
        "prices.openai_input_cents_per_mtok",
    ),
    (
        "price_openai_output_cents_per_mtok",
        "prices.openai_output_cents_per_mtok",
    ),
    (
        "price_anthropic_input_cents_per_mtok",
        "prices.anthropic_input_cents_per_mtok",
    ),
    (
        "price_anthropic_output_cents_per_mtok",
        "prices.anthropic_output_cents_per_mtok",
    ),
    ("tasks_concurrency", "tasks.concurrency"),
    ("mcp_allowed_hosts", "mcp.allowed_hosts"),
    // Running several nodes: the last settings added before sections.
    ("pg_notify", "nodes.pg_notify"),
    ("poll_interval", "nodes.poll_interval"),
    ("idempotency_lease", "nodes.idempotency_lease"),
];

const ENV_PREFIX: &str = "CONFAB_";

/// Every name a setting goes by, for error messages: `ai.provider (ai_provider,
/// CONFAB_AI__PROVIDER, CONFAB_AI_PROVIDER)`.
pub(crate) fn setting(path: &str) -> String {
    let env = |key: &str| {
        format!(
            "{ENV_PREFIX}{}",
            key.replace('.', "__").to_ascii_uppercase()
        )
    };
    match FLAT_NAMES.iter().find(|(_, p)| *p == path) {
        Some((flat, _)) => format!("{path} ({flat}, {}, {})", env(path), env(flat)),
        None => format!("{path} ({})", env(path)),
    }
}

/// The dotted path of every setting, read off the sections' fields.
fn known_paths() -> BTreeSet<String> {
    fn walk(prefix: &str, dict: &Dict, out: &mut BTreeSet<String>) {
        for (key, value) in dict {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                Value::Dict(_, inner) => walk(&path, inner, out),
                _ => {
                    out.insert(path);
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    // Every field of the defaults is there (as an empty value), section by section.
    match Value::serialize(Settings::default()) {
        Ok(Value::Dict(_, dict)) => walk("", &dict, &mut out),
        other => unreachable!("settings serialise to a table, not {other:?}"),
    }
    out
}

/// Sets `value` at a dotted `path`, making the sections on the way.
fn insert(dict: &mut Dict, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            dict.insert(path.to_owned(), value);
        }
        Some((section, rest)) => {
            let entry = dict
                .entry(section.to_owned())
                .or_insert_with(|| Value::from(Dict::new()));
            if !matches!(entry, Value::Dict(..)) {
                *entry = Value::from(Dict::new());
            }
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

fn contains(dict: &Dict, path: &str) -> bool {
    match path.split_once('.') {
        None => dict.contains_key(path),
        Some((section, rest)) => match dict.get(section) {
            Some(Value::Dict(_, inner)) => contains(inner, rest),
            _ => false,
        },
    }
}

/// One source of settings, nested as in the sectioned `confab.toml`.
#[derive(Clone, Debug)]
pub struct Layer {
    name: String,
    values: Dict,
}

impl Layer {
    /// An empty layer; `name` says where its values came from in error messages.
    pub fn named(name: impl Into<String>) -> Layer {
        Layer {
            name: name.into(),
            values: Dict::new(),
        }
    }

    /// Sets the setting at `path` (`listen`, `database.url`) when `value` is given.
    pub fn set(mut self, path: &str, value: Option<impl Into<String>>) -> Layer {
        if let Some(value) = value {
            insert(&mut self.values, path, Value::from(value.into()));
        }
        self
    }

    /// A `confab.toml`, sectioned or with the flat names of old (or both, one name per
    /// setting).
    pub fn from_toml(text: &str, name: impl Into<String>) -> anyhow::Result<Layer> {
        let name = name.into();
        let table: toml::Table = toml::from_str(text).with_context(|| format!("parsing {name}"))?;
        let Value::Dict(_, mut values) = Value::serialize(table)? else {
            bail!("{name} must be a TOML table");
        };
        for (flat, path) in FLAT_NAMES {
            if let Some(value) = values.remove(*flat) {
                if contains(&values, path) {
                    bail!("{name} sets both {flat} and {path}, one setting; keep one");
                }
                insert(&mut values, path, value);
            }
        }
        Ok(Layer { name, values })
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Layer> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        Layer::from_toml(&text, format!("config file {}", path.display()))
    }

    /// The `CONFAB_*` variables among `vars`: `CONFAB_SECTION__KEY`, a top-level
    /// `CONFAB_KEY`, or a flat name of old (the sectioned name wins when both are set).
    /// Empty values count as unset; other `CONFAB_*` variables (`CONFAB_LOG`) are not
    /// settings and are left alone, but a sectioned name must name a setting.
    pub fn from_env(vars: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Layer> {
        let known = known_paths();
        let (mut flat, mut sectioned) = (Vec::new(), Vec::new());
        for (var, value) in vars {
            let Some(key) = var.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let key = key.to_ascii_lowercase();
            if key.contains("__") {
                let path = key.replace("__", ".");
                if !known.contains(&path) {
                    bail!("{var} names no setting (sectioned names look like CONFAB_AI__PROVIDER)");
                }
                sectioned.push((path, value));
            } else if let Some((_, path)) = FLAT_NAMES.iter().find(|(f, _)| *f == key) {
                flat.push((path.to_string(), value));
            } else if known.contains(&key) {
                flat.push((key, value));
            }
        }
        // Sorted so the outcome does not depend on the environment's order.
        flat.sort();
        sectioned.sort();
        let mut layer = Layer::named("the environment");
        for (path, value) in flat.into_iter().chain(sectioned) {
            layer = layer.set(&path, Some(value));
        }
        Ok(layer)
    }

    /// The process's environment (variables that are not Unicode are skipped).
    pub fn from_process_env() -> anyhow::Result<Layer> {
        Layer::from_env(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name.clone())
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

/// Stacks `layers` (later ones win) and reads the settings, lenient about text from the
/// environment (`"2"` for a number, `yes`/`on`/`1` for true).
pub(crate) fn stack(layers: impl IntoIterator<Item = Layer>) -> anyhow::Result<Settings> {
    let figment = layers
        .into_iter()
        .fold(figment::Figment::new(), figment::Figment::merge);
    figment.extract_lossy().map_err(|error| {
        let source = error
            .metadata
            .as_ref()
            .map(|m| format!(" (in {})", m.name))
            .unwrap_or_default();
        match (error.path.join("."), &error.kind) {
            (path, figment::error::Kind::UnknownField(_, known)) => anyhow::anyhow!(
                "{path} is not a setting{source}; known here: {}",
                known.join(", ")
            ),
            (path, kind) if path.is_empty() => anyhow::anyhow!("{kind}{source}"),
            (path, kind) => anyhow::anyhow!("{}: {kind}{source}", setting(&path)),
        }
    })
}

#[cfg(test)]
impl Layer {
    /// The environment made of `pairs`.
    pub fn env(pairs: &[(&str, &str)]) -> Layer {
        Layer::from_env(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
    }

    /// A `confab.toml` made of `text`.
    pub fn toml(text: &str) -> Layer {
        Layer::from_toml(text, "confab.toml").unwrap()
    }
}

#[cfg(test)]
mod tests {
    use confab_app::core::agent::ProviderKind;

    use super::super::Config;
    use super::*;

    fn error(layers: Vec<Layer>) -> String {
        format!("{:#}", Config::resolve(layers).unwrap_err())
    }

    #[test]
    fn env_wins_over_the_file_which_wins_over_the_default() {
        let file = Layer::toml("[ai]\nmax_attempts = 7\ntimeout_ms = 5000");
        let env = Layer::env(&[("CONFAB_AI__MAX_ATTEMPTS", "9")]);
        let config = Config::resolve([file, env]).unwrap();
        assert_eq!(config.ai.max_attempts, 9);
        assert_eq!(config.ai.timeout_ms, 5000);
        assert_eq!(config.ai.openai_base_url, "https://api.openai.com/v1");
        // A flat name in the environment still beats the file's sectioned one.
        let file = Layer::toml("[ai]\nprovider = \"local\"");
        let env = Layer::env(&[("CONFAB_AI_PROVIDER", "openai"), ("CONFAB_AI_MODEL", "m")]);
        let config = Config::resolve([file, env]).unwrap();
        assert_eq!(config.ai.provider.kind, ProviderKind::OpenAi);
    }

    #[test]
    fn flat_names_and_sectioned_names_are_the_same_settings() {
        let flat = Layer::toml(
            "ai_provider = \"openai\"\nai_model = \"m\"\ndatabase_url = \"postgres://db/x\"",
        );
        let sectioned = Layer::toml(
            "[ai]\nprovider = \"openai\"\nmodel = \"m\"\n[database]\nurl = \"postgres://db/x\"",
        );
        for layer in [flat, sectioned] {
            let config = Config::resolve([layer]).unwrap();
            assert_eq!(config.ai.provider.kind, ProviderKind::OpenAi);
            assert_eq!(config.database_url, "postgres://db/x");
        }
        // In the environment the sectioned name wins over the flat one.
        let env = Layer::env(&[
            ("CONFAB_TASKS__CONCURRENCY", "3"),
            ("CONFAB_TASKS_CONCURRENCY", "5"),
        ]);
        assert_eq!(Config::resolve([env]).unwrap().tasks.concurrency, 3);
        // In one file, one name per setting.
        let both = Layer::from_toml("ai_provider = \"local\"\n[ai]\nprovider = \"local\"", "f");
        assert!(
            both.unwrap_err()
                .to_string()
                .contains("ai_provider and ai.provider")
        );
    }

    #[test]
    fn the_names_the_contract_gives_still_work() {
        let env = Layer::env(&[
            ("CONFAB_ADMIN_TOKEN", "t"),
            ("CONFAB_WEBHOOKS_RETRY_SCHEDULE", "0s,2s"),
            ("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true"),
        ]);
        let file = Layer::toml(
            "admin_token = \"t\"\nwebhooks_retry_schedule = \"0s,2s\"\nwebhooks_allow_private_networks = true",
        );
        for layer in [env, file] {
            let config = Config::resolve([layer]).unwrap();
            assert_eq!(config.admin_token.unwrap().expose(), "t");
            assert_eq!(config.webhooks.schedule.attempts(), 2);
            assert!(config.webhooks.allow_private_networks);
        }
        let known = known_paths();
        for (flat, path) in FLAT_NAMES {
            assert!(
                known.contains(*path),
                "{flat} names {path}, which is no setting"
            );
            assert!(
                !known.contains(*flat),
                "{flat} is also a setting of its own"
            );
        }
    }

    #[test]
    fn only_settings_are_read() {
        // Other CONFAB_ variables are not settings; empty ones count as unset.
        let env = Layer::env(&[
            ("CONFAB_LOG", "debug"),
            ("CONFAB_LISTEN", ""),
            ("OTHER_LISTEN", "x"),
        ]);
        assert_eq!(Config::resolve([env]).unwrap().listen, "127.0.0.1:8080");
        // A sectioned name must name a setting, and so must a file's key.
        let typo = Layer::from_env([("CONFAB_AI__PROVDER".to_owned(), "openai".to_owned())]);
        assert!(typo.unwrap_err().to_string().contains("CONFAB_AI__PROVDER"));
        let unknown = error(vec![Layer::toml("[ai]\nprovder = \"openai\"")]);
        assert!(
            unknown.starts_with("ai.provder is not a setting (in confab.toml)"),
            "{unknown}"
        );
        let unknown = error(vec![Layer::toml("[channels]\nwhatsapp = true")]);
        assert!(unknown.contains("channels"), "{unknown}");
    }

    #[test]
    fn errors_name_the_setting_by_all_its_names_and_its_source() {
        let wrong_type = error(vec![Layer::env(&[(
            "CONFAB_DATABASE_MAX_CONNECTIONS",
            "many",
        )])]);
        assert!(
            wrong_type.starts_with("database.max_connections (database_max_connections, CONFAB_DATABASE__MAX_CONNECTIONS, CONFAB_DATABASE_MAX_CONNECTIONS)"),
            "{wrong_type}"
        );
        assert!(wrong_type.contains("the environment"), "{wrong_type}");
        let invalid = error(vec![Layer::toml("[ai]\ntimeout_ms = 5")]);
        assert_eq!(
            invalid,
            "ai.timeout_ms (ai_timeout_ms, CONFAB_AI__TIMEOUT_MS, CONFAB_AI_TIMEOUT_MS) must be at least 100"
        );
        assert_eq!(setting("listen"), "listen (CONFAB_LISTEN)");
    }
}
