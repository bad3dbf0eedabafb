//! Bulk import of knowledge: JSON lines, CSV (`question,answer`) or Markdown (one entry
//! per heading). Every line is checked first; nothing is written when any line is bad,
//! unless the caller asks for a partial import.

use serde::Serialize;

use confab_core::validate;

use crate::knowledge::{EntryFields, KnowledgeCreate, new_entry};
use crate::{Access, AppError, AppResult, Ctx, Resource};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportFormat {
    JsonLines,
    Csv,
    Markdown,
}

impl ImportFormat {
    /// From `?format=` (`jsonl`, `csv`, `markdown`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Some(ImportFormat::JsonLines),
            "csv" => Some(ImportFormat::Csv),
            "markdown" | "md" => Some(ImportFormat::Markdown),
            _ => None,
        }
    }

    /// From the request's `Content-Type`.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-ndjson"
            | "application/jsonl"
            | "application/jsonlines"
            | "application/x-jsonlines" => Some(ImportFormat::JsonLines),
            "text/csv" => Some(ImportFormat::Csv),
            "text/markdown" | "text/x-markdown" => Some(ImportFormat::Markdown),
            _ => None,
        }
    }
}

/// What was wrong with one line of the file (1-based).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ImportError {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub imported: usize,
    pub errors: Vec<ImportError>,
    /// Some lines were bad and no partial import was asked for, so nothing was stored
    /// (answered as 422 with the per-line errors).
    #[serde(skip)]
    pub rejected: bool,
}

/// Import options from the query string.
#[derive(Debug, Default)]
pub struct ImportOptions {
    /// Import the good lines even when some are bad.
    pub partial: bool,
    /// The language of entries that do not name one.
    pub lang: Option<String>,
}

/// At most this many entries per import (a larger base is imported in parts).
pub const MAX_IMPORT_ENTRIES: usize = 10_000;

/// Parses and stores the file. When any line is bad and `partial` is off, nothing is
/// stored and the result is marked `rejected`.
pub async fn import(
    ctx: &Ctx,
    format: ImportFormat,
    body: &[u8],
    options: ImportOptions,
) -> AppResult<ImportResult> {
    ctx.authorize(Resource::Knowledge, Access::Write)?;
    let default_lang = match options.lang.as_deref().filter(|s| !s.is_empty()) {
        Some(l) => Some(validate::lang(l).map_err(|m| AppError::field("lang", &m))?),
        None => None,
    };
    let text = std::str::from_utf8(body)
        .map_err(|_| AppError::bad_request("The file must be UTF-8 text."))?;
    if let Some(line) = text.lines().position(|l| l.contains('\0')) {
        return Err(AppError::field(
            "body",
            &format!(
                "line {} contains a NUL character (\\u0000); nothing was imported",
                line + 1
            ),
        ));
    }
    let parsed = match format {
        ImportFormat::JsonLines => json_lines(text),
        ImportFormat::Csv => csv_rows(text),
        ImportFormat::Markdown => markdown_sections(text),
    };
    let mut good = Vec::new();
    let mut errors = Vec::new();
    for (line, item) in parsed {
        match item.and_then(|mut input| {
            if input.lang.is_none() {
                input.lang = default_lang.clone();
            }
            input.parse().map_err(|f| f.list())
        }) {
            Ok(fields) => good.push(fields),
            Err(message) => errors.push(ImportError { line, message }),
        }
    }
    if good.is_empty() && errors.is_empty() {
        return Err(AppError::field("body", "the file has no entries"));
    }
    if good.len() + errors.len() > MAX_IMPORT_ENTRIES {
        return Err(AppError::field(
            "body",
            &format!("at most {MAX_IMPORT_ENTRIES} entries per import; split the file"),
        ));
    }
    if !errors.is_empty() && !options.partial {
        return Ok(ImportResult {
            imported: 0,
            errors,
            rejected: true,
        });
    }
    let imported = store(ctx, good).await?;
    Ok(ImportResult {
        imported,
        errors,
        rejected: false,
    })
}

async fn store(ctx: &Ctx, entries: Vec<EntryFields>) -> AppResult<usize> {
    let mut uow = ctx.write().await?;
    let now = uow.now;
    let entries: Vec<_> = entries
        .into_iter()
        .map(|fields| new_entry(fields, ctx, now))
        .collect();
    confab_store::knowledge::insert_all(uow.tx(), &entries).await?;
    uow.commit().await?;
    Ok(entries.len())
}

type Parsed = Vec<(u64, Result<KnowledgeCreate, String>)>;

fn json_lines(text: &str) -> Parsed {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, json_entry(l)))
        .collect()
}

/// One line of JSON Lines as an entry; a NUL in any string is refused like a body's.
fn json_entry(line: &str) -> Result<KnowledgeCreate, String> {
    let not_an_entry = |e: serde_json::Error| {
        format!(
            "is not a knowledge entry in JSON: {}",
            strip_position(&e.to_string())
        )
    };
    let value: serde_json::Value = serde_json::from_str(line).map_err(not_an_entry)?;
    if let Some(field) = crate::input::find_nul(&value) {
        return Err(format!("`{field}` {}", crate::input::NUL_MESSAGE));
    }
    serde_json::from_value(value).map_err(not_an_entry)
}

