//! What an inbound customer message is: its language, its sentiment and its intent.
//! Computed when the message is written (it is cheap: well under a millisecond with a
//! warm detector), so the message a client gets back already carries it.

use confab_agent::intent::{self, BuiltinIntent};
use confab_agent::retrieval::{CONFIDENT, SearchOptions};
use confab_agent::{lang, sentiment};
use confab_core::conversation::{Message, Sentiment};

use crate::knowledge_index::IndexedKnowledge;

#[derive(Clone, Debug)]
pub struct Understanding {
    /// ISO 639-1; the conversation's language when the text alone does not tell.
    pub lang: Option<String>,
    pub sentiment: Sentiment,
    pub sentiment_score: f64,
    /// The matched entry's intent when retrieval is confident, else the built-in one.
    pub intent: String,
    pub builtin: BuiltinIntent,
    /// The best knowledge entry and its confidence, when confident.
    pub matched: Option<(String, f64)>,
}

/// Reads one customer message. `fallback_lang` is the conversation's language, used
/// when the text is too short or has no letters.
pub fn understand(
    text: &str,
    fallback_lang: Option<&str>,
    knowledge: &IndexedKnowledge,
    tags: &[String],
) -> Understanding {
    let lang = lang::detect(text).or(fallback_lang).map(str::to_owned);
    let score = sentiment::analyze(text, lang.as_deref());
    with_intent(text, lang, score.label, score.score, knowledge, tags)
}

/// The reading of a message already written: the language and sentiment stored with
/// it, and its intent against the knowledge `tags` select (an agent may narrow them).
pub fn reread(message: &Message, knowledge: &IndexedKnowledge, tags: &[String]) -> Understanding {
    with_intent(
        &message.text,
        message.lang.clone(),
        message.sentiment.unwrap_or(Sentiment::Neutral),
        message.sentiment_score.unwrap_or(0.0),
        knowledge,
        tags,
    )
}

fn with_intent(
    text: &str,
    lang: Option<String>,
    sentiment: Sentiment,
    sentiment_score: f64,
    knowledge: &IndexedKnowledge,
    tags: &[String],
) -> Understanding {
    let builtin = intent::detect_builtin(text, lang.as_deref());
    let matched = best_match(text, lang.as_deref(), knowledge, tags);
    let knowledge_intent = matched
        .as_ref()
        .and_then(|(id, _)| knowledge.entry(id))
        .and_then(|e| e.intent.clone());
    // Asking for a person or complaining is what the customer means, whatever the
    // knowledge base matches.
    let intent = match builtin {
        BuiltinIntent::HumanRequest | BuiltinIntent::Complaint => builtin.as_str().to_owned(),
        _ => knowledge_intent.unwrap_or_else(|| builtin.as_str().to_owned()),
    };
    Understanding {
        lang,
        sentiment,
        sentiment_score,
        intent,
        builtin,
        matched,
    }
}

/// The most confident entry: first among entries in the customer's language, then
/// among all.
pub fn best_match(
    text: &str,
    lang: Option<&str>,
    knowledge: &IndexedKnowledge,
    tags: &[String],
) -> Option<(String, f64)> {
    let search = |lang: Option<&str>| {
        knowledge
            .index
            .search(
                text,
                &SearchOptions {
                    lang,
                    tags,
                    limit: 1,
                },
            )
            .into_iter()
            .next()
            .filter(|h| h.confidence >= CONFIDENT)
    };
    lang.and_then(|l| search(Some(l)))
        .or_else(|| search(None))
        .map(|h| (h.id, h.confidence))
}
