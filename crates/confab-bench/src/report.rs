//! The plain-text report: one row per target, short enough to paste into an issue.

use crate::stats::{Summary, ms};

/// Prints the table, the throughput ratio when both targets ran, and sample errors.
pub fn print(rows: &[(&str, Summary, Vec<String>)]) {
    println!(
        "{:<10} {:>9} {:>7} {:>10} {:>8} {:>8} {:>8} {:>8}",
        "target", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for (name, s, _) in rows {
        println!(
            "{:<10} {:>9} {:>7} {:>10.1} {:>8} {:>8} {:>8} {:>8}",
            name,
            s.requests,
            s.errors,
            s.throughput,
            ms(s.p50),
            ms(s.p90),
            ms(s.p99),
            ms(s.max)
        );
    }
    let throughput = |wanted: &str| {
        rows.iter()
            .find(|(name, _, _)| *name == wanted)
            .map(|(_, s, _)| s.throughput)
    };
    if let (Some(confab), Some(baseline)) = (throughput("confab"), throughput("baseline"))
        && baseline > 0.0
    {
        println!("ratio confab/baseline throughput: {:.2}", confab / baseline);
    }
    for (name, s, samples) in rows {
        if s.errors > 0 {
            println!("{name}: {} errors; first {}:", s.errors, samples.len());
            for sample in samples {
                println!("  {sample}");
            }
        }
    }
}
