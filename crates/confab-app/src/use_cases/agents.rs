//! AI agents: CRUD, the choice of agent for a conversation, and previews.

use confab_core::object::ObjectName;
use serde::Deserialize;

use confab_core::FieldErrors;
use confab_core::agent::{Agent, HandoffPolicy, ProviderSettings};
use confab_core::conversation::{Channel, Conversation};
use confab_core::id::AgentId;
use confab_core::page::{Page, PageRequest};
use confab_core::validate;
use confab_store::{Locked, TenantTx, agents, contacts};

use crate::input::{
    bounded_text, distinct_parsed, distinct_texts, lowercase_tags, optional_text, patch_field,
};
use crate::{Access, AiConfig, AppError, AppResult, Ctx, Resource};

const MAX_NAME: usize = 100;
const MAX_PERSONA: usize = 2_000;
const MAX_INSTRUCTIONS: usize = 10_000;
const MAX_GREETING: usize = 1_000;
const MAX_KEYWORDS: usize = 50;
const MAX_KEYWORD: usize = 100;
const MAX_STREAK: u32 = 20;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentCreate {
    /// Required: 1 to 100 characters.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    pub persona: Option<String>,
    pub instructions: Option<String>,
    pub greeting: Option<String>,
    pub provider: Option<ProviderSettings>,
    pub knowledge_tags: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub handoff: Option<HandoffPolicy>,
    /// Channels whose conversations this agent answers unless the contact has its own.
    pub channels: Option<Vec<String>>,
    pub is_default: Option<bool>,
}

/// A partial update: absent fields stay; `greeting: null` clears it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    pub name: Option<String>,
    pub persona: Option<String>,
    pub instructions: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub greeting: Option<Option<String>>,
    pub provider: Option<ProviderSettings>,
    pub knowledge_tags: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub handoff: Option<HandoffPolicy>,
    pub channels: Option<Vec<String>>,
    pub is_default: Option<bool>,
}

fn env_name(name: &str) -> bool {
    name.len() <= 100 && validate::is_env_var_name(name)
}

/// Checks a provider choice against what the operator allows.
fn provider(raw: &ProviderSettings, ai: &AiConfig, errors: &mut FieldErrors) -> ProviderSettings {
    let kind = raw.kind;
    let model = raw
        .model
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    if kind.is_model() && model.is_none() {
        errors.add(
            "provider.model",
            "is required for openai and anthropic providers",
        );
    }
    if model.is_some_and(|m| m.chars().count() > 200) {
        errors.add("provider.model", "must be at most 200 characters");
    }
    let base_url = raw
        .base_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    if let Some(url) = base_url {
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || url.len() > 2_000 || url.contains(char::is_whitespace) {
            errors.add("provider.base_url", "must be an http:// or https:// URL");
        }
    }
    let key_env = raw
        .api_key_env
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if let Some(name) = key_env {
        if !env_name(name) {
            errors.add(
                "provider.api_key_env",
                "must be an environment variable name such as OPENAI_API_KEY",
            );
        } else if !ai.key_envs.iter().any(|k| k == name) {
            errors.add(
                "provider.api_key_env",
                "is not one the operator allows agents to use; it must be listed in the server's CONFAB_AI_KEY_ENVS",
            );
        }
    }
    ProviderSettings {
        kind,
        model: model.map(str::to_owned),
        base_url: base_url.map(|u| u.trim_end_matches('/').to_owned()),
        api_key_env: key_env.map(str::to_owned),
    }
}

fn policy(raw: &HandoffPolicy, errors: &mut FieldErrors) -> HandoffPolicy {
    if raw.negative_messages > MAX_STREAK {
        errors.add(
            "handoff.negative_messages",
            format!("must be 0 to {MAX_STREAK}"),
        );
    }
    if raw.low_confidence_answers > MAX_STREAK {
        errors.add(
            "handoff.low_confidence_answers",
            format!("must be 0 to {MAX_STREAK}"),
        );
    }
    if raw.keywords.len() > MAX_KEYWORDS {
        errors.add(
            "handoff.keywords",
            format!("must have at most {MAX_KEYWORDS} keywords"),
        );
    }
    let keywords = distinct_texts(&raw.keywords, "handoff.keywords", MAX_KEYWORD, errors);
    HandoffPolicy {
        keywords,
        ..raw.clone()
    }
}

