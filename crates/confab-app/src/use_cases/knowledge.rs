//! The knowledge base: entries the AI answers from, and ranked search over them.

use confab_core::object::ObjectName;
use serde::{Deserialize, Serialize};

use confab_agent::retrieval::SearchOptions;
use confab_core::id::KnowledgeId;
use confab_core::knowledge::{
    KnowledgeEntry, MAX_BODY_CHARS, MAX_QUESTION_CHARS, MAX_QUESTIONS, MAX_TITLE_CHARS,
};
use confab_core::page::{Page, PageRequest};
use confab_core::{FieldErrors, validate};
use confab_store::knowledge::{self, KnowledgeFilter};
use confab_store::{Locked, TenantTx};

use crate::input::{bounded_text, distinct_texts, lowercase_tags, optional, patch_field};
use crate::{Access, AppError, AppResult, Ctx, Resource};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeCreate {
    #[schema(value_type = String, required = true, min_length = 1, pattern = r"\S")]
    pub title: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, pattern = r"\S")]
    pub body: Option<String>,
    #[serde(default)]
    pub questions: Vec<String>,
    #[schema(pattern = "^[a-z0-9_.-]{1,64}$")]
    pub intent: Option<String>,
    /// ISO 639-1.
    #[schema(pattern = "^[A-Za-z]{2}$")]
    pub lang: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub enabled: Option<bool>,
}

/// A partial update: absent fields stay, `null` clears `intent` or `lang`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeUpdate {
    pub title: Option<String>,
    pub body: Option<String>,
    pub questions: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, pattern = "^[a-z0-9_.-]{1,64}$")]
    pub intent: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z]{2}$")]
    pub lang: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// Clean entry fields, ready to store.
#[derive(Clone, Debug)]
pub(crate) struct EntryFields {
    pub title: String,
    pub body: String,
    pub questions: Vec<String>,
    pub intent: Option<String>,
    pub lang: Option<String>,
    pub tags: Vec<String>,
    pub enabled: bool,
}

/// Title, body and each question: required, trimmed, bounded.
fn text(raw: &str, field: &str, max: usize, errors: &mut FieldErrors) -> String {
    bounded_text(raw, field, max, true, errors)
}

fn questions(raw: &[String], errors: &mut FieldErrors) -> Vec<String> {
    if raw.len() > MAX_QUESTIONS {
        errors.add(
            "questions",
            format!("must have at most {MAX_QUESTIONS} questions"),
        );
    }
    distinct_texts(raw, "questions", MAX_QUESTION_CHARS, errors)
}

impl KnowledgeCreate {
    /// Validates every field, collecting all errors.
    pub(crate) fn parse(&self) -> Result<EntryFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = match &self.title {
            Some(t) => text(t, "title", MAX_TITLE_CHARS, &mut errors),
            None => {
                errors.add("title", "is required");
                String::new()
            }
        };
        let body = match &self.body {
            Some(b) => text(b, "body", MAX_BODY_CHARS, &mut errors),
            None => {
                errors.add("body", "is required");
                String::new()
            }
        };
        let fields = EntryFields {
            title,
            body,
            questions: questions(&self.questions, &mut errors),
            intent: optional(
                self.intent.as_deref(),
                "intent",
                validate::intent,
                &mut errors,
            ),
            lang: optional(self.lang.as_deref(), "lang", validate::lang, &mut errors),
            tags: lowercase_tags(&self.tags, "tags", &mut errors),
            enabled: self.enabled.unwrap_or(true),
        };
        errors.into_result().map(|()| fields)
    }
}

pub(crate) fn new_entry(
    fields: EntryFields,
    ctx: &Ctx,
    now: confab_core::Timestamp,
) -> KnowledgeEntry {
    KnowledgeEntry {
        id: KnowledgeId::generate(),
        object: ObjectName::new(),
        title: fields.title,
        body: fields.body,
        questions: fields.questions,
        intent: fields.intent,
        lang: fields.lang,
        tags: fields.tags,
        enabled: fields.enabled,
        created_at: now,
        updated_at: now,
        livemode: ctx.livemode(),
    }
}

pub async fn create(ctx: &Ctx, input: KnowledgeCreate) -> AppResult<KnowledgeEntry> {
    ctx.authorize(Resource::Knowledge, Access::Write)?;
    let fields = input.parse()?;
    let mut uow = ctx.write().await?;
    let entry = new_entry(fields, ctx, uow.now);
    knowledge::insert(uow.tx(), &entry).await?;
    uow.commit().await?;
    Ok(entry)
}

async fn load(tx: &mut TenantTx, id: &KnowledgeId) -> AppResult<KnowledgeEntry> {
    knowledge::get(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("knowledge entry", id))
}

async fn load_for_update(tx: &mut TenantTx, id: &KnowledgeId) -> AppResult<Locked<KnowledgeEntry>> {
    knowledge::get_for_update(tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("knowledge entry", id))
}

