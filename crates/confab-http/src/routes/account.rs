//! `/v1/account`: the workspace behind the credential, and its name.

use confab_app::account::{self, Account, AccountUpdate};

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, Json};

/// The workspace: its id, name and plan.
#[utoipa::path(get, path = "/v1/account", tag = "Settings",
    responses((status = 200, body = Account), (status = 403, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth) -> ApiResult<Json<Account>> {
    Ok(Json(account::get(&ctx).await?))
}

/// Rename the workspace (customers see the name on the hosted chat page). Both modes
/// share it, so a test secret key cannot change it.
#[utoipa::path(patch, path = "/v1/account", tag = "Settings",
    request_body = AccountUpdate,
    responses((status = 200, body = Account), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<AccountUpdate>,
) -> ApiResult<Json<Account>> {
    Ok(Json(account::update(&ctx, input).await?))
}