fn languages(raw: &[String], errors: &mut FieldErrors) -> Vec<String> {
    distinct_parsed(raw, "languages", validate::lang, errors)
}

fn channels(raw: &[String], errors: &mut FieldErrors) -> Vec<String> {
    distinct_parsed(raw, "channels", channel, errors)
}

fn channel(raw: &str) -> Result<String, String> {
    Channel::parse(raw.trim())
        .map(|c| c.as_str().to_owned())
        .ok_or_else(|| format!("must be one of {}", Channel::expected()))
}

fn greeting(raw: Option<&str>, errors: &mut FieldErrors) -> Option<String> {
    optional_text(raw, "greeting", MAX_GREETING, errors)
}

pub async fn create(ctx: &Ctx, input: AgentCreate) -> AppResult<Agent> {
    ctx.authorize(Resource::Agents, Access::Write)?;
    let ai = &ctx.app.config.ai;
    let mut errors = FieldErrors::new();
    let name = match &input.name {
        Some(n) => bounded_text(n, "name", MAX_NAME, true, &mut errors),
        None => {
            errors.add("name", "is required");
            String::new()
        }
    };
    let mut agent = Agent {
        id: AgentId::generate(),
        object: ObjectName::new(),
        name,
        persona: bounded_text(
            input.persona.as_deref().unwrap_or(""),
            "persona",
            MAX_PERSONA,
            false,
            &mut errors,
        ),
        instructions: bounded_text(
            input.instructions.as_deref().unwrap_or(""),
            "instructions",
            MAX_INSTRUCTIONS,
            false,
            &mut errors,
        ),
        greeting: greeting(input.greeting.as_deref(), &mut errors),
        provider: provider(&input.provider.clone().unwrap_or_default(), ai, &mut errors),
        knowledge_tags: lowercase_tags(
            input.knowledge_tags.as_deref().unwrap_or_default(),
            "knowledge_tags",
            &mut errors,
        ),
        languages: languages(input.languages.as_deref().unwrap_or_default(), &mut errors),
        handoff: policy(&input.handoff.clone().unwrap_or_default(), &mut errors),
        channels: channels(input.channels.as_deref().unwrap_or_default(), &mut errors),
        is_default: input.is_default.unwrap_or(false),
        created_at: ctx.app.clock.now(),
        updated_at: ctx.app.clock.now(),
        livemode: ctx.livemode(),
    };
    errors.into_result()?;
    let mut uow = ctx.write().await?;
    agent.created_at = uow.now;
    agent.updated_at = uow.now;
    let has_default = agents::all(uow.tx()).await?.iter().any(|a| a.is_default);
    if agent.is_default {
        agents::clear_default(uow.tx()).await?;
    } else if !has_default {
        // The first agent answers everything until another is made the default.
        agent.is_default = true;
    }
    agents::insert(uow.tx(), &agent).await?;
    uow.commit().await?;
    Ok(agent)
}

pub(crate) async fn load(tx: &mut TenantTx, id: &AgentId) -> AppResult<Agent> {
    agents::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("agent", id))
}

async fn load_for_update(tx: &mut TenantTx, id: &AgentId) -> AppResult<Locked<Agent>> {
    agents::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("agent", id))
}

pub async fn get(ctx: &Ctx, id: &AgentId) -> AppResult<Agent> {
    ctx.authorize(Resource::Agents, Access::Read)?;
    let mut tx = ctx.read().await?;
    load(&mut tx, id).await
}