/// serde's messages end in "at line 1 column 7", which misleads next to our line numbers.
fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// CSV with a header naming at least `question` and `answer`; optional columns
/// `title`, `intent`, `lang` and `tags` (separated by `;`).
fn csv_rows(text: &str) -> Parsed {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect(),
        Err(e) => return vec![(1, Err(format!("the header cannot be read: {e}")))],
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(question), Some(answer)) = (column("question"), column("answer")) else {
        return vec![(
            1,
            Err("the header must name the columns `question` and `answer`".into()),
        )];
    };
    let (title, intent, lang, tags) = (
        column("title"),
        column("intent"),
        column("lang"),
        column("tags"),
    );
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.push((line, Err(format!("is not valid CSV: {e}"))));
            }
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                let get = |i: Option<usize>| {
                    i.and_then(|i| r.get(i))
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                };
                let q = get(Some(question));
                out.push((
                    line,
                    Ok(KnowledgeCreate {
                        title: get(title).or_else(|| q.clone()),
                        body: get(Some(answer)),
                        questions: q.into_iter().collect(),
                        intent: get(intent),
                        lang: get(lang),
                        tags: get(tags)
                            .map(|t| {
                                t.split(';')
                                    .map(|s| s.trim().to_owned())
                                    .filter(|s| !s.is_empty())
                                    .collect()
                            })
                            .unwrap_or_default(),
                        enabled: None,
                    }),
                ));
            }
        }
    }
    out
}

/// One entry per heading: the heading is the title (and a question), the text under it
/// is the body. A heading directly followed by a deeper heading only groups its
/// children. Text before the first heading belongs to no entry and is reported.
fn markdown_sections(text: &str) -> Parsed {
    struct Section {
        line: u64,
        level: usize,
        title: String,
        body: Vec<String>,
    }
    let mut sections: Vec<Section> = Vec::new();
    let mut preamble: Option<u64> = None;
    let mut in_fence = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i as u64 + 1;
        let trimmed = raw.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        let heading = (!in_fence).then(|| heading(trimmed)).flatten();
        match (heading, sections.last_mut()) {
            (Some((level, title)), _) => sections.push(Section {
                line,
                level,
                title,
                body: Vec::new(),
            }),
            (None, Some(section)) => section.body.push(raw.to_owned()),
            (None, None) if !raw.trim().is_empty() => {
                preamble.get_or_insert(line);
            }
            (None, None) => {}
        }
    }
    let mut out: Parsed = Vec::new();
    if let Some(line) = preamble {
        out.push((
            line,
            Err("text before the first heading belongs to no entry; put it under a heading".into()),
        ));
    }
    for (i, s) in sections.iter().enumerate() {
        let body = s.body.join("\n").trim().to_owned();
        let groups_children = sections.get(i + 1).is_some_and(|next| next.level > s.level);
        if body.is_empty() {
            if !groups_children {
                out.push((s.line, Err("this heading has no text under it".into())));
            }
            continue;
        }
        out.push((
            s.line,
            Ok(KnowledgeCreate {
                title: Some(s.title.clone()),
                body: Some(body),
                questions: vec![s.title.clone()],
                ..KnowledgeCreate::default()
            }),
        ));
    }
    out
}

/// `## Title` → (2, "Title"); a line of `#` followed by text only.
fn heading(line: &str) -> Option<(usize, String)> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &line[level..];
    if !rest.starts_with(' ') && !rest.starts_with('\t') {
        return None;
    }
    let title = rest.trim().trim_end_matches('#').trim();
    (!title.is_empty()).then(|| (level, title.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_group_headings_are_not_entries() {
        let parsed = markdown_sections(
            "# FAQ\n\n## Opening hours\nWe open at 9.\n\n## Refunds\nWithin 30 days.\n",
        );
        let titles: Vec<_> = parsed
            .iter()
            .map(|(line, r)| (*line, r.as_ref().unwrap().title.clone().unwrap()))
            .collect();
        assert_eq!(
            titles,
            vec![(3, "Opening hours".to_owned()), (6, "Refunds".to_owned())]
        );
    }

    #[test]
    fn markdown_reports_empty_leaf_and_preamble() {
        let parsed = markdown_sections("intro\n# A\ntext\n# B\n");
        let errors: Vec<u64> = parsed
            .iter()
            .filter(|(_, r)| r.is_err())
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(errors, vec![1, 4]);
    }

    #[test]
    fn csv_reports_the_bad_line() {
        let parsed = csv_rows("question,answer\n\"When do you open?\",\"At 9\"\nonly one column\n");
        assert!(parsed[0].1.is_ok());
        assert_eq!(parsed[1].0, 3);
        assert!(parsed[1].1.is_err());
    }

    #[test]
    fn headings_need_a_space() {
        assert_eq!(heading("## Hours ##"), Some((2, "Hours".into())));
        assert_eq!(heading("#hashtag"), None);
        assert_eq!(heading("####### seven"), None);
    }
}
