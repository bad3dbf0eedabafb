//! The per-language sentiment lexicons: `lexicons/<lang>.tsv`, compiled in.
//!
//! One entry a line, `term<TAB>value`, `#` starts a comment. The value is a valence
//! from -4 (furious) to 4 (delighted), as in VADER, or a role:
//! - `NEG` / `NEG_AFTER`: a negator before (Spanish "no") or after (Hindi "नहीं",
//!   Turkish "değil") the word it flips;
//! - `BOOST` / `BOOST_AFTER`, `DAMP` / `DAMP_AFTER`: intensifiers and dampeners, before
//!   or after their word (Arabic "جدا" follows the adjective);
//! - `BUT`: a contrast word; what follows it weighs more than what precedes it.
//!
//! A term may be a phrase of up to a few words ("no funciona"). Terms are normalised
//! exactly as message words are (case, diacritics, Arabic letter variants), so the
//! files are written in natural spelling.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::tokenize;

/// Languages with a lexicon file, besides English (VADER's own).
pub const LANGUAGES: [&str; 11] = [
    "es", "fr", "de", "pt", "it", "nl", "ar", "hi", "tr", "id", "ru",
];

/// Where a modifier sits relative to the word it modifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Before,
    After,
}

/// What a non-sentiment word does to its neighbours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Role {
    Negate(Side),
    /// Adds this much intensity (negative for dampeners).
    Scale(Side, f64),
    Contrast,
}

/// VADER's empirically derived booster increment.
const BOOST: f64 = 0.293;

/// One language's lexicon.
#[derive(Debug)]
pub struct Lexicon {
    pub lang: &'static str,
    valence: HashMap<String, f64>,
    /// Stems of single-word entries, so inflections not listed still score. A stem that
    /// two entries of opposite sign share is dropped (`None`).
    stems: HashMap<String, Option<f64>>,
    roles: HashMap<String, Role>,
    /// The longest phrase, in words.
    pub max_phrase: usize,
}

impl Lexicon {
    /// The valence of a normalised word or space-joined phrase, exact spelling only.
    pub fn phrase(&self, words: &str) -> Option<f64> {
        self.valence.get(words).copied()
    }

    /// The valence of one normalised word: exact, then without Arabic clitics, then by
    /// stem.
    pub fn word(&self, word: &str) -> Option<f64> {
        if let Some(valence) = self.valence.get(word) {
            return Some(*valence);
        }
        if self.lang == "ar"
            && let Some(valence) =
                tokenize::arabic_bases(word).find_map(|base| self.valence.get(base))
        {
            return Some(*valence);
        }
        let stem = tokenize::stem_word(word, Some(self.lang))?;
        self.stems.get(&stem).copied().flatten()
    }

    /// The role of a normalised word, if it is a modifier.
    pub fn role(&self, word: &str) -> Option<Role> {
        self.roles.get(word).copied().or_else(|| {
            (self.lang == "ar")
                .then(|| {
                    tokenize::arabic_bases(word).find_map(|base| self.roles.get(base).copied())
                })
                .flatten()
        })
    }

    fn parse(lang: &'static str, data: &str) -> Lexicon {
        let mut lexicon = Lexicon {
            lang,
            valence: HashMap::new(),
            stems: HashMap::new(),
            roles: HashMap::new(),
            max_phrase: 1,
        };
        for (number, line) in data.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim_end();
            if line.trim().is_empty() {
                continue;
            }
            let (term, value) = line.split_once('\t').unwrap_or_else(|| {
                panic!(
                    "lexicons/{lang}.tsv:{}: expected term<TAB>value",
                    number + 1
                )
            });
            let words = tokenize::words(term);
            let key = words.join(" ");
            assert!(
                !key.is_empty(),
                "lexicons/{lang}.tsv:{}: empty term",
                number + 1
            );
            let role = match value.trim() {
                "NEG" => Some(Role::Negate(Side::Before)),
                "NEG_AFTER" => Some(Role::Negate(Side::After)),
                "BOOST" => Some(Role::Scale(Side::Before, BOOST)),
                "BOOST_AFTER" => Some(Role::Scale(Side::After, BOOST)),
                "DAMP" => Some(Role::Scale(Side::Before, -BOOST)),
                "DAMP_AFTER" => Some(Role::Scale(Side::After, -BOOST)),
                "BUT" => Some(Role::Contrast),
                _ => None,
            };
            if let Some(role) = role {
                lexicon.roles.insert(key, role);
                continue;
            }
            let valence: f64 = value.trim().parse().unwrap_or_else(|_| {
                panic!(
                    "lexicons/{lang}.tsv:{}: {value:?} is neither a valence nor a role",
                    number + 1
                )
            });
            assert!(
                (-4.0..=4.0).contains(&valence),
                "lexicons/{lang}.tsv:{}: valence out of -4..4",
                number + 1
            );
            lexicon.max_phrase = lexicon.max_phrase.max(words.len());
            if let [word] = words.as_slice()
                && let Some(stem) = tokenize::stem_word(word, Some(lang))
            {
                let slot = lexicon.stems.entry(stem).or_insert(Some(valence));
                if slot.is_some_and(|existing| existing.signum() != valence.signum()) {
                    *slot = None;
                }
            }
            lexicon.valence.insert(key, valence);
        }
        lexicon
    }
}

static LEXICONS: LazyLock<HashMap<&'static str, Lexicon>> = LazyLock::new(|| {
    [
        ("es", include_str!("../../lexicons/es.tsv")),
        ("fr", include_str!("../../lexicons/fr.tsv")),
        ("de", include_str!("../../lexicons/de.tsv")),
        ("pt", include_str!("../../lexicons/pt.tsv")),
        ("it", include_str!("../../lexicons/it.tsv")),
        ("nl", include_str!("../../lexicons/nl.tsv")),
        ("ar", include_str!("../../lexicons/ar.tsv")),
        ("hi", include_str!("../../lexicons/hi.tsv")),
        ("tr", include_str!("../../lexicons/tr.tsv")),
        ("id", include_str!("../../lexicons/id.tsv")),
        ("ru", include_str!("../../lexicons/ru.tsv")),
    ]
    .into_iter()
    .map(|(lang, data)| (lang, Lexicon::parse(lang, data)))
    .collect()
});

/// The lexicon for `lang`, if it has one.
pub fn for_language(lang: &str) -> Option<&'static Lexicon> {
    LEXICONS.get(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lexicon_parses_and_is_substantial() {
        for lang in LANGUAGES {
            let lexicon = for_language(lang).expect("listed languages have a file");
            assert!(
                lexicon.valence.len() >= 150,
                "{lang}: only {} entries",
                lexicon.valence.len()
            );
            assert!(
                lexicon
                    .roles
                    .values()
                    .any(|role| matches!(role, Role::Negate(_))),
                "{lang}: no negator"
            );
        }
    }

    #[test]
    fn arabic_clitics_are_seen_through() {
        let arabic = for_language("ar").unwrap();
        let bad = arabic.word("سيء").expect("سيء is in the Arabic lexicon");
        assert_eq!(arabic.word("والسيء"), Some(bad));
        assert_eq!(arabic.word("وسيء"), Some(bad));
    }
}
