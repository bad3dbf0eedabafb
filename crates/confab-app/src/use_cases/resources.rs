//! Bookable resources (CRUD: owners and admins, as settings) and their availability
//! (anyone who may read bookings).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use confab_core::booking::{
    BookableResource, MAX_CLOSED_DATES, MAX_DURATION_MINUTES, MAX_HORIZON_DAYS, MAX_NOTICE_MINUTES,
    MAX_SLOT_MINUTES, MIN_SLOT_MINUTES,
};
use confab_core::hours::{self, RawWeek, WeeklyHours};
use confab_core::id::ResourceId;
use confab_core::object::ObjectName;
use confab_core::page::{Page, PageRequest};
use confab_core::{FieldErrors, Timestamp};
use confab_store::{Locked, TenantTx, bookings, resources};

use crate::input::{bounded_text, id_field};
use crate::{Access, AppError, AppResult, Ctx, Resource};

const MAX_NAME: usize = 200;
const DEFAULT_SLOT: u32 = 30;
const DEFAULT_HORIZON: u32 = 60;

/// A resource as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResourceView {
    #[schema(value_type = String)]
    pub id: ResourceId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub name: String,
    /// IANA timezone: working hours, closed dates and availability are in it.
    pub timezone: String,
    #[schema(schema_with = week_schema)]
    pub working_hours: RawWeek,
    /// The step between offered start times, and a booking's default length.
    pub slot_minutes: u32,
    /// Local dates (`YYYY-MM-DD`) with no bookings.
    pub closed_dates: Vec<String>,
    /// How long before its start a booking must be made.
    pub min_notice_minutes: u32,
    /// How many days ahead bookings are taken.
    pub horizon_days: u32,
    pub livemode: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

confab_core::named!(ResourceView => "resource");

fn week_schema() -> utoipa::openapi::schema::Object {
    hours::schema(false)
}

