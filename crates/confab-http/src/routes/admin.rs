//! The platform admin API: creating workspaces (tenants). Off unless
//! `CONFAB_ADMIN_TOKEN` is set.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use confab_app::workspaces::{self, WorkspaceCredentials};
use confab_core::ErrorCode;

use crate::auth::bearer;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, Created};
use crate::state::HttpState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
}

/// Create a workspace (tenant) with its owner, token and keys.
#[utoipa::path(post, path = "/admin/v1/workspaces", tag = "Admin",
    request_body = WorkspaceCreate,
    security(("admin_token" = [])),
    responses(
        (status = 201, body = WorkspaceCredentials, description = "The new workspace's credentials, shown once."),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody, description = "The admin API is off."),
    ))]
pub async fn create_workspace(
    State(state): State<HttpState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<WorkspaceCreate>,
) -> ApiResult<Created<WorkspaceCredentials>> {
    let Some(expected) = state.admin_token.as_deref() else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "The admin API is off; set CONFAB_ADMIN_TOKEN to turn it on.",
        ));
    };
    // A missing or malformed header gets the same answer as a wrong token. The
    // comparison is constant-time, so the token cannot be guessed byte by byte.
    let presented = bearer(&headers).ok().flatten().unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "Send the platform admin token as `Authorization: Bearer …`.",
        ));
    }
    Ok(Created(workspaces::create(&state.app, &input.name).await?))
}
