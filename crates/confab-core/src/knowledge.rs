//! Knowledge-base entries: what the AI agent answers from.

use crate::object::ObjectName;
use serde::Serialize;

use crate::id::KnowledgeId;
use crate::time::Timestamp;

/// Limits on an entry, so one entry cannot make the in-memory index unreasonable.
pub const MAX_TITLE_CHARS: usize = 500;
pub const MAX_BODY_CHARS: usize = 20_000;
pub const MAX_QUESTIONS: usize = 50;
pub const MAX_QUESTION_CHARS: usize = 1_000;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct KnowledgeEntry {
    pub id: KnowledgeId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub title: String,
    /// The answer.
    pub body: String,
    /// Ways customers ask for this entry.
    pub questions: Vec<String>,
    /// The intent a customer message matching this entry has (entries sharing an
    /// intent in different languages are translations of each other).
    pub intent: Option<String>,
    /// ISO 639-1 language of the entry.
    pub lang: Option<String>,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub livemode: bool,
}

crate::named!(KnowledgeEntry => "knowledge_entry");
