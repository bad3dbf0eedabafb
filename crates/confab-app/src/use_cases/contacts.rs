//! Contacts: create, read, list, update, tag, block, export and erase.

use confab_core::object::ObjectName;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use confab_core::contact::{Contact, ContactFields};
use confab_core::event::{Event, EventType};
use confab_core::id::ContactId;
use confab_core::page::{Page, PageRequest};
use confab_core::{FieldErrors, Timestamp, validate};
use confab_store::contacts::{self, ContactFilter};
use confab_store::{Locked, TenantTx, events, idempotency};

use crate::input::{optional, patch_field};
use crate::{Access, AppError, AppResult, Ctx, Resource};

/// A new contact: at least one of name, email, phone or external_id.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactCreate {
    /// Full name, at most 200 characters.
    pub name: Option<String>,
    /// Email address (unique in the workspace).
    pub email: Option<String>,
    /// Phone number, ideally in international format (`+44 7700 900000`).
    pub phone: Option<String>,
    /// Your own system's id for this person (unique in the workspace).
    pub external_id: Option<String>,
    /// Labels such as `vip`.
    pub tags: Option<Vec<String>>,
    /// Any JSON object of your own fields.
    #[schema(value_type = Option<Object>)]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub attributes: Option<Value>,
    /// A blocked contact gets no AI replies and no campaigns.
    pub blocked: Option<bool>,
    /// The agent (`agt_…`) that answers this contact's conversations.
    pub agent_id: Option<String>,
}

/// A partial update: absent fields stay, `null` clears a field.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactUpdate {
    /// Full name; `null` clears it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Email address (unique in the workspace); `null` clears it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Phone number in international format; `null` clears it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// Your own system's id for this person; `null` clears it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    /// The whole tag list (replaces the current one).
    pub tags: Option<Vec<String>>,
    /// The whole attributes object (replaces the current one).
    #[schema(value_type = Option<Object>)]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub attributes: Option<Value>,
    /// A blocked contact gets no AI replies and no campaigns.
    pub blocked: Option<bool>,
    /// The agent (`agt_…`) that answers this contact's conversations; `null` clears it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub agent_id: Option<Option<String>>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsInput {
    pub tags: Vec<String>,
}

/// What `DELETE /v1/contacts/{id}` answers: the contact is gone and erased.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErasedContact {
    pub id: ContactId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub deleted: bool,
    pub erased: bool,
    pub livemode: bool,
}

confab_core::named!(ErasedContact => "contact");

/// Everything the workspace holds about one contact.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactExport {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub contact: Contact,
    pub events: Vec<Event>,
    pub exported_at: Timestamp,
}

confab_core::named!(ContactExport => "contact_export");

pub async fn create(ctx: &Ctx, input: ContactCreate) -> AppResult<Contact> {
    ctx.authorize(Resource::Contacts, Access::Write)?;
    let fields = check(input, "")?;
    let mut uow = ctx.write().await?;
    let contact = insert_new(&mut uow, ctx, fields).await?;
    uow.commit().await?;
    Ok(contact)
}

/// Creates a contact inside another use case's unit of work (a conversation started
/// with inline contact details). Field errors are reported under `prefix`.
pub(crate) async fn create_in(
    uow: &mut crate::Uow,
    ctx: &Ctx,
    input: ContactCreate,
    prefix: &str,
) -> AppResult<Contact> {
    ctx.authorize(Resource::Contacts, Access::Write)?;
    let fields = check(input, prefix)?;
    insert_new(uow, ctx, fields).await
}

