//! `/v1/api-keys`: secret keys with scopes, a `response_url` for task results (signed
//! with the key's own `whsec_…` secret) and a budget.
//!
//! Owners and admins (member tokens) manage the keys of both modes; a key with
//! `keys:write` manages keys of its own mode and can hand out only scopes it holds.
//! Every key belongs to a member: the caller, or the member of the key that made it.

use confab_core::object::ObjectName;
use serde::Deserialize;

use confab_core::api_key::{ApiKey, KeyUsage};
use confab_core::budget::BudgetPeriod;
use confab_core::credential::{self, hash_secret, last4};
use confab_core::id::KeyId;
use confab_core::page::{Page, PageRequest};
use confab_core::{FieldErrors, Mode, Timestamp};
use confab_store::api_keys::{self, KeySettings, ManagedKey};
use confab_store::credentials::{KeyKind, KeyRow};
use confab_store::{TenantTx, webhook_endpoints};

use crate::budget::{self, Budget};
use crate::input::{bounded_text, patch_field};
use crate::scopes::Scopes;
use crate::webhooks::endpoints::check_url;
use crate::{Access, Actor, AppError, AppResult, Ctx, Resource};

const MAX_LABEL_CHARS: usize = 200;
/// The largest budget accepted: a hundred million dollars.
const MAX_BUDGET_CENTS: i64 = 10_000_000_000;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyCreate {
    /// A name for people, e.g. "CRM integration" (required, at most 200 characters).
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200, pattern = r"\S")]
    pub label: Option<String>,
    /// `test` or `live`; default: the caller's mode.
    pub mode: Option<Mode>,
    /// Empty or absent: full access.
    pub scopes: Option<Vec<String>>,
    /// Where task results are POSTed (https in live mode).
    pub response_url: Option<String>,
    /// Spending cap in US cents per `budget_period`; absent: no cap.
    pub budget_usd_cents: Option<i64>,
    /// `daily`, `monthly` (default) or `total`.
    pub budget_period: Option<BudgetPeriod>,
}

/// A partial update: absent fields stay; `null` clears `response_url` or the budget.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyUpdate {
    pub label: Option<String>,
    pub scopes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub response_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<i64>)]
    pub budget_usd_cents: Option<Option<i64>>,
    pub budget_period: Option<BudgetPeriod>,
}

/// The modes whose keys the caller sees: both for members, its own for a key.
fn visible_mode(ctx: &Ctx) -> Option<bool> {
    match ctx.actor {
        Actor::Member { .. } | Actor::System => None,
        Actor::SecretKey { .. } | Actor::SiteKey { .. } => Some(ctx.livemode()),
    }
}

/// The caller's own scopes when it is a limited key (what it may hand out).
fn caller_scopes(ctx: &Ctx) -> Option<&Scopes> {
    match &ctx.actor {
        Actor::SecretKey { scopes, .. } => Some(scopes),
        _ => None,
    }
}

fn check_scopes(raw: &[String], ctx: &Ctx, errors: &mut FieldErrors) -> Vec<String> {
    match Scopes::parse(raw) {
        Ok(parsed) => {
            if let Some(held) = caller_scopes(ctx)
                && !parsed.within(held)
            {
                errors.add(
                    "scopes",
                    "must be within the scopes of the key making the request (a limited key cannot grant more than it has)",
                );
            }
            parsed.names()
        }
        Err(m) => {
            errors.add("scopes", m);
            Vec::new()
        }
    }
}

fn check_budget(raw: Option<i64>, errors: &mut FieldErrors) -> Option<i64> {
    match raw {
        Some(c) if !(0..=MAX_BUDGET_CENTS).contains(&c) => {
            errors.add(
                "budget_usd_cents",
                format!("must be a whole number of cents from 0 to {MAX_BUDGET_CENTS}"),
            );
            None
        }
        other => other,
    }
}

fn check_response_url(
    ctx: &Ctx,
    raw: Option<&str>,
    livemode: bool,
    errors: &mut FieldErrors,
) -> Option<String> {
    let raw = raw.map(str::trim).filter(|u| !u.is_empty())?;
    check_url(
        raw,
        livemode,
        ctx.app.config.webhooks.allow_private_networks,
    )
    .map_err(|m| errors.add("response_url", m))
    .ok()
}

