//! Knowledge retrieval: BM25F over an entry's title, question variants and body, with
//! a confidence that says whether the best entry really answers the message.
//!
//! **Index.** Built once in [`Index::new`] and immutable: an inverted index from term
//! to postings `(entry, field, weighted and length-normalised term frequency)`, where
//! the fields are the title, the body and each question variant on its own. Every word is indexed twice, as its
//! folded surface form and as its stem (the entry's `lang` picks the stemmer; see
//! [`tokenize::terms`]), so a query whose language was guessed wrong still finds exact
//! words, and an exact word scores above a mere shared stem.
//!
//! **Ranking.** BM25F (k1 = 1.2, b = 0.75): a term's frequencies in the title, the best
//! matching question variant and the body are length-normalised per field, weighted
//! (questions 3, title 2.5, body 1) and saturated together. Taking the best question
//! rather than all questions run together means an entry with twenty phrasings is not
//! favoured over one with two. Search walks only the posting lists of the query's
//! terms; stopwords are left out unless the query has nothing else.
//!
//! **Confidence** (in [0, 1]) of a hit: for each field of the entry, the harmonic mean
//! of two IDF-weighted shares: how much of the query's content the field contains
//! (precision of the match from the customer's side) and how much of the field's
//! content the query contains (from the entry's side); the confidence is the best
//! field's value. Stopwords weigh nothing, so "hello" has no content and a confidence
//! of 0; query words the knowledge base has never seen weigh the most, so an unrelated
//! question that shares one word with an entry stays low. A paraphrase of a question
//! variant shares most content words with it both ways and scores near 1. A long body
//! matched by a short query has a low share from the entry's side: body matches help
//! ranking but rarely make a confident answer on their own.
//!
//! **Filters.** With `lang`, entries in that language and entries without a language
//! (written for everyone, such as an imported CSV) qualify. With `tags`, an entry must
//! carry at least one of them.

mod stopwords;

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::{lang, tokenize};

/// A knowledge-base entry as the index sees it.
#[derive(Clone, Debug)]
pub struct Document {
    pub id: String,
    pub title: String,
    /// Ways customers ask for this entry; each is matched on its own.
    pub questions: Vec<String>,
    pub body: String,
    /// ISO 639-1 (a region suffix is ignored); `None` for an entry in no particular
    /// language, which every language's search may return.
    pub lang: Option<String>,
    pub tags: Vec<String>,
}

/// What to search for besides the query.
#[derive(Clone, Debug, Default)]
pub struct SearchOptions<'a> {
    /// Only entries in this language, or without one. Also picks the query's stemmer;
    /// without it the query's language is detected.
    pub lang: Option<&'a str>,
    /// When non-empty, an entry must have at least one of these tags.
    pub tags: &'a [String],
    /// At most this many hits; 0 means [`DEFAULT_LIMIT`].
    pub limit: usize,
}

/// One matching entry.
#[derive(Clone, Debug)]
pub struct Hit {
    pub id: String,
    /// The BM25F score: comparable between hits of one search only.
    pub score: f64,
    /// How well the entry answers the query, in [0, 1] (see the module doc).
    pub confidence: f64,
}

/// Confidence at or above which the local agent answers from an entry. A harmonic
/// mean of 0.5 needs, for instance, every content word of the query found in a
/// question that has as much content again unmatched (1 and 1/3), or half of each
/// side's content in common: a paraphrase clears it, a query sharing one word of
/// several with an entry does not (see `tests/it/retrieval.rs`).
pub const CONFIDENT: f64 = 0.5;

/// The number of hits when [`SearchOptions::limit`] is 0.
pub const DEFAULT_LIMIT: usize = 10;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Title, body and question weights, in field-number order.
const FIELD_WEIGHTS: [f64; 3] = [2.5, 1.0, 3.0];

/// Field numbers in postings: the title is 0, the body 1, question `i` is `QUESTIONS + i`.
const QUESTIONS: u16 = 2;

/// Marks a stem in the term dictionary, apart from surface forms (tokens never
/// contain it).
const STEM_MARK: char = '~';

/// One field's occurrences of a term. `weight` is the field weight times the term
/// frequency normalised by the field's length, computed at build time so a search reads
/// postings front to back and never looks an entry up.
#[derive(Clone, Copy, Debug)]
struct Posting {
    entry: u32,
    field: u16,
    weight: f32,
}