/// Validates a new contact's fields, naming errors `{prefix}{field}`.
fn check(input: ContactCreate, prefix: &str) -> AppResult<ContactFields> {
    let mut errors = FieldErrors::new();
    let mut errs = FieldErrors::new();
    let name = optional(input.name.as_deref(), "name", validate::name, &mut errs);
    let email = optional(input.email.as_deref(), "email", validate::email, &mut errs);
    let phone = optional(input.phone.as_deref(), "phone", validate::phone, &mut errs);
    let external_id = optional(
        input.external_id.as_deref(),
        "external_id",
        validate::external_id,
        &mut errs,
    );
    let tags = validate::tags(input.tags.as_deref().unwrap_or_default())
        .map_err(|m| errs.add("tags", m))
        .unwrap_or_default();
    let attributes = match &input.attributes {
        Some(a) => validate::attributes(a)
            .map_err(|m| errs.add("attributes", m))
            .ok(),
        None => None,
    };
    let agent_id = crate::input::agent_id(input.agent_id.as_deref(), &mut errs);
    if errs.is_empty()
        && name.is_none()
        && email.is_none()
        && phone.is_none()
        && external_id.is_none()
    {
        errs.add(
            "name",
            "a contact needs at least one of name, email, phone or external_id",
        );
    }
    for (field, messages) in errs.iter() {
        for m in messages {
            errors.add(format!("{prefix}{field}"), m.clone());
        }
    }
    errors.into_result()?;
    Ok(ContactFields {
        name,
        email,
        phone,
        external_id,
        tags,
        attributes,
        blocked: input.blocked.unwrap_or(false),
        agent_id,
    })
}

async fn insert_new(uow: &mut crate::Uow, ctx: &Ctx, f: ContactFields) -> AppResult<Contact> {
    if let Some(agent) = &f.agent_id {
        crate::agents::require(uow.tx(), agent, "agent_id").await?;
    }
    let contact = Contact {
        id: ContactId::generate(),
        object: ObjectName::new(),
        name: f.name,
        email: f.email,
        phone: f.phone,
        external_id: f.external_id,
        tags: f.tags,
        attributes: f.attributes.unwrap_or_else(|| json!({})),
        blocked: f.blocked,
        agent_id: f.agent_id,
        created_at: uow.now,
        updated_at: uow.now,
        livemode: ctx.livemode(),
    };
    ensure_unique(uow.tx(), &contact).await?;
    contacts::insert(uow.tx(), &contact)
        .await
        .map_err(unique_conflict)?;
    uow.emit(
        EventType::ContactCreated,
        to_data(&contact),
        Some(&contact.id),
    )
    .await?;
    Ok(contact)
}

/// 409 when another contact already has this email or external id.
async fn ensure_unique(tx: &mut TenantTx, contact: &Contact) -> AppResult<()> {
    if let Some(email) = &contact.email
        && let Some(other) = contacts::find_by_email(tx, email).await?
        && other.id != contact.id
    {
        return Err(AppError::conflict(format!(
            "Contact {} already has the email {email}.",
            other.id
        )));
    }
    if let Some(external_id) = &contact.external_id
        && let Some(other) = contacts::find_by_external_id(tx, external_id).await?
        && other.id != contact.id
    {
        return Err(AppError::conflict(format!(
            "Contact {} already has the external_id {external_id}.",
            other.id
        )));
    }
    Ok(())
}

fn unique_conflict(err: confab_store::StoreError) -> AppError {
    if err.is_unique_on("email") || err.is_unique_on("external_id") {
        AppError::conflict("Another contact already has this email or external_id.")
    } else {
        err.into()
    }
}

fn to_data(contact: &Contact) -> Value {
    serde_json::to_value(contact).unwrap_or(Value::Null)
}

pub async fn get(ctx: &Ctx, id: &ContactId) -> AppResult<Contact> {
    ctx.authorize(Resource::Contacts, Access::Read)?;
    let mut tx = ctx.read().await?;
    load(&mut tx, id).await
}

async fn load(tx: &mut TenantTx, id: &ContactId) -> AppResult<Contact> {
    contacts::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("contact", id))
}

/// [`load`] under a row lock, for a contact the use case writes back (DESIGN §5).
async fn load_for_update(tx: &mut TenantTx, id: &ContactId) -> AppResult<Locked<Contact>> {
    contacts::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("contact", id))
}

/// `?search=&tag=` filters, already read from the request.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub search: Option<String>,
    pub tag: Option<String>,
}