pub async fn create(ctx: &Ctx, input: KeyCreate) -> AppResult<ApiKey> {
    ctx.authorize(Resource::Keys, Access::Write)?;
    let mode = input.mode.unwrap_or(ctx.mode);
    if visible_mode(ctx).is_some_and(|live| live != mode.is_live()) {
        return Err(AppError::forbidden(format!(
            "A {} key can only create {} keys; use a member token for the other mode.",
            ctx.mode.as_str(),
            ctx.mode.as_str()
        )));
    }
    let mut errors = FieldErrors::new();
    let label = match input.label.as_deref() {
        Some(l) => bounded_text(l, "label", MAX_LABEL_CHARS, true, &mut errors),
        None => {
            errors.add("label", "is required");
            String::new()
        }
    };
    let scopes = check_scopes(
        input.scopes.as_deref().unwrap_or_default(),
        ctx,
        &mut errors,
    );
    let response_url = check_response_url(
        ctx,
        input.response_url.as_deref(),
        mode.is_live(),
        &mut errors,
    );
    let budget_cents = check_budget(input.budget_usd_cents, &mut errors);
    errors.into_result()?;

    let secret = credential::new_secret_key(mode);
    let signing_secret = credential::new_signing_secret();
    let mut uow = ctx.write().await?;
    let now = uow.now;
    let row = KeyRow {
        id: KeyId::generate(),
        workspace_id: ctx.workspace_id.clone(),
        livemode: mode.is_live(),
        member_id: ctx.member_id().cloned(),
        kind: KeyKind::Secret,
        last4: last4(&secret),
        label: label.clone(),
        scopes: scopes.clone(),
        allowed_origins: vec![],
        site_key: None,
        created_at: now,
        revoked_at: None,
    };
    let settings = KeySettings {
        label,
        scopes,
        response_url,
        budget_cents,
        budget_period: input
            .budget_period
            .unwrap_or(BudgetPeriod::Monthly)
            .as_str()
            .to_owned(),
    };
    api_keys::insert(uow.tx(), &row, &hash_secret(&secret), &settings).await?;
    // The key's endpoint lives in the key's mode, which a member may not be in.
    uow.tx().set_livemode(row.livemode).await?;
    webhook_endpoints::insert_for_key(
        uow.tx(),
        &row.id,
        row.livemode,
        settings.response_url.as_deref(),
        &signing_secret,
        now,
    )
    .await?;
    uow.tx().set_livemode(ctx.livemode()).await?;
    let stored = load(uow.tx(), ctx, &row.id).await?;
    uow.commit().await?;
    let mut shown = view(stored);
    shown.key = Some(secret);
    shown.signing_secret = Some(signing_secret);
    Ok(shown)
}

pub async fn list(ctx: &Ctx, page: &PageRequest) -> AppResult<Page<ApiKey>> {
    ctx.authorize(Resource::Keys, Access::Read)?;
    let mut tx = ctx.read().await?;
    Ok(api_keys::list(&mut tx, visible_mode(ctx), page)
        .await?
        .map(view))
}

/// A key with what it spent in its current budget period.
pub async fn get(ctx: &Ctx, id: &KeyId) -> AppResult<ApiKey> {
    ctx.authorize(Resource::Keys, Access::Read)?;
    let mut tx = ctx.read().await?;
    let key = load(&mut tx, ctx, id).await?;
    // Its spending is counted in the key's mode.
    tx.set_livemode(key.key.livemode).await?;
    let usage = usage_of(&mut tx, &key, ctx.app.clock.now()).await?;
    let mut shown = view(key);
    shown.usage = Some(usage);
    Ok(shown)
}

