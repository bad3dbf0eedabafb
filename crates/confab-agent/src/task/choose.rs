//! Picking one contact when a search found several, and saying why. Contacts are the
//! JSON the contact tools return (`{id, name, email, phone, updated_at, …}`).

use serde_json::Value;

/// The pick and the reason, in a sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// Index into the candidates.
    pub index: usize,
    pub reason: String,
}

fn text<'v>(contact: &'v Value, field: &str) -> &'v str {
    contact[field].as_str().unwrap_or("")
}

/// How well `contact` matches `query`, and in words.
fn score(contact: &Value, query: &str) -> (u8, &'static str) {
    let q = query.trim().to_lowercase();
    let name = text(contact, "name").to_lowercase();
    let email = text(contact, "email").to_lowercase();
    if !email.is_empty() && email == q {
        return (100, "its email address matches exactly");
    }
    if !name.is_empty() && name == q {
        return (80, "its name matches exactly");
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    if !words.is_empty()
        && words
            .iter()
            .all(|w| name.split_whitespace().any(|n| n == *w))
    {
        return (60, "every word you gave is in its name");
    }
    if name.contains(&q) || email.contains(&q) {
        return (40, "its name or email contains what you gave");
    }
    (10, "the search matched it")
}

/// The contact of `candidates` that best fits `query`: the best match (exact email,
/// exact name, all words, part), then the most recently updated. `None` when empty.
pub fn best_contact(query: &str, candidates: &[Value]) -> Option<Choice> {
    let (index, (best, why)) = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (i, score(c, query)))
        .max_by(|(ia, (sa, _)), (ib, (sb, _))| {
            sa.cmp(sb).then_with(|| {
                // RFC 3339 UTC timestamps order as text.
                text(&candidates[*ia], "updated_at").cmp(text(&candidates[*ib], "updated_at"))
            })
        })?;
    if candidates.len() == 1 {
        return Some(Choice {
            index,
            reason: format!("it is the only contact that matched \"{query}\""),
        });
    }
    let tied = candidates
        .iter()
        .filter(|c| score(c, query).0 == best)
        .count();
    let others = |n: usize| match n {
        1 => "1 other".to_owned(),
        n => format!("{n} others"),
    };
    let reason = if tied > 1 {
        format!(
            "{why}, as it does for {}, and it was updated most recently",
            others(tied - 1)
        )
    } else {
        format!(
            "{why}, which fits better than the {}",
            others(candidates.len() - 1)
        )
    };
    Some(Choice { index, reason })
}

/// One line naming a contact: `John Smith <john@acme.com> (ctc_…)`.
pub fn describe(contact: &Value) -> String {
    let name = Some(text(contact, "name")).filter(|s| !s.is_empty());
    let email = Some(text(contact, "email")).filter(|s| !s.is_empty());
    let phone = Some(text(contact, "phone")).filter(|s| !s.is_empty());
    let mut out = name.or(email).or(phone).unwrap_or("(no name)").to_owned();
    if let (Some(_), Some(e)) = (name, email) {
        out.push_str(&format!(" <{e}>"));
    }
    out.push_str(&format!(" ({})", text(contact, "id")));
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn prefers_an_exact_match_then_the_most_recent() {
        let candidates = vec![
            json!({"id": "ctc_1", "name": "John Smithers", "email": "js@x.com", "updated_at": "2026-11-20T00:00:00.000Z"}),
            json!({"id": "ctc_2", "name": "John Smith", "email": "john@acme.com", "updated_at": "2026-11-01T00:00:00.000Z"}),
            json!({"id": "ctc_3", "name": "John Smith", "email": "john@other.com", "updated_at": "2026-11-10T00:00:00.000Z"}),
        ];
        let choice = best_contact("john smith", &candidates).unwrap();
        assert_eq!(choice.index, 2);
        assert!(
            choice.reason.contains("name matches exactly"),
            "{}",
            choice.reason
        );
        assert!(choice.reason.contains("most recently"), "{}", choice.reason);
        let by_email = best_contact("john@acme.com", &candidates).unwrap();
        assert_eq!(by_email.index, 1);
        assert!(by_email.reason.contains("email"));
        assert_eq!(best_contact("x", &[]), None);
    }

    #[test]
    fn describes_a_contact_in_one_line() {
        let c = json!({"id": "ctc_1", "name": "Ana", "email": "ana@x.com"});
        assert_eq!(describe(&c), "Ana <ana@x.com> (ctc_1)");
        assert_eq!(
            describe(&json!({"id": "ctc_2", "phone": "+1555"})),
            "+1555 (ctc_2)"
        );
    }
}
