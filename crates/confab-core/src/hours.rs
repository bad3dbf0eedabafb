//! Weekly working hours in an IANA timezone: whether a business is staffed at an
//! instant, and when it next opens. Local times are resolved through the tz database,
//! so a daylight-saving change moves the UTC instant, never the local hour.
//!
//! The wire shape is DESIGN's: `{"mon": [["09:00", "12:30"], ["13:30", "17:00"]], …}`,
//! a day left out or empty being closed, `"24:00"` ending a day.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
pub use chrono_tz::Tz;

use crate::FieldErrors;

/// The days in the wire shape's spelling, Monday first.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Intervals one day may have (breaks make several).
pub const MAX_INTERVALS_PER_DAY: usize = 6;
const DAY_MINUTES: u16 = 24 * 60;

/// What the wire carries: day → `[start, end]` pairs of `"HH:MM"`.
pub type RawWeek = BTreeMap<String, Vec<Vec<String>>>;

/// Open intervals per weekday (Monday first), in minutes after local midnight, sorted
/// and apart; an end of 1440 is midnight at the end of the day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeeklyHours {
    days: [Vec<(u16, u16)>; 7],
}

fn minutes(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(DAY_MINUTES),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl WeeklyHours {
    /// Checks the wire shape; problems are named per field under `field`
    /// (`working_hours.mon.1`).
    pub fn parse(raw: &RawWeek, field: &str, errors: &mut FieldErrors) -> Option<WeeklyHours> {
        let mut week = WeeklyHours::default();
        let before = errors.iter().count();
        for (day, intervals) in raw {
            let Some(index) = DAYS.iter().position(|d| d == day) else {
                errors.add(
                    format!("{field}.{day}"),
                    format!("is not a day; use {}", DAYS.join(", ")),
                );
                continue;
            };
            if intervals.len() > MAX_INTERVALS_PER_DAY {
                errors.add(
                    format!("{field}.{day}"),
                    format!("may have at most {MAX_INTERVALS_PER_DAY} intervals"),
                );
                continue;
            }
            let mut parsed = Vec::new();
            for (i, pair) in intervals.iter().enumerate() {
                let here = format!("{field}.{day}.{i}");
                let [start, end] = pair.as_slice() else {
                    errors.add(here, "must be a pair [\"HH:MM\", \"HH:MM\"]");
                    continue;
                };
                match (minutes(start), minutes(end)) {
                    (Some(s), Some(e)) if s < e && s < DAY_MINUTES => parsed.push((s, e)),
                    (Some(_), Some(_)) => errors.add(here, "must end after it starts"),
                    _ => errors.add(here, "times must be HH:MM between 00:00 and 24:00"),
                }
            }
            parsed.sort_unstable();
            if parsed.windows(2).any(|w| w[1].0 < w[0].1) {
                errors.add(format!("{field}.{day}"), "intervals must not overlap");
            }
            week.days[index] = parsed;
        }
        (errors.iter().count() == before).then_some(week)
    }

    /// The wire shape, every day present (closed days empty).
    pub fn to_raw(&self) -> RawWeek {
        DAYS.iter()
            .zip(&self.days)
            .map(|(day, intervals)| {
                let pairs = intervals
                    .iter()
                    .map(|&(s, e)| vec![clock(s), clock(e)])
                    .collect();
                ((*day).to_owned(), pairs)
            })
            .collect()
    }

    /// Open on no day at all.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// The open intervals of a weekday, in minutes after local midnight.
    pub fn on(&self, day: Weekday) -> &[(u16, u16)] {
        &self.days[day.num_days_from_monday() as usize]
    }
}

/// The wire shape as an OpenAPI schema: the days as properties, each up to
/// [`MAX_INTERVALS_PER_DAY`] pairs of `HH:MM`. That an interval ends after it starts and
/// that a day's intervals do not overlap is checked by [`WeeklyHours::parse`] (JSON
/// Schema cannot compare two strings). `nullable` for a change where `null` removes.
pub fn schema(nullable: bool) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::ObjectBuilder;
    use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, SchemaType, Type};
    let time = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))
        .examples(["09:00"]);
    let interval = ArrayBuilder::new()
        .items(time)
        .min_items(Some(2))
        .max_items(Some(2))
        .description(Some("`[start, end]`, local time; `24:00` ends the day."));
    let day = ArrayBuilder::new()
        .items(interval)
        .max_items(Some(MAX_INTERVALS_PER_DAY))
        .build();
    let mut week = ObjectBuilder::new()
        .schema_type(if nullable {
            SchemaType::from_iter([Type::Object, Type::Null])
        } else {
            SchemaType::new(Type::Object)
        })
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .description(Some(
            "Open intervals per weekday (`mon` … `sun`), in order and apart; a day left out or empty is closed.",
        ));
    for d in DAYS {
        week = week.property(d, day.clone());
    }
    week.build()
}

