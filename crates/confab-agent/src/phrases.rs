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
    /// Said after a hand-off outside working hours: `{when}` and `{zone}` are filled in
    /// by [`team_away`].
    TeamAway,
    /// The weekdays, Monday first, comma-separated (for [`team_away`]).
    Weekdays,
    /// A ticket was opened from the conversation: `{reference}` and `{subject}`.
    TicketOpened,
    /// A booking's confirmation, filled in by [`booking_confirmed`].
    BookingConfirmed,
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
            Phrase::TeamAway => "team_away",
            Phrase::Weekdays => "weekdays",
            Phrase::TicketOpened => "ticket_opened",
            Phrase::BookingConfirmed => "booking_confirmed",
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

/// The sentence that tells a customer the team is away and roughly when it is back:
/// `weekday` (Monday = 0) and `time` (`09:00`) local to `zone` (`Europe/London`).
pub fn team_away(lang: Option<&str>, weekday: u8, time: &str, zone: &str) -> String {
    // Both phrases from one language, so the day's name matches the sentence.
    let lang = lang.filter(|l| TABLE.contains_key(&((*l).to_owned(), "team_away".to_owned())));
    let day = say(Phrase::Weekdays, lang)
        .split(',')
        .nth(usize::from(weekday))
        .unwrap_or_default();
    say(Phrase::TeamAway, lang)
        .replace("{when}", &format!("{day} {time}"))
        .replace("{zone}", zone)
}

/// A booking's confirmation in the customer's language: `weekday` (Monday = 0), `date`
/// (`2026-03-10`) and `time` (`09:00`) local to `zone`.
pub fn booking_confirmed(
    lang: Option<&str>,
    resource: &str,
    weekday: u8,
    date: &str,
    time: &str,
    zone: &str,
) -> String {
    let lang =
        lang.filter(|l| TABLE.contains_key(&((*l).to_owned(), "booking_confirmed".to_owned())));
    let day = say(Phrase::Weekdays, lang)
        .split(',')
        .nth(usize::from(weekday))
        .unwrap_or_default();
    say(Phrase::BookingConfirmed, lang)
        .replace("{resource}", resource)
        .replace("{when}", &format!("{day} {date} {time}"))
        .replace("{zone}", zone)
}

/// Whether `lang` has its own phrases.
pub fn has_language(lang: &str) -> bool {
    TABLE.keys().any(|(l, _)| l == lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Phrase; 11] = [
        Phrase::Greeting,
        Phrase::Thanks,
        Phrase::Goodbye,
        Phrase::Rephrase,
        Phrase::HandoffRequest,
        Phrase::HandoffNegative,
        Phrase::HandoffUnsure,
        Phrase::TeamAway,
        Phrase::Weekdays,
        Phrase::TicketOpened,
        Phrase::BookingConfirmed,
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
    fn the_away_sentence_names_the_day_in_the_customers_language() {
        assert_eq!(
            team_away(Some("en"), 0, "09:00", "Europe/London"),
            "Our team is away right now, so the reply may only come after Monday 09:00 (Europe/London time)."
        );
        let arabic = team_away(Some("ar"), 6, "10:30", "Asia/Dubai");
        assert!(
            arabic.contains("الأحد 10:30") && arabic.contains("Asia/Dubai"),
            "{arabic}"
        );
        assert!(team_away(Some("xx"), 4, "08:00", "UTC").contains("Friday 08:00"));
        for (lang, _) in TABLE.keys() {
            assert_eq!(
                say(Phrase::Weekdays, Some(lang)).split(',').count(),
                7,
                "{lang}"
            );
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
