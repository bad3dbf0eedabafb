//! Cursor pagination keyed on the immutable `(created_at, id)` pair, so rows inserted or
//! changed while a client pages never shift what it has still to see.

use crate::object::ObjectName;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::FieldErrors;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

/// A position in a list: the `(created_at, id)` of the last row a client saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.created_at, self.id))
    }

    pub fn decode(s: &str) -> Option<Self> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
        let (ts, id) = raw.split_once(':')?;
        let created_at = ts.parse().ok()?;
        if id.is_empty() || id.len() > 64 {
            return None;
        }
        Some(Cursor {
            created_at,
            id: id.to_owned(),
        })
    }
}

/// A validated `?limit=&cursor=`.
#[derive(Clone, Debug)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    errors.add(
                        "limit",
                        format!("must be a whole number from 1 to {MAX_LIMIT}"),
                    );
                    DEFAULT_LIMIT
                }
            },
        };
        let after = match cursor {
            None | Some("") => None,
            Some(raw) => {
                let parsed = Cursor::decode(raw);
                if parsed.is_none() {
                    errors.add("cursor", "is not a cursor this API returned");
                }
                parsed
            }
        };
        errors.into_result()?;
        Ok(PageRequest { limit, after })
    }

    pub fn first(limit: i64) -> Self {
        PageRequest { limit, after: None }
    }
}

/// One page of a list, in the contract's shape.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub data: Vec<T>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

impl<T> crate::object::Named for Page<T> {
    const OBJECT: &'static str = "list";
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in list order; the extra row only
    /// tells whether more exist.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> Cursor) -> Self {
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if has_more {
            rows.last().map(|row| key(row).encode())
        } else {
            None
        };
        Page {
            object: ObjectName::new(),
            data: rows,
            has_more,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            object: ObjectName::new(),
            data: self.data.into_iter().map(f).collect(),
            has_more: self.has_more,
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor {
            created_at: 42,
            id: "ctc_x".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("!!!"), None);
    }

    #[test]
    fn limit_is_bounded() {
        assert!(PageRequest::parse(Some("0"), None).is_err());
        assert!(PageRequest::parse(Some("101"), None).is_err());
        assert_eq!(PageRequest::parse(Some("100"), None).unwrap().limit, 100);
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_LIMIT);
    }
}