/// A distinct word of a field (or of a query), for confidence.
#[derive(Clone, Copy, Debug)]
struct Unit {
    surface: Option<u32>,
    stem: Option<u32>,
    /// Its IDF, or 0 for a stopword.
    weight: f64,
}

impl Unit {
    fn has(&self, term: u32) -> bool {
        self.surface == Some(term) || self.stem == Some(term)
    }
}

#[derive(Debug)]
struct Field {
    length: u32,
    units: Vec<Unit>,
    /// The sum of the units' weights.
    content: f64,
}

#[derive(Debug)]
struct Entry {
    id: String,
    lang: Option<String>,
    tags: Vec<String>,
    /// Indexed by field number.
    fields: Vec<Field>,
}

/// An immutable, searchable knowledge base. Cheap to share: keep it in an `Arc` and
/// build a new one when entries change.
#[derive(Debug)]
pub struct Index {
    entries: Vec<Entry>,
    terms: HashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
    idf: Vec<f64>,
    /// Each entry's language as a small number (0: none), for filtering without
    /// touching the entries.
    entry_langs: Vec<u16>,
    /// The numbers behind `entry_langs`.
    langs: HashMap<String, u16>,
}

impl Index {
    /// Indexes `documents`; their order decides nothing (ties rank by id).
    pub fn new(documents: Vec<Document>) -> Self {
        let mut builder = Builder::default();
        for document in documents {
            builder.add(document);
        }
        builder.finish()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries matching `query`, best first (ties by id), only those with a score above 0.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Vec<Hit> {
        if self.entries.is_empty() {
            return Vec::new();
        }
        let query_lang = options
            .lang
            .map(primary)
            .or_else(|| lang::detect(query).map(str::to_owned));
        let units = self.query_units(query, query_lang.as_deref());
        let content: Vec<Unit> = units
            .iter()
            .copied()
            .filter(|unit| unit.weight > 0.0)
            .collect();
        let scoring = if content.is_empty() { &units } else { &content };

        let scores = self.score(scoring, options);
        let limit = if options.limit == 0 {
            DEFAULT_LIMIT
        } else {
            options.limit
        };
        let mut hits: Vec<(u32, f64)> = scores;
        let by_rank = |a: &(u32, f64), b: &(u32, f64)| {
            b.1.partial_cmp(&a.1)
                .unwrap_or(Ordering::Equal)
                .then_with(|| {
                    self.entries[a.0 as usize]
                        .id
                        .cmp(&self.entries[b.0 as usize].id)
                })
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit - 1, by_rank);
            hits.truncate(limit);
        }
        hits.sort_unstable_by(by_rank);
        hits.into_iter()
            .map(|(entry, score)| Hit {
                id: self.entries[entry as usize].id.clone(),
                score,
                confidence: self.confidence(&self.entries[entry as usize], &content),
            })
            .collect()
    }

    /// The query's distinct words with their term ids and weights. A word the index has
    /// never seen weighs as much as the rarest indexed word: it may be a name or a typo,
    /// so it lowers confidence without swamping the words that did match.
    fn query_units(&self, query: &str, lang: Option<&str>) -> Vec<Unit> {
        let unseen = idf(self.entries.len(), 1);
        let mut units: Vec<(String, Unit)> = Vec::new();
        for term in tokenize::terms(query, lang) {
            if units.iter().any(|(surface, _)| *surface == term.surface) {
                continue;
            }
            let surface = self.terms.get(&term.surface).copied();
            let stem = term
                .stem
                .as_ref()
                .and_then(|stem| self.terms.get(&stem_key(stem)).copied());
            let weight = if stopwords::contains(&term.surface) {
                0.0
            } else {
                [surface, stem]
                    .into_iter()
                    .flatten()
                    .map(|t| self.idf[t as usize])
                    .fold(None, |max: Option<f64>, w| {
                        Some(max.map_or(w, |m| m.max(w)))
                    })
                    .unwrap_or(unseen)
            };
            units.push((
                term.surface,
                Unit {
                    surface,
                    stem,
                    weight,
                },
            ));
        }
        units.into_iter().map(|(_, unit)| unit).collect()
    }

