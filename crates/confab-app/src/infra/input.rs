//! Input helpers shared by use-case request types.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use confab_core::id::{AgentId, TypedId};
use confab_core::{FieldErrors, validate};

use crate::{AppError, AppResult};

/// Reads a request's JSON object into its input type. A field of the wrong type, a
/// missing one or an unknown one becomes a field error, named and worded the same for
/// every caller (the REST API's bodies and the tools' arguments).
pub fn from_json<T: DeserializeOwned>(value: Value) -> Result<T, FieldErrors> {
    if let Some(field) = find_nul(&value) {
        return Err(FieldErrors::single(field, NUL_MESSAGE));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let (field, message) = describe(&path, &inner);
        FieldErrors::single(field, message)
    })
}

/// The field error of a string holding a NUL character, which no backend stores as
/// text (PostgreSQL refuses it; SQLite would keep it and match it in searches).
pub const NUL_MESSAGE: &str = "must not contain a NUL character (\\u0000)";

/// The path (`attributes.plan`, `tags[1]`) of the first string or object key in
/// `value` that holds a NUL character, named as serde_path_to_error names fields.
pub(crate) fn find_nul(value: &Value) -> Option<String> {
    nul_at(value, String::new())
}

fn nul_at(value: &Value, path: String) -> Option<String> {
    let join = |key: &str| {
        let key = key.replace('\0', "\\u0000");
        if path.is_empty() {
            key
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => {
            Some(if path.is_empty() { "body".into() } else { path })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_at(item, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                Some(join(key))
            } else {
                nul_at(item, join(key))
            }
        }),
        _ => None,
    }
}

/// Turns a serde message into a field name and a sentence.
fn describe(path: &str, message: &str) -> (String, String) {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        // The path already ends at the unknown field.
        let name = rest.split('`').next().unwrap_or(rest);
        let field = if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            path.to_owned()
        };
        return (field, "is not a known field".into());
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let field = if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return (field, "is required".into());
    }
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let field = if path == "." {
        "body".into()
    } else {
        path.to_owned()
    };
    (field, message)
}

/// For PATCH fields: absent → `None` (leave as is), `null` → `Some(None)` (clear),
/// a value → `Some(Some(v))`. Use with `#[serde(default, deserialize_with = "patch_field")]`.
pub fn patch_field<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Parses an optional text field with `parse`, recording its error under `field`.
pub(crate) fn optional(
    raw: Option<&str>,
    field: &str,
    parse: fn(&str) -> Result<String, String>,
    errors: &mut FieldErrors,
) -> Option<String> {
    raw.and_then(|r| parse(r).map_err(|m| errors.add(field, m)).ok())
}

/// Trimmed text of at most `max` characters (and not empty when `required`).
pub(crate) fn bounded_text(
    raw: &str,
    field: &str,
    max: usize,
    required: bool,
    errors: &mut FieldErrors,
) -> String {
    let trimmed = raw.trim();
    if required && trimmed.is_empty() {
        errors.add(field, "must not be empty");
    } else if trimmed.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
    trimmed.to_owned()
}

/// An optional text field: absent or empty (after trimming) means none, otherwise
/// trimmed text of at most `max` characters.
pub(crate) fn optional_text(
    raw: Option<&str>,
    field: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    raw.map(|t| bounded_text(t, field, max, false, errors))
        .filter(|t| !t.is_empty())
}

/// A list of non-empty texts of at most `max` characters each, duplicates dropped;
/// an item's error is recorded under `{field}.{index}`.
pub(crate) fn distinct_texts(
    raw: &[String],
    field: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        let item = bounded_text(item, &format!("{field}.{i}"), max, true, errors);
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// A list whose items `parse` cleans (languages, origins), duplicates dropped; an item's
/// error is recorded under `{field}.{index}`.
pub(crate) fn distinct_parsed(
    raw: &[String],
    field: &str,
    parse: fn(&str) -> Result<String, String>,
    errors: &mut FieldErrors,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        match parse(item) {
            Ok(item) if !out.contains(&item) => out.push(item),
            Ok(_) => {}
            Err(m) => errors.add(format!("{field}.{i}"), m),
        }
    }
    out
}

/// A tag list as `validate::tags` accepts it, lower-cased (tags match case-insensitively).
pub(crate) fn lowercase_tags(raw: &[String], field: &str, errors: &mut FieldErrors) -> Vec<String> {
    validate::tags(raw)
        .map(|t| t.into_iter().map(|t| t.to_lowercase()).collect())
        .map_err(|m| errors.add(field, m))
        .unwrap_or_default()
}

/// An id named in a path or a tool's argument: a wrong prefix or a malformed id names
/// nothing, so it is the same 404 as an id that does not exist.
pub fn id<T: TypedId>(raw: &str) -> AppResult<T> {
    T::parse(raw).ok_or_else(|| AppError::not_found(T::NOUN, raw))
}

/// An id field of a body or query: `None` when absent (recorded as missing when
/// `required`), or a field error naming the id's kind when malformed.
pub(crate) fn id_field<T: TypedId>(
    raw: Option<&str>,
    field: &str,
    required: bool,
    errors: &mut FieldErrors,
) -> Option<T> {
    let Some(raw) = raw else {
        if required {
            errors.add(field, "is required");
        }
        return None;
    };
    let parsed = T::parse(raw.trim());
    if parsed.is_none() {
        let article = if T::NOUN.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        errors.add(
            field,
            format!("must be {article} {} id ({}…)", T::NOUN, T::PREFIX),
        );
    }
    parsed
}

/// An optional `agent_id` field: an `agt_…` id, or a field error.
pub(crate) fn agent_id(raw: Option<&str>, errors: &mut FieldErrors) -> Option<AgentId> {
    id_field(raw, "agent_id", false, errors)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::find_nul;

    #[test]
    fn a_nul_is_found_anywhere_and_named_by_its_path() {
        assert_eq!(find_nul(&json!({"name": "Ada", "tags": ["ok"]})), None);
        assert_eq!(find_nul(&json!({"name": "a\u{0}"})), Some("name".into()));
        assert_eq!(
            find_nul(&json!({"attributes": {"plan": "x\u{0}y"}})),
            Some("attributes.plan".into())
        );
        assert_eq!(
            find_nul(&json!({"tags": ["ok", "\u{0}"]})),
            Some("tags[1]".into())
        );
        assert_eq!(
            find_nul(&json!({"a": [{"b": {"c": "\u{0}"}}]})),
            Some("a[0].b.c".into())
        );
        assert_eq!(
            find_nul(&json!({"attributes": {"k\u{0}": 1}})),
            Some("attributes.k\\u0000".into())
        );
    }
}
