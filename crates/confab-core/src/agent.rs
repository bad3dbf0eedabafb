//! AI agents: who answers a conversation, with which provider and hand-off policy.

use crate::object::ObjectName;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::id::AgentId;
use crate::time::Timestamp;

/// What answers: Confab's own responder (`local`, no model), or a model behind one of
/// two wire protocols. Parsed once, from an agent's settings or the server's config,
/// and matched on from there to the worker and the adapters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
pub enum ProviderKind {
    #[default]
    #[serde(rename = "local")]
    Local,
    /// OpenAI Chat Completions, spoken by many servers.
    #[serde(rename = "openai")]
    OpenAi,
    /// Anthropic Messages.
    #[serde(rename = "anthropic")]
    Anthropic,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 3] = [
        ProviderKind::Local,
        ProviderKind::OpenAi,
        ProviderKind::Anthropic,
    ];

    /// The name used in the API and in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Local => "local",
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
        }
    }

    /// Whether a model answers (and so a model name is required).
    pub fn is_model(self) -> bool {
        self != ProviderKind::Local
    }

    /// The accepted names, for error messages.
    pub fn expected() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider name that is none of `local`, `openai` and `anthropic`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of local, openai, anthropic (not {0:?})")]
pub struct UnknownProviderKind(pub String);

/// Case and surrounding spaces do not matter (`" OpenAI"` is `openai`).
impl FromStr for ProviderKind {
    type Err = UnknownProviderKind;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let name = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| UnknownProviderKind(raw.to_owned()))
    }
}

impl<'de> Deserialize<'de> for ProviderKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse()
            .map_err(|_| serde::de::Error::custom(format!("must be one of {}", Self::expected())))
    }
}

/// Which model answers. Credentials are named by environment variable, never stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    pub kind: ProviderKind,
    /// The model name (required for `openai` and `anthropic`).
    #[serde(default)]
    pub model: Option<String>,
    /// Overrides the server's base URL for this kind.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The environment variable holding the API key; must be one the operator allows.
    #[serde(default)]
    pub api_key_env: Option<String>,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        ProviderSettings {
            kind: ProviderKind::Local,
            model: None,
            base_url: None,
            api_key_env: None,
        }
    }
}

/// When the AI stands down for a person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffPolicy {
    /// Consecutive negative customer messages that hand off (0 turns the rule off).
    #[serde(default = "default_two")]
    pub negative_messages: u32,
    /// Consecutive answers below the confidence threshold that hand off (0: never).
    #[serde(default = "default_two")]
    pub low_confidence_answers: u32,
    /// Words or phrases that hand off at once (case- and accent-insensitive).
    #[serde(default)]
    pub keywords: Vec<String>,
}

fn default_two() -> u32 {
    2
}

impl Default for HandoffPolicy {
    fn default() -> Self {
        HandoffPolicy {
            negative_messages: 2,
            low_confidence_answers: 2,
            keywords: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Agent {
    pub id: AgentId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub name: String,
    /// Who the agent is, in a sentence or two (for LLM providers).
    pub persona: String,
    /// How it should behave (for LLM providers).
    pub instructions: String,
    /// What it says first; also its answer to a bare greeting.
    pub greeting: Option<String>,
    pub provider: ProviderSettings,
    /// Only entries with one of these tags are used (empty: all entries).
    pub knowledge_tags: Vec<String>,
    /// Languages it answers in (empty: any).
    pub languages: Vec<String>,
    pub handoff: HandoffPolicy,
    /// Channels (`web`, `api`, `whatsapp`, …) whose conversations it answers by default.
    pub channels: Vec<String>,
    pub is_default: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub livemode: bool,
}

crate::named!(Agent => "agent");
