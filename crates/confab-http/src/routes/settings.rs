//! `/v1/settings/widget`: the chat widget's look, words, pre-chat form, languages and
//! allowed origins, and the identity secret (owners, admins, keys with `settings:*`).

use confab_app::widget::settings::{self, WidgetSettings, WidgetSettingsUpdate};

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, Json};

/// The widget's settings in this mode, with the identity secret.
#[utoipa::path(get, path = "/v1/settings/widget", tag = "Settings",
    responses((status = 200, body = WidgetSettings), (status = 403, body = ErrorBody)))]
pub async fn get_widget(Auth(ctx): Auth) -> ApiResult<Json<WidgetSettings>> {
    Ok(Json(settings::get(&ctx).await?))
}

/// Change the widget's settings; fields left out keep their value, `null` clears
/// `greeting` and `agent_name`. `allowed_origins` applies to every site key of the mode.
#[utoipa::path(put, path = "/v1/settings/widget", tag = "Settings",
    request_body = WidgetSettingsUpdate,
    responses((status = 200, body = WidgetSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_widget(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<WidgetSettingsUpdate>,
) -> ApiResult<Json<WidgetSettings>> {
    Ok(Json(settings::update(&ctx, input).await?))
}

/// Replace this mode's site key. The old key stops working at once; the new one keeps
/// the allowed origins and is in the answer's `site_key`.
#[utoipa::path(post, path = "/v1/settings/widget/site-key", tag = "Settings",
    responses((status = 200, body = WidgetSettings), (status = 403, body = ErrorBody)))]
pub async fn new_site_key(Auth(ctx): Auth) -> ApiResult<Json<WidgetSettings>> {
    Ok(Json(settings::new_site_key(&ctx).await?))
}
