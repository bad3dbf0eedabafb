//! Bookings: made, moved (`PATCH start`), cancelled and deleted, never two on one
//! resource at once. Every booking of a resource is made under that resource's row lock,
//! so the overlap check and the insert are one step for every other writer.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use confab_core::booking::{
    BookableResource, Booking, BookingStatus, MAX_DURATION_MINUTES, MIN_SLOT_MINUTES,
};
use confab_core::event::EventType;
use confab_core::ics::{self, CalendarEvent};
use confab_core::id::{BookingId, ContactId, ConversationId, ResourceId};
use confab_core::object::ObjectName;
use confab_core::page::{Page, PageRequest};
use confab_core::{ErrorCode, FieldErrors, Timestamp};
use confab_store::bookings::{self, BookingFilter};
use confab_store::{Locked, TenantTx, contacts};

use crate::input::{id_field, optional_text, patch_field};
use crate::messages::NewMessage;
use crate::resources::{load, load_for_update};
use crate::{Access, AppError, AppResult, Ctx, Resource, Uow};

const MAX_NOTES: usize = 2_000;

/// A booking as the API shows it: times in the resource's timezone, with its offset.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    #[schema(value_type = String)]
    pub id: BookingId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    #[schema(value_type = String)]
    pub resource_id: ResourceId,
    #[schema(value_type = String)]
    pub contact_id: ContactId,
    /// RFC 3339 in the resource's timezone (`2026-03-10T09:00:00+05:30`).
    pub start: String,
    pub end: String,
    pub duration_minutes: i64,
    /// The resource's IANA timezone.
    pub timezone: String,
    pub notes: Option<String>,
    pub status: BookingStatus,
    pub cancelled_at: Option<Timestamp>,
    pub livemode: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

confab_core::named!(BookingView => "booking");

fn view(b: &Booking, resource: &BookableResource) -> BookingView {
    BookingView {
        id: b.id.clone(),
        object: ObjectName::new(),
        resource_id: b.resource_id.clone(),
        contact_id: b.contact_id.clone(),
        start: b.start.with_timezone(&resource.timezone).to_rfc3339(),
        end: b.end.with_timezone(&resource.timezone).to_rfc3339(),
        duration_minutes: b.duration_minutes(),
        timezone: resource.timezone.name().to_owned(),
        notes: b.notes.clone(),
        status: b.status,
        cancelled_at: b.cancelled_at,
        livemode: b.livemode,
        created_at: b.created_at,
        updated_at: b.updated_at,
    }
}

/// A new booking.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingCreate {
    #[schema(value_type = String, required = true)]
    pub resource_id: Option<String>,
    #[schema(value_type = String, required = true)]
    pub contact_id: Option<String>,
    /// RFC 3339 with an offset (`2026-03-10T09:00:00+05:30` or `…Z`).
    #[schema(value_type = String, required = true)]
    pub start: Option<String>,
    /// 5 to 1,440; default the resource's `slot_minutes`.
    #[schema(minimum = 5, maximum = 1440)]
    pub duration_minutes: Option<u32>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    /// A conversation with the contact: the booking is confirmed there, in the
    /// customer's language, with the resource's local time.
    #[schema(value_type = Option<String>)]
    pub conversation_id: Option<String>,
}

/// A change: a new `start` (and length) moves the booking; `notes: null` clears them.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingUpdate {
    pub start: Option<String>,
    pub duration_minutes: Option<u32>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

fn parse_start(raw: &str, errors: &mut FieldErrors) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            errors.add(
                "start",
                "must be an RFC 3339 time with an offset, like 2026-03-10T09:00:00+05:30",
            )
        })
        .ok()
}

fn check_duration(raw: Option<u32>, errors: &mut FieldErrors) -> Option<u32> {
    let d = raw?;
    if (MIN_SLOT_MINUTES..=MAX_DURATION_MINUTES).contains(&d) {
        Some(d)
    } else {
        errors.add(
            "duration_minutes",
            format!("must be between {MIN_SLOT_MINUTES} and {MAX_DURATION_MINUTES}"),
        );
        None
    }
}

