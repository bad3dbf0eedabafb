//! Field parsers shared by every use case: each turns raw input into a clean value or a
//! sentence for the field's error list.

use serde_json::Value;

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_CHARS: usize = 64;
pub const MAX_ATTRIBUTES_BYTES: usize = 16 * 1024;
pub const MAX_EXTERNAL_ID_CHARS: usize = 255;

/// Trims and bounds a free-text name. Empty after trimming is an error.
pub fn name(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".into());
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters".into());
    }
    Ok(trimmed.to_owned())
}

/// A practical address check (what mail servers accept, not the full RFC 5322 grammar):
/// one `@`, a non-empty local part, a dotted domain of letters, digits and hyphens.
/// The domain is lower-cased; the local part is kept as given.
pub fn email(raw: &str) -> Result<String, String> {
    const ERR: &str = "is not a valid email address";
    let trimmed = raw.trim();
    if trimmed.len() > 254 {
        return Err(ERR.into());
    }
    let (local, domain) = trimmed.rsplit_once('@').ok_or(ERR)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2);
    if local_ok && domain_ok {
        Ok(format!("{local}@{}", domain.to_lowercase()))
    } else {
        Err(ERR.into())
    }
}

/// A phone number in international form. Spaces, dots, hyphens and parentheses are
/// dropped; what remains must be an optional `+` and 6 to 15 digits (E.164's bound).
pub fn phone(raw: &str) -> Result<String, String> {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    if (6..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err("is not a valid phone number (use international form, e.g. +44 7700 900000)".into())
    }
}

pub fn external_id(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_EXTERNAL_ID_CHARS {
        return Err(format!("must be 1 to {MAX_EXTERNAL_ID_CHARS} characters"));
    }
    Ok(trimmed.to_owned())
}

/// One tag: trimmed, 1 to 64 characters, no control characters.
pub fn tag(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_TAG_CHARS {
        return Err(format!("each tag must be 1 to {MAX_TAG_CHARS} characters"));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err("tags must not contain control characters".into());
    }
    Ok(trimmed.to_owned())
}

/// A tag list: each tag valid, duplicates dropped (first spelling kept), at most 50.
pub fn tags(raw: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = tag(t)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(format!("must have at most {MAX_TAGS} tags"));
    }
    Ok(out)
}

/// Custom attributes: a JSON object of at most 16 KiB.
pub fn attributes(raw: &Value) -> Result<Value, String> {
    if !raw.is_object() {
        return Err("must be a JSON object".into());
    }
    if raw.to_string().len() > MAX_ATTRIBUTES_BYTES {
        return Err(format!(
            "must be at most {MAX_ATTRIBUTES_BYTES} bytes of JSON"
        ));
    }
    Ok(raw.clone())
}

/// A language: an ISO 639-1 code, two lowercase letters (`EN` is accepted as `en`).
pub fn lang(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_lowercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(code)
    } else {
        Err("must be an ISO 639-1 language code such as `en` or `ar`".into())
    }
}

/// An environment variable name as configs use them: `A-Z 0-9 _`, not starting with a
/// digit (e.g. `OPENAI_API_KEY`).
pub fn is_env_var_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// An intent name: 1 to 64 of `a-z 0-9 _ . -`, e.g. `refund_policy`.
pub fn intent(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
    if ok {
        Ok(name.to_owned())
    } else {
        Err("must be 1 to 64 characters of a-z, 0-9, `_`, `.` or `-`".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email(" John@ACME.com ").unwrap(), "John@acme.com");
        assert!(email("john@acme").is_err());
        assert!(email("not an email").is_err());
        assert!(email("a@@b.com").is_err());
        assert!(email("a b@c.com").is_err());
    }

    #[test]
    fn phones() {
        assert_eq!(phone("+44 7700 900000").unwrap(), "+447700900000");
        assert_eq!(phone("(020) 7946-0000").unwrap(), "02079460000");
        assert!(phone("call me").is_err());
        assert!(phone("+1234").is_err());
    }

    #[test]
    fn tag_lists_dedupe() {
        assert_eq!(tags(&["vip".into(), " vip ".into()]).unwrap(), vec!["vip"]);
        assert!(tags(&["".into()]).is_err());
    }
}
