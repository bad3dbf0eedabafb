//! The team: members, roles and access tokens. Only owners and admins manage it; only
//! owners grant or change the owner role; the last owner stays.

use confab_core::object::ObjectName;
use serde::Deserialize;

use confab_core::credential::{self, hash_secret, last4};
use confab_core::id::{MemberId, TokenId};
use confab_core::member::{Member, MemberToken, Role};
use confab_core::page::{Page, PageRequest};
use confab_core::{ErrorCode, FieldErrors, Timestamp, validate};
use confab_store::{TenantTx, members};

use crate::input::patch_field;
use crate::{Access, Actor, AppError, AppResult, Ctx, Resource};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    /// The name customers see on this member's replies (default: the widget's agent
    /// name; the member's own `name` is for the team).
    #[schema(min_length = 1, pattern = r"\S")]
    pub display_name: Option<String>,
    #[schema(format = Email)]
    pub email: String,
    pub role: Role,
    #[serde(default)]
    pub department_ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberUpdate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: Option<String>,
    /// `null` goes back to the widget's agent name.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, min_length = 1, pattern = r"\S")]
    pub display_name: Option<Option<String>>,
    #[schema(format = Email)]
    pub email: Option<String>,
    pub role: Option<Role>,
    pub department_ids: Option<Vec<String>>,
    /// Away: no new tickets by round robin until back.
    pub away: Option<bool>,
}

fn caller_role(ctx: &Ctx) -> Option<Role> {
    match &ctx.actor {
        Actor::Member { role, .. } => Some(*role),
        // Secret keys act for the workspace (their scopes were checked already).
        Actor::SecretKey { .. } | Actor::System => Some(Role::Owner),
        Actor::SiteKey { .. } => None,
    }
}

fn require_owner_for(ctx: &Ctx, touches_owner: bool) -> AppResult<()> {
    if touches_owner && caller_role(ctx) != Some(Role::Owner) {
        return Err(AppError::forbidden(
            "Only an owner may grant, change or remove the owner role.",
        ));
    }
    Ok(())
}

/// Every id must name a department of the workspace (422 naming the ones that do not).
async fn departments_exist(tx: &mut TenantTx, ids: &[String]) -> AppResult<()> {
    let found = confab_store::departments::existing(tx, ids).await?;
    let mut errors = FieldErrors::new();
    for (i, id) in ids.iter().enumerate() {
        if !found.contains(id) {
            errors.add(
                format!("department_ids.{i}"),
                "names no department of this workspace",
            );
        }
    }
    Ok(errors.into_result()?)
}

fn check_department_ids(ids: &[String], errors: &mut FieldErrors) {
    if ids.len() > 50 || ids.iter().any(|d| !d.starts_with("dep_") || d.len() > 64) {
        errors.add(
            "department_ids",
            "must be at most 50 department ids (dep_…)",
        );
    }
}

/// The name customers see on a member's replies and typing: their `display_name`, else
/// the widget's agent name in this mode, else nothing (the widget's own word); never the
/// member's internal name.
pub(crate) async fn shown_name(tx: &mut TenantTx, member: &MemberId) -> AppResult<Option<String>> {
    let Some(member) = members::get(tx, member).await? else {
        return Ok(None);
    };
    if member.display_name.is_some() {
        return Ok(member.display_name);
    }
    Ok(crate::widget::settings::resolved(tx).await?.agent_name)
}

pub async fn create(ctx: &Ctx, input: MemberCreate) -> AppResult<Member> {
    ctx.authorize(Resource::Members, Access::Write)?;
    require_owner_for(ctx, input.role == Role::Owner)?;
    let mut errors = FieldErrors::new();
    let name = validate::name(&input.name)
        .map_err(|m| errors.add("name", m))
        .ok();
    let email = validate::email(&input.email)
        .map_err(|m| errors.add("email", m))
        .ok();
    let display_name = input.display_name.as_deref().and_then(|d| {
        validate::name(d)
            .map_err(|m| errors.add("display_name", m))
            .ok()
    });
    check_department_ids(&input.department_ids, &mut errors);
    errors.into_result()?;
    let mut uow = ctx.write().await?;
    departments_exist(uow.tx(), &input.department_ids).await?;
    let member = Member {
        id: MemberId::generate(),
        object: ObjectName::new(),
        workspace_id: ctx.workspace_id.clone(),
        name: name.unwrap_or_default(),
        display_name,
        email: email.unwrap_or_default(),
        role: input.role,
        department_ids: input.department_ids,
        away: false,
        created_at: uow.now,
        updated_at: uow.now,
    };
    members::insert(uow.tx(), &member)
        .await
        .map_err(email_taken)?;
    uow.commit().await?;
    Ok(member)
}

fn email_taken(err: confab_store::StoreError) -> AppError {
    if err.is_unique_on("email") {
        AppError::conflict("A member with this email is already on the team.")
    } else {
        err.into()
    }
}

pub async fn get(ctx: &Ctx, id: &MemberId) -> AppResult<Member> {
    ctx.authorize(Resource::Members, Access::Read)?;
    let mut tx = ctx.read().await?;
    members::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("member", id))
}

/// The member the credential belongs to (a member token, or a key issued to a member):
/// how the console learns who signed in and which pages their role opens.
pub async fn me(ctx: &Ctx) -> AppResult<Member> {
    ctx.authorize(Resource::Members, Access::Read)?;
    let Some(id) = ctx.member_id() else {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "This credential does not belong to a team member; use a member token (mt_…).",
        ));
    };
    let mut tx = ctx.read().await?;
    members::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("member", id.as_str()))
}