/// The resource's rules, then the other bookings: 422 with the reason, or 409
/// `SLOT_TAKEN` naming the booking in the way.
async fn check_slot(
    tx: &mut TenantTx,
    resource: &BookableResource,
    start: DateTime<Utc>,
    minutes: u32,
    now: Timestamp,
    except: Option<&BookingId>,
) -> AppResult<DateTime<Utc>> {
    resource
        .check(start, minutes, now.to_datetime())
        .map_err(|why| AppError::field("start", &why.message()))?;
    let end = start + Duration::minutes(i64::from(minutes));
    let clash = bookings::confirmed_between(tx, &resource.id, start, end, except).await?;
    if let Some(other) = clash.first() {
        return Err(AppError::new(
            ErrorCode::SlotTaken,
            format!(
                "{} is booked from {} to {}; GET /v1/availability lists the free slots.",
                resource.name,
                other.start.with_timezone(&resource.timezone).to_rfc3339(),
                other.end.with_timezone(&resource.timezone).to_rfc3339()
            ),
        ));
    }
    Ok(end)
}

async fn emit(uow: &mut Uow, kind: EventType, b: &Booking, r: &BookableResource) -> AppResult<()> {
    let data = serde_json::to_value(view(b, r)).unwrap_or(Value::Null);
    uow.emit(kind, data, Some(&b.contact_id)).await?;
    Ok(())
}

pub async fn create(ctx: &Ctx, input: BookingCreate) -> AppResult<BookingView> {
    ctx.authorize(Resource::Bookings, Access::Write)?;
    let mut errors = FieldErrors::new();
    let resource_id = id_field::<ResourceId>(
        input.resource_id.as_deref(),
        "resource_id",
        true,
        &mut errors,
    );
    let contact_id =
        id_field::<ContactId>(input.contact_id.as_deref(), "contact_id", true, &mut errors);
    let start = match input.start.as_deref() {
        None => {
            errors.add("start", "is required");
            None
        }
        Some(raw) => parse_start(raw, &mut errors),
    };
    let duration = check_duration(input.duration_minutes, &mut errors);
    let notes = optional_text(input.notes.as_deref(), "notes", MAX_NOTES, &mut errors);
    let conversation_id = id_field::<ConversationId>(
        input.conversation_id.as_deref(),
        "conversation_id",
        false,
        &mut errors,
    );
    errors.into_result()?;
    let (Some(resource_id), Some(contact_id), Some(start)) = (resource_id, contact_id, start)
    else {
        return Err(AppError::Internal(
            "booking checked without its fields".into(),
        ));
    };

    let mut uow = ctx.write().await?;
    let resource = load_for_update(uow.tx(), &resource_id).await?;
    if contacts::get(uow.tx(), &contact_id).await?.is_none() {
        return Err(AppError::field(
            "contact_id",
            "names no contact of this workspace and mode",
        ));
    }
    let minutes = duration.unwrap_or(resource.slot_minutes);
    let now = uow.now;
    let end = check_slot(uow.tx(), &resource, start, minutes, now, None).await?;
    let booking = Booking {
        id: BookingId::generate(),
        resource_id,
        contact_id,
        start,
        end,
        notes,
        status: BookingStatus::Confirmed,
        cancelled_at: None,
        livemode: ctx.livemode(),
        created_at: now,
        updated_at: now,
    };
    bookings::insert(uow.tx(), &booking).await?;
    emit(&mut uow, EventType::BookingCreated, &booking, &resource).await?;
    if let Some(id) = &conversation_id {
        confirm_in(&mut uow, ctx, id, &booking, &resource).await?;
    }
    uow.commit().await?;
    Ok(view(&booking, &resource))
}

