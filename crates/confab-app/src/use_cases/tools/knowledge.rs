//! Knowledge tools over `knowledge::search`.

use schemars::JsonSchema;
use serde::Deserialize;

use super::spec::{Hints, Meta, ToolSpec};
use crate::knowledge::{self, SearchResults};
use crate::{Access, Resource};

/// Arguments of `search_knowledge`: the query of `GET /v1/knowledge/search`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SearchKnowledge {
    /// What to look for, in the customer's words (at most 1,000 characters).
    q: String,
    /// ISO 639-1 language (`en`, `fr`, …): only entries in it or without a language.
    lang: Option<String>,
    /// How many entries to return, 1 to 100 (default 10).
    limit: Option<i64>,
}

pub(super) fn tools() -> Vec<ToolSpec> {
    vec![ToolSpec::new(
        Meta {
            name: "search_knowledge",
            title: "Search the knowledge base",
            description: "Search the workspace's knowledge base (answers, policies, FAQs) the way the AI agent does, \
                best match first. Each hit has the entry's `title`, `body` (the answer), `score` and `confidence` \
                (0 to 1; above about 0.5 the entry likely answers the question). Search before answering a customer \
                so the answer matches what the business says.",
            needs: (Resource::Knowledge, Access::Read),
            hints: Hints::READ,
        },
        |ctx, input: SearchKnowledge| async move {
            let limit = input.limit.map(|l| l.to_string());
            knowledge::search(
                &ctx,
                Some(&input.q),
                input.lang.as_deref(),
                limit.as_deref(),
            )
            .await
        },
        |results: &SearchResults| match results.data.first() {
            None => "No knowledge entry matches.".to_owned(),
            Some(best) => format!(
                "{} entries; best: \"{}\" ({}, confidence {:.2}).",
                results.data.len(),
                best.entry.title,
                best.entry.id,
                best.confidence
            ),
        },
    )]
}
