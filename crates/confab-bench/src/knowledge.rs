//! `confab-bench knowledge`: knowledge retrieval in process. Builds an index of generated
//! entries (see `knowledge_corpus`) and times searches one by one, as the agent runs
//! them: half with the customer's language passed in (the app detects it once per
//! message), half without, where the search detects the query's language itself.

use std::time::{Duration, Instant};

use anyhow::bail;
use confab_agent::retrieval::{CONFIDENT, Index, SearchOptions};

use crate::knowledge_corpus::{self, Rng};
use crate::stats::percentile;

#[derive(clap::Args, Debug)]
pub struct KnowledgeArgs {
    /// Knowledge-base entries to index.
    #[arg(long, default_value_t = 10_000)]
    entries: usize,
    /// Timed searches.
    #[arg(long, default_value_t = 20_000)]
    searches: usize,
    /// Untimed searches first (caches, lazily loaded language models).
    #[arg(long, default_value_t = 1_000)]
    warmup: usize,
    /// Corpus and query seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub fn run(args: KnowledgeArgs) -> anyhow::Result<()> {
    if args.entries == 0 || args.searches == 0 {
        bail!("--entries and --searches must be at least 1");
    }
    let mut rng = Rng::new(args.seed);
    let documents = knowledge_corpus::documents(args.entries, &mut rng);
    let queries: Vec<(String, Option<&str>)> = (0..args.searches + args.warmup)
        .map(|_| knowledge_corpus::query(&documents, &mut rng))
        .collect();

    let started = Instant::now();
    let index = Index::new(documents);
    let build = started.elapsed();

    confab_agent::lang::warm_up();
    for (query, lang) in &queries[..args.warmup] {
        index.search(
            query,
            &SearchOptions {
                lang: *lang,
                limit: 5,
                ..SearchOptions::default()
            },
        );
    }
    let mut with_lang = Vec::with_capacity(args.searches / 2 + 1);
    let mut detected = Vec::with_capacity(args.searches / 2 + 1);
    let (mut hits, mut confident) = (0usize, 0usize);
    for (n, (query, lang)) in queries[args.warmup..].iter().enumerate() {
        let lang = if n % 2 == 0 { *lang } else { None };
        let started = Instant::now();
        let found = index.search(
            query,
            &SearchOptions {
                lang,
                limit: 5,
                ..SearchOptions::default()
            },
        );
        let elapsed = started.elapsed();
        if lang.is_some() {
            &mut with_lang
        } else {
            &mut detected
        }
        .push(elapsed);
        hits += found.len();
        confident += usize::from(found.first().is_some_and(|hit| hit.confidence >= CONFIDENT));
    }

    println!(
        "entries {}  build {} ms  searches {}",
        index.len(),
        ms(build),
        args.searches
    );
    println!(
        "{:<28} {:>8} {:>8} {:>8} {:>8}",
        "search", "count", "p50 ms", "p99 ms", "max ms"
    );
    let mut all: Vec<Duration> = with_lang.iter().chain(&detected).copied().collect();
    for (name, latencies) in [
        ("lang given", &mut with_lang),
        ("lang detected in search", &mut detected),
        ("all", &mut all),
    ] {
        latencies.sort_unstable();
        println!(
            "{:<28} {:>8} {:>8} {:>8} {:>8}",
            name,
            latencies.len(),
            ms(percentile(latencies, 50.0)),
            ms(percentile(latencies, 99.0)),
            ms(latencies.last().copied().unwrap_or_default())
        );
    }
    println!(
        "hits per search {:.2}, top hit confident (>= {CONFIDENT}) {:.1}%",
        hits as f64 / args.searches as f64,
        confident as f64 * 100.0 / args.searches as f64
    );
    Ok(())
}

/// Milliseconds with three decimals: searches take tens of microseconds.
fn ms(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1000.0)
}