pub async fn list(ctx: &Ctx, filter: ListFilter, page: &PageRequest) -> AppResult<Page<Contact>> {
    list_where(ctx, filter, Vec::new(), page).await
}

/// [`list`] narrowed to contacts whose attributes equal the given values, ignoring
/// case (`[("city", "London")]`): how the task agent finds contacts by city or company.
pub async fn list_where(
    ctx: &Ctx,
    filter: ListFilter,
    attributes: Vec<(String, String)>,
    page: &PageRequest,
) -> AppResult<Page<Contact>> {
    ctx.authorize(Resource::Contacts, Access::Read)?;
    for (name, value) in &attributes {
        let known = !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !known {
            return Err(AppError::field(
                "attributes",
                "names are letters, digits and underscores (at most 64)",
            ));
        }
        if value.chars().count() > 200 {
            return Err(AppError::field(
                &format!("attributes.{name}"),
                "must be at most 200 characters",
            ));
        }
    }
    let search = filter
        .search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(AppError::field("search", "must be at most 200 characters"));
    }
    let mut tx = ctx.read().await?;
    let filter = ContactFilter {
        search,
        tag: filter
            .tag
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        attributes,
    };
    Ok(contacts::list(&mut tx, &filter, page).await?)
}

pub async fn update(ctx: &Ctx, id: &ContactId, input: ContactUpdate) -> AppResult<Contact> {
    ctx.authorize(Resource::Contacts, Access::Write)?;
    let mut errors = FieldErrors::new();
    let mut uow = ctx.write().await?;
    let mut contact = load_for_update(uow.tx(), id).await?;
    if let Some(v) = input.name {
        contact.name = optional(v.as_deref(), "name", validate::name, &mut errors);
    }
    if let Some(v) = input.email {
        contact.email = optional(v.as_deref(), "email", validate::email, &mut errors);
    }
    if let Some(v) = input.phone {
        contact.phone = optional(v.as_deref(), "phone", validate::phone, &mut errors);
    }
    if let Some(v) = input.external_id {
        contact.external_id = optional(
            v.as_deref(),
            "external_id",
            validate::external_id,
            &mut errors,
        );
    }
    if let Some(tags) = input.tags {
        match validate::tags(&tags) {
            Ok(t) => contact.tags = t,
            Err(m) => errors.add("tags", m),
        }
    }
    if let Some(a) = input.attributes {
        match validate::attributes(&a) {
            Ok(a) => contact.attributes = a,
            Err(m) => errors.add("attributes", m),
        }
    }
    if let Some(b) = input.blocked {
        contact.blocked = b;
    }
    let agent_changed = input.agent_id.is_some();
    if let Some(v) = input.agent_id {
        contact.agent_id = crate::input::agent_id(v.as_deref(), &mut errors);
    }
    errors.into_result()?;
    if agent_changed && let Some(agent) = &contact.agent_id {
        crate::agents::require(uow.tx(), agent, "agent_id").await?;
    }
    save(uow, contact).await
}

/// Writes a changed contact and its `contact.updated` event, and commits.
async fn save(mut uow: crate::Uow, contact: Locked<Contact>) -> AppResult<Contact> {
    let contact = save_in(&mut uow, contact).await?;
    uow.commit().await?;
    Ok(contact)
}

/// Writes a changed contact and its `contact.updated` event inside `uow`.
async fn save_in(uow: &mut crate::Uow, mut contact: Locked<Contact>) -> AppResult<Contact> {
    contact.updated_at = uow.now;
    ensure_unique(uow.tx(), &contact).await?;
    contacts::update(uow.tx(), &contact)
        .await
        .map_err(unique_conflict)?;
    uow.emit(
        EventType::ContactUpdated,
        to_data(&contact),
        Some(&contact.id),
    )
    .await?;
    Ok(contact.into_inner())
}

/// Gives a contact the external id a verified widget identity carries (a visitor who
/// wrote before as a lead becomes the business's known user), inside `uow`.
pub(crate) async fn set_external_id_in(
    uow: &mut crate::Uow,
    contact: Contact,
    external_id: &str,
) -> AppResult<Contact> {
    let mut contact = load_for_update(uow.tx(), &contact.id).await?;
    contact.external_id = Some(external_id.to_owned());
    save_in(uow, contact).await
}

