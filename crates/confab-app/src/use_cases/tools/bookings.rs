//! Booking tools over `resources::{list, availability}` and `bookings::{create, cancel}`.

use schemars::JsonSchema;
use serde::Deserialize;

use confab_core::page::Page;

use super::spec::{Hints, Meta, ToolSpec};
use super::{NoArguments, page_request, page_summary};
use crate::bookings::{self, BookingCreate, BookingView};
use crate::resources::{self, Availability, AvailabilityQuery, ResourceView};
use crate::{Access, Resource};

/// Arguments of `list_resources`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListResources {
    /// How many resources to return, 1 to 100 (default 25).
    limit: Option<i64>,
    /// The `next_cursor` of a previous result.
    cursor: Option<String>,
}

/// Arguments of `check_availability`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CheckAvailability {
    /// The resource (`res_…`): a person's calendar or a room.
    resource_id: String,
    /// The resource's local date, `YYYY-MM-DD`.
    date: String,
    /// The booking's length, 5 to 1,440 minutes (default: the resource's slot length).
    duration_minutes: Option<u32>,
}

pub(super) fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            Meta {
                name: "list_resources",
                title: "List bookable resources",
                description: "List what can be booked (people's calendars, rooms) with their timezone, working hours and \
                    slot length, to find a resource's id.",
                needs: (Resource::Bookings, Access::Read),
                hints: Hints::READ,
            },
            |ctx, input: ListResources| async move {
                let page = page_request(input.limit, input.cursor.as_deref())?;
                resources::list(&ctx, &page).await
            },
            |page: &Page<ResourceView>| {
                page_summary(page, "resource", "resources", |r| {
                    format!("{} {} ({})", r.id, r.name, r.timezone)
                })
            },
        ),
        ToolSpec::new(
            Meta {
                name: "check_availability",
                title: "Check availability",
                description: "The free slots of a resource on one of its local dates, for a booking of duration_minutes, \
                    as RFC 3339 times with the resource's UTC offset. Offer only these slots.",
                needs: (Resource::Bookings, Access::Read),
                hints: Hints::READ,
            },
            |ctx, input: CheckAvailability| async move {
                let q = AvailabilityQuery {
                    resource_id: Some(input.resource_id),
                    date: Some(input.date),
                    duration_minutes: input.duration_minutes.map(|d| d.to_string()),
                };
                resources::availability(&ctx, q).await
            },
            |a: &Availability| match a.slots.len() {
                0 => format!("No free slot on {} ({}).", a.date, a.timezone),
                n => format!(
                    "{n} free slots on {} ({}), the first at {}.",
                    a.date, a.timezone, a.slots[0].start
                ),
            },
        ),
        ToolSpec::new(
            Meta {
                name: "create_booking",
                title: "Book a resource",
                description: "Book a resource for a contact at `start` (RFC 3339 with an offset, one of the slots \
                    check_availability gave) for duration_minutes (default the slot length). A taken slot fails with \
                    SLOT_TAKEN; outside working hours, in the past or too far ahead fails with the reason. \
                    Emits `booking.created`.",
                needs: (Resource::Bookings, Access::Write),
                hints: Hints::ADD,
            },
            |ctx, input: BookingCreate| async move { bookings::create(&ctx, input).await },
            |b: &BookingView| {
                format!(
                    "Booked {} from {} to {} ({}).",
                    b.id, b.start, b.end, b.timezone
                )
            },
        ),
        ToolSpec::on(
            Meta {
                name: "cancel_booking",
                title: "Cancel a booking",
                description: "Cancel a booking; its slot is free at once. Emits `booking.cancelled`.",
                needs: (Resource::Bookings, Access::Write),
                hints: Hints::SET,
            },
            ("booking_id", "The booking's id (`bkg_…`)."),
            |ctx, id, _: NoArguments| async move { bookings::cancel(&ctx, &id).await },
            |b: &BookingView| format!("Cancelled booking {} ({}).", b.id, b.start),
        ),
    ]
}
