//! The widget's settings: what a business sets with `PUT /v1/settings/widget`, and the
//! public part the widget reads with its site key (`GET /v1/widget/config`).

use confab_core::object::ObjectName;
use serde::{Deserialize, Serialize};

use confab_core::conversation::Channel;
use confab_core::credential::{self as credential_text, hash_secret, last4};
use confab_core::id::KeyId;
use confab_core::widget::{self, Position, WidgetConfig};
use confab_core::{FieldErrors, Mode, Timestamp, validate};
use confab_store::credentials::{self, KeyKind, KeyRow};
use confab_store::widget_settings::{self, WidgetSettingsRow};
use confab_store::{TenantTx, agents, workspaces};

use crate::input::{distinct_parsed, optional_text, patch_field};
use crate::{Access, AppResult, Ctx, Resource};

pub const MAX_GREETING_CHARS: usize = 500;
pub const MAX_AGENT_NAME_CHARS: usize = 100;
pub const MAX_LANGUAGES: usize = 20;
pub const MAX_ORIGINS: usize = 50;

/// The widget's settings in one mode, as owners and admins manage them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WidgetSettings {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    #[serde(flatten)]
    pub config: WidgetConfig,
    /// Browser origins this mode's site keys accept (`https://shop.example.com`,
    /// `https://*.example.com`, `*`). Empty: any origin in test mode, none in live mode
    /// (Confab's own hosted chat page always works).
    pub allowed_origins: Vec<String>,
    /// This mode's site key, for the embed snippet (`data-site-key`) and the hosted page
    /// (`/chat/{site_key}`). It is public by design. `null` when the key was made before
    /// Confab kept it: `POST /v1/settings/widget/site-key` makes a new one.
    pub site_key: Option<String>,
    /// The key for identity verification: the host page's server sends
    /// `user_hash = hex HMAC-SHA256(identity_secret, external_id)`. Keep it server-side.
    pub identity_secret: String,
    pub livemode: bool,
    /// When the settings last changed; `null` while they are the defaults.
    pub updated_at: Option<Timestamp>,
}

confab_core::named!(WidgetSettings => "widget_settings");

/// A change to the widget's settings: fields left out keep their value; `null` clears
/// `greeting` and `agent_name`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetSettingsUpdate {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub greeting: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub agent_name: Option<Option<String>>,
    pub accent_color: Option<String>,
    pub position: Option<Position>,
    pub require_email: Option<bool>,
    pub languages: Option<Vec<String>>,
    pub allowed_origins: Option<Vec<String>>,
}

fn defaults() -> WidgetSettingsRow {
    WidgetSettingsRow {
        config: WidgetConfig::default(),
        updated_at: Timestamp::from_millis(0),
    }
}

/// The stored settings, or the defaults (with `updated_at` 0) when never set.
async fn current(tx: &mut TenantTx) -> AppResult<WidgetSettingsRow> {
    Ok(widget_settings::get(tx).await?.unwrap_or_else(defaults))
}

/// The widget's settings as set (no fallbacks), for the rules they carry.
pub(crate) async fn stored(tx: &mut TenantTx) -> AppResult<WidgetConfig> {
    Ok(current(tx).await?.config)
}

/// The mode's newest working site key (its keys share one list of origins).
async fn active_site_key(tx: &mut TenantTx) -> AppResult<Option<KeyRow>> {
    Ok(credentials::list_keys(tx, KeyKind::Site)
        .await?
        .into_iter()
        .find(|k| k.revoked_at.is_none()))
}

async fn view(ctx: &Ctx, tx: &mut TenantTx, row: WidgetSettingsRow) -> AppResult<WidgetSettings> {
    let key = active_site_key(tx).await?;
    let (allowed_origins, site_key) = key
        .map(|k| (k.allowed_origins, k.site_key))
        .unwrap_or_default();
    Ok(WidgetSettings {
        object: ObjectName::new(),
        allowed_origins,
        site_key,
        identity_secret: workspaces::current(tx).await?.identity_secret,
        livemode: ctx.livemode(),
        updated_at: (row.updated_at.millis() > 0).then_some(row.updated_at),
        config: row.config,
    })
}

pub async fn get(ctx: &Ctx) -> AppResult<WidgetSettings> {
    ctx.authorize(Resource::Settings, Access::Read)?;
    let mut tx = ctx.read().await?;
    let row = current(&mut tx).await?;
    view(ctx, &mut tx, row).await
}

/// An optional text field of a PATCH: trimmed, bounded, empty meaning cleared.
fn patch_text(
    raw: Option<Option<String>>,
    field: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    raw.map(|v| optional_text(v.as_deref(), field, max, errors))
}

