//! How the AI answers one customer message: the hand-off policy first, then the
//! agent's provider (`local` retrieval, or an LLM with retrieved knowledge and tools).
//! The reply worker and `POST /v1/agents/{id}/preview` both call [`respond`], so a
//! preview shows exactly what a customer would get.

use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde_json::json;

use confab_agent::intent::BuiltinIntent;
use confab_agent::phrases::{Phrase, say};
use confab_agent::provider::{
    ChatRequest, ProviderError, Role, ToolCall, ToolExecutor, ToolResult, ToolSpec, Turn, Usage,
    converse,
};
use confab_agent::retrieval::{CONFIDENT, SearchOptions};
use confab_agent::tokenize;
use confab_core::agent::{Agent, HandoffPolicy, ProviderKind, ProviderSettings};
use confab_core::conversation::Sentiment;
use confab_core::handoff::HandoffReason;
use confab_core::knowledge::KnowledgeEntry;

use crate::knowledge_index::IndexedKnowledge;
use crate::understanding::Understanding;
use crate::{AiConfig, App};

/// How many knowledge entries an LLM sees in its prompt.
const PROMPT_ENTRIES: usize = 4;
/// Tool rounds per reply before the model must answer.
const MAX_ROUNDS: usize = 4;
const MAX_ANSWER_TOKENS: u32 = 512;
/// An extractive answer longer than this is cut at a sentence end.
const MAX_EXTRACT_CHARS: usize = 1_500;

/// The agent as the responder needs it: an agent row, or the server's defaults.
pub struct Profile<'a> {
    pub agent: Option<&'a Agent>,
    pub ai: &'a AiConfig,
}

impl Profile<'_> {
    fn provider(&self) -> &ProviderSettings {
        self.agent.map_or(&self.ai.provider, |a| &a.provider)
    }

    fn policy(&self) -> HandoffPolicy {
        self.agent.map(|a| a.handoff.clone()).unwrap_or_default()
    }

    fn tags(&self) -> &[String] {
        self.agent.map_or(&[], |a| a.knowledge_tags.as_slice())
    }

    /// The language to answer in: the customer's, unless the agent is limited to
    /// others (then its first).
    fn reply_lang(&self, customer: Option<&str>) -> Option<String> {
        let langs = self.agent.map_or(&[][..], |a| a.languages.as_slice());
        match customer {
            Some(l) if langs.is_empty() || langs.iter().any(|x| x == l) => Some(l.to_owned()),
            _ => langs.first().cloned().or(customer.map(str::to_owned)),
        }
    }
}

/// The message being answered and what came before it.
pub struct Exchange<'a> {
    pub text: &'a str,
    pub understanding: &'a Understanding,
    /// Consecutive negative customer messages, this one included.
    pub negative_streak: i64,
    /// Consecutive low-confidence answers before this one.
    pub low_confidence_streak: i64,
    /// Earlier turns, oldest first (customer as `User`, AI and people as `Assistant`).
    pub history: Vec<(Role, String)>,
}

/// What the AI does about one message.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub text: Option<String>,
    pub intent: String,
    pub lang: Option<String>,
    pub sentiment: Option<Sentiment>,
    pub sentiment_score: Option<f64>,
    /// Knowledge entries the answer used.
    pub sources: Vec<String>,
    pub confidence: Option<f64>,
    /// Hand the conversation to a person, for this reason.
    pub handoff: Option<HandoffReason>,
    /// The answer was not grounded in the knowledge base (counts toward the policy).
    pub low_confidence: bool,
    pub usage: Usage,
    pub provider: String,
    pub model: Option<String>,
}

