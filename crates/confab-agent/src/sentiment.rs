//! How a customer feels: a label and a VADER compound score in [-1, 1].
//!
//! English goes through `vader-parity`, an exact port of VADER 3.3.2 with its
//! 7,500-word lexicon. For other languages [`rules`] applies the same kind of rules
//! (negation, boosters, "but", emphasis, the same normalisation) over compact lexicons
//! written for customer service (`lexicons/<lang>.tsv`, see [`lexicon`]). A language
//! without a lexicon, or an unknown language, is neutral: a score of 0 says "we cannot
//! tell", which is better than a guess that triggers a hand-off.

mod lexicon;
mod rules;

use std::sync::LazyLock;

use confab_core::conversation::Sentiment;
use vader_parity::SentimentIntensityAnalyzer;

/// A message's sentiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SentimentScore {
    /// Positive at `score >= 0.05`, negative at `score <= -0.05`, else neutral (VADER's
    /// own thresholds).
    pub label: Sentiment,
    /// The VADER compound score, in [-1, 1].
    pub score: f64,
}

/// VADER's threshold between neutral and a sentiment.
const THRESHOLD: f64 = 0.05;

/// Parsing VADER's lexicon takes a few milliseconds: once per process.
static VADER: LazyLock<SentimentIntensityAnalyzer> = LazyLock::new(SentimentIntensityAnalyzer::new);

/// The sentiment of `text` written in `lang` (ISO 639-1; a region suffix such as
/// `pt-BR` is ignored). Neutral for languages without a lexicon and for `None`.
pub fn analyze(text: &str, lang: Option<&str>) -> SentimentScore {
    let primary = lang.map(|lang| {
        lang.split(['-', '_'])
            .next()
            .unwrap_or(lang)
            .to_ascii_lowercase()
    });
    let score = match primary.as_deref() {
        Some("en") => VADER.polarity_scores(text).compound,
        Some(lang) => {
            lexicon::for_language(lang).map_or(0.0, |lexicon| rules::score(text, lexicon))
        }
        None => 0.0,
    };
    SentimentScore {
        label: label_of(score),
        score: score.clamp(-1.0, 1.0),
    }
}

/// The languages with a sentiment lexicon (English through VADER).
pub fn languages() -> Vec<&'static str> {
    let mut languages = vec!["en"];
    languages.extend(lexicon::LANGUAGES);
    languages
}

fn label_of(score: f64) -> Sentiment {
    if score >= THRESHOLD {
        Sentiment::Positive
    } else if score <= -THRESHOLD {
        Sentiment::Negative
    } else {
        Sentiment::Neutral
    }
}
