//! Webhook endpoints: create, read, list, update, delete, rotate the secret. The URL
//! and event filter are checked here, once, for every caller.

use std::time::Duration;

use confab_core::object::ObjectName;
use serde::{Deserialize, Serialize};

use confab_core::credential::new_signing_secret;
use confab_core::event::EventType;
use confab_core::id::WebhookEndpointId;
use confab_core::page::{Page, PageRequest};
use confab_core::webhook::{ALL_EVENTS, WebhookEndpoint};
use confab_core::{FieldErrors, Timestamp};
use confab_store::{Locked, TenantTx, webhook_endpoints};
use confab_webhooks::address::{is_public, known_host, resolves_only_private};

use crate::input::{optional_text, patch_field};
use crate::{Access, AppError, AppResult, Ctx, Resource};

/// How long a rotated-out secret keeps signing next to the new one.
pub const ROTATION_OVERLAP_MS: i64 = 24 * 3600 * 1000;
const MAX_URL_CHARS: usize = 2048;
const MAX_DESCRIPTION_CHARS: usize = 500;
/// How long checking an endpoint's URL waits for DNS. A request must not hang on a slow
/// resolver, and a name that has not resolved by then is accepted: it may resolve
/// later, and every attempt checks its addresses again.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);
/// How a refused address is explained, naming the setting that allows it.
const PRIVATE_HINT: &str = "a private, loopback or link-local address; the operator can allow these with CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true (webhooks.allow_private_networks in confab.toml)";

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointCreate {
    /// `https://…` (live mode); test mode also accepts `http://…`.
    #[schema(value_type = String, required = true, format = "uri", pattern = "^https?://", max_length = 2048)]
    pub url: Option<String>,
    /// `["*"]` (the default) or a list of event types.
    #[schema(min_items = 1)]
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// Default true.
    pub enabled: Option<bool>,
    /// Default false.
    pub auto_recover: Option<bool>,
}

/// A partial update: absent fields stay; `description: null` clears it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointUpdate {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub auto_recover: Option<bool>,
}

/// What `DELETE /v1/webhook-endpoints/{id}` answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeletedEndpoint {
    pub id: WebhookEndpointId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub deleted: bool,
    pub livemode: bool,
}

confab_core::named!(DeletedEndpoint => "webhook_endpoint");

/// Checks an endpoint URL: http(s) with a host, `https` in live mode, and no private
/// address known without DNS (an IP literal, `localhost`) unless the operator allows
/// private networks. [`check_target`] also resolves names.
pub fn check_url(raw: &str, livemode: bool, allow_private: bool) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    let url = confab_webhooks::Url::parse(trimmed).map_err(|_| "is not a valid URL".to_owned())?;
    match (url.scheme(), livemode) {
        ("https", _) | ("http", false) => {}
        ("http", true) => return Err("must use https:// in live mode".into()),
        _ => return Err("must be an https:// URL".into()),
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("must name a host")?;
    if let Some(ip) = known_host(host)
        && !allow_private
        && !is_public(ip)
    {
        return Err(format!("points to {ip}, {PRIVATE_HINT}"));
    }
    Ok(url.to_string())
}

/// [`check_url`], then refuses a name that resolves only to private addresses, so an
/// endpoint that could never receive anything is refused when it is made rather than
/// failing every delivery. Call it before opening a transaction: it may wait
/// [`LOOKUP_TIMEOUT`] for DNS.
pub async fn check_target(
    raw: &str,
    livemode: bool,
    allow_private: bool,
) -> Result<String, String> {
    let url = check_url(raw, livemode, allow_private)?;
    if allow_private {
        return Ok(url);
    }
    let parsed = confab_webhooks::Url::parse(&url).map_err(|_| "is not a valid URL".to_owned())?;
    let host = parsed.host_str().unwrap_or_default();
    if known_host(host).is_none()
        && let Some(ip) = resolves_only_private(host, LOOKUP_TIMEOUT).await
    {
        return Err(format!("resolves to {ip}, {PRIVATE_HINT}"));
    }
    Ok(url)
}