/// Answers one message. Errors are the provider's (the caller retries or hands off).
pub async fn respond(
    app: &App,
    profile: &Profile<'_>,
    knowledge: &Arc<IndexedKnowledge>,
    exchange: &Exchange<'_>,
) -> Result<Answer, ProviderError> {
    let u = exchange.understanding;
    let lang = profile.reply_lang(u.lang.as_deref());
    let settings = profile.provider();
    let mut answer = Answer {
        intent: u.intent.clone(),
        lang: lang.clone(),
        sentiment: Some(u.sentiment),
        sentiment_score: Some(u.sentiment_score),
        provider: settings.kind.as_str().to_owned(),
        model: settings.model.clone(),
        ..Answer::default()
    };
    if let Some((phrase, why)) = policy_handoff(profile, exchange) {
        answer.text = Some(say(phrase, lang.as_deref()).to_owned());
        answer.handoff = Some(why);
        return Ok(answer);
    }
    match settings.kind {
        ProviderKind::Local => {
            answer_locally(profile, knowledge, exchange, lang.as_deref(), &mut answer)
        }
        ProviderKind::OpenAi | ProviderKind::Anthropic => {
            answer_with_model(
                app,
                profile,
                knowledge,
                exchange,
                lang.as_deref(),
                &mut answer,
            )
            .await?
        }
    }
    let threshold = i64::from(profile.policy().low_confidence_answers);
    if answer.low_confidence
        && answer.handoff.is_none()
        && threshold > 0
        && exchange.low_confidence_streak + 1 >= threshold
    {
        answer.handoff = Some(HandoffReason::LowConfidence);
        if settings.kind == ProviderKind::Local {
            answer.text = Some(say(Phrase::HandoffUnsure, lang.as_deref()).to_owned());
        }
    }
    Ok(answer)
}

/// The rules that hand off before any answer is attempted.
fn policy_handoff(
    profile: &Profile<'_>,
    exchange: &Exchange<'_>,
) -> Option<(Phrase, HandoffReason)> {
    let policy = profile.policy();
    if exchange.understanding.builtin == BuiltinIntent::HumanRequest {
        return Some((Phrase::HandoffRequest, HandoffReason::CustomerRequest));
    }
    if has_keyword(exchange.text, &policy.keywords) {
        return Some((Phrase::HandoffRequest, HandoffReason::Keyword));
    }
    let n = i64::from(policy.negative_messages);
    if n > 0 && exchange.negative_streak >= n {
        return Some((Phrase::HandoffNegative, HandoffReason::NegativeSentiment));
    }
    None
}

/// Whether any keyword occurs in `text` as whole words, ignoring case and accents.
pub fn has_keyword(text: &str, keywords: &[String]) -> bool {
    let words = tokenize::tokens(text);
    keywords.iter().any(|k| {
        let needle = tokenize::tokens(k);
        !needle.is_empty() && words.windows(needle.len()).any(|w| w == needle.as_slice())
    })
}

/// The best entry for the message in `lang` (an entry in that language, or the
/// translation sharing the best entry's intent), with its confidence.
fn best_entry<'k>(
    knowledge: &'k IndexedKnowledge,
    text: &str,
    lang: Option<&str>,
    tags: &[String],
) -> Option<(&'k KnowledgeEntry, f64)> {
    let (id, confidence) = crate::understanding::best_match(text, lang, knowledge, tags)?;
    let entry = knowledge.entry(&id)?;
    let translated = match (lang, &entry.intent) {
        (Some(l), Some(intent)) if entry.lang.as_deref() != Some(l) => knowledge
            .with_intent(intent)
            .filter(|e| e.lang.as_deref() == Some(l))
            .filter(|e| tags.is_empty() || e.tags.iter().any(|t| tags.contains(t)))
            .min_by(|a, b| a.id.as_str().cmp(b.id.as_str())),
        _ => None,
    };
    Some((translated.unwrap_or(entry), confidence))
}

fn answer_locally(
    profile: &Profile<'_>,
    knowledge: &IndexedKnowledge,
    exchange: &Exchange<'_>,
    lang: Option<&str>,
    answer: &mut Answer,
) {
    if let Some((entry, confidence)) = best_entry(knowledge, exchange.text, lang, profile.tags()) {
        answer.text = Some(extract(&entry.body));
        answer.sources = vec![entry.id.to_string()];
        answer.confidence = Some(confidence);
        if let Some(intent) = &entry.intent {
            answer.intent.clone_from(intent);
        }
        return;
    }
    answer.confidence = Some(0.0);
    let small_talk = match exchange.understanding.builtin {
        BuiltinIntent::Greeting => Some(
            profile
                .agent
                .and_then(|a| a.greeting.clone())
                .unwrap_or_else(|| say(Phrase::Greeting, lang).to_owned()),
        ),
        BuiltinIntent::Thanks => Some(say(Phrase::Thanks, lang).to_owned()),
        BuiltinIntent::Goodbye => Some(say(Phrase::Goodbye, lang).to_owned()),
        _ => None,
    };
    match small_talk {
        Some(text) => answer.text = Some(text),
        None => {
            answer.text = Some(say(Phrase::Rephrase, lang).to_owned());
            answer.low_confidence = true;
        }
    }
}

