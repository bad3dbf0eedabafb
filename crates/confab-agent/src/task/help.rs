//! What the local task agent can do, for the error a request it does not understand
//! gets.

/// The forms the local agent understands, one per line, with an example each.
pub const CAPABILITIES: &[(&str, &str)] = &[
    (
        "create a contact from a name, company, email and phone",
        "Create a contact for John Smith at Acme Corp, john@acme.com, +44 7700 900000",
    ),
    (
        "find contacts by city, company, tag or name",
        "Find all contacts from London",
    ),
    (
        "summarise a contact or a conversation (send context.entity_id, or name the contact)",
        "Give me a full summary of this contact",
    ),
    (
        "send a message to a contact (in their open conversation, or a new one)",
        "Send a message to John Smith: your order has shipped",
    ),
    (
        "book a resource for a contact on a day and time",
        "Book Dr. Rao for John Smith next Tuesday at 10",
    ),
    (
        "open a ticket for a contact, with a priority (in a conversation's context, from it)",
        "Open a high-priority ticket for Acme about the broken invoice",
    ),
];

/// `why`, then what the local agent can do.
pub fn not_understood(why: &str) -> String {
    let mut out = format!("{why} The local agent can: ");
    let forms: Vec<String> = CAPABILITIES
        .iter()
        .map(|(what, example)| format!("{what} (\"{example}\")"))
        .collect();
    out.push_str(&forms.join("; "));
    out.push_str(
        ". For anything else, configure an LLM provider (CONFAB_AI_PROVIDER=openai or anthropic).",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_form_with_an_example() {
        let text = not_understood("I could not tell what you want done.");
        assert!(text.starts_with("I could not tell what you want done. The local agent can: "));
        for (what, example) in CAPABILITIES {
            assert!(text.contains(what) && text.contains(example));
        }
    }
}
