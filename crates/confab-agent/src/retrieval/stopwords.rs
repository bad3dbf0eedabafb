//! Words that say nothing about what a customer asks: function words, greetings,
//! politeness and request frames ("I would like to know…") in every supported language,
//! from `stopwords/<lang>.txt`. One set for all languages, because a short query's
//! language is often unknown; the lists avoid words that carry a topic elsewhere.
//!
//! Retrieval ignores them when a query has other words, and they never count towards
//! `confidence`, so "hello" or "thanks" cannot look like a confident match for an entry
//! that happens to contain them.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::tokenize;

static STOPWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    [
        include_str!("../../stopwords/en.txt"),
        include_str!("../../stopwords/ar.txt"),
        include_str!("../../stopwords/hi.txt"),
        include_str!("../../stopwords/ta.txt"),
        include_str!("../../stopwords/es.txt"),
        include_str!("../../stopwords/fr.txt"),
        include_str!("../../stopwords/de.txt"),
        include_str!("../../stopwords/pt.txt"),
        include_str!("../../stopwords/it.txt"),
        include_str!("../../stopwords/nl.txt"),
        include_str!("../../stopwords/tr.txt"),
        include_str!("../../stopwords/id.txt"),
        include_str!("../../stopwords/ur.txt"),
        include_str!("../../stopwords/bn.txt"),
        include_str!("../../stopwords/ru.txt"),
        include_str!("../../stopwords/zh.txt"),
        include_str!("../../stopwords/ja.txt"),
    ]
    .into_iter()
    .flat_map(str::lines)
    .filter(|line| !line.starts_with('#'))
    // Normalised like indexed text; a CJK line is one bigram (or a lone character).
    .flat_map(tokenize::tokens)
    .collect()
});

/// Whether a normalised, folded token is a stopword.
pub fn contains(token: &str) -> bool {
    STOPWORDS.contains(token)
}