/// The answer part of an entry's body: all of it when short, else whole sentences up
/// to the limit.
fn extract(body: &str) -> String {
    let body = body.trim();
    if body.chars().count() <= MAX_EXTRACT_CHARS {
        return body.to_owned();
    }
    let mut out = String::new();
    for sentence in body.split_inclusive(['.', '!', '?', '。', '۔', '।', '\n']) {
        if out.chars().count() + sentence.chars().count() > MAX_EXTRACT_CHARS {
            break;
        }
        out.push_str(sentence);
    }
    if out.trim().is_empty() {
        out = body.chars().take(MAX_EXTRACT_CHARS).collect();
    }
    format!("{}…", out.trim_end())
}

fn system_prompt(
    profile: &Profile<'_>,
    lang: Option<&str>,
    entries: &[(&KnowledgeEntry, f64)],
) -> String {
    let mut prompt = String::new();
    match profile.agent {
        Some(a) => {
            prompt.push_str(&format!(
                "You are {}, a customer-support assistant.",
                a.name
            ));
            if !a.persona.is_empty() {
                prompt.push_str(&format!(" {}", a.persona));
            }
            if !a.instructions.is_empty() {
                prompt.push_str(&format!("\n\nInstructions:\n{}", a.instructions));
            }
        }
        None => prompt.push_str("You are a customer-support assistant."),
    }
    if let Some(l) = lang {
        prompt.push_str(&format!(
            "\n\nReply in the customer's language (ISO 639-1 code `{l}`)."
        ));
    }
    prompt.push_str(
        "\nAnswer from the knowledge below or from what the search_knowledge tool returns. \
         If they do not answer the question, say so honestly and call hand_off_to_human; never invent \
         policies, prices or facts. Keep replies short and friendly.",
    );
    if entries.is_empty() {
        prompt.push_str("\n\nNo knowledge entry matched the customer's last message.");
    } else {
        prompt.push_str("\n\nKnowledge (cite nothing, but use only this):");
        for (e, _) in entries {
            prompt.push_str(&format!("\n\n[{}] {}\n{}", e.id, e.title, extract(&e.body)));
        }
    }
    prompt
}

fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "search_knowledge".into(),
            description: "Search the business's knowledge base. Use it when the knowledge in the \
                          instructions does not answer the customer."
                .into(),
            parameters: json!({
                "type": "object",
                "properties": {"query": {"type": "string", "description": "What to look for."}},
                "required": ["query"]
            }),
        },
        ToolSpec {
            name: "hand_off_to_human".into(),
            description: "Bring in a person from the team when you cannot help or the customer \
                          needs a human. Say so to the customer in your reply."
                .into(),
            parameters: json!({
                "type": "object",
                "properties": {"reason": {"type": "string", "description": "Why a person is needed."}},
                "required": ["reason"]
            }),
        },
    ]
}

/// Runs the workspace actions the model may call, remembering what it used.
struct Tools<'a> {
    knowledge: &'a IndexedKnowledge,
    tags: &'a [String],
    sources: Mutex<Vec<String>>,
    handoff: Mutex<bool>,
}

impl ToolExecutor for Tools<'_> {
    fn call<'a>(&'a self, call: &'a ToolCall) -> BoxFuture<'a, ToolResult> {
        Box::pin(async move {
            let result = |content: String, is_error: bool| call.answer(content, is_error);
            match call.name.as_str() {
                "search_knowledge" => {
                    let Some(query) = call.arguments.get("query").and_then(|q| q.as_str()) else {
                        return result("`query` (a string) is required".into(), true);
                    };
                    let hits = self.knowledge.search(
                        query,
                        &SearchOptions {
                            lang: None,
                            tags: self.tags,
                            limit: 3,
                        },
                    );
                    let found: Vec<_> = hits
                        .into_iter()
                        .map(|(e, h)| {
                            let confidence = h.confidence;
                            if confidence >= CONFIDENT {
                                let mut s = self.sources.lock().unwrap_or_else(|p| p.into_inner());
                                if !s.contains(&e.id.to_string()) {
                                    s.push(e.id.to_string());
                                }
                            }
                            json!({"id": e.id, "title": e.title, "body": extract(&e.body), "confidence": confidence})
                        })
                        .collect();
                    result(json!({"results": found}).to_string(), false)
                }
                "hand_off_to_human" => {
                    *self.handoff.lock().unwrap_or_else(|p| p.into_inner()) = true;
                    result(
                        json!({"ok": true, "note": "A person will take over after your reply."})
                            .to_string(),
                        false,
                    )
                }
                other => result(format!("there is no tool named {other:?}"), true),
            }
        })
    }
}