impl From<BookableResource> for ResourceView {
    fn from(r: BookableResource) -> Self {
        ResourceView {
            id: r.id,
            object: ObjectName::new(),
            name: r.name,
            timezone: r.timezone.name().to_owned(),
            working_hours: r.working_hours.to_raw(),
            slot_minutes: r.slot_minutes,
            closed_dates: r.closed_dates.iter().map(|d| d.to_string()).collect(),
            min_notice_minutes: r.min_notice_minutes,
            horizon_days: r.horizon_days,
            livemode: r.livemode,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A new resource: `name`, `timezone` and `working_hours` are required.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceInput {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    /// IANA timezone (`Asia/Kolkata`).
    #[schema(min_length = 1, examples("Asia/Kolkata"))]
    pub timezone: Option<String>,
    #[schema(schema_with = week_schema)]
    pub working_hours: Option<RawWeek>,
    /// 5 to 480 (default 30).
    #[schema(minimum = 5, maximum = 480)]
    pub slot_minutes: Option<u32>,
    /// Up to 366 local dates, `YYYY-MM-DD`.
    #[schema(max_items = 366, inline, value_type = Option<Vec<String>>)]
    pub closed_dates: Option<Vec<String>>,
    /// 0 to 43,200 (default 0).
    #[schema(maximum = 43200)]
    pub min_notice_minutes: Option<u32>,
    /// 1 to 730 (default 60).
    #[schema(minimum = 1, maximum = 730)]
    pub horizon_days: Option<u32>,
}

fn in_range(value: u32, field: &str, min: u32, max: u32, errors: &mut FieldErrors) -> u32 {
    if !(min..=max).contains(&value) {
        errors.add(field, format!("must be between {min} and {max}"));
    }
    value
}

/// Writes the fields `input` carries onto `r`, recording each problem.
fn apply(r: &mut BookableResource, input: ResourceInput, errors: &mut FieldErrors) {
    if let Some(n) = &input.name {
        r.name = bounded_text(n, "name", MAX_NAME, true, errors);
    }
    if let Some(t) = &input.timezone {
        match hours::timezone(t) {
            Ok(tz) => r.timezone = tz,
            Err(m) => errors.add("timezone", m),
        }
    }
    if let Some(w) = &input.working_hours
        && let Some(week) = WeeklyHours::parse(w, "working_hours", errors)
    {
        r.working_hours = week;
    }
    if let Some(s) = input.slot_minutes {
        r.slot_minutes = in_range(
            s,
            "slot_minutes",
            MIN_SLOT_MINUTES,
            MAX_SLOT_MINUTES,
            errors,
        );
    }
    if let Some(n) = input.min_notice_minutes {
        r.min_notice_minutes = in_range(n, "min_notice_minutes", 0, MAX_NOTICE_MINUTES, errors);
    }
    if let Some(h) = input.horizon_days {
        r.horizon_days = in_range(h, "horizon_days", 1, MAX_HORIZON_DAYS, errors);
    }
    if let Some(dates) = &input.closed_dates {
        if dates.len() > MAX_CLOSED_DATES {
            errors.add(
                "closed_dates",
                format!("may list at most {MAX_CLOSED_DATES} dates"),
            );
        }
        let mut parsed: Vec<NaiveDate> = Vec::new();
        for (i, d) in dates.iter().enumerate() {
            match parse_date(d) {
                Some(date) if !parsed.contains(&date) => parsed.push(date),
                Some(_) => {}
                None => errors.add(format!("closed_dates.{i}"), "must be a date, YYYY-MM-DD"),
            }
        }
        parsed.sort_unstable();
        r.closed_dates = parsed;
    }
}

/// A calendar date as `YYYY-MM-DD`.
pub(crate) fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    (raw.len() == 10).then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())?
}

pub async fn create(ctx: &Ctx, input: ResourceInput) -> AppResult<ResourceView> {
    ctx.authorize(Resource::Settings, Access::Write)?;
    let mut errors = FieldErrors::new();
    for (missing, field) in [
        (input.name.is_none(), "name"),
        (input.timezone.is_none(), "timezone"),
        (input.working_hours.is_none(), "working_hours"),
    ] {
        if missing {
            errors.add(field, "is required");
        }
    }
    let now = ctx.app.clock.now();
    let mut resource = BookableResource {
        id: ResourceId::generate(),
        name: String::new(),
        timezone: hours::Tz::UTC,
        working_hours: WeeklyHours::default(),
        slot_minutes: DEFAULT_SLOT,
        closed_dates: vec![],
        min_notice_minutes: 0,
        horizon_days: DEFAULT_HORIZON,
        livemode: ctx.livemode(),
        created_at: now,
        updated_at: now,
    };
    apply(&mut resource, input, &mut errors);
    errors.into_result()?;
    let mut uow = ctx.write().await?;
    resource.created_at = uow.now;
    resource.updated_at = uow.now;
    resources::insert(uow.tx(), &resource).await?;
    uow.commit().await?;
    Ok(resource.into())
}

pub(crate) async fn load(tx: &mut TenantTx, id: &ResourceId) -> AppResult<BookableResource> {
    resources::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("resource", id))
}

pub(crate) async fn load_for_update(
    tx: &mut TenantTx,
    id: &ResourceId,
) -> AppResult<Locked<BookableResource>> {
    resources::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("resource", id))
}

pub async fn get(ctx: &Ctx, id: &ResourceId) -> AppResult<ResourceView> {
    ctx.authorize(Resource::Bookings, Access::Read)?;
    let mut tx = ctx.read().await?;
    Ok(load(&mut tx, id).await?.into())
}

pub async fn list(ctx: &Ctx, page: &PageRequest) -> AppResult<Page<ResourceView>> {
    ctx.authorize(Resource::Bookings, Access::Read)?;
    let mut tx = ctx.read().await?;
    Ok(resources::list(&mut tx, page)
        .await?
        .map(ResourceView::from))
}

