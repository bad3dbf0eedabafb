//! Built-in intents: greeting, thanks, goodbye, a request for a person, a complaint.
//!
//! Phrases per language live in `intents/<lang>.txt` (format in `intents/en.txt`) and
//! are matched as whole normalised words, in order, so case, diacritics and Arabic
//! letter variants don't matter and "the human resources page" never reads as a request
//! for a human. Chinese and Japanese phrases, written without spaces, match anywhere in
//! the text. When several intents match, the one that matters most to the conversation
//! wins: human_request > complaint > thanks > goodbye > greeting.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::{script, sentiment, tokenize};

/// An intent every agent understands without a knowledge base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinIntent {
    Greeting,
    Thanks,
    Goodbye,
    HumanRequest,
    Complaint,
    Unknown,
}

impl BuiltinIntent {
    /// The wire name: "greeting", "thanks", "goodbye", "human_request", "complaint",
    /// "unknown".
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinIntent::Greeting => "greeting",
            BuiltinIntent::Thanks => "thanks",
            BuiltinIntent::Goodbye => "goodbye",
            BuiltinIntent::HumanRequest => "human_request",
            BuiltinIntent::Complaint => "complaint",
            BuiltinIntent::Unknown => "unknown",
        }
    }

    fn from_section(name: &str) -> Option<BuiltinIntent> {
        [
            Self::Greeting,
            Self::Thanks,
            Self::Goodbye,
            Self::HumanRequest,
            Self::Complaint,
        ]
        .into_iter()
        .find(|intent| intent.as_str() == name)
    }
}

/// Most important first: a request for a person must never be lost behind a "hi".
const PRECEDENCE: [BuiltinIntent; 5] = [
    BuiltinIntent::HumanRequest,
    BuiltinIntent::Complaint,
    BuiltinIntent::Thanks,
    BuiltinIntent::Goodbye,
    BuiltinIntent::Greeting,
];

/// A message this negative is a complaint even without a complaint phrase ("the
/// delivery was a joke and your staff are clowns").
const COMPLAINT_SENTIMENT: f64 = -0.6;

/// The built-in intent of `text`. `lang` is a hint: that language's phrases (and
/// English ones, which customers mix in everywhere) are tried first, then every
/// language's, so a wrong or missing hint costs nothing but time.
pub fn detect_builtin(text: &str, lang: Option<&str>) -> BuiltinIntent {
    let message = Message::new(text);
    let hinted: Vec<&LanguagePhrases> = PHRASES
        .iter()
        .filter(|phrases| Some(phrases.lang) == lang || phrases.lang == "en")
        .collect();
    let mut intent = best_match(&message, &hinted);
    if intent == BuiltinIntent::Unknown {
        let all: Vec<&LanguagePhrases> = PHRASES.iter().collect();
        intent = best_match(&message, &all);
    }
    if matches!(
        intent,
        BuiltinIntent::Thanks
            | BuiltinIntent::Goodbye
            | BuiltinIntent::Greeting
            | BuiltinIntent::Unknown
    ) && sentiment::analyze(text, lang).score <= COMPLAINT_SENTIMENT
    {
        return BuiltinIntent::Complaint;
    }
    intent
}

fn best_match(message: &Message, languages: &[&LanguagePhrases]) -> BuiltinIntent {
    PRECEDENCE
        .into_iter()
        .find(|intent| {
            languages
                .iter()
                .any(|phrases| phrases.matches(*intent, message))
        })
        .unwrap_or(BuiltinIntent::Unknown)
}

/// A message prepared for matching.
struct Message {
    /// Each word with the spellings it may stand for (an Arabic word also without its
    /// attached conjunction, preposition or article).
    words: Vec<Vec<String>>,
    /// The words run together, for phrases of scripts written without spaces.
    joined: String,
}

impl Message {
    fn new(text: &str) -> Message {
        let words: Vec<Vec<String>> = tokenize::words(text)
            .into_iter()
            .map(|word| {
                let mut spellings: Vec<String> =
                    tokenize::arabic_bases(&word).map(str::to_owned).collect();
                spellings.insert(0, word);
                spellings
            })
            .collect();
        let joined = words
            .iter()
            .map(|spellings| spellings[0].as_str())
            .collect();
        Message { words, joined }
    }
}

/// One word of a phrase; `prefix` when written with a trailing `*` (any ending).
struct Pattern {
    word: String,
    prefix: bool,
}

impl Pattern {
    fn matches(&self, spellings: &[String]) -> bool {
        spellings.iter().any(|spelling| {
            if self.prefix {
                spelling.starts_with(&self.word)
            } else {
                *spelling == self.word
            }
        })
    }
}

enum Phrase {
    Words(Vec<Pattern>),
    /// Chinese or Japanese: a substring of the run-together text.
    Text(String),
}

/// One language's phrase file.
struct LanguagePhrases {
    lang: &'static str,
    /// Words ignored on both sides (articles, "please").
    skip: HashSet<String>,
    phrases: Vec<(BuiltinIntent, Phrase)>,
}

