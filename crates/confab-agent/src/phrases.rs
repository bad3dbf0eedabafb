//! The agent's own sentences (greetings, hand-off notices, "I don't know"), written per
//! language in `phrases/replies.tsv`, so the AI speaks the customer's language even
//! when it has nothing from the knowledge base to say.

use std::collections::HashMap;
use std::sync::LazyLock;

/// What the agent needs to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phrase {
    Greeting,
    Thanks,
    Goodbye,
    /// No confident answer yet; asks the customer to rephrase or ask for a person.
    Rephrase,
    /// The customer asked for a person.
    HandoffRequest,
    /// The customer is unhappy.
    HandoffNegative,
    /// The agent cannot answer reliably (low confidence, or its provider failed).
    HandoffUnsure,
}

impl Phrase {
    fn key(self) -> &'static str {
        match self {
            Phrase::Greeting => "greeting",
            Phrase::Thanks => "thanks",
            Phrase::Goodbye => "goodbye",
            Phrase::Rephrase => "rephrase",
            Phrase::HandoffRequest => "handoff_request",
            Phrase::HandoffNegative => "handoff_negative",
            Phrase::HandoffUnsure => "handoff_unsure",
        }
    }
}

static TABLE: LazyLock<HashMap<(String, String), String>> = LazyLock::new(|| {
    include_str!("../phrases/replies.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut parts = l.splitn(3, '\t');
            Some((
                (parts.next()?.to_owned(), parts.next()?.to_owned()),
                parts.next()?.to_owned(),
            ))
        })
        .collect()
});

/// The phrase in `lang`, or in English when that language has none.
pub fn say(phrase: Phrase, lang: Option<&str>) -> &'static str {
    let table = &*TABLE;
    let find = |l: &str| table.get(&(l.to_owned(), phrase.key().to_owned()));
    lang.and_then(find)
        .or_else(|| find("en"))
        .map(String::as_str)
        .unwrap_or("")
}

/// Whether `lang` has its own phrases.
pub fn has_language(lang: &str) -> bool {
    TABLE.keys().any(|(l, _)| l == lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Phrase; 7] = [
        Phrase::Greeting,
        Phrase::Thanks,
        Phrase::Goodbye,
        Phrase::Rephrase,
        Phrase::HandoffRequest,
        Phrase::HandoffNegative,
        Phrase::HandoffUnsure,
    ];

    #[test]
    fn every_language_has_every_phrase() {
        let langs = [
            "en", "ar", "hi", "ta", "es", "fr", "de", "pt", "it", "nl", "tr", "id", "ur", "bn",
            "ru", "zh", "ja",
        ];
        for lang in langs {
            for phrase in ALL {
                assert!(
                    TABLE.contains_key(&(lang.to_owned(), phrase.key().to_owned())),
                    "{lang} lacks {phrase:?}"
                );
            }
        }
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        assert_eq!(
            say(Phrase::Thanks, Some("xx")),
            say(Phrase::Thanks, Some("en"))
        );
        assert_ne!(
            say(Phrase::Thanks, Some("es")),
            say(Phrase::Thanks, Some("en"))
        );
    }
}
