//! `[ai]`: which provider answers by default and where providers live.

use anyhow::bail;
use confab_app::AiConfig;
use confab_app::core::agent::{ProviderKind, ProviderSettings};
use confab_app::core::validate::is_env_var_name;
use serde::{Deserialize, Serialize};

use super::{comma_list, setting};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiSection {
    /// The provider of agents that name none: `local` (default), `openai` or `anthropic`.
    pub provider: Option<String>,
    /// The model of that provider (required for `openai` and `anthropic`).
    pub model: Option<String>,
    /// The environment variable holding that provider's API key
    /// (default `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`).
    pub api_key_env: Option<String>,
    /// OpenAI-compatible endpoint, including the version (default `https://api.openai.com/v1`).
    pub openai_base_url: Option<String>,
    /// Anthropic endpoint, the host alone (default `https://api.anthropic.com`).
    pub anthropic_base_url: Option<String>,
    /// Comma-separated variables agents with their own `base_url` may name as `api_key_env`.
    pub key_envs: Option<String>,
    /// Whole-request bound of one provider call, in milliseconds (default 60000).
    pub timeout_ms: Option<u64>,
    /// Provider attempts per customer message before the AI hands off (default 4).
    pub max_attempts: Option<u64>,
}

impl AiSection {
    pub fn validate(self) -> anyhow::Result<AiConfig> {
        let defaults = AiConfig::default();
        let kind = match self.provider.as_deref().filter(|k| !k.is_empty()) {
            None => ProviderKind::Local,
            Some(raw) => raw.parse::<ProviderKind>().map_err(|_| {
                anyhow::anyhow!(
                    "{} must be local, openai or anthropic, not {raw:?}",
                    setting("ai.provider")
                )
            })?,
        };
        let model = self.model.filter(|m| !m.is_empty());
        if kind.is_model() && model.is_none() {
            bail!(
                "ai.provider {kind} needs {}, e.g. gpt-4o-mini",
                setting("ai.model")
            );
        }
        let api_key_env = self.api_key_env.filter(|k| !k.is_empty());
        if let Some(name) = &api_key_env
            && !is_env_var_name(name)
        {
            bail!(
                "{} must be an environment variable name, not {name:?}",
                setting("ai.api_key_env")
            );
        }
        let key_envs = comma_list(self.key_envs.as_deref());
        if let Some(bad) = key_envs.iter().find(|k| !is_env_var_name(k)) {
            bail!(
                "{} lists {bad:?}, which is not an environment variable name",
                setting("ai.key_envs")
            );
        }
        let timeout_ms = self.timeout_ms.unwrap_or(defaults.timeout_ms);
        if timeout_ms < 100 {
            bail!("{} must be at least 100", setting("ai.timeout_ms"));
        }
        let max_attempts = self.max_attempts.unwrap_or(defaults.max_attempts as u64);
        if !(1..=20).contains(&max_attempts) {
            bail!("{} must be 1 to 20", setting("ai.max_attempts"));
        }
        Ok(AiConfig {
            provider: ProviderSettings {
                kind,
                model,
                base_url: None,
                api_key_env,
            },
            openai_base_url: base_url(
                self.openai_base_url,
                defaults.openai_base_url.clone(),
                "ai.openai_base_url",
            )?,
            anthropic_base_url: base_url(
                self.anthropic_base_url,
                defaults.anthropic_base_url.clone(),
                "ai.anthropic_base_url",
            )?,
            key_envs,
            timeout_ms,
            idle_timeout_ms: defaults.idle_timeout_ms.min(timeout_ms),
            max_attempts: max_attempts as i64,
        })
    }
}

fn base_url(value: Option<String>, default: String, path: &str) -> anyhow::Result<String> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(url.trim_end_matches('/').to_owned())
        }
        Some(url) => bail!(
            "{} must be an http:// or https:// URL, not {url:?}",
            setting(path)
        ),
    }
}

#[cfg(test)]
mod tests {
    use confab_app::core::agent::ProviderKind;

    use super::super::{Config, Layer};

    #[test]
    fn ai_settings_come_from_the_environment_and_are_checked() {
        let env = |pairs: &'static [(&'static str, &'static str)]| Layer::env(pairs);
        let config = Config::resolve([env(&[
            ("CONFAB_AI_PROVIDER", "openai"),
            ("CONFAB_AI_MODEL", "gpt-4o-mini"),
            ("CONFAB_AI_OPENAI_BASE_URL", "http://127.0.0.1:8081/v1/"),
            ("CONFAB_AI_KEY_ENVS", "TEAM_KEY, OTHER_KEY"),
        ])])
        .unwrap();
        assert_eq!(config.ai.provider.kind, ProviderKind::OpenAi);
        assert_eq!(config.ai.provider.model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!(config.ai.openai_base_url, "http://127.0.0.1:8081/v1");
        assert_eq!(config.ai.key_envs, vec!["TEAM_KEY", "OTHER_KEY"]);
        let defaults = Config::resolve([Layer::named("nothing")]).unwrap();
        assert_eq!(defaults.ai.provider.kind, ProviderKind::Local);
        let bad = |pairs| Config::resolve([env(pairs)]).unwrap_err().to_string();
        assert!(bad(&[("CONFAB_AI_PROVIDER", "gemini")]).contains("ai_provider"));
        assert!(bad(&[("CONFAB_AI_PROVIDER", "anthropic")]).contains("ai_model"));
        assert!(bad(&[("CONFAB_AI_KEY_ENVS", "lower-case")]).contains("ai_key_envs"));
        assert!(bad(&[("CONFAB_AI_OPENAI_BASE_URL", "ftp://x")]).contains("ai_openai_base_url"));
    }

    #[test]
    fn the_ai_section_takes_sectioned_names_in_the_file_and_the_environment() {
        let file = Layer::toml(
            "[ai]\nprovider = \"anthropic\"\nmodel = \"claude-haiku\"\ntimeout_ms = 5000",
        );
        let config = Config::resolve([file]).unwrap();
        assert_eq!(config.ai.provider.kind, ProviderKind::Anthropic);
        assert_eq!(config.ai.provider.model.as_deref(), Some("claude-haiku"));
        assert_eq!(config.ai.timeout_ms, 5000);
        let env = Layer::env(&[
            ("CONFAB_AI__PROVIDER", "openai"),
            ("CONFAB_AI__MODEL", "gpt-4o-mini"),
            ("CONFAB_AI__MAX_ATTEMPTS", "2"),
        ]);
        let config = Config::resolve([env]).unwrap();
        assert_eq!(config.ai.provider.kind, ProviderKind::OpenAi);
        assert_eq!(config.ai.max_attempts, 2);
        let bad = Config::resolve([Layer::env(&[("CONFAB_AI__TIMEOUT_MS", "soon")])])
            .unwrap_err()
            .to_string();
        assert!(
            bad.contains("ai.timeout_ms") && bad.contains("CONFAB_AI__TIMEOUT_MS"),
            "{bad}"
        );
    }
}
