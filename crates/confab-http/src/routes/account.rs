//! `/v1/account`: the workspace behind the credential, and its name.

use axum::extract::State;
use confab_app::account::{self, Account, AccountUpdate, RateLimits, WidgetRateLimits};

use crate::HttpState;
use crate::widget_limits::RouteClass;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, Json};

/// The workspace (name, plan, timezone, working hours), the limits this instance
/// enforces, and this month's usage in the credential's mode.
#[utoipa::path(get, path = "/v1/account", tag = "Settings",
    responses((status = 200, body = Account), (status = 403, body = ErrorBody)))]
pub async fn get(State(state): State<HttpState>, Auth(ctx): Auth) -> ApiResult<Json<Account>> {
    let rates = RateLimits {
        requests_per_minute: state.limiter.per_minute(),
        widget_per_minute: WidgetRateLimits {
            config: RouteClass::CONFIG_PER_MINUTE,
            create: RouteClass::CREATE_PER_MINUTE,
            read: RouteClass::READ_PER_MINUTE,
            send: RouteClass::SEND_PER_MINUTE,
        },
    };
    Ok(Json(account::get(&ctx, rates).await?))
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
