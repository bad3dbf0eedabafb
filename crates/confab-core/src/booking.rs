//! Bookable resources and bookings, and the calendar rules as pure functions: which
//! slots of a local date are free, and whether a start time may be booked. Every local
//! time goes through the resource's timezone, so a daylight-saving change moves the UTC
//! instant, never the local hour, and a day may have 23 or 25 hours.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::hours::{OpeningHours, Tz, WeeklyHours};
use crate::id::{BookingId, ContactId, ResourceId};

pub const MIN_SLOT_MINUTES: u32 = 5;
pub const MAX_SLOT_MINUTES: u32 = 8 * 60;
pub const MAX_DURATION_MINUTES: u32 = 24 * 60;
pub const MAX_HORIZON_DAYS: u32 = 730;
pub const MAX_NOTICE_MINUTES: u32 = 30 * 24 * 60;
pub const MAX_CLOSED_DATES: usize = 366;

/// Someone or something that can be booked: a person's calendar, a room.
#[derive(Clone, Debug)]
pub struct BookableResource {
    pub id: ResourceId,
    pub name: String,
    pub timezone: Tz,
    pub working_hours: WeeklyHours,
    /// The step between offered start times, and the default duration.
    pub slot_minutes: u32,
    /// Local dates with no bookings at all (holidays).
    pub closed_dates: Vec<NaiveDate>,
    /// How long before a start a booking must be made.
    pub min_notice_minutes: u32,
    /// How many days ahead bookings are taken.
    pub horizon_days: u32,
    pub livemode: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    Confirmed,
    Cancelled,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "confirmed" => Some(BookingStatus::Confirmed),
            "cancelled" => Some(BookingStatus::Cancelled),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Booking {
    pub id: BookingId,
    pub resource_id: ResourceId,
    pub contact_id: ContactId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub notes: Option<String>,
    pub status: BookingStatus,
    pub cancelled_at: Option<Timestamp>,
    pub livemode: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Booking {
    pub fn duration_minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// Why a start time cannot be booked (each a 422 with its sentence).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unbookable {
    Past,
    TooSoon { minutes: u32 },
    BeyondHorizon { days: u32 },
    ClosedDate { date: NaiveDate },
    OutsideHours,
}

impl Unbookable {
    pub fn message(&self) -> String {
        match self {
            Unbookable::Past => "is in the past".into(),
            Unbookable::TooSoon { minutes } => {
                format!("must be at least {minutes} minutes from now (the resource's minimum notice)")
            }
            Unbookable::BeyondHorizon { days } => {
                format!("is more than {days} days ahead (the resource's booking horizon)")
            }
            Unbookable::ClosedDate { date } => format!("falls on {date}, a day the resource is closed"),
            Unbookable::OutsideHours => {
                "is outside the resource's working hours (the whole booking must fit in one of its intervals; see GET /v1/availability)".into()
            }
        }
    }
}

/// A free slot, in the resource's timezone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
}

impl BookableResource {
    fn hours(&self) -> OpeningHours {
        OpeningHours {
            timezone: self.timezone,
            week: self.working_hours.clone(),
        }
    }

    /// The open intervals of a local date as instants (a break splits a day in several;
    /// `24:00` is the next midnight).
    fn intervals_on(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.closed_dates.contains(&date) {
            return Vec::new();
        }
        let hours = self.hours();
        self.working_hours
            .on(chrono::Datelike::weekday(&date))
            .iter()
            .filter_map(|&(s, e)| Some((hours.instant(date, s)?, hours.instant(date, e)?)))
            .collect()
    }