/// Working hours where they apply.
#[derive(Clone, Debug, PartialEq)]
pub struct OpeningHours {
    pub timezone: Tz,
    pub week: WeeklyHours,
}

/// When a business next opens, in its own time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    pub at: DateTime<Utc>,
    /// Monday = 0.
    pub weekday: u8,
    /// `HH:MM`, local.
    pub time: String,
}

/// Parses an IANA timezone name (`Europe/London`).
pub fn timezone(name: &str) -> Result<Tz, String> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| "must be an IANA timezone such as Europe/London or America/New_York".into())
}

impl OpeningHours {
    /// Whether `at` falls in an open interval of its local day.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.timezone);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        self.week
            .on(local.weekday())
            .iter()
            .any(|&(s, e)| s <= minute && minute < e)
    }

    /// The first opening after `at` within the coming week, or `None` when it is open
    /// now or never opens.
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<Opening> {
        if self.is_open(at) || self.week.is_empty() {
            return None;
        }
        let today = at.with_timezone(&self.timezone).date_naive();
        (0..=7)
            .filter_map(|d| today.checked_add_signed(Duration::days(d)))
            .flat_map(|date| {
                self.week
                    .on(date.weekday())
                    .iter()
                    .filter_map(move |&(start, _)| {
                        self.instant(date, start).map(|i| (date, start, i))
                    })
                    .collect::<Vec<_>>()
            })
            .find(|(_, _, instant)| *instant > at)
            .map(|(date, start, instant)| Opening {
                at: instant,
                weekday: date.weekday().num_days_from_monday() as u8,
                time: clock(start),
            })
    }

    /// The instant of a local date and minute; a time skipped by a daylight-saving jump
    /// is the first instant after the jump.
    pub(crate) fn instant(&self, date: NaiveDate, minute: u16) -> Option<DateTime<Utc>> {
        // `24:00` is the next day's midnight.
        let (date, minute) = if minute >= DAY_MINUTES {
            (date.succ_opt()?, minute - DAY_MINUTES)
        } else {
            (date, minute)
        };
        let time = NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)?;
        let naive = date.and_time(time);
        (0..=180)
            .step_by(15)
            .find_map(|skip| {
                self.timezone
                    .from_local_datetime(&(naive + Duration::minutes(skip)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(pairs: &[(&str, &[(&str, &str)])]) -> WeeklyHours {
        let raw: RawWeek = pairs
            .iter()
            .map(|(d, iv)| {
                let list = iv
                    .iter()
                    .map(|(s, e)| vec![(*s).into(), (*e).into()])
                    .collect();
                ((*d).to_owned(), list)
            })
            .collect();
        let mut errors = FieldErrors::new();
        WeeklyHours::parse(&raw, "working_hours", &mut errors).expect("valid week")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn bad_weeks_are_named_per_field() {
        let raw: RawWeek = serde_json::from_str(
            r#"{"mon": [["09:00", "12:00"], ["11:00", "17:00"]], "tue": [["9:00", "17:00"]],
                "wed": [["17:00", "09:00"]], "thu": [["09:00"]], "funday": [], "fri": [["00:00", "24:00"]]}"#,
        )
        .unwrap();
        let mut errors = FieldErrors::new();
        assert!(WeeklyHours::parse(&raw, "working_hours", &mut errors).is_none());
        let fields: Vec<&String> = errors.iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "working_hours.funday",
                "working_hours.mon",
                "working_hours.thu.0",
                "working_hours.tue.0",
                "working_hours.wed.0"
            ]
        );
    }

    #[test]
    fn the_wire_shape_round_trips_with_every_day() {
        let w = week(&[
            ("mon", &[("13:30", "17:00"), ("09:00", "12:30")]),
            ("sun", &[("10:00", "24:00")]),
        ]);
        let raw = w.to_raw();
        assert_eq!(raw.len(), 7);
        assert_eq!(
            raw["mon"],
            vec![vec!["09:00", "12:30"], vec!["13:30", "17:00"]]
        );
        assert_eq!(raw["sun"], vec![vec!["10:00", "24:00"]]);
        assert!(raw["tue"].is_empty());
        let mut errors = FieldErrors::new();
        assert_eq!(WeeklyHours::parse(&raw, "x", &mut errors), Some(w));
    }

    #[test]
    fn open_and_next_opening_follow_local_time_with_breaks() {
        let hours = OpeningHours {
            timezone: timezone("Europe/London").unwrap(),
            week: week(&[
                ("mon", &[("09:00", "12:30"), ("13:30", "17:00")]),
                ("fri", &[("09:00", "17:00")]),
            ]),
        };
        // Monday 2026-06-01, British Summer Time (UTC+1).
        assert!(hours.is_open(utc("2026-06-01T08:00:00Z")), "09:00 local");
        assert!(!hours.is_open(utc("2026-06-01T07:59:00Z")));
        assert!(
            !hours.is_open(utc("2026-06-01T12:00:00Z")),
            "13:00 local is the break"
        );
        let lunch = hours.next_opening(utc("2026-06-01T12:00:00Z")).unwrap();
        assert_eq!(
            (lunch.at, lunch.weekday, lunch.time.as_str()),
            (utc("2026-06-01T12:30:00Z"), 0, "13:30")
        );
        let evening = hours.next_opening(utc("2026-06-01T17:00:00Z")).unwrap();
        assert_eq!(
            (evening.at, evening.weekday),
            (utc("2026-06-05T08:00:00Z"), 4),
            "Friday 09:00 BST"
        );
        let weekend = hours.next_opening(utc("2026-06-06T10:00:00Z")).unwrap();
        assert_eq!(weekend.at, utc("2026-06-08T08:00:00Z"));
        assert!(
            hours.next_opening(utc("2026-06-01T09:00:00Z")).is_none(),
            "open now"
        );
    }

    #[test]
    fn daylight_saving_moves_the_instant_not_the_local_hour() {
        let hours = OpeningHours {
            timezone: timezone("America/New_York").unwrap(),
            week: week(&[
                ("mon", &[("09:00", "17:00")]),
                ("sun", &[("02:30", "04:00")]),
            ]),
        };
        // Clocks go forward on Sunday 2026-03-08 at 02:00 (02:30 does not exist).
        let sunday = hours.next_opening(utc("2026-03-08T05:00:00Z")).unwrap();
        assert_eq!(
            sunday.at,
            utc("2026-03-08T07:00:00Z"),
            "the first instant after the jump, 03:00 EDT"
        );
        // Monday before the change is 14:00 UTC; after it, 13:00 UTC.
        let before = hours.next_opening(utc("2026-03-01T20:00:00Z")).unwrap();
        assert_eq!(before.at, utc("2026-03-02T14:00:00Z"));
        let after = hours.next_opening(utc("2026-03-08T20:00:00Z")).unwrap();
        assert_eq!(after.at, utc("2026-03-09T13:00:00Z"));
        assert!(hours.is_open(utc("2026-03-09T13:00:00Z")));
        assert!(!hours.is_open(utc("2026-03-02T13:30:00Z")), "08:30 EST");
    }

    #[test]
    fn a_week_without_hours_never_opens() {
        let hours = OpeningHours {
            timezone: Tz::UTC,
            week: WeeklyHours::default(),
        };
        assert!(!hours.is_open(utc("2026-06-01T12:00:00Z")));
        assert!(hours.next_opening(utc("2026-06-01T12:00:00Z")).is_none());
        assert!(timezone("Mars/Olympus").is_err());
        assert_eq!(
            timezone(" Asia/Kolkata ").unwrap(),
            chrono_tz::Asia::Kolkata
        );
    }
}
