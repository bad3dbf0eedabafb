//! `/v1/agents`: AI agents and side-effect-free previews.

use confab_app::agents::{self, AgentCreate, AgentUpdate};
use confab_app::preview::{self, Preview, PreviewInput};
use confab_core::agent::Agent;
use confab_core::id::AgentId;
use confab_core::page::Page;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::{ApiJson, Created, Json};

/// List agents, newest first.
#[utoipa::path(get, path = "/v1/agents", tag = "Agents",
    params(
        ("limit" = Option<i64>, Query, description = "1–100, default 25."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses((status = 200, body = Page<Agent>), (status = 422, body = ErrorBody)))]
pub async fn list(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<Agent>>> {
    let page = query.page()?;
    Ok(Json(agents::list(&ctx, &page).await?))
}

/// Create an agent. The first agent becomes the workspace default.
#[utoipa::path(post, path = "/v1/agents", tag = "Agents",
    request_body = AgentCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = Agent), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<AgentCreate>,
) -> ApiResult<Created<Agent>> {
    Ok(Created(agents::create(&ctx, input).await?))
}

/// Get an agent.
#[utoipa::path(get, path = "/v1/agents/{id}", tag = "Agents",
    params(("id" = String, Path)),
    responses((status = 200, body = Agent), (status = 404, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth, PathId(id): PathId<AgentId>) -> ApiResult<Json<Agent>> {
    Ok(Json(agents::get(&ctx, &id).await?))
}

/// Update an agent: absent fields stay.
#[utoipa::path(patch, path = "/v1/agents/{id}", tag = "Agents",
    params(("id" = String, Path)),
    request_body = AgentUpdate,
    responses((status = 200, body = Agent), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    Auth(ctx): Auth,
    PathId(id): PathId<AgentId>,
    ApiJson(input): ApiJson<AgentUpdate>,
) -> ApiResult<Json<Agent>> {
    Ok(Json(agents::update(&ctx, &id, input).await?))
}

/// Delete an agent; conversations that used it fall back to the default.
#[utoipa::path(delete, path = "/v1/agents/{id}", tag = "Agents",
    params(("id" = String, Path)),
    responses((status = 200, body = Agent), (status = 404, body = ErrorBody)))]
pub async fn delete(Auth(ctx): Auth, PathId(id): PathId<AgentId>) -> ApiResult<Json<Agent>> {
    Ok(Json(agents::delete(&ctx, &id).await?))
}

/// What the agent would answer to `text` after `history`; nothing is stored, sent or
/// emitted (an LLM provider is really called, and its tokens are spent).
#[utoipa::path(post, path = "/v1/agents/{id}/preview", tag = "Agents",
    params(("id" = String, Path)),
    request_body = PreviewInput,
    responses((status = 200, body = Preview), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn preview(
    Auth(ctx): Auth,
    PathId(id): PathId<AgentId>,
    ApiJson(input): ApiJson<PreviewInput>,
) -> ApiResult<Json<Preview>> {
    Ok(Json(preview::run(&ctx, &id, input).await?))
}
