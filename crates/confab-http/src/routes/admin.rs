//! The platform admin API: creating workspaces (tenants). Off unless
//! `CONFAB_ADMIN_TOKEN` is set.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use serde::Deserialize;

use confab_app::workspaces::{self, WorkspaceCredentials};
use confab_core::ErrorCode;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, Created};
use crate::state::HttpState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
}

/// Constant-time equality, so the admin token cannot be guessed byte by byte.
fn ct_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !ct_eq(presented.trim(), expected) {
        return Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "Send the platform admin token as `Authorization: Bearer …`.",
        ));
    }
    Ok(Created(workspaces::create(&state.app, &input.name).await?))
}