pub async fn update(ctx: &Ctx, input: WidgetSettingsUpdate) -> AppResult<WidgetSettings> {
    ctx.authorize(Resource::Settings, Access::Write)?;
    let mut errors = FieldErrors::new();
    let greeting = patch_text(input.greeting, "greeting", MAX_GREETING_CHARS, &mut errors);
    let agent_name = patch_text(
        input.agent_name,
        "agent_name",
        MAX_AGENT_NAME_CHARS,
        &mut errors,
    );
    let accent_color = input.accent_color.as_deref().and_then(|c| {
        widget::accent_color(c)
            .map_err(|m| errors.add("accent_color", m))
            .ok()
    });
    let languages = input.languages.as_deref().map(|l| {
        if l.len() > MAX_LANGUAGES {
            errors.add(
                "languages",
                format!("must list at most {MAX_LANGUAGES} languages"),
            );
        }
        distinct_parsed(l, "languages", validate::lang, &mut errors)
    });
    let origins = input.allowed_origins.as_deref().map(|o| {
        if o.len() > MAX_ORIGINS {
            errors.add(
                "allowed_origins",
                format!("must list at most {MAX_ORIGINS} origins"),
            );
        }
        distinct_parsed(o, "allowed_origins", widget::origin, &mut errors)
    });
    errors.into_result()?;

    let mut uow = ctx.write().await?;
    let mut row = widget_settings::get_for_update(uow.tx(), &defaults()).await?;
    let config = &mut row.config;
    if let Some(g) = greeting {
        config.greeting = g;
    }
    if let Some(n) = agent_name {
        config.agent_name = n;
    }
    if let Some(c) = accent_color {
        config.accent_color = c;
    }
    if let Some(p) = input.position {
        config.position = p;
    }
    if let Some(r) = input.require_email {
        config.require_email = r;
    }
    if let Some(l) = languages {
        config.languages = l;
    }
    let now = uow.now;
    row.updated_at = now;
    widget_settings::put(uow.tx(), &row).await?;
    if let Some(origins) = &origins {
        credentials::set_site_origins(uow.tx(), origins, now).await?;
    }
    let settings = view(ctx, uow.tx(), row).await?;
    uow.commit().await?;
    Ok(settings)
}

/// Replaces the mode's site key: the old one stops working at once (pages that embed it
/// show nothing until they carry the new one) and the new one keeps the allowed origins.
/// For a key that leaked onto a site it should not be on, or one made before Confab kept
/// site keys.
pub async fn new_site_key(ctx: &Ctx) -> AppResult<WidgetSettings> {
    ctx.authorize(Resource::Settings, Access::Write)?;
    let mode = Mode::from_livemode(ctx.livemode());
    let secret = credential_text::new_site_key(mode);
    let mut uow = ctx.write().await?;
    // The settings row is the mode's lock: two replacements at once leave one key.
    let row = widget_settings::get_for_update(uow.tx(), &defaults()).await?;
    let now = uow.now;
    let allowed_origins = active_site_key(uow.tx())
        .await?
        .map(|k| k.allowed_origins)
        .unwrap_or_default();
    credentials::revoke_site_keys(uow.tx(), now).await?;
    let key = KeyRow {
        id: KeyId::generate(),
        workspace_id: ctx.workspace_id.clone(),
        livemode: ctx.livemode(),
        member_id: ctx.member_id().cloned(),
        kind: KeyKind::Site,
        last4: last4(&secret),
        label: format!("{} site key", mode.as_str()),
        scopes: vec![],
        allowed_origins,
        site_key: Some(secret.clone()),
        created_at: now,
        revoked_at: None,
    };
    credentials::insert_key(uow.tx(), &key, &hash_secret(&secret)).await?;
    let settings = view(ctx, uow.tx(), row).await?;
    uow.commit().await?;
    Ok(settings)
}

/// What the widget shows before a conversation starts. A greeting or name the business
/// did not set comes from the agent that answers web conversations (the web channel's,
/// else the default), else stays `null` for the widget's own words.
pub async fn public_config(ctx: &Ctx) -> AppResult<WidgetConfig> {
    let mut tx = ctx.read().await?;
    resolved(&mut tx).await
}

/// [`public_config`] inside a transaction the caller holds.
pub(crate) async fn resolved(tx: &mut TenantTx) -> AppResult<WidgetConfig> {
    let mut config = stored(tx).await?;
    if config.greeting.is_none() || config.agent_name.is_none() {
        let all = agents::all(tx).await?;
        let web = Channel::Web.as_str();
        let agent = all
            .iter()
            .find(|a| a.channels.iter().any(|c| c == web))
            .or_else(|| all.iter().find(|a| a.is_default));
        if let Some(agent) = agent {
            config.greeting = config.greeting.or_else(|| agent.greeting.clone());
            config.agent_name = config.agent_name.or_else(|| Some(agent.name.clone()));
        }
    }
    Ok(config)
}