/// Checks an event filter: `["*"]` alone, or known event types (duplicates dropped).
pub fn check_events(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() {
        return Err("must list at least one event type, or [\"*\"] for all".into());
    }
    if raw.iter().any(|e| e == ALL_EVENTS) {
        return if raw.iter().all(|e| e == ALL_EVENTS) {
            Ok(vec![ALL_EVENTS.to_owned()])
        } else {
            Err("\"*\" already means every event type; list it alone".into())
        };
    }
    let mut out: Vec<String> = Vec::new();
    for e in raw {
        if EventType::parse(e).is_none() {
            return Err(format!("`{e}` is not a known event type"));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

pub async fn create(ctx: &Ctx, input: EndpointCreate) -> AppResult<WebhookEndpoint> {
    ctx.authorize(Resource::Webhooks, Access::Write)?;
    let allow_private = ctx.app.config.webhooks.allow_private_networks;
    let url = match input.url.as_deref() {
        Some(raw) => check_target(raw, ctx.livemode(), allow_private).await,
        None => Err("is required".to_owned()),
    };
    let all = [ALL_EVENTS.to_owned()];
    let events = check_events(input.events.as_deref().unwrap_or(&all));
    let mut errors = FieldErrors::new();
    let description = optional_text(
        input.description.as_deref(),
        "description",
        MAX_DESCRIPTION_CHARS,
        &mut errors,
    );
    let (url, events) = match (url, events) {
        (Ok(u), Ok(e)) if errors.is_empty() => (u, e),
        (u, e) => {
            for (field, result) in [("url", u.err()), ("events", e.err())] {
                if let Some(message) = result {
                    errors.add(field, message);
                }
            }
            return Err(errors.into());
        }
    };
    let mut uow = ctx.write().await?;
    let secret = new_signing_secret();
    let endpoint = WebhookEndpoint {
        id: WebhookEndpointId::generate(),
        object: ObjectName::new(),
        url,
        events,
        description,
        enabled: input.enabled.unwrap_or(true),
        auto_recover: input.auto_recover.unwrap_or(false),
        disabled_reason: None,
        secret: None,
        created_at: uow.now,
        updated_at: uow.now,
        livemode: ctx.livemode(),
    };
    webhook_endpoints::insert(uow.tx(), &endpoint, &secret).await?;
    uow.commit().await?;
    Ok(WebhookEndpoint {
        secret: Some(secret),
        ..endpoint
    })
}

pub async fn list(ctx: &Ctx, page: &PageRequest) -> AppResult<Page<WebhookEndpoint>> {
    ctx.authorize(Resource::Webhooks, Access::Read)?;
    let mut tx = ctx.read().await?;
    Ok(webhook_endpoints::list(&mut tx, page).await?)
}

pub async fn get(ctx: &Ctx, id: &WebhookEndpointId) -> AppResult<WebhookEndpoint> {
    ctx.authorize(Resource::Webhooks, Access::Read)?;
    let mut tx = ctx.read().await?;
    load(&mut tx, id).await
}

pub(crate) async fn load(tx: &mut TenantTx, id: &WebhookEndpointId) -> AppResult<WebhookEndpoint> {
    webhook_endpoints::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("webhook endpoint", id))
}

async fn load_for_update(
    tx: &mut TenantTx,
    id: &WebhookEndpointId,
) -> AppResult<Locked<WebhookEndpoint>> {
    webhook_endpoints::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("webhook endpoint", id))
}

pub async fn update(
    ctx: &Ctx,
    id: &WebhookEndpointId,
    input: EndpointUpdate,
) -> AppResult<WebhookEndpoint> {
    ctx.authorize(Resource::Webhooks, Access::Write)?;
    let allow_private = ctx.app.config.webhooks.allow_private_networks;
    // Resolved before the row is locked: DNS may take a while.
    let url = match input.url.as_deref() {
        Some(raw) => Some(check_target(raw, ctx.livemode(), allow_private).await),
        None => None,
    };
    let mut uow = ctx.write().await?;
    let mut endpoint = load_for_update(uow.tx(), id).await?;
    let mut errors = FieldErrors::new();
    match url {
        Some(Ok(url)) => endpoint.url = url,
        Some(Err(m)) => errors.add("url", m),
        None => {}
    }
    if let Some(raw) = &input.events {
        match check_events(raw) {
            Ok(events) => endpoint.events = events,
            Err(m) => errors.add("events", m),
        }
    }
    if let Some(raw) = &input.description {
        endpoint.description = optional_text(
            raw.as_deref(),
            "description",
            MAX_DESCRIPTION_CHARS,
            &mut errors,
        );
    }
    errors.into_result()?;
    if let Some(enabled) = input.enabled {
        // Enabling again clears the reason the server disabled it.
        if enabled {
            endpoint.disabled_reason = None;
        }
        endpoint.enabled = enabled;
    }
    if let Some(auto_recover) = input.auto_recover {
        endpoint.auto_recover = auto_recover;
    }
    endpoint.updated_at = uow.now;
    webhook_endpoints::update(uow.tx(), &endpoint).await?;
    uow.commit().await?;
    Ok(endpoint.into_inner())
}

/// Deletes the endpoint with its deliveries: nothing more is sent to it.
pub async fn delete(ctx: &Ctx, id: &WebhookEndpointId) -> AppResult<DeletedEndpoint> {
    ctx.authorize(Resource::Webhooks, Access::Write)?;
    let mut uow = ctx.write().await?;
    let endpoint = load(uow.tx(), id).await?;
    webhook_endpoints::delete(uow.tx(), &endpoint.id).await?;
    uow.commit().await?;
    Ok(DeletedEndpoint {
        id: endpoint.id,
        object: ObjectName::new(),
        deleted: true,
        livemode: endpoint.livemode,
    })
}

/// A new secret, returned once. The old one keeps signing alongside for 24 hours, so
/// receivers can switch without dropping a request.
pub async fn rotate_secret(ctx: &Ctx, id: &WebhookEndpointId) -> AppResult<WebhookEndpoint> {
    ctx.authorize(Resource::Webhooks, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut endpoint = load_for_update(uow.tx(), id).await?.into_inner();
    let secret = new_signing_secret();
    let now = uow.now;
    let until = Timestamp::from_millis(now.millis() + ROTATION_OVERLAP_MS);
    webhook_endpoints::rotate_secret(uow.tx(), &endpoint.id, &secret, until, now).await?;
    uow.commit().await?;
    endpoint.updated_at = now;
    endpoint.secret = Some(secret);
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_mode_and_the_address_policy() {
        assert!(check_url("https://example.com/hook", true, false).is_ok());
        assert!(
            check_url("http://example.com/hook", true, false)
                .unwrap_err()
                .contains("https")
        );
        assert!(check_url("http://example.com/hook", false, false).is_ok());
        assert!(check_url("ftp://example.com/", false, false).is_err());
        assert!(check_url("not a url", false, false).is_err());
        let private = check_url("http://169.254.169.254/latest", false, false).unwrap_err();
        assert!(
            private.contains("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS"),
            "{private}"
        );
        assert!(check_url("https://[::1]:8443/", true, false).is_err());
        assert!(check_url("http://localhost:8080/", false, false).is_err());
        assert!(check_url("http://127.0.0.1:9/", false, true).is_ok());
        assert!(check_url("http://localhost:9/", false, true).is_ok());
    }

    #[test]
    fn filters_are_all_or_known_types() {
        assert_eq!(check_events(&["*".into()]).unwrap(), vec!["*"]);
        assert!(check_events(&[]).is_err());
        assert!(check_events(&["*".into(), "message.sent".into()]).is_err());
        assert!(
            check_events(&["message.snet".into()])
                .unwrap_err()
                .contains("message.snet")
        );
        assert_eq!(
            check_events(&["message.sent".into(), "message.sent".into()]).unwrap(),
            vec!["message.sent"]
        );
    }
}
