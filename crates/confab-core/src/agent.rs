//! AI agents: who answers a conversation, with which provider and hand-off policy.

use serde::{Deserialize, Serialize};

use crate::id::AgentId;
use crate::time::Timestamp;

/// Which model answers. Credentials are named by environment variable, never stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// `local`, `openai` or `anthropic`.
    pub kind: String,
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
            kind: "local".into(),
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
    /// Always `"agent"`.
    pub object: &'static str,
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