/// Tells the customer, in their conversation and language, when they are booked (the
/// resource's local time and zone). An automatic notice, like the hand-off's.
async fn confirm_in(
    uow: &mut Uow,
    ctx: &Ctx,
    id: &ConversationId,
    booking: &Booking,
    resource: &BookableResource,
) -> AppResult<()> {
    let c = confab_store::conversations::get_for_update(uow.tx(), id)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "conversation_id",
                "names no conversation of this workspace and mode",
            )
        })?;
    if c.contact
        .as_ref()
        .is_some_and(|k| k.id != booking.contact_id)
    {
        return Err(AppError::field(
            "conversation_id",
            "is another contact's conversation",
        ));
    }
    let local = booking.start.with_timezone(&resource.timezone);
    let text = confab_agent::phrases::booking_confirmed(
        c.lang.as_deref(),
        &resource.name,
        chrono::Datelike::weekday(&local).num_days_from_monday() as u8,
        &local.format("%Y-%m-%d").to_string(),
        &local.format("%H:%M").to_string(),
        resource.timezone.name(),
    );
    let notice = NewMessage::automatic(text, &c);
    crate::messages::post_in(uow, ctx, c, notice).await?;
    Ok(())
}

async fn load_booking(tx: &mut TenantTx, id: &BookingId) -> AppResult<Booking> {
    bookings::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("booking", id))
}

async fn lock_booking(tx: &mut TenantTx, id: &BookingId) -> AppResult<Locked<Booking>> {
    bookings::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("booking", id))
}

pub async fn get(ctx: &Ctx, id: &BookingId) -> AppResult<BookingView> {
    ctx.authorize(Resource::Bookings, Access::Read)?;
    let mut tx = ctx.read().await?;
    let booking = load_booking(&mut tx, id).await?;
    let resource = load(&mut tx, &booking.resource_id).await?;
    Ok(view(&booking, &resource))
}

/// `?resource_id=&contact_id=&status=`, as given (already parsed at the edge).
#[derive(Debug, Default)]
pub struct BookingQuery {
    pub resource_id: Option<String>,
    pub contact_id: Option<String>,
    pub status: Option<String>,
}

pub async fn list(ctx: &Ctx, q: BookingQuery, page: &PageRequest) -> AppResult<Page<BookingView>> {
    ctx.authorize(Resource::Bookings, Access::Read)?;
    let mut errors = FieldErrors::new();
    let filter = BookingFilter {
        resource_id: id_field(q.resource_id.as_deref(), "resource_id", false, &mut errors),
        contact_id: id_field(q.contact_id.as_deref(), "contact_id", false, &mut errors),
        status: q.status.as_deref().and_then(|s| {
            BookingStatus::parse(s).or_else(|| {
                errors.add("status", "must be confirmed or cancelled");
                None
            })
        }),
    };
    errors.into_result()?;
    let mut tx = ctx.read().await?;
    let found = bookings::list(&mut tx, &filter, page).await?;
    let mut resources: HashMap<ResourceId, BookableResource> = HashMap::new();
    for b in &found.data {
        if !resources.contains_key(&b.resource_id) {
            let r = load(&mut tx, &b.resource_id).await?;
            resources.insert(r.id.clone(), r);
        }
    }
    Ok(found.map(|b| view(&b, &resources[&b.resource_id])))
}