    /// BM25F scores of the entries that pass the filters, term at a time.
    fn score(&self, units: &[Unit], options: &SearchOptions) -> Vec<(u32, f64)> {
        // A language no entry has still admits the language-less entries.
        let filter_lang = options
            .lang
            .map(|lang| self.langs.get(&primary(lang)).copied().unwrap_or(u16::MAX));
        let mut scores: Vec<f64> = vec![0.0; self.entries.len()];
        // 0: not seen yet, 1: passes the filters, 2: filtered out.
        let mut state: Vec<u8> = vec![0; self.entries.len()];
        let mut touched: Vec<u32> = Vec::new();
        let terms = units
            .iter()
            .flat_map(|unit| [unit.surface, unit.stem])
            .flatten();
        for term in terms {
            let postings = &self.postings[term as usize];
            let idf = self.idf[term as usize];
            for group in postings.chunk_by(|a, b| a.entry == b.entry) {
                let entry = group[0].entry;
                let slot = &mut state[entry as usize];
                if *slot == 0 {
                    let passes = self.passes(entry, filter_lang, options.tags);
                    *slot = if passes { 1 } else { 2 };
                    if passes {
                        touched.push(entry);
                    }
                }
                if *slot == 1 {
                    let frequency = pseudo_frequency(group);
                    scores[entry as usize] += idf * frequency * (K1 + 1.0) / (frequency + K1);
                }
            }
        }
        touched
            .into_iter()
            .map(|entry| (entry, scores[entry as usize]))
            .filter(|(_, score)| *score > 0.0)
            .collect()
    }

    fn passes(&self, entry: u32, lang: Option<u16>, tags: &[String]) -> bool {
        let own = self.entry_langs[entry as usize];
        let lang_ok = lang.is_none_or(|wanted| own == 0 || own == wanted);
        lang_ok
            && (tags.is_empty()
                || self.entries[entry as usize]
                    .tags
                    .iter()
                    .any(|tag| tags.contains(tag)))
    }

    /// The best field's harmonic mean of query coverage and field coverage.
    fn confidence(&self, entry: &Entry, query: &[Unit]) -> f64 {
        let query_content: f64 = query.iter().map(|unit| unit.weight).sum();
        if query_content <= 0.0 {
            return 0.0;
        }
        let query_terms: Vec<u32> = query
            .iter()
            .flat_map(|unit| [unit.surface, unit.stem])
            .flatten()
            .collect();
        entry
            .fields
            .iter()
            .filter(|field| field.content > 0.0)
            .map(|field| {
                let matched_query: f64 = query
                    .iter()
                    .filter(|unit| {
                        field.units.iter().any(|f| {
                            unit.surface.is_some_and(|t| f.has(t))
                                || unit.stem.is_some_and(|t| f.has(t))
                        })
                    })
                    .map(|unit| unit.weight)
                    .sum();
                let matched_field: f64 = field
                    .units
                    .iter()
                    .filter(|unit| query_terms.iter().any(|t| unit.has(*t)))
                    .map(|unit| unit.weight)
                    .sum();
                harmonic_mean(matched_query / query_content, matched_field / field.content)
            })
            .fold(0.0, f64::max)
            .clamp(0.0, 1.0)
    }
}

/// Collects terms and postings entry by entry, then computes IDFs and field weights.
#[derive(Default)]
struct Builder {
    entries: Vec<Entry>,
    terms: HashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
    /// Per field kind (title, body, question): total length and count.
    lengths: [(f64, f64); 3],
}

impl Builder {
    fn add(&mut self, document: Document) {
        let entry_number = self.entries.len() as u32;
        let lang = document.lang.as_deref().map(primary);
        let mut texts = vec![document.title, document.body];
        texts.extend(document.questions);
        let mut fields = Vec::with_capacity(texts.len());
        for (number, text) in texts.iter().enumerate() {
            let field = self.add_field(entry_number, number as u16, text, lang.as_deref());
            let kind = (number as u16).min(QUESTIONS) as usize;
            self.lengths[kind].0 += field.length as f64;
            self.lengths[kind].1 += 1.0;
            fields.push(field);
        }
        self.entries.push(Entry {
            id: document.id,
            lang,
            tags: document.tags,
            fields,
        });
    }

