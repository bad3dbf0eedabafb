//! `/v1/webhook-endpoints` and `/v1/webhook-deliveries`.

use confab_app::webhooks::deliveries::{self, Replay, ReplayInput};
use confab_app::webhooks::endpoints::{self, DeletedEndpoint, EndpointCreate, EndpointUpdate};
use confab_core::id::{WebhookDeliveryId, WebhookEndpointId};
use confab_core::page::Page;
use confab_core::webhook::{WebhookDelivery, WebhookEndpoint};

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::{Accepted, ApiJson, Created, Json};

/// List webhook endpoints, newest first.
#[utoipa::path(get, path = "/v1/webhook-endpoints", tag = "Webhooks",
    params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<WebhookEndpoint>), (status = 422, body = ErrorBody)))]
pub async fn list(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<WebhookEndpoint>>> {
    let page = query.page()?;
    Ok(Json(endpoints::list(&ctx, &page).await?))
}

/// Create a webhook endpoint. The response carries the signing secret (`whsec_…`),
/// shown only here and on rotation.
#[utoipa::path(post, path = "/v1/webhook-endpoints", tag = "Webhooks",
    request_body = EndpointCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = WebhookEndpoint), (status = 422, body = ErrorBody)))]
pub async fn create(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<EndpointCreate>,
) -> ApiResult<Created<WebhookEndpoint>> {
    Ok(Created(endpoints::create(&ctx, input).await?))
}

/// Get a webhook endpoint (without its secret).
#[utoipa::path(get, path = "/v1/webhook-endpoints/{id}", tag = "Webhooks",
    params(("id" = String, Path)),
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = ErrorBody)))]
pub async fn get(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<Json<WebhookEndpoint>> {
    Ok(Json(endpoints::get(&ctx, &id).await?))
}

/// Update a webhook endpoint: absent fields stay. `enabled: true` also clears a
/// `disabled_reason`.
#[utoipa::path(patch, path = "/v1/webhook-endpoints/{id}", tag = "Webhooks",
    params(("id" = String, Path)),
    request_body = EndpointUpdate,
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookEndpointId>,
    ApiJson(input): ApiJson<EndpointUpdate>,
) -> ApiResult<Json<WebhookEndpoint>> {
    Ok(Json(endpoints::update(&ctx, &id, input).await?))
}

/// Delete a webhook endpoint and its deliveries.
#[utoipa::path(delete, path = "/v1/webhook-endpoints/{id}", tag = "Webhooks",
    params(("id" = String, Path)),
    responses((status = 200, body = DeletedEndpoint), (status = 404, body = ErrorBody)))]
pub async fn delete(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<Json<DeletedEndpoint>> {
    Ok(Json(endpoints::delete(&ctx, &id).await?))
}

/// Rotate the signing secret. The new secret is in the response; the old one keeps
/// signing alongside for 24 hours.
#[utoipa::path(post, path = "/v1/webhook-endpoints/{id}/rotate-secret", tag = "Webhooks",
    params(("id" = String, Path)),
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<Json<WebhookEndpoint>> {
    Ok(Json(endpoints::rotate_secret(&ctx, &id).await?))
}

/// Send a `webhook.test` event to this endpoint.
#[utoipa::path(post, path = "/v1/webhook-endpoints/{id}/test", tag = "Webhooks",
    params(("id" = String, Path)),
    responses((status = 202, body = WebhookDelivery), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn send_test(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<Accepted<WebhookDelivery>> {
    Ok(Accepted(deliveries::send_test(&ctx, &id).await?))
}

/// List an endpoint's deliveries, newest first, each with every attempt.
#[utoipa::path(get, path = "/v1/webhook-endpoints/{id}/deliveries", tag = "Webhooks",
    params(
        ("id" = String, Path),
        ("status" = Option<confab_core::webhook::DeliveryStatus>, Query, description = "`pending`, `delivered`, `failed` or `dead`."),
        ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = Page<WebhookDelivery>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_deliveries(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookEndpointId>,
    query: QueryMap,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    let page = query.page()?;
    Ok(Json(
        deliveries::list(&ctx, &id, query.get("status"), &page).await?,
    ))
}

/// Send again, in event order, the endpoint's deliveries of events since `since`
/// (only those in `status`, when given).
#[utoipa::path(post, path = "/v1/webhook-endpoints/{id}/replay", tag = "Webhooks",
    params(("id" = String, Path)),
    request_body = ReplayInput,
    responses((status = 202, body = Replay), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replay(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookEndpointId>,
    ApiJson(input): ApiJson<ReplayInput>,
) -> ApiResult<Accepted<Replay>> {
    Ok(Accepted(deliveries::replay(&ctx, &id, input).await?))
}

/// Get one delivery with its attempts.
#[utoipa::path(get, path = "/v1/webhook-deliveries/{id}", tag = "Webhooks",
    params(("id" = String, Path)),
    responses((status = 200, body = WebhookDelivery), (status = 404, body = ErrorBody)))]
pub async fn get_delivery(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookDeliveryId>,
) -> ApiResult<Json<WebhookDelivery>> {
    Ok(Json(deliveries::get(&ctx, &id).await?))
}

/// Send one delivery again now, starting a new cycle of the retry schedule.
#[utoipa::path(post, path = "/v1/webhook-deliveries/{id}/retry", tag = "Webhooks",
    params(("id" = String, Path)),
    responses((status = 202, body = WebhookDelivery), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn retry(
    Auth(ctx): Auth,
    PathId(id): PathId<WebhookDeliveryId>,
) -> ApiResult<Accepted<WebhookDelivery>> {
    Ok(Accepted(deliveries::retry(&ctx, &id).await?))
}
