//! Analytics at a glance (`GET /v1/analytics`): chats, messages, rates and a chart for
//! a calendar period, optionally for one channel.
//!
//! The contract:
//! - **Periods** are calendar periods in UTC ending now: `today` since 00:00 UTC today,
//!   `week` since Monday 00:00 UTC of the current ISO week, `month` since the 1st of
//!   this month 00:00 UTC, `year` since 1 January 00:00 UTC. A row is in the period when
//!   `from <= created_at < to`, where `to` is now (the app clock). The default is
//!   `today`; an empty `period` or `channel` counts as absent.
//! - **Chats** are the conversations created in the period (in the channel, when given).
//! - **Messages** are the messages created in the period whose conversation is in the
//!   channel (when given; the conversation may have been created before the period),
//!   with role `customer`, `ai` or `agent`; notes and system messages are not counted.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use confab_core::object::ObjectName;
use serde::Serialize;

use confab_core::Timestamp;
use confab_core::conversation::Channel;
use confab_store::analytics::{self, Buckets, Figures, Query};

use crate::{Access, AppError, AppResult, Ctx, Resource};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// A calendar period in UTC, ending now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Since 00:00 UTC today; hourly chart buckets.
    Today,
    /// Since Monday 00:00 UTC of the current ISO week; daily chart buckets.
    Week,
    /// Since the 1st of this month, 00:00 UTC; daily chart buckets.
    Month,
    /// Since 1 January, 00:00 UTC; monthly chart buckets (each starting on the 1st).
    Year,
}

impl Period {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "today" => Some(Period::Today),
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            "year" => Some(Period::Year),
            _ => None,
        }
    }

    /// The start of the period containing `now`.
    pub fn start(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let today = now.date_naive();
        let day = match self {
            Period::Today => today,
            Period::Week => {
                today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
            }
            Period::Month => today.with_day(1).unwrap_or(today),
            Period::Year => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
        };
        day.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// The chart buckets from the period's start up to and including the one holding
    /// `now`: one per hour (today), per day (week, month) or per month (year).
    fn buckets(self, from: DateTime<Utc>, now: DateTime<Utc>) -> Buckets {
        let elapsed = (now - from).num_milliseconds().max(0);
        match self {
            Period::Today => Buckets::Uniform {
                width_ms: HOUR_MS,
                count: (elapsed / HOUR_MS + 1) as usize,
            },
            Period::Week | Period::Month => Buckets::Uniform {
                width_ms: DAY_MS,
                count: (elapsed / DAY_MS + 1) as usize,
            },
            Period::Year => Buckets::Starts(
                (1..=now.month())
                    .filter_map(|m| NaiveDate::from_ymd_opt(from.year(), m, 1))
                    .map(|d| {
                        d.and_time(chrono::NaiveTime::MIN)
                            .and_utc()
                            .timestamp_millis()
                    })
                    .collect(),
            ),
        }
    }
}

/// One chart bucket: chats created in it and messages (as counted in
/// `total_messages`) sent in it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ChartBucket {
    /// Where the bucket starts (it ends where the next starts; the last one at `to`).
    pub start: Timestamp,
    pub chats: i64,
    pub messages: i64,
}

/// Figures for one period (and channel). "Chats" are the conversations created in the
/// period; see the module documentation for what is counted.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Analytics {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub period: Period,
    /// The channel filtered on, or null for every channel.
    pub channel: Option<Channel>,
    /// The period's start (inclusive).
    pub from: Timestamp,
    /// Now, the period's end (exclusive).
    pub to: Timestamp,
    /// Chats created in the period.
    pub total_chats: i64,
    /// Chats with at least one customer message and at least one AI or agent message.
    pub engaged_chats: i64,
    /// Chats still open.
    pub active_chats: i64,
    /// Chats resolved.
    pub completed_chats: i64,
    /// `visitor_messages + bot_messages + agent_messages`.
    pub total_messages: i64,
    /// Messages from the customer in the period.
    pub visitor_messages: i64,
    /// AI replies in the period.
    pub bot_messages: i64,
    /// Replies by human agents in the period (internal notes excluded).
    pub agent_messages: i64,
    /// `total_messages / total_chats`, rounded to 2 decimals; 0 when there are no chats.
    pub avg_messages_per_chat: f64,
    /// Distinct contacts among the chats (a chat without a contact counts as its own
    /// visitor).
    pub unique_visitors: i64,
    /// Share of chats in which a person was requested (0..1, 4 decimals; 0 when there
    /// are no chats).
    pub handoff_rate: f64,
    /// Share of resolved chats in which no person was requested and none took over (0..1,
    /// 4 decimals; 0 when none were resolved).
    pub ai_resolution_rate: f64,
    /// Median time from a chat's start to its first AI or agent reply, over the chats
    /// with a reply, in milliseconds (for an even count, the mean of the two middle
    /// values rounded down); null when no chat has a reply.
    pub median_first_response_ms: Option<i64>,
    /// Buckets covering the whole period, oldest first, empty ones included: hourly for
    /// `today`, daily for `week` and `month`, monthly for `year`.
    pub chart_data: Vec<ChartBucket>,
    pub livemode: bool,
}

confab_core::named!(Analytics => "analytics");

/// `part / whole` rounded to `places` decimals, or 0 when `whole` is 0.
fn ratio(part: i64, whole: i64, places: i32) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let scale = 10f64.powi(places);
    (part as f64 / whole as f64 * scale).round() / scale
}