pub async fn add_tags(ctx: &Ctx, id: &ContactId, input: TagsInput) -> AppResult<Contact> {
    ctx.authorize(Resource::Contacts, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut contact = load_for_update(uow.tx(), id).await?;
    let mut all = contact.tags.clone();
    all.extend(input.tags);
    contact.tags = validate::tags(&all).map_err(|m| AppError::field("tags", &m))?;
    save(uow, contact).await
}

pub async fn remove_tag(ctx: &Ctx, id: &ContactId, tag: &str) -> AppResult<Contact> {
    ctx.authorize(Resource::Contacts, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut contact = load_for_update(uow.tx(), id).await?;
    let before = contact.tags.len();
    contact.tags.retain(|t| !t.eq_ignore_ascii_case(tag.trim()));
    if contact.tags.len() == before {
        return Err(AppError::not_found("tag on this contact", tag));
    }
    save(uow, contact).await
}

pub async fn set_blocked(ctx: &Ctx, id: &ContactId, blocked: bool) -> AppResult<Contact> {
    ctx.authorize(Resource::Contacts, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut contact = load_for_update(uow.tx(), id).await?;
    contact.blocked = blocked;
    save(uow, contact).await
}

pub async fn export(ctx: &Ctx, id: &ContactId) -> AppResult<ContactExport> {
    ctx.authorize(Resource::Contacts, Access::Read)?;
    let mut tx = ctx.read().await?;
    let contact = load(&mut tx, id).await?;
    let events = events::list_for_contact(&mut tx, &contact.id).await?;
    Ok(ContactExport {
        object: ObjectName::new(),
        contact,
        events,
        exported_at: ctx.app.clock.now(),
    })
}

/// Erasure: the contact row goes, and every copy of their personal data elsewhere is
/// removed in the same transaction (event payloads are redacted, stored idempotent
/// responses that named them are dropped, tasks that mention them are deleted).
pub async fn erase(ctx: &Ctx, id: &ContactId) -> AppResult<ErasedContact> {
    ctx.authorize(Resource::Contacts, Access::Write)?;
    let mut uow = ctx.write().await?;
    // One lock order: a contact's conversations before the contact (a message locks its
    // conversation, then the widget may lock the contact).
    confab_store::conversations::ids_for_contact(uow.tx(), id).await?;
    let contact = load_for_update(uow.tx(), id).await?;
    let erased = ErasedContact {
        id: contact.id.clone(),
        object: ObjectName::new(),
        deleted: true,
        erased: true,
        livemode: contact.livemode,
    };
    let redacted = serde_json::to_value(&erased).unwrap_or(Value::Null);
    events::redact_contact(uow.tx(), &contact.id, &redacted).await?;
    confab_store::webhook_deliveries::redact_contact(uow.tx(), &contact.id).await?;
    confab_store::messages::erase_for_contact(uow.tx(), &contact.id).await?;
    let blobs = confab_store::files::delete_for_contact(uow.tx(), &contact.id).await?;
    confab_store::conversations::scrub_for_contact(uow.tx(), &contact.id).await?;
    idempotency::forget_mentions(uow.tx(), contact.id.as_str()).await?;
    crate::tasks::forget_contact(uow.tx(), &contact).await?;
    confab_store::bookings::delete_for_contact(uow.tx(), &contact.id).await?;
    contacts::delete(uow.tx(), &contact.id).await?;
    uow.emit(EventType::ContactDeleted, redacted, Some(&contact.id))
        .await?;
    uow.commit().await?;
    ctx.app.files.remove(&blobs).await;
    // Down to the disk, after the answer (under `Idempotency-Key` the commit happens
    // once the response is stored; on SQLite the checkpoint waits for that writer).
    ctx.app.erasure_purge.request(&ctx.app.store, &contact.id);
    Ok(erased)
}