pub async fn update(ctx: &Ctx, id: &KeyId, input: KeyUpdate) -> AppResult<ApiKey> {
    ctx.authorize(Resource::Keys, Access::Write)?;
    let mut uow = ctx.write().await?;
    let key = api_keys::get_for_update(uow.tx(), id, visible_mode(ctx))
        .await?
        .ok_or_else(|| AppError::not_found("API key", id))?;
    if key.key.revoked_at.is_some() {
        return Err(AppError::conflict(
            "This key is revoked and cannot change; create a new key.",
        ));
    }
    let mut errors = FieldErrors::new();
    let mut settings = KeySettings {
        label: key.key.label.clone(),
        scopes: key.key.scopes.clone(),
        response_url: key.response_url.clone(),
        budget_cents: key.budget_cents,
        budget_period: key.budget_period.clone(),
    };
    if let Some(label) = &input.label {
        settings.label = bounded_text(label, "label", MAX_LABEL_CHARS, true, &mut errors);
    }
    if let Some(raw) = &input.scopes {
        settings.scopes = check_scopes(raw, ctx, &mut errors);
    }
    let url_changed = input.response_url.is_some();
    if let Some(url) = &input.response_url {
        settings.response_url =
            check_response_url(ctx, url.as_deref(), key.key.livemode, &mut errors);
    }
    if let Some(budget) = input.budget_usd_cents {
        settings.budget_cents = check_budget(budget, &mut errors);
    }
    if let Some(period) = input.budget_period {
        settings.budget_period = period.as_str().to_owned();
    }
    errors.into_result()?;
    let now = uow.now;
    api_keys::update(uow.tx(), id, &settings, now).await?;
    if url_changed {
        uow.tx().set_livemode(key.key.livemode).await?;
        webhook_endpoints::set_key_url(uow.tx(), id, settings.response_url.as_deref(), now).await?;
        uow.tx().set_livemode(ctx.livemode()).await?;
    }
    let stored = load(uow.tx(), ctx, id).await?;
    uow.commit().await?;
    Ok(view(stored))
}

/// Revokes the key: from now on it gets 403 `KEY_REVOKED`. Results of tasks it already
/// finished still go to its `response_url`.
pub async fn revoke(ctx: &Ctx, id: &KeyId) -> AppResult<ApiKey> {
    ctx.authorize(Resource::Keys, Access::Write)?;
    let mut uow = ctx.write().await?;
    load(uow.tx(), ctx, id).await?;
    let now = uow.now;
    api_keys::revoke(uow.tx(), id, now).await?;
    let stored = load(uow.tx(), ctx, id).await?;
    uow.commit().await?;
    Ok(view(stored))
}

async fn load(tx: &mut TenantTx, ctx: &Ctx, id: &KeyId) -> AppResult<ManagedKey> {
    api_keys::get(tx, id, visible_mode(ctx))
        .await?
        .ok_or_else(|| AppError::not_found("API key", id))
}

/// What the key spent in the period `now` falls in.
pub(crate) async fn usage_of(
    tx: &mut TenantTx,
    key: &ManagedKey,
    now: Timestamp,
) -> AppResult<KeyUsage> {
    let budget = Budget::of(key);
    let (used, window) = budget::usage(tx, &budget, now).await?;
    let remaining = budget.cap_cents.map(|cap| {
        let left = confab_core::money::Microcents::from_cents(cap) - used.spent;
        left.cents().max(0.0)
    });
    Ok(KeyUsage {
        period: budget.period,
        period_start: window.start,
        resets_at: window.resets_at,
        spent_cents: used.spent.cents(),
        budget_usd_cents: budget.cap_cents,
        remaining_cents: remaining,
        requests: used.requests,
        tasks: used.tasks,
    })
}

fn view(k: ManagedKey) -> ApiKey {
    ApiKey {
        object: ObjectName::new(),
        mode: Mode::from_livemode(k.key.livemode),
        member_id: k.key.member_id,
        last4: k.key.last4,
        label: k.key.label,
        scopes: k.key.scopes,
        response_url: k.response_url,
        budget_usd_cents: k.budget_cents,
        budget_period: BudgetPeriod::parse(&k.budget_period).unwrap_or(BudgetPeriod::Monthly),
        key: None,
        signing_secret: None,
        usage: None,
        created_at: k.key.created_at,
        updated_at: k.updated_at,
        revoked_at: k.key.revoked_at,
        livemode: k.key.livemode,
        id: k.key.id,
    }
}