/// Changes the fields given. Existing bookings stay as they are, even where new hours
/// no longer cover them.
pub async fn update(ctx: &Ctx, id: &ResourceId, input: ResourceInput) -> AppResult<ResourceView> {
    ctx.authorize(Resource::Settings, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut resource = load_for_update(uow.tx(), id).await?;
    let mut errors = FieldErrors::new();
    apply(&mut resource, input, &mut errors);
    errors.into_result()?;
    resource.updated_at = uow.now;
    resources::update(uow.tx(), &resource).await?;
    uow.commit().await?;
    Ok(resource.into_inner().into())
}

/// Deletes a resource with no upcoming confirmed bookings (409 otherwise: cancel them
/// first); its past and cancelled bookings go with it.
pub async fn delete(ctx: &Ctx, id: &ResourceId) -> AppResult<ResourceView> {
    ctx.authorize(Resource::Settings, Access::Write)?;
    let mut uow = ctx.write().await?;
    let resource = load_for_update(uow.tx(), id).await?;
    let now = uow.now;
    if bookings::any_upcoming(uow.tx(), id, now).await? {
        return Err(AppError::conflict(
            "This resource has upcoming bookings; cancel them before deleting it.",
        ));
    }
    bookings::delete_of_resource(uow.tx(), id).await?;
    resources::delete(uow.tx(), id).await?;
    uow.commit().await?;
    Ok(resource.into_inner().into())
}

/// `GET /v1/availability`'s question.
#[derive(Debug)]
pub struct AvailabilityQuery {
    pub resource_id: Option<String>,
    pub date: Option<String>,
    pub duration_minutes: Option<String>,
}

/// A free slot, in the resource's local time with its UTC offset.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SlotView {
    /// RFC 3339 with the resource's offset (`2026-03-10T09:00:00+05:30`).
    pub start: String,
    pub end: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Availability {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    #[schema(value_type = String)]
    pub resource_id: ResourceId,
    /// The local date asked about.
    pub date: String,
    pub timezone: String,
    pub duration_minutes: u32,
    pub slots: Vec<SlotView>,
}

confab_core::named!(Availability => "availability");

pub async fn availability(ctx: &Ctx, q: AvailabilityQuery) -> AppResult<Availability> {
    ctx.authorize(Resource::Bookings, Access::Read)?;
    let mut errors = FieldErrors::new();
    let id = id_field::<ResourceId>(q.resource_id.as_deref(), "resource_id", true, &mut errors);
    let date = match q.date.as_deref() {
        None => {
            errors.add(
                "date",
                "is required (YYYY-MM-DD, the resource's local date)",
            );
            None
        }
        Some(raw) => parse_date(raw).or_else(|| {
            errors.add("date", "must be a date, YYYY-MM-DD");
            None
        }),
    };
    let duration = q.duration_minutes.as_deref().and_then(|raw| {
        match raw.parse::<u32>() {
            Ok(d) if (MIN_SLOT_MINUTES..=MAX_DURATION_MINUTES).contains(&d) => Some(d),
            _ => {
                errors.add(
                    "duration_minutes",
                    format!("must be a whole number between {MIN_SLOT_MINUTES} and {MAX_DURATION_MINUTES}"),
                );
                None
            }
        }
    });
    errors.into_result()?;
    let (Some(id), Some(date)) = (id, date) else {
        return Err(AppError::Internal(
            "availability checked without its fields".into(),
        ));
    };
    let mut tx = ctx.read().await?;
    let resource = load(&mut tx, &id).await?;
    let minutes = duration.unwrap_or(resource.slot_minutes);
    // Every booking that may touch the local day: offsets reach UTC−12 and UTC+14, and a
    // booking lasts up to a day.
    let midnight = date.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
    let from = midnight.map(|m| m - chrono::Duration::hours(14 + 24));
    let to = midnight.map(|m| m + chrono::Duration::hours(24 + 12));
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::field("date", "is out of range"));
    };
    let taken: Vec<_> = bookings::confirmed_between(&mut tx, &id, from, to, None)
        .await?
        .into_iter()
        .map(|b| (b.start, b.end))
        .collect();
    let slots = resource
        .free_slots(date, minutes, ctx.app.clock.now().to_datetime(), &taken)
        .into_iter()
        .map(|s| SlotView {
            start: s.start.to_rfc3339(),
            end: s.end.to_rfc3339(),
        })
        .collect();
    Ok(Availability {
        object: ObjectName::new(),
        resource_id: id,
        date: date.to_string(),
        timezone: resource.timezone.name().to_owned(),
        duration_minutes: minutes,
        slots,
    })
}