async fn answer_with_model(
    app: &App,
    profile: &Profile<'_>,
    knowledge: &Arc<IndexedKnowledge>,
    exchange: &Exchange<'_>,
    lang: Option<&str>,
    answer: &mut Answer,
) -> Result<(), ProviderError> {
    let settings = profile.provider();
    let provider = app.providers.get(settings, profile.ai)?;
    let hits = knowledge.search(
        exchange.text,
        &SearchOptions {
            lang: None,
            tags: profile.tags(),
            limit: PROMPT_ENTRIES,
        },
    );
    let entries: Vec<(&KnowledgeEntry, f64)> =
        hits.into_iter().map(|(e, h)| (e, h.confidence)).collect();
    let best = entries.first().map_or(0.0, |(_, c)| *c);
    let mut turns: Vec<Turn> = exchange
        .history
        .iter()
        .map(|(role, text)| Turn::Text {
            role: *role,
            text: text.clone(),
        })
        .collect();
    turns.push(Turn::Text {
        role: Role::User,
        text: exchange.text.to_owned(),
    });
    let request = ChatRequest {
        model: settings.model.clone().unwrap_or_default(),
        system: system_prompt(profile, lang, &entries),
        turns,
        tools: tools(),
        max_tokens: MAX_ANSWER_TOKENS,
        temperature: Some(0.2),
    };
    let executor = Tools {
        knowledge,
        tags: profile.tags(),
        sources: Mutex::new(Vec::new()),
        handoff: Mutex::new(false),
    };
    let outcome = converse(provider.as_ref(), request, &executor, MAX_ROUNDS).await?;
    answer.usage = outcome.usage;
    let mut sources: Vec<String> = entries
        .iter()
        .filter(|(_, c)| *c >= CONFIDENT)
        .map(|(e, _)| e.id.to_string())
        .collect();
    for s in executor.sources.into_inner().unwrap_or_default() {
        if !sources.contains(&s) {
            sources.push(s);
        }
    }
    let grounded = !sources.is_empty();
    answer.sources = sources;
    answer.confidence = Some(best);
    let wants_person = executor.handoff.into_inner().unwrap_or(false);
    answer.text = outcome
        .text
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .or_else(|| wants_person.then(|| say(Phrase::HandoffUnsure, lang).to_owned()));
    if answer.text.is_none() {
        return Err(ProviderError::Protocol(
            "the model answered with no text".into(),
        ));
    }
    if wants_person {
        answer.handoff = Some(HandoffReason::AgentDecision);
    }
    let small_talk = matches!(
        exchange.understanding.builtin,
        BuiltinIntent::Greeting | BuiltinIntent::Thanks | BuiltinIntent::Goodbye
    );
    answer.low_confidence = !grounded && !small_talk;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_words_without_case_or_accents() {
        let k = vec!["Cancel my account".to_owned(), "lawyer".to_owned()];
        assert!(has_keyword("please CANCEL my account now", &k));
        assert!(has_keyword("I'll call my LAWYER", &k));
        assert!(!has_keyword(
            "lawyers are expensive",
            &["lawyer".to_owned()]
        ));
        assert!(!has_keyword("cancel the order", &k));
    }

    #[test]
    fn long_bodies_are_cut_at_a_sentence() {
        let body = "One sentence here. ".repeat(200);
        let cut = extract(&body);
        assert!(cut.chars().count() <= MAX_EXTRACT_CHARS + 1);
        assert!(cut.ends_with(".…"));
    }
}
