//! Departments: the teams tickets are routed to. Like members, they belong to the
//! workspace, not to a mode, so only credentials that may reach live data change them.

use serde::Deserialize;

use confab_core::FieldErrors;
use confab_core::id::DepartmentId;
use confab_core::object::ObjectName;
use confab_core::page::{Page, PageRequest};
use confab_core::ticket::Department;
use confab_store::{Locked, TenantTx, departments, members};

use crate::input::{bounded_text, optional_text, patch_field};
use crate::{Access, AppError, AppResult, Ctx, Resource};

const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 1_000;

/// A new department.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentCreate {
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 1000)]
    pub description: Option<String>,
}

/// A change: absent fields stay.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    /// Required when creating: 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub description: Option<Option<String>>,
}

fn apply(d: &mut Department, input: DepartmentInput, errors: &mut FieldErrors) {
    if let Some(n) = &input.name {
        d.name = bounded_text(n, "name", MAX_NAME, true, errors);
    }
    if let Some(desc) = input.description {
        d.description = optional_text(desc.as_deref(), "description", MAX_DESCRIPTION, errors);
    }
}

pub async fn create(ctx: &Ctx, input: DepartmentCreate) -> AppResult<Department> {
    ctx.authorize(Resource::Members, Access::Write)?;
    let input = DepartmentInput {
        name: Some(input.name),
        description: Some(input.description),
    };
    let mut errors = FieldErrors::new();
    let now = ctx.app.clock.now();
    let mut d = Department {
        id: DepartmentId::generate(),
        object: ObjectName::new(),
        name: String::new(),
        description: None,
        last_assignee_id: None,
        created_at: now,
        updated_at: now,
    };
    apply(&mut d, input, &mut errors);
    errors.into_result()?;
    let mut uow = ctx.write().await?;
    d.created_at = uow.now;
    d.updated_at = uow.now;
    departments::insert(uow.tx(), &d).await?;
    uow.commit().await?;
    Ok(d)
}

pub(crate) async fn load_for_update(
    tx: &mut TenantTx,
    id: &DepartmentId,
) -> AppResult<Locked<Department>> {
    departments::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("department", id))
}

pub async fn get(ctx: &Ctx, id: &DepartmentId) -> AppResult<Department> {
    ctx.authorize(Resource::Members, Access::Read)?;
    let mut tx = ctx.read().await?;
    departments::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("department", id))
}

pub async fn list(ctx: &Ctx, page: &PageRequest) -> AppResult<Page<Department>> {
    ctx.authorize(Resource::Members, Access::Read)?;
    let mut tx = ctx.read().await?;
    Ok(departments::list(&mut tx, page).await?)
}

pub async fn update(ctx: &Ctx, id: &DepartmentId, input: DepartmentInput) -> AppResult<Department> {
    ctx.authorize(Resource::Members, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut d = load_for_update(uow.tx(), id).await?;
    let mut errors = FieldErrors::new();
    apply(&mut d, input, &mut errors);
    errors.into_result()?;
    d.updated_at = uow.now;
    departments::update(uow.tx(), &d).await?;
    uow.commit().await?;
    Ok(d.into_inner())
}

/// Deletes a department nobody belongs to (409 otherwise: move its members first).
/// Tickets routed to it keep its id.
pub async fn delete(ctx: &Ctx, id: &DepartmentId) -> AppResult<Department> {
    ctx.authorize(Resource::Members, Access::Write)?;
    let mut uow = ctx.write().await?;
    let d = load_for_update(uow.tx(), id).await?;
    let team = members::all(uow.tx()).await?;
    let belong: Vec<&str> = team
        .iter()
        .filter(|m| m.department_ids.iter().any(|x| x == id.as_str()))
        .map(|m| m.name.as_str())
        .collect();
    if !belong.is_empty() {
        return Err(AppError::conflict(format!(
            "Members still belong to this department ({}); take it out of their department_ids first.",
            belong.join(", ")
        )));
    }
    departments::delete(uow.tx(), id).await?;
    uow.commit().await?;
    Ok(d.into_inner())
}
