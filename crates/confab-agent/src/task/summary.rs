//! Summaries written from what the tools returned: a contact with their conversations,
//! or one conversation with its messages. Plain facts, no invention: every sentence
//! comes from a field.

use serde_json::Value;

use super::choose::describe;

fn field<'v>(v: &'v Value, name: &str) -> Option<&'v str> {
    v[name].as_str().filter(|s| !s.is_empty())
}

/// The date part of an RFC 3339 timestamp.
fn day(v: &Value, name: &str) -> Option<String> {
    field(v, name).map(|t| t.chars().take(10).collect())
}

fn shorten(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        text
    } else {
        format!("{}…", text.chars().take(max).collect::<String>().trim_end())
    }
}

/// The last message written by `role`, if any.
fn last_by<'v>(messages: &'v [Value], role: &str) -> Option<&'v Value> {
    messages.iter().rev().find(|m| m["role"] == role)
}

/// A contact's summary. `conversations` are theirs, newest first; `latest` is the
/// newest with its `messages`, when there is one.
pub fn contact(contact: &Value, conversations: &[Value], latest: Option<&Value>) -> String {
    let mut out = describe(contact);
    let attributes = &contact["attributes"];
    let company = field(attributes, "company");
    let city = field(attributes, "city");
    match (company, city) {
        (Some(c), Some(p)) => out.push_str(&format!(", at {c} in {p}")),
        (Some(c), None) => out.push_str(&format!(", at {c}")),
        (None, Some(p)) => out.push_str(&format!(", in {p}")),
        (None, None) => {}
    }
    out.push('.');
    if let Some(phone) = field(contact, "phone")
        && field(contact, "name").is_some()
    {
        out.push_str(&format!(" Phone: {phone}."));
    }
    let tags: Vec<&str> = contact["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !tags.is_empty() {
        out.push_str(&format!(" Tags: {}.", tags.join(", ")));
    }
    if let Some(other) = attributes.as_object().map(|a| {
        a.iter()
            .filter(|(k, _)| *k != "company" && *k != "city")
            .map(|(k, v)| {
                format!(
                    "{k}: {}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                )
            })
            .collect::<Vec<_>>()
    }) && !other.is_empty()
    {
        out.push_str(&format!(" Other details: {}.", other.join("; ")));
    }
    if contact["blocked"] == true {
        out.push_str(" Blocked: gets no AI replies or campaigns.");
    }
    if let Some(since) = day(contact, "created_at") {
        out.push_str(&format!(" Contact since {since}."));
    }
    if conversations.is_empty() {
        out.push_str(" No conversations yet.");
        return out;
    }
    let open = conversations
        .iter()
        .filter(|c| c["status"] == "open")
        .count();
    out.push_str(&format!(
        " {} conversation{} ({open} open, {} resolved).",
        conversations.len(),
        if conversations.len() == 1 { "" } else { "s" },
        conversations.len() - open
    ));
    if let Some(c) = latest.or(conversations.first()) {
        out.push(' ');
        out.push_str(&conversation_line(c, "The latest"));
        if let Some(messages) = c["messages"].as_array()
            && let Some(m) = last_by(messages, "customer")
            && let Some(text) = field(m, "text")
        {
            out.push_str(&format!(" Their last message: \"{}\".", shorten(text, 200)));
        }
    }
    out
}

/// One sentence about a conversation: channel, state, who handles it, what it is about.
fn conversation_line(c: &Value, lead: &str) -> String {
    let mut s = format!(
        "{lead}, {}, is {} on {}",
        field(c, "id").unwrap_or("?"),
        field(c, "status").unwrap_or("open"),
        field(c, "channel").unwrap_or("api")
    );
    match field(c, "handled_by") {
        Some("human") => s.push_str(", handled by a person"),
        Some("pending") => s.push_str(", waiting for a person"),
        _ => s.push_str(", handled by the AI"),
    }
    if let Some(intent) = field(c, "intent") {
        s.push_str(&format!(", about {}", intent.replace('_', " ")));
    }
    if let Some(sentiment) = field(c, "sentiment") {
        s.push_str(&format!(", sentiment {sentiment}"));
    }
    if let Some(last) = day(c, "last_activity_at") {
        s.push_str(&format!(", last active {last}"));
    }
    s.push('.');
    s
}

/// A conversation's summary from the conversation with its `messages`.
pub fn conversation(c: &Value) -> String {
    let who = c["contact"]
        .as_object()
        .map(|_| describe(&c["contact"]))
        .unwrap_or_else(|| "an anonymous visitor".to_owned());
    let mut out = format!(
        "{} with {who}",
        conversation_line(c, "The conversation").trim_end_matches('.')
    );
    out.push('.');
    let messages: &[Value] = c["messages"].as_array().map_or(&[], |m| m.as_slice());
    let count = |role: &str| messages.iter().filter(|m| m["role"] == role).count();
    out.push_str(&format!(
        " {} message{}: {} from the customer, {} from the AI, {} from people.",
        messages.len(),
        if messages.len() == 1 { "" } else { "s" },
        count("customer"),
        count("ai"),
        count("agent")
    ));
    if let Some(first) = messages.iter().find(|m| m["role"] == "customer")
        && let Some(text) = field(first, "text")
    {
        out.push_str(&format!(" It began with: \"{}\".", shorten(text, 200)));
    }
    if let Some(last) = messages.last()
        && let Some(text) = field(last, "text")
    {
        out.push_str(&format!(
            " Last ({}): \"{}\".",
            field(last, "role").unwrap_or("?"),
            shorten(text, 200)
        ));
    }
    if let Some(r) = c["resolution"].as_object()
        && let Some(outcome) = r.get("outcome").and_then(Value::as_str)
    {
        out.push_str(&format!(" Resolved as {outcome}."));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_contact_summary_states_the_facts() {
        let john = json!({
            "id": "ctc_1", "name": "John Smith", "email": "john@acme.com", "phone": "+447700900000",
            "tags": ["vip"], "attributes": {"company": "Acme Corp", "city": "London"},
            "blocked": false, "created_at": "2026-11-01T10:00:00.000Z"
        });
        let latest = json!({
            "id": "cnv_1", "status": "open", "channel": "api", "handled_by": "ai",
            "intent": "order_status", "sentiment": "negative", "last_activity_at": "2026-11-20T10:00:00.000Z",
            "messages": [{"role": "customer", "text": "Where is my order?"}, {"role": "ai", "text": "Let me check."}]
        });
        let s = contact(&john, std::slice::from_ref(&latest), Some(&latest));
        for part in [
            "John Smith <john@acme.com> (ctc_1), at Acme Corp in London.",
            "Tags: vip.",
            "Contact since 2026-11-01.",
            "1 conversation (1 open, 0 resolved).",
            "about order status",
            "sentiment negative",
            "Their last message: \"Where is my order?\".",
        ] {
            assert!(s.contains(part), "{part:?} missing from {s:?}");
        }
        let empty = contact(
            &json!({"id": "ctc_2", "email": "a@b.co", "attributes": {}}),
            &[],
            None,
        );
        assert!(empty.ends_with("No conversations yet."), "{empty}");
    }

    #[test]
    fn a_conversation_summary_counts_and_quotes() {
        let c = json!({
            "id": "cnv_1", "status": "resolved", "channel": "web", "handled_by": "human",
            "contact": {"id": "ctc_1", "name": "Ana"},
            "resolution": {"outcome": "answered"},
            "messages": [
                {"role": "customer", "text": "Hi, my parcel is late"},
                {"role": "agent", "text": "Sorry! It arrives tomorrow."}
            ]
        });
        let s = conversation(&c);
        assert!(
            s.starts_with(
                "The conversation, cnv_1, is resolved on web, handled by a person with Ana (ctc_1)."
            ),
            "{s}"
        );
        assert!(
            s.contains("2 messages: 1 from the customer, 0 from the AI, 1 from people."),
            "{s}"
        );
        assert!(
            s.contains("It began with: \"Hi, my parcel is late\"."),
            "{s}"
        );
        assert!(s.contains("Resolved as answered."), "{s}");
    }
}