impl LanguagePhrases {
    fn matches(&self, intent: BuiltinIntent, message: &Message) -> bool {
        let words: Vec<&Vec<String>> = message
            .words
            .iter()
            .filter(|spellings| !self.skip.contains(&spellings[0]))
            .collect();
        self.phrases
            .iter()
            .filter(|(phrase_intent, _)| *phrase_intent == intent)
            .any(|(_, phrase)| match phrase {
                Phrase::Text(text) => message.joined.contains(text.as_str()),
                Phrase::Words(patterns) => words.windows(patterns.len()).any(|window| {
                    patterns
                        .iter()
                        .zip(window)
                        .all(|(pattern, spellings)| pattern.matches(spellings))
                }),
            })
    }

    fn parse(lang: &'static str, data: &str) -> LanguagePhrases {
        let mut phrases = LanguagePhrases {
            lang,
            skip: HashSet::new(),
            phrases: Vec::new(),
        };
        let mut section: Option<&str> = None;
        for (number, line) in data.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
            {
                section = Some(name);
                continue;
            }
            let at = || format!("intents/{lang}.txt:{}", number + 1);
            match section {
                Some("skip") => phrases.skip.extend(tokenize::words(line)),
                Some(name) => {
                    let intent = BuiltinIntent::from_section(name)
                        .unwrap_or_else(|| panic!("{}: unknown section [{name}]", at()));
                    let phrase = Phrase::parse(line, &phrases.skip);
                    // "human please" losing "please" would match every "human".
                    let written = line.split_whitespace().count();
                    assert!(
                        phrase.len() > 1 || written == 1,
                        "{}: skip words leave {} word(s) of {line:?}",
                        at(),
                        phrase.len()
                    );
                    phrases.phrases.push((intent, phrase));
                }
                None => panic!("{}: a phrase before any [section]", at()),
            }
        }
        phrases
    }
}

impl Phrase {
    fn parse(line: &str, skip: &HashSet<String>) -> Phrase {
        if line.chars().any(script::is_cjk) {
            return Phrase::Text(tokenize::words(line).concat());
        }
        let patterns = line
            .split_whitespace()
            .flat_map(|raw| {
                let prefix = raw.ends_with('*');
                let words = tokenize::words(raw.trim_end_matches('*'));
                let last = words.len().saturating_sub(1);
                words.into_iter().enumerate().map(move |(i, word)| Pattern {
                    word,
                    prefix: prefix && i == last,
                })
            })
            .filter(|pattern| !skip.contains(&pattern.word))
            .collect();
        Phrase::Words(patterns)
    }

    /// Words in the phrase; a CJK phrase counts as many (it is never a lone word).
    fn len(&self) -> usize {
        match self {
            Phrase::Words(patterns) => patterns.len(),
            Phrase::Text(text) => text.chars().count(),
        }
    }
}

static PHRASES: LazyLock<Vec<LanguagePhrases>> = LazyLock::new(|| {
    [
        ("en", include_str!("../intents/en.txt")),
        ("ar", include_str!("../intents/ar.txt")),
        ("hi", include_str!("../intents/hi.txt")),
        ("ta", include_str!("../intents/ta.txt")),
        ("es", include_str!("../intents/es.txt")),
        ("fr", include_str!("../intents/fr.txt")),
        ("de", include_str!("../intents/de.txt")),
        ("pt", include_str!("../intents/pt.txt")),
        ("it", include_str!("../intents/it.txt")),
        ("nl", include_str!("../intents/nl.txt")),
        ("tr", include_str!("../intents/tr.txt")),
        ("id", include_str!("../intents/id.txt")),
        ("ur", include_str!("../intents/ur.txt")),
        ("bn", include_str!("../intents/bn.txt")),
        ("ru", include_str!("../intents/ru.txt")),
        ("zh", include_str!("../intents/zh.txt")),
        ("ja", include_str!("../intents/ja.txt")),
    ]
    .into_iter()
    .map(|(lang, data)| LanguagePhrases::parse(lang, data))
    .collect()
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang;

    #[test]
    fn every_supported_language_has_every_intent() {
        for code in lang::SUPPORTED {
            let phrases = PHRASES
                .iter()
                .find(|p| p.lang == *code)
                .unwrap_or_else(|| panic!("no intents/{code}.txt"));
            for intent in PRECEDENCE {
                assert!(
                    phrases.phrases.iter().any(|(i, _)| *i == intent),
                    "intents/{code}.txt has no [{}]",
                    intent.as_str()
                );
            }
        }
    }

    #[test]
    fn skip_words_and_prefixes() {
        // "a", "the" and "please" are skipped on both sides.
        assert_eq!(
            detect_builtin("can I talk to the human please", Some("en")),
            BuiltinIntent::HumanRequest
        );
        assert_eq!(
            detect_builtin("соедините с оператором", Some("ru")),
            BuiltinIntent::HumanRequest
        );
    }
}
