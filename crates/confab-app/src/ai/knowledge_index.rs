//! Each workspace's knowledge, indexed in memory. An index is rebuilt when the stored
//! revision (bumped in the same transaction as every knowledge change) moves, so every
//! node sees a change at its next search, and a search costs one indexed read plus the
//! in-memory lookup.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use confab_agent::retrieval::{Document, Hit, Index, SearchOptions};
use confab_core::knowledge::KnowledgeEntry;
use confab_store::{TenantTx, knowledge};

use crate::AppResult;

/// One workspace and mode's enabled entries and their index.
pub struct IndexedKnowledge {
    pub revision: i64,
    pub index: Index,
    entries: HashMap<String, KnowledgeEntry>,
}

impl IndexedKnowledge {
    pub fn entry(&self, id: &str) -> Option<&KnowledgeEntry> {
        self.entries.get(id)
    }

    /// The index's hits for `query`, in its order, each with its entry (a hit whose
    /// entry is not here is left out).
    pub fn search(&self, query: &str, options: &SearchOptions) -> Vec<(&KnowledgeEntry, Hit)> {
        self.index
            .search(query, options)
            .into_iter()
            .filter_map(|h| self.entry(&h.id).map(|e| (e, h)))
            .collect()
    }

    /// Enabled entries with this intent (translations of one another).
    pub fn with_intent<'a>(&'a self, intent: &'a str) -> impl Iterator<Item = &'a KnowledgeEntry> {
        self.entries
            .values()
            .filter(move |e| e.intent.as_deref() == Some(intent))
    }
}

/// (workspace id, livemode as 0/1).
type Tenant = (String, i64);

#[derive(Clone, Default)]
pub struct KnowledgeIndexes {
    cache: Arc<Mutex<HashMap<Tenant, Arc<IndexedKnowledge>>>>,
}

impl std::fmt::Debug for KnowledgeIndexes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KnowledgeIndexes")
    }
}

impl KnowledgeIndexes {
    /// The current index of the transaction's workspace and mode.
    pub async fn current(&self, tx: &mut TenantTx) -> AppResult<Arc<IndexedKnowledge>> {
        let key = (tx.workspace().to_string(), tx.livemode() as i64);
        let revision = knowledge::revision(tx).await?;
        if let Some(hit) = self.lookup(&key).filter(|k| k.revision == revision) {
            return Ok(hit);
        }
        let entries = knowledge::all_enabled(tx).await?;
        let documents = entries.iter().map(document).collect();
        let built = Arc::new(IndexedKnowledge {
            revision,
            index: Index::new(documents),
            entries: entries.into_iter().map(|e| (e.id.to_string(), e)).collect(),
        });
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        // Two builders may race; keep the newer revision.
        let keep = match cache.get(&key) {
            Some(existing) if existing.revision > built.revision => existing.clone(),
            _ => {
                cache.insert(key, built.clone());
                built
            }
        };
        Ok(keep)
    }

    fn lookup(&self, key: &Tenant) -> Option<Arc<IndexedKnowledge>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(key).cloned()
    }
}

fn document(e: &KnowledgeEntry) -> Document {
    Document {
        id: e.id.to_string(),
        title: e.title.clone(),
        questions: e.questions.clone(),
        body: e.body.clone(),
        lang: e.lang.clone(),
        tags: e.tags.clone(),
    }
}
