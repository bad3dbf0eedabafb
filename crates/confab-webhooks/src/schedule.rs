//! The retry schedule and what one attempt's result means for the next.
//!
//! Attempts are due at fixed offsets from the start of a delivery cycle (the event's
//! time, or the moment of a manual retry or replay): by default 0 s, 1 s, 4 s, 16 s,
//! 1 min and 5 min. After the last one fails the delivery is dead and waits for a
//! replay. A 429 or 503 with `Retry-After` pushes the next attempt back, never
//! earlier than the schedule and never further than [`MAX_RETRY_AFTER`].

use std::fmt;
use std::time::Duration;

/// The furthest a receiver's `Retry-After` may push one attempt.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10 * 60);

/// Offsets of every attempt from the start of the cycle, non-decreasing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetrySchedule(Vec<Duration>);

impl Default for RetrySchedule {
    fn default() -> Self {
        RetrySchedule::parse("0s,1s,4s,16s,1m,5m").expect("the default schedule parses")
    }
}

impl fmt::Display for RetrySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|d| format!("{}ms", d.as_millis()))
            .collect();
        f.write_str(&parts.join(","))
    }
}

impl RetrySchedule {
    /// `0s,1s,4s,16s,1m,5m` → offsets; units `ms`, `s` (also bare numbers), `m`, `h`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim) {
            let split = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            let (digits, unit) = part.split_at(split);
            let n: u64 = digits
                .parse()
                .map_err(|_| format!("retry schedule entry {part:?} needs a number"))?;
            let offset = match unit {
                "ms" => Duration::from_millis(n),
                "s" | "" => Duration::from_secs(n),
                "m" => Duration::from_secs(n * 60),
                "h" => Duration::from_secs(n * 3600),
                _ => return Err(format!("retry schedule entry {part:?}: use ms, s, m or h")),
            };
            out.push(offset);
        }
        if out.is_empty() || out.len() > 20 {
            return Err("the retry schedule needs 1 to 20 entries".into());
        }
        if out.windows(2).any(|w| w[1] < w[0]) {
            return Err(format!("the retry schedule must not go backwards: {text}"));
        }
        Ok(RetrySchedule(out))
    }

    /// How many attempts a cycle makes.
    pub fn attempts(&self) -> usize {
        self.0.len()
    }

    /// The offset of attempt `index` (0-based) from the cycle's start.
    pub fn offset(&self, index: usize) -> Option<Duration> {
        self.0.get(index).copied()
    }

    /// When attempt `index` of a cycle that began at `from_ms` is due.
    pub fn due_at(&self, index: usize, from_ms: i64) -> Option<i64> {
        self.offset(index).map(|d| from_ms + d.as_millis() as i64)
    }

    /// After attempt `index` failed at `now_ms`: when the next is due, or `None` when
    /// that was the last (the delivery is dead). An overdue attempt is due now.
    pub fn next_after_failure(
        &self,
        index: usize,
        from_ms: i64,
        now_ms: i64,
        retry_after: Option<Duration>,
    ) -> Option<i64> {
        let scheduled = self.due_at(index + 1, from_ms)?.max(now_ms);
        Some(match retry_after {
            Some(wait) => scheduled.max(now_ms + wait.min(MAX_RETRY_AFTER).as_millis() as i64),
            None => scheduled,
        })
    }
}

/// What one attempt's result means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx: delivered.
    Delivered,
    /// 410 Gone: the receiver says the endpoint no longer exists; disable it.
    Gone,
    /// Anything else (another status, a timeout, a refused or failed connection):
    /// try again per the schedule, `Retry-After` (429/503 only) taken into account.
    Failed { retry_after: Option<Duration> },
}

impl Outcome {
    /// Classifies a response status and its `Retry-After` header.
    pub fn of_status(status: u16, retry_after: Option<&str>, now_ms: i64) -> Outcome {
        match status {
            200..=299 => Outcome::Delivered,
            410 => Outcome::Gone,
            429 | 503 => Outcome::Failed {
                retry_after: retry_after.and_then(|v| parse_retry_after(v, now_ms)),
            },
            _ => Outcome::Failed { retry_after: None },
        }
    }
}

/// `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait_ms = at.timestamp_millis() - now_ms;
    Some(Duration::from_millis(wait_ms.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_default_and_refuses_nonsense() {
        let s = RetrySchedule::default();
        assert_eq!(s.attempts(), 6);
        assert_eq!(s.offset(4), Some(Duration::from_secs(60)));
        assert_eq!(
            RetrySchedule::parse("0ms, 250ms, 2s").unwrap().offset(1),
            Some(Duration::from_millis(250))
        );
        assert!(
            RetrySchedule::parse("1s,0s")
                .unwrap_err()
                .contains("backwards")
        );
        assert!(RetrySchedule::parse("5x").is_err());
        assert!(RetrySchedule::parse("").is_err());
    }

    #[test]
    fn retries_follow_the_schedule_from_the_event_then_stop() {
        let s = RetrySchedule::default();
        // Attempt 0 at t=0 failed at t=50 ms: attempt 1 is due 1 s after the event.
        assert_eq!(s.next_after_failure(0, 0, 50, None), Some(1000));
        // An attempt that ran long makes the next due at once, not in the past.
        assert_eq!(s.next_after_failure(1, 0, 9_000, None), Some(9_000));
        assert_eq!(s.next_after_failure(5, 0, 300_000, None), None);
    }

    #[test]
    fn retry_after_delays_within_bounds() {
        let s = RetrySchedule::default();
        let later = Some(Duration::from_secs(30));
        assert_eq!(s.next_after_failure(0, 0, 0, later), Some(30_000));
        // Never earlier than the schedule.
        assert_eq!(
            s.next_after_failure(3, 0, 16_000, Some(Duration::ZERO)),
            Some(60_000)
        );
        let huge = Some(Duration::from_secs(86_400));
        assert_eq!(s.next_after_failure(0, 0, 0, huge), Some(600_000));
    }

    #[test]
    fn classifies_statuses() {
        assert_eq!(Outcome::of_status(204, None, 0), Outcome::Delivered);
        assert_eq!(Outcome::of_status(410, None, 0), Outcome::Gone);
        assert_eq!(
            Outcome::of_status(429, Some("7"), 0),
            Outcome::Failed {
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            Outcome::of_status(500, Some("7"), 0),
            Outcome::Failed { retry_after: None }
        );
        let now = chrono::DateTime::parse_from_rfc2822("Wed, 21 Oct 2015 07:28:00 GMT")
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