pub async fn list(ctx: &Ctx, page: &PageRequest) -> AppResult<Page<Agent>> {
    ctx.authorize(Resource::Agents, Access::Read)?;
    let mut tx = ctx.read().await?;
    Ok(agents::list(&mut tx, page).await?)
}

pub async fn update(ctx: &Ctx, id: &AgentId, input: AgentUpdate) -> AppResult<Agent> {
    ctx.authorize(Resource::Agents, Access::Write)?;
    let ai = &ctx.app.config.ai;
    let mut uow = ctx.write().await?;
    let mut agent = load_for_update(uow.tx(), id).await?;
    let mut errors = FieldErrors::new();
    if let Some(n) = &input.name {
        agent.name = bounded_text(n, "name", MAX_NAME, true, &mut errors);
    }
    if let Some(p) = &input.persona {
        agent.persona = bounded_text(p, "persona", MAX_PERSONA, false, &mut errors);
    }
    if let Some(i) = &input.instructions {
        agent.instructions = bounded_text(i, "instructions", MAX_INSTRUCTIONS, false, &mut errors);
    }
    if let Some(g) = &input.greeting {
        agent.greeting = greeting(g.as_deref(), &mut errors);
    }
    if let Some(p) = &input.provider {
        agent.provider = provider(p, ai, &mut errors);
    }
    if let Some(t) = &input.knowledge_tags {
        agent.knowledge_tags = lowercase_tags(t, "knowledge_tags", &mut errors);
    }
    if let Some(l) = &input.languages {
        agent.languages = languages(l, &mut errors);
    }
    if let Some(h) = &input.handoff {
        agent.handoff = policy(h, &mut errors);
    }
    if let Some(c) = &input.channels {
        agent.channels = channels(c, &mut errors);
    }
    errors.into_result()?;
    match input.is_default {
        Some(true) if !agent.is_default => {
            agents::clear_default(uow.tx()).await?;
            agent.is_default = true;
        }
        Some(false) => agent.is_default = false,
        _ => {}
    }
    agent.updated_at = uow.now;
    agents::update(uow.tx(), &agent).await?;
    uow.commit().await?;
    Ok(agent.into_inner())
}

/// Deletes an agent. Conversations and contacts that named it fall back to the
/// channel's agent or the default.
pub async fn delete(ctx: &Ctx, id: &AgentId) -> AppResult<Agent> {
    ctx.authorize(Resource::Agents, Access::Write)?;
    let mut uow = ctx.write().await?;
    let agent = load(uow.tx(), id).await?;
    agents::delete(uow.tx(), &agent.id).await?;
    uow.commit().await?;
    Ok(agent)
}

/// The agent that answers `conversation`: the one set on it, else its contact's, else
/// the one serving its channel, else the workspace default; `None` when the workspace
/// has no agents (the server's default provider answers then).
pub(crate) async fn for_conversation(
    tx: &mut TenantTx,
    conversation: &Conversation,
) -> AppResult<Option<Agent>> {
    if let Some(id) = &conversation.agent_id
        && let Some(agent) = agents::get(tx, id).await?
    {
        return Ok(Some(agent));
    }
    if let Some(contact) = &conversation.contact
        && let Some(contact) = contacts::get(tx, &contact.id).await?
        && let Some(id) = &contact.agent_id
        && let Some(agent) = agents::get(tx, id).await?
    {
        return Ok(Some(agent));
    }
    let all = agents::all(tx).await?;
    let channel = conversation.channel.as_str();
    let by_channel = all.iter().find(|a| a.channels.iter().any(|c| c == channel));
    Ok(by_channel
        .or_else(|| all.iter().find(|a| a.is_default))
        .cloned())
}

/// Fails with 422 on `field` unless an agent with this id exists in the workspace.
pub(crate) async fn require(tx: &mut TenantTx, id: &AgentId, field: &str) -> AppResult<()> {
    match agents::get(tx, id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::field(field, "no agent with this id exists")),
    }
}
