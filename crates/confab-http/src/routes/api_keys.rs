//! `/v1/api-keys`: secret keys with scopes, a `response_url` and a budget.

use confab_app::api_keys::{self, KeyCreate, KeyUpdate};
use confab_core::api_key::ApiKey;
use confab_core::id::KeyId;
use confab_core::page::Page;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::{ApiJson, Created, Json};

/// List secret keys, newest first (members see both modes, a key its own).
#[utoipa::path(get, path = "/v1/api-keys", tag = "API keys",
    params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<ApiKey>), (status = 403, body = ErrorBody)))]
pub async fn list(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<ApiKey>>> {
    let page = query.page()?;
    Ok(Json(api_keys::list(&ctx, &page).await?))
}

/// Create a secret key. The response carries the key (`sk_…`) and its signing secret
/// (`whsec_…`), shown only here.
#[utoipa::path(post, path = "/v1/api-keys", tag = "API keys",
    request_body = KeyCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = ApiKey), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<KeyCreate>,
) -> ApiResult<Created<ApiKey>> {
    Ok(Created(api_keys::create(&ctx, input).await?))
}

/// Get a key with its usage in the current budget period.
#[utoipa::path(get, path = "/v1/api-keys/{id}", tag = "API keys",
    params(("id" = String, Path)),
    responses((status = 200, body = ApiKey), (status = 404, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth, PathId(id): PathId<KeyId>) -> ApiResult<Json<ApiKey>> {
    Ok(Json(api_keys::get(&ctx, &id).await?))
}

/// Change a key's label, scopes, `response_url` or budget; absent fields stay, `null`
/// clears `response_url` or the budget.
#[utoipa::path(put, path = "/v1/api-keys/{id}", tag = "API keys",
    params(("id" = String, Path)),
    request_body = KeyUpdate,
    responses((status = 200, body = ApiKey), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    Auth(ctx): Auth,
    PathId(id): PathId<KeyId>,
    ApiJson(input): ApiJson<KeyUpdate>,
) -> ApiResult<Json<ApiKey>> {
    Ok(Json(api_keys::update(&ctx, &id, input).await?))
}

/// Revoke a key: from now on it gets 403 `KEY_REVOKED`.
#[utoipa::path(delete, path = "/v1/api-keys/{id}", tag = "API keys",
    params(("id" = String, Path)),
    responses((status = 200, body = ApiKey), (status = 404, body = ErrorBody)))]
pub async fn revoke(Auth(ctx): Auth, PathId(id): PathId<KeyId>) -> ApiResult<Json<ApiKey>> {
    Ok(Json(api_keys::revoke(&ctx, &id).await?))
}
