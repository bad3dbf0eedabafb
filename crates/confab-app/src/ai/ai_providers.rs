//! The LLM adapters agents use, built once per (kind, endpoint, key variable) so each
//! keeps its pool of connections, and the rule for which key goes where: the operator's
//! key only ever goes to the operator's endpoint for that kind; an agent pointing at
//! its own endpoint gets a key only from a variable the operator allows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use confab_agent::provider::{
    ApiKey, ChatProvider, ProviderConfig, ProviderError, ProviderKind, build,
};
use confab_core::agent::ProviderSettings;

use crate::AiConfig;

/// (kind, base URL, key variable): what makes two adapters different.
type Route = (ProviderKind, String, Option<String>);

#[derive(Clone, Default)]
pub struct Providers {
    built: Arc<Mutex<HashMap<Route, Arc<dyn ChatProvider>>>>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Providers")
    }
}

/// Where a request for these settings goes and which variable holds its key.
fn route(
    settings: &ProviderSettings,
    kind: ProviderKind,
    ai: &AiConfig,
) -> (String, Option<String>) {
    let operator_url = match kind {
        ProviderKind::OpenAi => ai.openai_base_url.trim_end_matches('/').to_owned(),
        ProviderKind::Anthropic => ai.anthropic_base_url.trim_end_matches('/').to_owned(),
        ProviderKind::Local => String::new(),
    };
    let conventional = match kind {
        ProviderKind::OpenAi => "OPENAI_API_KEY",
        ProviderKind::Anthropic => "ANTHROPIC_API_KEY",
        ProviderKind::Local => "",
    };
    let operator_key = || {
        settings
            .api_key_env
            .clone()
            .or_else(|| {
                (ai.provider.kind == kind)
                    .then(|| ai.provider.api_key_env.clone())
                    .flatten()
            })
            .unwrap_or_else(|| conventional.to_owned())
    };
    match settings
        .base_url
        .as_deref()
        .map(|u| u.trim_end_matches('/'))
    {
        None => (operator_url, Some(operator_key())),
        Some(url) if url == operator_url => (operator_url, Some(operator_key())),
        Some(url) => {
            // Re-checked at use: the operator may have narrowed the list since.
            let allowed = settings
                .api_key_env
                .clone()
                .filter(|k| ai.key_envs.contains(k));
            (url.to_owned(), allowed)
        }
    }
}

impl Providers {
    /// The adapter for `settings` (an LLM kind; `local` is answered without one).
    pub fn get(
        &self,
        settings: &ProviderSettings,
        ai: &AiConfig,
    ) -> Result<Arc<dyn ChatProvider>, ProviderError> {
        let kind = settings.kind;
        let (base_url, key_env) = route(settings, kind, ai);
        let key = (kind, base_url.clone(), key_env.clone());
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(provider) = built.get(&key) {
            return Ok(provider.clone());
        }
        let provider = build(ProviderConfig {
            kind,
            base_url,
            api_key: key_env.as_deref().and_then(ApiKey::from_env),
            timeout: Duration::from_millis(ai.timeout_ms),
            idle_timeout: Duration::from_millis(ai.idle_timeout_ms),
        })?;
        built.insert(key, provider.clone());
        Ok(provider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(base_url: Option<&str>, key: Option<&str>) -> ProviderSettings {
        ProviderSettings {
            kind: ProviderKind::OpenAi,
            model: Some("m".into()),
            base_url: base_url.map(str::to_owned),
            api_key_env: key.map(str::to_owned),
        }
    }

    #[test]
    fn the_operator_key_never_leaves_the_operator_endpoint() {
        let ai = AiConfig::default();
        let (url, key) = route(
            &settings(Some("https://evil.example/v1"), None),
            ProviderKind::OpenAi,
            &ai,
        );
        assert_eq!((url.as_str(), key), ("https://evil.example/v1", None));
        let (_, key) = route(
            &settings(Some("https://evil.example/v1"), Some("OPENAI_API_KEY")),
            ProviderKind::OpenAi,
            &ai,
        );
        assert_eq!(
            key, None,
            "a variable the operator does not list is not read"
        );
        let (url, key) = route(&settings(None, None), ProviderKind::OpenAi, &ai);
        assert_eq!(url, "https://api.openai.com/v1");
        assert_eq!(key.as_deref(), Some("OPENAI_API_KEY"));
    }

    #[test]
    fn an_allowed_variable_goes_to_the_agent_endpoint() {
        let ai = AiConfig {
            key_envs: vec!["TEAM_LLM_KEY".into()],
            ..AiConfig::default()
        };
        let (_, key) = route(
            &settings(Some("http://127.0.0.1:9000/v1"), Some("TEAM_LLM_KEY")),
            ProviderKind::OpenAi,
            &ai,
        );
        assert_eq!(key.as_deref(), Some("TEAM_LLM_KEY"));
    }
}
