//! `/v1/tasks`: plain-English tasks, authenticated by a member token and that
//! member's secret key (`X-Api-Key`).

use confab_app::tasks::{self, TaskCreate};
use confab_core::id::TaskId;
use confab_core::task::{Task, TaskAccepted};

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::PathId;
use crate::json::{Accepted, ApiJson, Json};

/// Queue a task. The agent works in the background; the result is POSTed to the key's
/// `response_url` (signed with its `signing_secret`) and can be polled here.
#[utoipa::path(post, path = "/v1/tasks", tag = "Tasks",
    request_body = TaskCreate,
    security(("bearer" = [], "api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses(
        (status = 202, body = TaskAccepted),
        (status = 401, body = ErrorBody, description = "UNAUTHENTICATED (member token) or INVALID_API_KEY (X-Api-Key)."),
        (status = 403, body = ErrorBody, description = "KEY_REVOKED, KEY_OWNER_MISMATCH or FORBIDDEN (scope)."),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "BUDGET_EXCEEDED: what was spent, the cap and when it resets."),
    ))]
pub async fn create(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<TaskCreate>,
) -> ApiResult<Accepted<TaskAccepted>> {
    Ok(Accepted(tasks::create(&ctx, input).await?))
}

/// Get a task with its turns, cost and the delivery of its result (404 after 24 hours).
#[utoipa::path(get, path = "/v1/tasks/{id}", tag = "Tasks",
    params(("id" = String, Path)),
    security(("bearer" = [], "api_key" = [])),
    responses((status = 200, body = Task), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth, PathId(id): PathId<TaskId>) -> ApiResult<Json<Task>> {
    Ok(Json(tasks::get(&ctx, &id).await?))
}