fn median(middle: &[i64]) -> Option<i64> {
    match middle {
        [m] => Some(*m),
        [a, b] => Some((a + b).div_euclid(2)),
        _ => None,
    }
}

/// The analytics for `period` (default `today`) and `channel` (default every channel).
pub async fn get(ctx: &Ctx, period: Option<&str>, channel: Option<&str>) -> AppResult<Analytics> {
    ctx.authorize(Resource::Analytics, Access::Read)?;
    let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
        None => Period::Today,
        Some(p) => Period::parse(p)
            .ok_or_else(|| AppError::field("period", "must be one of today, week, month, year"))?,
    };
    let channel = match channel.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Channel::parse(c).ok_or_else(|| {
            AppError::field(
                "channel",
                &format!("must be one of {}", Channel::expected()),
            )
        })?),
    };
    let to = ctx.app.clock.now();
    let now = to.to_datetime();
    let start = period.start(now);
    let query = Query {
        from: start.timestamp_millis(),
        to: to.millis(),
        channel,
        buckets: period.buckets(start, now),
    };
    let mut tx = ctx.read().await?;
    let f = analytics::figures(&mut tx, &query).await?;
    Ok(build(ctx.livemode(), period, &query, f))
}

fn build(livemode: bool, period: Period, q: &Query, f: Figures) -> Analytics {
    let starts: Vec<i64> = match &q.buckets {
        Buckets::Uniform { width_ms, count } => {
            (0..*count as i64).map(|i| q.from + i * width_ms).collect()
        }
        Buckets::Starts(starts) => starts.clone(),
    };
    let chart_data = starts
        .iter()
        .zip(&f.chart)
        .map(|(start, c)| ChartBucket {
            start: Timestamp::from_millis(*start),
            chats: c.chats,
            messages: c.messages,
        })
        .collect();
    let total_messages = f.visitor_messages + f.bot_messages + f.agent_messages;
    Analytics {
        object: ObjectName::new(),
        period,
        channel: q.channel,
        from: Timestamp::from_millis(q.from),
        to: Timestamp::from_millis(q.to),
        total_chats: f.total_chats,
        engaged_chats: f.engaged_chats,
        active_chats: f.active_chats,
        completed_chats: f.completed_chats,
        total_messages,
        visitor_messages: f.visitor_messages,
        bot_messages: f.bot_messages,
        agent_messages: f.agent_messages,
        avg_messages_per_chat: ratio(total_messages, f.total_chats, 2),
        unique_visitors: f.unique_visitors,
        handoff_rate: ratio(f.handoff_chats, f.total_chats, 4),
        ai_resolution_rate: ratio(f.ai_resolved_chats, f.completed_chats, 4),
        median_first_response_ms: median(&f.first_response_middle),
        chart_data,
        livemode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn periods_start_at_calendar_boundaries_in_utc() {
        // Thursday 2024-02-29 13:45:10 UTC (a leap day).
        let now = at(2024, 2, 29, 13, 45, 10);
        assert_eq!(Period::Today.start(now), at(2024, 2, 29, 0, 0, 0));
        assert_eq!(Period::Week.start(now), at(2024, 2, 26, 0, 0, 0));
        assert_eq!(Period::Month.start(now), at(2024, 2, 1, 0, 0, 0));
        assert_eq!(Period::Year.start(now), at(2024, 1, 1, 0, 0, 0));
        // On a Monday the week starts today; across a year boundary it starts last year.
        let monday = at(2024, 3, 4, 0, 0, 0);
        assert_eq!(Period::Week.start(monday), monday);
        let sunday = at(2024, 1, 7, 23, 59, 59);
        assert_eq!(Period::Week.start(sunday), at(2024, 1, 1, 0, 0, 0));
        let wednesday = at(2025, 1, 1, 8, 0, 0);
        assert_eq!(Period::Week.start(wednesday), at(2024, 12, 30, 0, 0, 0));
    }

    #[test]
    fn buckets_run_up_to_and_including_the_current_one() {
        let now = at(2024, 2, 29, 13, 45, 10);
        let count = |p: Period| match p.buckets(p.start(now), now) {
            Buckets::Uniform { count, .. } => count,
            Buckets::Starts(s) => s.len(),
        };
        assert_eq!(count(Period::Today), 14);
        assert_eq!(count(Period::Week), 4);
        assert_eq!(count(Period::Month), 29);
        assert_eq!(count(Period::Year), 2);
        let midnight = at(2024, 2, 29, 0, 0, 0);
        assert_eq!(
            Period::Today.buckets(midnight, midnight),
            Buckets::Uniform {
                width_ms: HOUR_MS,
                count: 1
            }
        );
        let dec = at(2024, 12, 31, 23, 0, 0);
        let Buckets::Starts(starts) = Period::Year.buckets(Period::Year.start(dec), dec) else {
            panic!("months have explicit starts");
        };
        assert_eq!(starts.len(), 12);
        assert_eq!(starts[1], at(2024, 2, 1, 0, 0, 0).timestamp_millis());
        assert_eq!(starts[11], at(2024, 12, 1, 0, 0, 0).timestamp_millis());
    }

    #[test]
    fn rates_round_and_guard_against_zero() {
        assert_eq!(ratio(1, 3, 4), 0.3333);
        assert_eq!(ratio(2, 3, 4), 0.6667);
        assert_eq!(ratio(7, 3, 2), 2.33);
        assert_eq!(ratio(5, 0, 2), 0.0);
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7));
        assert_eq!(median(&[2, 5]), Some(3));
    }
}
