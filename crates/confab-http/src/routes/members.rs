//! `/v1/members`: the team and its access tokens.

use confab_app::members::{self, MemberCreate, MemberUpdate};
use confab_core::id::MemberId;
use confab_core::member::{Member, MemberToken};
use confab_core::page::Page;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, PathId, QueryMap};
use crate::json::{ApiJson, Created, Json};

/// List the team.
#[utoipa::path(get, path = "/v1/members", tag = "Members",
    params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<Member>), (status = 403, body = ErrorBody)))]
pub async fn list(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<Member>>> {
    let page = query.page()?;
    Ok(Json(members::list(&ctx, &page).await?))
}

/// Add a member (owners and admins; only owners add owners).
#[utoipa::path(post, path = "/v1/members", tag = "Members",
    request_body = MemberCreate,
    responses((status = 201, body = Member), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<MemberCreate>,
) -> ApiResult<Created<Member>> {
    Ok(Created(members::create(&ctx, input).await?))
}

/// The signed-in member: who the credential belongs to, with their role (owners and
/// admins manage the team; agents work conversations). 404 for a key issued to nobody.
#[utoipa::path(get, path = "/v1/members/me", tag = "Members",
    responses((status = 200, body = Member), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn me(Auth(ctx): Auth) -> ApiResult<Json<Member>> {
    Ok(Json(members::me(&ctx).await?))
}

/// Get a member.
#[utoipa::path(get, path = "/v1/members/{id}", tag = "Members",
    params(("id" = String, Path)),
    responses((status = 200, body = Member), (status = 404, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth, PathId(id): PathId<MemberId>) -> ApiResult<Json<Member>> {
    Ok(Json(members::get(&ctx, &id).await?))
}

/// Update a member's name, email, role or departments.
#[utoipa::path(patch, path = "/v1/members/{id}", tag = "Members",
    params(("id" = String, Path)),
    request_body = MemberUpdate,
    responses((status = 200, body = Member), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    Auth(ctx): Auth,
    PathId(id): PathId<MemberId>,
    ApiJson(input): ApiJson<MemberUpdate>,
) -> ApiResult<Json<Member>> {
    Ok(Json(members::update(&ctx, &id, input).await?))
}

/// Remove a member; their tokens stop working at once.
#[utoipa::path(delete, path = "/v1/members/{id}", tag = "Members",
    params(("id" = String, Path)),
    responses((status = 200, body = Member), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(Auth(ctx): Auth, PathId(id): PathId<MemberId>) -> ApiResult<Json<Member>> {
    Ok(Json(members::delete(&ctx, &id).await?))
}

/// Issue an access token (`mt_…`, shown once).
#[utoipa::path(post, path = "/v1/members/{id}/tokens", tag = "Members",
    params(("id" = String, Path)),
    responses((status = 201, body = MemberToken), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_token(
    Auth(ctx): Auth,
    PathId(id): PathId<MemberId>,
) -> ApiResult<Created<MemberToken>> {
    Ok(Created(members::create_token(&ctx, &id).await?))
}

/// List a member's live tokens (without their secrets).
#[utoipa::path(get, path = "/v1/members/{id}/tokens", tag = "Members",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<MemberToken>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_tokens(
    Auth(ctx): Auth,
    PathId(id): PathId<MemberId>,
) -> ApiResult<Json<Vec<MemberToken>>> {
    Ok(Json(members::list_tokens(&ctx, &id).await?))
}

/// Revoke a member's token.
#[utoipa::path(delete, path = "/v1/members/{id}/tokens/{token_id}", tag = "Members",
    params(("id" = String, Path), ("token_id" = String, Path)),
    responses((status = 200, body = MemberToken), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    Auth(ctx): Auth,
    ApiPath((id, token_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<MemberToken>> {
    let id = confab_app::input::id(&id)?;
    let token_id = confab_app::input::id(&token_id)?;
    Ok(Json(members::revoke_token(&ctx, &id, &token_id).await?))
}
