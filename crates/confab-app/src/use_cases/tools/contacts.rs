//! Contact tools over `contacts::{list, get, create, update}`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use confab_core::contact::Contact;
use confab_core::page::Page;

use super::spec::{Hints, Meta, ToolSpec};
use super::{NoArguments, page_request, page_summary};
use crate::contacts::{self, ContactCreate, ContactUpdate, ListFilter};
use crate::{Access, Resource};

/// A contact tool's object: the contact it acts on.
pub(super) const CONTACT_ID: (&str, &str) = ("contact_id", "The contact's id (`ctc_…`).");

/// Arguments of `search_contacts`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SearchContacts {
    /// Text to look for in names, email addresses and phone numbers (case-insensitive,
    /// at most 200 characters). Leave it out to list every contact.
    search: Option<String>,
    /// Only contacts carrying this tag.
    tag: Option<String>,
    /// Only contacts whose attributes have these values, ignoring case, e.g.
    /// `{"city": "London"}` or `{"company": "Acme Corp"}`.
    attributes: Option<BTreeMap<String, String>>,
    /// How many contacts to return, 1 to 100 (default 25).
    limit: Option<i64>,
    /// The `next_cursor` of a previous result, to get the page after it.
    cursor: Option<String>,
}

pub(super) fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            Meta {
                name: "search_contacts",
                title: "Search contacts",
                description: "Find the workspace's contacts (customers) by name, email or phone, by tag, or by attribute \
                    values such as city or company, newest first. \
                    Use it before creating a contact to avoid duplicates, and to find a contact's id. \
                    When `has_more` is true, call again with `cursor` set to `next_cursor` for more.",
                needs: (Resource::Contacts, Access::Read),
                hints: Hints::READ,
            },
            |ctx, input: SearchContacts| async move {
                let page = page_request(input.limit, input.cursor.as_deref())?;
                let filter = ListFilter {
                    search: input.search,
                    tag: input.tag,
                };
                let attributes = input.attributes.unwrap_or_default().into_iter().collect();
                contacts::list_where(&ctx, filter, attributes, &page).await
            },
            |page: &Page<Contact>| page_summary(page, "contact", "contacts", describe),
        ),
        ToolSpec::on(
            Meta {
                name: "get_contact",
                title: "Get a contact",
                description: "Read one contact by id: name, email, phone, external id, tags, attributes, \
                    whether they are blocked, and the agent assigned to them.",
                needs: (Resource::Contacts, Access::Read),
                hints: Hints::READ,
            },
            CONTACT_ID,
            |ctx, id, _: NoArguments| async move { contacts::get(&ctx, &id).await },
            |c: &Contact| format!("Contact {}.", describe(c)),
        ),
        ToolSpec::new(
            Meta {
                name: "create_contact",
                title: "Create a contact",
                description: "Add a contact (a customer) to the workspace. Give at least one of name, email, phone or external_id. \
                    Email and external_id are unique: if one is taken the call fails with CONFLICT naming the contact \
                    that has it (search first). Emits `contact.created`.",
                needs: (Resource::Contacts, Access::Write),
                hints: Hints::ADD,
            },
            |ctx, input: ContactCreate| async move { contacts::create(&ctx, input).await },
            |c: &Contact| format!("Created contact {}.", describe(c)),
        ),
        ToolSpec::on(
            Meta {
                name: "update_contact",
                title: "Update a contact",
                description: "Change a contact's fields. Only the fields you send change; send `null` to clear one. \
                    `tags` and `attributes` replace the whole list or object. Emits `contact.updated`.",
                needs: (Resource::Contacts, Access::Write),
                hints: Hints::OVERWRITE,
            },
            CONTACT_ID,
            |ctx, id, input: ContactUpdate| async move { contacts::update(&ctx, &id, input).await },
            |c: &Contact| format!("Updated contact {}.", describe(c)),
        ),
    ]
}

/// `ctc_… (Name, email)`, with whatever the contact has.
fn describe(c: &Contact) -> String {
    let known: Vec<&str> = [&c.name, &c.email, &c.phone, &c.external_id]
        .into_iter()
        .filter_map(|f| f.as_deref())
        .collect();
    if known.is_empty() {
        c.id.to_string()
    } else {
        format!("{} ({})", c.id, known.join(", "))
    }
}