    /// Whether `[start, start + minutes)` may be booked at `now`, ignoring other
    /// bookings (overlap is the store's lock's job).
    pub fn check(
        &self,
        start: DateTime<Utc>,
        minutes: u32,
        now: DateTime<Utc>,
    ) -> Result<(), Unbookable> {
        if start < now {
            return Err(Unbookable::Past);
        }
        if start < now + Duration::minutes(i64::from(self.min_notice_minutes)) {
            return Err(Unbookable::TooSoon {
                minutes: self.min_notice_minutes,
            });
        }
        if start > now + Duration::days(i64::from(self.horizon_days)) {
            return Err(Unbookable::BeyondHorizon {
                days: self.horizon_days,
            });
        }
        let date = start.with_timezone(&self.timezone).date_naive();
        if self.closed_dates.contains(&date) {
            return Err(Unbookable::ClosedDate { date });
        }
        let end = start + Duration::minutes(i64::from(minutes));
        if self
            .intervals_on(date)
            .iter()
            .any(|&(s, e)| s <= start && end <= e)
        {
            Ok(())
        } else {
            Err(Unbookable::OutsideHours)
        }
    }

    /// The free slots of a local date for a booking of `minutes`: starts every
    /// `slot_minutes` from each interval's start, the whole booking inside the interval,
    /// bookable at `now`, and clear of every `taken` interval.
    pub fn free_slots(
        &self,
        date: NaiveDate,
        minutes: u32,
        now: DateTime<Utc>,
        taken: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Vec<Slot> {
        let step = Duration::minutes(i64::from(self.slot_minutes.max(MIN_SLOT_MINUTES)));
        let length = Duration::minutes(i64::from(minutes));
        let mut slots = Vec::new();
        for (open, close) in self.intervals_on(date) {
            let mut start = open;
            while start + length <= close {
                let end = start + length;
                let free = !taken.iter().any(|&(s, e)| s < end && start < e);
                if free && self.check(start, minutes, now).is_ok() {
                    slots.push(Slot {
                        start: start.with_timezone(&self.timezone),
                        end: end.with_timezone(&self.timezone),
                    });
                }
                start += step;
            }
        }
        slots
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldErrors;
    use crate::hours::{RawWeek, timezone};

    fn resource(zone: &str, week: &str) -> BookableResource {
        let raw: RawWeek = serde_json::from_str(week).unwrap();
        BookableResource {
            id: ResourceId::generate(),
            name: "Dr. Rao".into(),
            timezone: timezone(zone).unwrap(),
            working_hours: WeeklyHours::parse(&raw, "w", &mut FieldErrors::new()).unwrap(),
            slot_minutes: 30,
            closed_dates: vec![],
            min_notice_minutes: 0,
            horizon_days: 365,
            livemode: false,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn slots_skip_breaks_bookings_and_the_past_with_the_local_offset() {
        let r = resource(
            "Asia/Kolkata",
            r#"{"tue": [["09:00", "11:00"], ["14:00", "15:30"]]}"#,
        );
        let now = utc("2026-03-09T00:00:00Z");
        let taken = [(utc("2026-03-10T04:00:00Z"), utc("2026-03-10T04:30:00Z"))]; // 09:30 IST
        let slots = r.free_slots(date("2026-03-10"), 30, now, &taken);
        let starts: Vec<String> = slots.iter().map(|s| s.start.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2026-03-10T09:00:00+05:30",
                "2026-03-10T10:00:00+05:30",
                "2026-03-10T10:30:00+05:30",
                "2026-03-10T14:00:00+05:30",
                "2026-03-10T14:30:00+05:30",
                "2026-03-10T15:00:00+05:30"
            ]
        );
        let long = r.free_slots(date("2026-03-10"), 90, now, &[]);
        assert_eq!(
            long.len(),
            3,
            "09:00 and 09:30 fit before 11:00; 14:00 fits before 15:30"
        );
        assert!(
            r.free_slots(date("2026-03-11"), 30, now, &[]).is_empty(),
            "closed on Wednesdays"
        );
        let later = r.free_slots(date("2026-03-10"), 30, utc("2026-03-10T04:45:00Z"), &[]);
        assert_eq!(
            later[0].start.to_rfc3339(),
            "2026-03-10T10:30:00+05:30",
            "nothing already begun"
        );
    }

    #[test]
    fn a_dst_change_keeps_local_hours_and_shifts_offsets() {
        let r = resource(
            "Europe/London",
            r#"{"sun": [["00:00", "24:00"]], "mon": [["09:00", "10:00"]]}"#,
        );
        let now = utc("2026-03-01T00:00:00Z");
        // Sunday 29 March 2026: clocks go from 01:00 to 02:00, a 23-hour day.
        let spring = r.free_slots(date("2026-03-29"), 60, now, &[]);
        assert_eq!(
            spring.len(),
            45,
            "23 hours: one-hour bookings starting every half hour up to 22:00 UTC"
        );
        assert_eq!(spring[0].start.to_rfc3339(), "2026-03-29T00:00:00+00:00");
        assert_eq!(
            spring[2].start.to_rfc3339(),
            "2026-03-29T02:00:00+01:00",
            "01:00 local does not exist"
        );
        let monday = r.free_slots(date("2026-03-30"), 60, now, &[]);
        assert_eq!(monday[0].start.to_rfc3339(), "2026-03-30T09:00:00+01:00");
        assert_eq!(
            monday[0].start.with_timezone(&Utc),
            utc("2026-03-30T08:00:00Z")
        );
        // Sunday 25 October 2026: back from 02:00 to 01:00, a 25-hour day.
        assert_eq!(
            r.free_slots(date("2026-10-25"), 60, now, &[]).len(),
            49,
            "25 hours"
        );
    }

    #[test]
    fn across_midnight_a_utc_instant_belongs_to_its_local_date() {
        // 23:00 UTC on Monday is Tuesday 08:00 in Tokyo.
        let r = resource("Asia/Tokyo", r#"{"tue": [["08:00", "12:00"]]}"#);
        let now = utc("2026-06-01T00:00:00Z");
        assert_eq!(r.check(utc("2026-06-01T23:00:00Z"), 60, now), Ok(()));
        let slots = r.free_slots(date("2026-06-02"), 60, now, &[]);
        assert_eq!(
            slots[0].start.with_timezone(&Utc),
            utc("2026-06-01T23:00:00Z")
        );
        assert!(r.free_slots(date("2026-06-01"), 60, now, &[]).is_empty());
    }

    #[test]
    fn refusals_say_why() {
        let mut r = resource("UTC", r#"{"mon": [["09:00", "17:00"]]}"#);
        r.min_notice_minutes = 120;
        r.horizon_days = 30;
        r.closed_dates = vec![date("2026-06-15")];
        let now = utc("2026-06-01T09:00:00Z");
        assert_eq!(
            r.check(utc("2026-05-25T10:00:00Z"), 30, now),
            Err(Unbookable::Past)
        );
        assert_eq!(
            r.check(utc("2026-06-01T10:00:00Z"), 30, now),
            Err(Unbookable::TooSoon { minutes: 120 })
        );
        assert_eq!(
            r.check(utc("2026-07-06T10:00:00Z"), 30, now),
            Err(Unbookable::BeyondHorizon { days: 30 })
        );
        assert_eq!(
            r.check(utc("2026-06-15T10:00:00Z"), 30, now),
            Err(Unbookable::ClosedDate {
                date: date("2026-06-15")
            })
        );
        assert_eq!(
            r.check(utc("2026-06-08T16:45:00Z"), 30, now),
            Err(Unbookable::OutsideHours),
            "ends after 17:00"
        );
        assert_eq!(
            r.check(utc("2026-06-09T10:00:00Z"), 30, now),
            Err(Unbookable::OutsideHours),
            "Tuesday"
        );
        assert_eq!(r.check(utc("2026-06-08T16:30:00Z"), 30, now), Ok(()));
        assert!(r.free_slots(date("2026-06-15"), 30, now, &[]).is_empty());
    }
}