pub async fn list(ctx: &Ctx, page: &PageRequest) -> AppResult<Page<Member>> {
    ctx.authorize(Resource::Members, Access::Read)?;
    let mut tx = ctx.read().await?;
    Ok(members::list(&mut tx, page).await?)
}

pub async fn update(ctx: &Ctx, id: &MemberId, input: MemberUpdate) -> AppResult<Member> {
    ctx.authorize(Resource::Members, Access::Write)?;
    let mut uow = ctx.write().await?;
    // Owners first, then the member: one lock order for every member write.
    let owners = members::count_owners(uow.tx()).await?;
    let mut member = members::get_for_update(uow.tx(), id)
        .await?
        .ok_or_else(|| AppError::not_found("member", id))?;
    let role_change = input.role.filter(|r| *r != member.role);
    require_owner_for(
        ctx,
        member.role == Role::Owner || role_change == Some(Role::Owner),
    )?;
    let mut errors = FieldErrors::new();
    if let Some(name) = &input.name {
        match validate::name(name) {
            Ok(n) => member.name = n,
            Err(m) => errors.add("name", m),
        }
    }
    match input.display_name {
        Some(Some(d)) => match validate::name(&d) {
            Ok(d) => member.display_name = Some(d),
            Err(m) => errors.add("display_name", m),
        },
        Some(None) => member.display_name = None,
        None => {}
    }
    if let Some(email) = &input.email {
        match validate::email(email) {
            Ok(e) => member.email = e,
            Err(m) => errors.add("email", m),
        }
    }
    if let Some(ids) = &input.department_ids {
        check_department_ids(ids, &mut errors);
    }
    if let Some(away) = input.away {
        member.away = away;
    }
    errors.into_result()?;
    if let Some(ids) = input.department_ids {
        departments_exist(uow.tx(), &ids).await?;
        member.department_ids = ids;
    }
    if let Some(role) = role_change {
        if member.role == Role::Owner && owners <= 1 {
            return Err(AppError::conflict(
                "This is the workspace's only owner; make another member owner first.",
            ));
        }
        member.role = role;
    }
    member.updated_at = uow.now;
    members::update(uow.tx(), &member)
        .await
        .map_err(email_taken)?;
    uow.commit().await?;
    Ok(member.into_inner())
}

pub async fn delete(ctx: &Ctx, id: &MemberId) -> AppResult<Member> {
    ctx.authorize(Resource::Members, Access::Write)?;
    let mut uow = ctx.write().await?;
    let owners = members::count_owners(uow.tx()).await?;
    let member = members::get_for_update(uow.tx(), id)
        .await?
        .ok_or_else(|| AppError::not_found("member", id))?
        .into_inner();
    require_owner_for(ctx, member.role == Role::Owner)?;
    if member.role == Role::Owner && owners <= 1 {
        return Err(AppError::conflict(
            "This is the workspace's only owner and cannot be removed; make another member owner first.",
        ));
    }
    let now = uow.now;
    members::delete(uow.tx(), &member.id, now).await?;
    uow.commit().await?;
    Ok(member)
}

/// Issues an access token; the secret is in this response only.
pub async fn create_token(ctx: &Ctx, member_id: &MemberId) -> AppResult<MemberToken> {
    ctx.authorize(Resource::Members, Access::Write)?;
    let mut uow = ctx.write().await?;
    let member = members::get(uow.tx(), member_id)
        .await?
        .ok_or_else(|| AppError::not_found("member", member_id))?;
    require_owner_for(
        ctx,
        member.role == Role::Owner && ctx.member_id() != Some(&member.id),
    )?;
    let now = uow.now;
    let (token, _) = issue_token(uow.tx(), &member.id, now).await?;
    uow.commit().await?;
    Ok(token)
}

/// Stores a new access token for `member`; only its hash is kept. The secret comes back
/// once, beside the token (whose `token` carries it too, for the answer that shows it).
pub(crate) async fn issue_token(
    tx: &mut TenantTx,
    member: &MemberId,
    now: Timestamp,
) -> AppResult<(MemberToken, String)> {
    let secret = credential::new_member_token();
    let token = MemberToken {
        id: TokenId::generate(),
        object: ObjectName::new(),
        member_id: member.clone(),
        token: Some(secret.clone()),
        last4: last4(&secret),
        created_at: now,
    };
    members::insert_token(tx, &token, &hash_secret(&secret)).await?;
    Ok((token, secret))
}

pub async fn list_tokens(ctx: &Ctx, member_id: &MemberId) -> AppResult<Vec<MemberToken>> {
    ctx.authorize(Resource::Members, Access::Write)?;
    let mut tx = ctx.read().await?;
    let member = members::get(&mut tx, member_id)
        .await?
        .ok_or_else(|| AppError::not_found("member", member_id))?;
    Ok(members::list_tokens(&mut tx, &member.id).await?)
}

pub async fn revoke_token(
    ctx: &Ctx,
    member_id: &MemberId,
    token_id: &TokenId,
) -> AppResult<MemberToken> {
    ctx.authorize(Resource::Members, Access::Write)?;
    let mut uow = ctx.write().await?;
    let member = members::get(uow.tx(), member_id)
        .await?
        .ok_or_else(|| AppError::not_found("member", member_id))?;
    let token = members::list_tokens(uow.tx(), &member.id)
        .await?
        .into_iter()
        .find(|t| t.id == *token_id)
        .ok_or_else(|| AppError::not_found("member token", token_id))?;
    let now = uow.now;
    members::revoke_token(uow.tx(), &member.id, token_id, now).await?;
    uow.commit().await?;
    Ok(token)
}
