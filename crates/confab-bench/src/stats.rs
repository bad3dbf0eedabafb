//! Latency summaries. Kept apart from the load loop so other subcommands can reuse them.

use std::time::Duration;

use crate::load::LoadResult;

/// One row of the report.
#[derive(Clone, Debug)]
pub struct Summary {
    pub requests: usize,
    pub errors: usize,
    /// Successful requests per second over the measured window.
    pub throughput: f64,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Summary {
    pub fn of(result: &LoadResult) -> Summary {
        let mut sorted = result.latencies.clone();
        sorted.sort_unstable();
        let secs = result.elapsed.as_secs_f64();
        Summary {
            requests: sorted.len(),
            errors: result.errors,
            throughput: if secs > 0.0 {
                sorted.len() as f64 / secs
            } else {
                0.0
            },
            p50: percentile(&sorted, 50.0),
            p90: percentile(&sorted, 90.0),
            p99: percentile(&sorted, 99.0),
            max: sorted.last().copied().unwrap_or_default(),
        }
    }
}

/// Nearest-rank percentile of an ascending slice: no interpolation, so the value
/// reported is one a real request actually saw. Zero for an empty slice.
pub fn percentile(sorted: &[Duration], pct: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (pct / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds with two decimals, for the table.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&v, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&v, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&v, 0.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