/// Moves a booking (`start`, `duration_minutes`) under the same rules as a new one, or
/// changes its notes. A cancelled booking cannot move (409).
pub async fn update(ctx: &Ctx, id: &BookingId, input: BookingUpdate) -> AppResult<BookingView> {
    ctx.authorize(Resource::Bookings, Access::Write)?;
    let mut errors = FieldErrors::new();
    let start = input
        .start
        .as_deref()
        .and_then(|s| parse_start(s, &mut errors));
    let duration = check_duration(input.duration_minutes, &mut errors);
    let notes = input
        .notes
        .map(|n| optional_text(n.as_deref(), "notes", MAX_NOTES, &mut errors));
    errors.into_result()?;

    let mut uow = ctx.write().await?;
    // The resource's lock first, as when booking: one lock order for every writer.
    let resource_id = load_booking(uow.tx(), id).await?.resource_id;
    let resource = load_for_update(uow.tx(), &resource_id).await?;
    let mut booking = lock_booking(uow.tx(), id).await?;
    let moves = start.is_some() || duration.is_some();
    if moves {
        if booking.status == BookingStatus::Cancelled {
            return Err(AppError::conflict(
                "This booking is cancelled; make a new one instead of moving it.",
            ));
        }
        let new_start = start.unwrap_or(booking.start);
        let minutes = duration.unwrap_or(booking.duration_minutes() as u32);
        let now = uow.now;
        booking.end = check_slot(uow.tx(), &resource, new_start, minutes, now, Some(id)).await?;
        booking.start = new_start;
    }
    if let Some(n) = notes {
        booking.notes = n;
    }
    booking.updated_at = uow.now;
    bookings::update(uow.tx(), &booking).await?;
    if moves {
        emit(&mut uow, EventType::BookingRescheduled, &booking, &resource).await?;
    }
    uow.commit().await?;
    Ok(view(&booking, &resource))
}

/// Cancels a confirmed booking: its slot is free at once. Cancelling twice is a 409.
pub async fn cancel(ctx: &Ctx, id: &BookingId) -> AppResult<BookingView> {
    ctx.authorize(Resource::Bookings, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut booking = lock_booking(uow.tx(), id).await?;
    if booking.status == BookingStatus::Cancelled {
        return Err(AppError::conflict("This booking is already cancelled."));
    }
    let resource = load(uow.tx(), &booking.resource_id).await?;
    booking.status = BookingStatus::Cancelled;
    booking.cancelled_at = Some(uow.now);
    booking.updated_at = uow.now;
    bookings::update(uow.tx(), &booking).await?;
    emit(&mut uow, EventType::BookingCancelled, &booking, &resource).await?;
    uow.commit().await?;
    Ok(view(&booking, &resource))
}

/// Deletes a booking's record; a confirmed one is cancelled by it (the event says so).
pub async fn delete(ctx: &Ctx, id: &BookingId) -> AppResult<BookingView> {
    ctx.authorize(Resource::Bookings, Access::Write)?;
    let mut uow = ctx.write().await?;
    let booking = lock_booking(uow.tx(), id).await?.into_inner();
    let resource = load(uow.tx(), &booking.resource_id).await?;
    bookings::delete(uow.tx(), id).await?;
    if booking.status == BookingStatus::Confirmed {
        let mut cancelled = booking.clone();
        cancelled.status = BookingStatus::Cancelled;
        cancelled.cancelled_at = Some(uow.now);
        emit(&mut uow, EventType::BookingCancelled, &cancelled, &resource).await?;
    }
    uow.commit().await?;
    Ok(view(&booking, &resource))
}

/// The booking as an iCalendar file (RFC 5545), for the customer's calendar.
pub async fn calendar(ctx: &Ctx, id: &BookingId) -> AppResult<String> {
    ctx.authorize(Resource::Bookings, Access::Read)?;
    let mut tx = ctx.read().await?;
    let booking = load_booking(&mut tx, id).await?;
    let resource = load(&mut tx, &booking.resource_id).await?;
    let public = &ctx.app.config.public_url;
    let host = public
        .split("://")
        .nth(1)
        .unwrap_or(public)
        .trim_end_matches('/');
    let uid = format!("{}@{host}", booking.id);
    Ok(ics::calendar(&CalendarEvent {
        uid: &uid,
        stamp: booking.updated_at.to_datetime(),
        start: booking.start,
        end: booking.end,
        summary: &resource.name,
        description: booking.notes.as_deref(),
        cancelled: booking.status == BookingStatus::Cancelled,
        // Each change gets a higher number (milliseconds since creation, in seconds).
        sequence: (booking.updated_at.millis() - booking.created_at.millis()) / 1000,
    }))
}
