//! `/v1/analytics`: chats, messages and rates for a calendar period.

use confab_app::analytics::{self, Analytics};

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::QueryMap;
use crate::json::Json;

/// Analytics for a calendar period in UTC ending now (`from <= created_at < to`),
/// optionally for one channel.
#[utoipa::path(get, path = "/v1/analytics", tag = "Analytics",
    params(
        ("period" = Option<confab_app::analytics::Period>, Query, description = "`today` (default; hourly chart), `week` (since Monday; daily), `month` (since the 1st; daily) or `year` (since 1 January; monthly)."),
        ("channel" = Option<confab_core::conversation::Channel>, Query, description = "Only conversations in this channel: `web`, `api`, `whatsapp`, `instagram` or `telegram`."),
    ),
    responses((status = 200, body = Analytics), (status = 422, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Analytics>> {
    Ok(Json(
        analytics::get(&ctx, query.get("period"), query.get("channel")).await?,
    ))
}