    fn add_field(&mut self, entry: u32, field: u16, text: &str, lang: Option<&str>) -> Field {
        let terms = tokenize::terms(text, lang);
        let mut frequencies: Vec<(u32, u16)> = Vec::new();
        let mut units: Vec<Unit> = Vec::new();
        for term in &terms {
            let surface = self.term_id(&term.surface);
            let stem = term.stem.as_ref().map(|stem| self.term_id(&stem_key(stem)));
            for id in [Some(surface), stem].into_iter().flatten() {
                match frequencies.iter_mut().find(|(t, _)| *t == id) {
                    Some((_, frequency)) => *frequency = frequency.saturating_add(1),
                    None => frequencies.push((id, 1)),
                }
            }
            if !units.iter().any(|unit| unit.surface == Some(surface)) {
                // The weight is set in `finish`, once IDFs are known; 1 marks content.
                let weight = if stopwords::contains(&term.surface) {
                    0.0
                } else {
                    1.0
                };
                units.push(Unit {
                    surface: Some(surface),
                    stem,
                    weight,
                });
            }
        }
        for (term, frequency) in frequencies {
            // The raw frequency for now; `finish` turns it into a weight.
            self.postings[term as usize].push(Posting {
                entry,
                field,
                weight: f32::from(frequency),
            });
        }
        Field {
            length: terms.len() as u32,
            units,
            content: 0.0,
        }
    }

    fn term_id(&mut self, term: &str) -> u32 {
        if let Some(id) = self.terms.get(term) {
            return *id;
        }
        let id = self.postings.len() as u32;
        self.terms.insert(term.to_owned(), id);
        self.postings.push(Vec::new());
        id
    }

    fn finish(mut self) -> Index {
        let count = self.entries.len();
        let idf: Vec<f64> = self
            .postings
            .iter()
            .map(|postings| {
                // Entries and their fields were added in order: postings are sorted by
                // (entry, field) already, which `score` relies on to group them.
                let frequency = postings.chunk_by(|a, b| a.entry == b.entry).count();
                idf(count, frequency)
            })
            .collect();
        for entry in &mut self.entries {
            for field in &mut entry.fields {
                for unit in &mut field.units {
                    if unit.weight > 0.0 {
                        unit.weight = [unit.surface, unit.stem]
                            .into_iter()
                            .flatten()
                            .map(|t| idf[t as usize])
                            .fold(0.0, f64::max);
                    }
                }
                field.content = field.units.iter().map(|unit| unit.weight).sum();
            }
        }
        let average = self
            .lengths
            .map(|(total, n)| if n > 0.0 { (total / n).max(1.0) } else { 1.0 });
        for posting in self.postings.iter_mut().flatten() {
            let entry = &self.entries[posting.entry as usize];
            let kind = posting.field.min(QUESTIONS) as usize;
            let length = entry.fields[posting.field as usize].length as f64;
            let normalised = f64::from(posting.weight) / (1.0 - B + B * length / average[kind]);
            posting.weight = (FIELD_WEIGHTS[kind] * normalised) as f32;
        }
        let mut langs = HashMap::new();
        let entry_langs = self
            .entries
            .iter()
            .map(|entry| match &entry.lang {
                None => 0,
                Some(lang) => {
                    let next = langs.len() as u16 + 1;
                    *langs.entry(lang.clone()).or_insert(next)
                }
            })
            .collect();
        Index {
            entries: self.entries,
            terms: self.terms,
            postings: self.postings,
            idf,
            entry_langs,
            langs,
        }
    }
}

/// BM25F's pseudo-frequency of one term in one entry from its postings there: the
/// weighted, length-normalised title and body frequencies plus the best question's.
fn pseudo_frequency(postings: &[Posting]) -> f64 {
    let (mut others, mut question) = (0.0_f32, 0.0_f32);
    for posting in postings {
        if posting.field >= QUESTIONS {
            question = question.max(posting.weight);
        } else {
            others += posting.weight;
        }
    }
    f64::from(others + question)
}

/// BM25's IDF, smoothed so that it is positive even for a term in every entry.
fn idf(entries: usize, with_term: usize) -> f64 {
    let (n, df) = (entries as f64, with_term as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn harmonic_mean(a: f64, b: f64) -> f64 {
    if a + b <= 0.0 {
        0.0
    } else {
        2.0 * a * b / (a + b)
    }
}

fn stem_key(stem: &str) -> String {
    let mut key = String::with_capacity(stem.len() + 1);
    key.push(STEM_MARK);
    key.push_str(stem);
    key
}

/// "pt-BR" → "pt".
fn primary(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or(lang)
        .to_ascii_lowercase()
}
