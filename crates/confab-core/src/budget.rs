//! Budget periods of an API key: what "this period" means and when it resets.

use chrono::{Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// How often a key's spending cap starts again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BudgetPeriod {
    /// Resets every day at 00:00 UTC.
    Daily,
    /// Resets on the 1st of every month at 00:00 UTC.
    Monthly,
    /// Never resets.
    Total,
}

/// One period: when it started and when the next one starts (never, for `total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
    pub resets_at: Option<Timestamp>,
}

impl BudgetPeriod {
    pub const ALL: [BudgetPeriod; 3] = [
        BudgetPeriod::Daily,
        BudgetPeriod::Monthly,
        BudgetPeriod::Total,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BudgetPeriod::Daily => "daily",
            BudgetPeriod::Monthly => "monthly",
            BudgetPeriod::Total => "total",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The period `now` falls in.
    pub fn window(self, now: Timestamp) -> Window {
        let at = now.to_datetime();
        let midnight = |y: i32, m: u32, d: u32| {
            Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
                .single()
                .map(|dt| Timestamp::from_millis(dt.timestamp_millis()))
        };
        match self {
            BudgetPeriod::Daily => {
                let start = midnight(at.year(), at.month(), at.day()).unwrap_or(now);
                Window {
                    start,
                    resets_at: Some(start.plus_seconds(24 * 3600)),
                }
            }
            BudgetPeriod::Monthly => {
                let start = midnight(at.year(), at.month(), 1).unwrap_or(now);
                let (y, m) = if at.month() == 12 {
                    (at.year() + 1, 1)
                } else {
                    (at.year(), at.month() + 1)
                };
                Window {
                    start,
                    resets_at: midnight(y, m, 1),
                }
            }
            BudgetPeriod::Total => Window {
                start: Timestamp::from_millis(0),
                resets_at: None,
            },
        }
    }

    /// The budget's name in a sentence: "daily budget", "total budget".
    pub fn noun(self) -> &'static str {
        match self {
            BudgetPeriod::Daily => "daily budget",
            BudgetPeriod::Monthly => "monthly budget",
            BudgetPeriod::Total => "total budget",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn daily_starts_at_midnight_utc() {
        let w = BudgetPeriod::Daily.window(at("2026-11-21T23:59:59Z"));
        assert_eq!(w.start, at("2026-11-21T00:00:00Z"));
        assert_eq!(w.resets_at, Some(at("2026-11-22T00:00:00Z")));
    }

    #[test]
    fn monthly_starts_on_the_first_and_rolls_over_the_year() {
        let w = BudgetPeriod::Monthly.window(at("2026-12-31T12:00:00Z"));
        assert_eq!(w.start, at("2026-12-01T00:00:00Z"));
        assert_eq!(w.resets_at, Some(at("2027-01-01T00:00:00Z")));
    }

    #[test]
    fn total_never_resets() {
        let w = BudgetPeriod::Total.window(at("2026-06-01T00:00:00Z"));
        assert_eq!(w.start, Timestamp::from_millis(0));
        assert_eq!(w.resets_at, None);
        assert_eq!(BudgetPeriod::parse("weekly"), None);
    }
}