pub async fn get(ctx: &Ctx, id: &KnowledgeId) -> AppResult<KnowledgeEntry> {
    ctx.authorize(Resource::Knowledge, Access::Read)?;
    let mut tx = ctx.read().await?;
    load(&mut tx, id).await
}

/// Query filters of `GET /v1/knowledge`.
#[derive(Debug, Default)]
pub struct ListFilter {
    pub lang: Option<String>,
    pub intent: Option<String>,
    pub enabled: Option<String>,
}

pub async fn list(
    ctx: &Ctx,
    filter: ListFilter,
    page: &PageRequest,
) -> AppResult<Page<KnowledgeEntry>> {
    ctx.authorize(Resource::Knowledge, Access::Read)?;
    let mut errors = FieldErrors::new();
    let f = KnowledgeFilter {
        lang: optional(
            filter.lang.as_deref().filter(|s| !s.is_empty()),
            "lang",
            validate::lang,
            &mut errors,
        ),
        intent: optional(
            filter.intent.as_deref().filter(|s| !s.is_empty()),
            "intent",
            validate::intent,
            &mut errors,
        ),
        enabled: match filter.enabled.as_deref() {
            None | Some("") => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                errors.add("enabled", "must be true or false");
                None
            }
        },
    };
    errors.into_result()?;
    let mut tx = ctx.read().await?;
    Ok(knowledge::list(&mut tx, &f, page).await?)
}

pub async fn update(
    ctx: &Ctx,
    id: &KnowledgeId,
    input: KnowledgeUpdate,
) -> AppResult<KnowledgeEntry> {
    ctx.authorize(Resource::Knowledge, Access::Write)?;
    let mut uow = ctx.write().await?;
    let mut entry = load_for_update(uow.tx(), id).await?;
    let mut errors = FieldErrors::new();
    if let Some(t) = &input.title {
        entry.title = text(t, "title", MAX_TITLE_CHARS, &mut errors);
    }
    if let Some(b) = &input.body {
        entry.body = text(b, "body", MAX_BODY_CHARS, &mut errors);
    }
    if let Some(q) = &input.questions {
        entry.questions = questions(q, &mut errors);
    }
    if let Some(i) = &input.intent {
        entry.intent = optional(i.as_deref(), "intent", validate::intent, &mut errors);
    }
    if let Some(l) = &input.lang {
        entry.lang = optional(l.as_deref(), "lang", validate::lang, &mut errors);
    }
    if let Some(t) = &input.tags {
        entry.tags = lowercase_tags(t, "tags", &mut errors);
    }
    if let Some(e) = input.enabled {
        entry.enabled = e;
    }
    errors.into_result()?;
    entry.updated_at = uow.now;
    knowledge::update(uow.tx(), &entry).await?;
    uow.commit().await?;
    Ok(entry.into_inner())
}

/// Deletes an entry and answers it as it was.
pub async fn delete(ctx: &Ctx, id: &KnowledgeId) -> AppResult<KnowledgeEntry> {
    ctx.authorize(Resource::Knowledge, Access::Write)?;
    let mut uow = ctx.write().await?;
    let entry = load(uow.tx(), id).await?;
    knowledge::delete(uow.tx(), &entry.id).await?;
    uow.commit().await?;
    Ok(entry)
}

/// One search result: the entry, its BM25 score and its confidence in [0, 1].
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KnowledgeHit {
    #[serde(flatten)]
    pub entry: KnowledgeEntry,
    pub score: f64,
    pub confidence: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub data: Vec<KnowledgeHit>,
}

pub const MAX_QUERY_CHARS: usize = 1_000;

/// Ranked search over the enabled entries, best first.
pub async fn search(
    ctx: &Ctx,
    q: Option<&str>,
    lang: Option<&str>,
    limit: Option<&str>,
) -> AppResult<SearchResults> {
    ctx.authorize(Resource::Knowledge, Access::Read)?;
    let mut errors = FieldErrors::new();
    let query = q.map(str::trim).unwrap_or_default();
    if query.is_empty() {
        errors.add("q", "is required");
    } else if query.chars().count() > MAX_QUERY_CHARS {
        errors.add("q", format!("must be at most {MAX_QUERY_CHARS} characters"));
    }
    let lang = optional(
        lang.filter(|s| !s.is_empty()),
        "lang",
        validate::lang,
        &mut errors,
    );
    let limit = match limit.filter(|s| !s.is_empty()) {
        None => 10,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                errors.add("limit", "must be a whole number from 1 to 100");
                10
            }
        },
    };
    errors.into_result()?;
    let mut tx = ctx.read().await?;
    let indexed = ctx.app.knowledge.current(&mut tx).await?;
    drop(tx);
    let hits = indexed.search(
        query,
        &SearchOptions {
            lang: lang.as_deref(),
            tags: &[],
            limit,
        },
    );
    let data = hits
        .into_iter()
        .map(|(e, h)| KnowledgeHit {
            entry: e.clone(),
            score: h.score,
            confidence: h.confidence,
        })
        .collect();
    Ok(SearchResults { data })
}
