//! `/v1/contacts`.

use confab_app::contacts::{
    self, ContactCreate, ContactExport, ContactUpdate, ErasedContact, ListFilter, TagsInput,
};
use confab_core::contact::Contact;
use confab_core::id::ContactId;
use confab_core::page::Page;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, PathId, QueryMap};
use crate::json::{ApiJson, Created, Json};

/// List contacts, newest first.
#[utoipa::path(get, path = "/v1/contacts", tag = "Contacts",
    params(
        ("search" = Option<String>, Query, max_length = 200, description = "Case-insensitive match on name, email or phone."),
        ("tag" = Option<String>, Query, description = "Only contacts with this tag."),
        ("limit" = Option<i64>, Query, description = "1–100, default 25."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses((status = 200, body = Page<Contact>), (status = 422, body = ErrorBody)))]
pub async fn list(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<Contact>>> {
    let page = query.page()?;
    let filter = ListFilter {
        search: query.owned("search"),
        tag: query.owned("tag"),
    };
    Ok(Json(contacts::list(&ctx, filter, &page).await?))
}

/// Create a contact.
#[utoipa::path(post, path = "/v1/contacts", tag = "Contacts",
    request_body = ContactCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = Contact), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<ContactCreate>,
) -> ApiResult<Created<Contact>> {
    Ok(Created(contacts::create(&ctx, input).await?))
}

/// Get a contact.
#[utoipa::path(get, path = "/v1/contacts/{id}", tag = "Contacts",
    params(("id" = String, Path)),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth, PathId(id): PathId<ContactId>) -> ApiResult<Json<Contact>> {
    Ok(Json(contacts::get(&ctx, &id).await?))
}

/// Update a contact: absent fields stay, `null` clears.
#[utoipa::path(patch, path = "/v1/contacts/{id}", tag = "Contacts",
    params(("id" = String, Path)),
    request_body = ContactUpdate,
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    Auth(ctx): Auth,
    PathId(id): PathId<ContactId>,
    ApiJson(input): ApiJson<ContactUpdate>,
) -> ApiResult<Json<Contact>> {
    Ok(Json(contacts::update(&ctx, &id, input).await?))
}

/// Delete and erase a contact: their personal data is removed everywhere, events included.
#[utoipa::path(delete, path = "/v1/contacts/{id}", tag = "Contacts",
    params(("id" = String, Path)),
    responses((status = 200, body = ErasedContact), (status = 404, body = ErrorBody)))]
pub async fn erase(
    Auth(ctx): Auth,
    PathId(id): PathId<ContactId>,
) -> ApiResult<Json<ErasedContact>> {
    Ok(Json(contacts::erase(&ctx, &id).await?))
}

/// Add tags to a contact.
#[utoipa::path(post, path = "/v1/contacts/{id}/tags", tag = "Contacts",
    params(("id" = String, Path)),
    request_body = TagsInput,
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_tags(
    Auth(ctx): Auth,
    PathId(id): PathId<ContactId>,
    ApiJson(input): ApiJson<TagsInput>,
) -> ApiResult<Json<Contact>> {
    Ok(Json(contacts::add_tags(&ctx, &id, input).await?))
}

/// Remove one tag from a contact.
#[utoipa::path(delete, path = "/v1/contacts/{id}/tags/{tag}", tag = "Contacts",
    params(("id" = String, Path), ("tag" = String, Path)),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
pub async fn remove_tag(
    Auth(ctx): Auth,
    ApiPath((id, tag)): ApiPath<(String, String)>,
) -> ApiResult<Json<Contact>> {
    let id = confab_app::input::id(&id)?;
    Ok(Json(contacts::remove_tag(&ctx, &id, &tag).await?))
}

/// Block a contact: no AI replies, no campaigns, 403 on the widget.
#[utoipa::path(post, path = "/v1/contacts/{id}/block", tag = "Contacts",
    params(("id" = String, Path)),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
pub async fn block(Auth(ctx): Auth, PathId(id): PathId<ContactId>) -> ApiResult<Json<Contact>> {
    Ok(Json(contacts::set_blocked(&ctx, &id, true).await?))
}

/// Unblock a contact.
#[utoipa::path(post, path = "/v1/contacts/{id}/unblock", tag = "Contacts",
    params(("id" = String, Path)),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
pub async fn unblock(Auth(ctx): Auth, PathId(id): PathId<ContactId>) -> ApiResult<Json<Contact>> {
    Ok(Json(contacts::set_blocked(&ctx, &id, false).await?))
}

/// Export everything held about a contact (data-protection access request).
#[utoipa::path(get, path = "/v1/contacts/{id}/export", tag = "Contacts",
    params(("id" = String, Path)),
    responses((status = 200, body = ContactExport), (status = 404, body = ErrorBody)))]
pub async fn export(
    Auth(ctx): Auth,
    PathId(id): PathId<ContactId>,
) -> ApiResult<Json<ContactExport>> {
    Ok(Json(contacts::export(&ctx, &id).await?))
}
