//! The `local` provider's way through a task, offline and deterministic: read the
//! request (`confab_agent::task::request`), search before acting, pick the best match
//! when several fit (and say why), act through the tools, and answer in words with
//! the records it touched.

use serde_json::{Value, json};

use confab_agent::task::request::{self, ContactQuery, Entity, NewContact, Request, Subject};
use confab_agent::task::{choose, help, summary};
use confab_core::task::{TaskError, TaskTarget};

use super::outcome::{Response, Stop};
use super::session::Session;

/// The most records one search returns to the local agent.
const SEARCH_LIMIT: i64 = 100;

pub(crate) async fn run(s: &Session) -> Result<Response, Stop> {
    let context = Context::of(s.task.context.as_ref());
    let request = request::parse(&s.task.message, context.entity).map_err(|why| {
        Stop::Failed(TaskError {
            code: "NOT_UNDERSTOOD".into(),
            message: help::not_understood(&why.0),
        })
    })?;
    match request {
        Request::CreateContact(c) => create_contact(s, c).await,
        Request::FindContacts(q) => find_contacts(s, q).await,
        Request::Summarise { what, subject } => summarise(s, &context, what, subject).await,
        Request::SendMessage { to, text } => send_message(s, &context, to, &text).await,
        Request::OpenTicket {
            contact,
            subject,
            priority,
        } => open_ticket(s, &context, contact, &subject, priority).await,
        Request::Book {
            resource,
            contact,
            when,
        } => book(s, &context, &resource, contact, &when).await,
    }
}

/// The request's `context`, read.
struct Context {
    entity: Option<Entity>,
    id: Option<String>,
}

impl Context {
    fn of(target: Option<&TaskTarget>) -> Self {
        Context {
            entity: target.and_then(|t| t.entity_type),
            id: target.and_then(|t| t.entity_id.clone()),
        }
    }

    fn require(&self) -> Result<(Entity, &str), Stop> {
        match (self.entity, self.id.as_deref()) {
            (Some(e), Some(id)) => Ok((e, id)),
            _ => Err(Stop::failed(
                "NOT_UNDERSTOOD",
                "The request refers to \"this\" contact or conversation, but context.entity_id is missing.",
            )),
        }
    }
}

fn contacts_of(found: &Value) -> Vec<Value> {
    found["data"].as_array().cloned().unwrap_or_default()
}

fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.trim().eq_ignore_ascii_case(b.trim()))
}

/// What to search by before creating: the email (unique per workspace), else the name
/// (with the company, when given), else the phone number; and how to say it.
fn search_for(c: &NewContact) -> Option<(String, String)> {
    if let Some(email) = &c.email {
        return Some((email.clone(), format!("the email {email}")));
    }
    if let Some(name) = &c.name {
        return Some((name.clone(), format!("the name {name}")));
    }
    let phone = c.phone.as_deref()?;
    let compact = confab_core::validate::phone(phone).unwrap_or_else(|_| phone.to_owned());
    Some((compact, format!("the phone number {phone}")))
}

/// Whether `found` is the contact `c` describes, by the field searched for.
fn is_same(found: &Value, c: &NewContact) -> bool {
    if let Some(email) = &c.email {
        return same_text(found["email"].as_str(), Some(email));
    }
    if let Some(name) = &c.name {
        return same_text(found["name"].as_str(), Some(name))
            && (c.company.is_none()
                || same_text(
                    found["attributes"]["company"].as_str(),
                    c.company.as_deref(),
                ));
    }
    let compact = |p: &str| confab_core::validate::phone(p).ok();
    c.phone.as_deref().and_then(compact).is_some()
        && found["phone"].as_str().and_then(compact) == c.phone.as_deref().and_then(compact)
}

async fn create_contact(s: &Session, c: NewContact) -> Result<Response, Stop> {
    // The parser guarantees a name, an email or a phone number.
    let (needle, searched) = search_for(&c).ok_or_else(|| {
        Stop::failed(
            "NOT_UNDERSTOOD",
            "To create a contact I need at least a name, an email address or a phone number.",
        )
    })?;
    let found = s
        .act(
            "search_contacts",
            json!({"search": needle, "limit": SEARCH_LIMIT}),
        )
        .await?;
    let existing = contacts_of(&found).into_iter().find(|x| is_same(x, &c));
    if let Some(found) = existing {
        return fill_in(s, found, &c).await;
    }
    let mut attributes = serde_json::Map::new();
    if let Some(company) = &c.company {
        attributes.insert("company".into(), json!(company));
    }
    if let Some(city) = &c.city {
        attributes.insert("city".into(), json!(city));
    }
    let mut args = json!({"attributes": attributes});
    for (field, value) in [("name", &c.name), ("email", &c.email), ("phone", &c.phone)] {
        if let Some(v) = value {
            args[field] = json!(v);
        }
    }
    let contact = s.act("create_contact", args).await?;
    let mut text = format!("Created the contact {}", choose::describe(&contact));
    if let Some(company) = &c.company {
        text.push_str(&format!(" at {company}"));
    }
    if let Some(phone) = contact["phone"].as_str() {
        text.push_str(&format!(", phone {phone}"));
    }
    text.push_str(&format!(
        ". I searched first and found no contact with {searched}."
    ));
    Ok(Response {
        text,
        data: json!({"contact": contact, "created": true}),
    })
}

/// The contact exists already: give it the details it lacks, never overwrite.
async fn fill_in(s: &Session, found: Value, c: &NewContact) -> Result<Response, Stop> {
    let mut changes = json!({});
    let mut added = Vec::new();
    for (field, value) in [("name", &c.name), ("phone", &c.phone)] {
        if let Some(v) = value
            && found[field].as_str().is_none_or(str::is_empty)
        {
            changes[field] = json!(v);
            added.push(field.to_owned());
        }
    }
    let mut attributes = found["attributes"].as_object().cloned().unwrap_or_default();
    for (name, value) in [("company", &c.company), ("city", &c.city)] {
        if let Some(v) = value
            && !attributes.contains_key(name)
        {
            attributes.insert(name.into(), json!(v));
            added.push(name.to_owned());
        }
    }
    let why = format!(
        "A contact with these details already exists: {}, so I did not create another",
        choose::describe(&found)
    );
    if added.is_empty() {
        return Ok(Response {
            text: format!("{why}; it already has everything you gave."),
            data: json!({"contact": found, "created": false}),
        });
    }
    changes["contact_id"] = found["id"].clone();
    changes["attributes"] = Value::Object(attributes);
    let updated = s.act("update_contact", changes).await?;
    Ok(Response {
        text: format!("{why}; I added what it lacked: {}.", added.join(", ")),
        data: json!({"contact": updated, "created": false, "updated": added}),
    })
}

async fn find_contacts(s: &Session, q: ContactQuery) -> Result<Response, Stop> {
    let searches: Vec<(Value, String)> = match &q {
        ContactQuery::Place(p) => vec![
            (
                json!({"attributes": {"city": p}}),
                format!("their city is {p}"),
            ),
            (
                json!({"tag": p.to_lowercase()}),
                format!("they are tagged \"{}\"", p.to_lowercase()),
            ),
        ],
        ContactQuery::Company(c) => vec![(
            json!({"attributes": {"company": c}}),
            format!("their company is {c}"),
        )],
        ContactQuery::Tag(t) => vec![(json!({"tag": t}), format!("they are tagged \"{t}\""))],
        ContactQuery::Text(t) => vec![(
            json!({"search": t}),
            format!("their name, email or phone contains \"{t}\""),
        )],
    };
    let mut found: Vec<Value> = Vec::new();
    let mut reasons = Vec::new();
    let mut more = false;
    let tried: Vec<String> = searches.iter().map(|(_, why)| why.clone()).collect();
    for (mut args, why) in searches {
        args["limit"] = json!(SEARCH_LIMIT);
        let result = s.act("search_contacts", args).await?;
        more |= result["has_more"] == true;
        let hits: Vec<Value> = contacts_of(&result)
            .into_iter()
            .filter(|c| !found.iter().any(|f| f["id"] == c["id"]))
            .collect();
        if !hits.is_empty() {
            reasons.push(format!("{} because {why}", hits.len()));
        }
        found.extend(hits);
    }
    let what = match &q {
        ContactQuery::Place(p) => format!("from {p}"),
        ContactQuery::Company(c) => format!("at {c}"),
        ContactQuery::Tag(t) => format!("tagged \"{t}\""),
        ContactQuery::Text(t) => format!("matching \"{t}\""),
    };
    let text = if found.is_empty() {
        format!(
            "No contacts {what}: I found none where {}.",
            tried.join(", nor where ")
        )
    } else {
        let names: Vec<String> = found.iter().map(choose::describe).collect();
        format!(
            "Found {} contact{} {what}: {}. Matched: {}.{}",
            found.len(),
            if found.len() == 1 { "" } else { "s" },
            names.join("; "),
            reasons.join(", "),
            if more {
                format!(
                    " There are more than {SEARCH_LIMIT} per search; narrow the request to see the rest."
                )
            } else {
                String::new()
            }
        )
    };
    Ok(Response {
        text,
        data: json!({"contacts": found, "count": found.len()}),
    })
}

/// Finds the contact a name or email points to; several matches → the best, and why.
async fn resolve(s: &Session, named: &str) -> Result<(Value, Option<String>), Stop> {
    let found = s
        .act(
            "search_contacts",
            json!({"search": named, "limit": SEARCH_LIMIT}),
        )
        .await?;
    let candidates = contacts_of(&found);
    let Some(choice) = choose::best_contact(named, &candidates) else {
        return Err(Stop::failed(
            "NOT_FOUND",
            &format!("No contact matches \"{named}\" by name, email or phone."),
        ));
    };
    let contact = candidates[choice.index].clone();
    let note = (candidates.len() > 1).then(|| {
        format!(
            "{} contacts matched \"{named}\"; I picked {} because {}.",
            candidates.len(),
            choose::describe(&contact),
            choice.reason
        )
    });
    Ok((contact, note))
}

/// The contact a request is about: named, or the context's (a conversation's contact
/// when the context is a conversation).
async fn contact_for(
    s: &Session,
    context: &Context,
    subject: &Subject,
) -> Result<(Value, Option<String>), Stop> {
    match subject {
        Subject::Named(n) => resolve(s, n).await,
        Subject::Context => {
            let (entity, id) = context.require()?;
            let contact_id = match entity {
                Entity::Contact => id.to_owned(),
                Entity::Conversation => {
                    let c = s
                        .act("get_conversation", json!({"conversation_id": id}))
                        .await?;
                    c["contact"]["id"]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            Stop::failed("NOT_FOUND", "This conversation has no contact.")
                        })?
                }
            };
            Ok((
                s.act("get_contact", json!({"contact_id": contact_id}))
                    .await?,
                None,
            ))
        }
    }
}

async fn summarise(
    s: &Session,
    context: &Context,
    what: Entity,
    subject: Subject,
) -> Result<Response, Stop> {
    if what == Entity::Conversation
        && subject == Subject::Context
        && context.entity == Some(Entity::Conversation)
    {
        let (_, id) = context.require()?;
        let c = s
            .act("get_conversation", json!({"conversation_id": id}))
            .await?;
        return Ok(Response {
            text: summary::conversation(&c),
            data: json!({"conversation_id": c["id"]}),
        });
    }
    let (contact, note) = contact_for(s, context, &subject).await?;
    let listed = s
        .act(
            "list_conversations",
            json!({"contact_id": contact["id"], "limit": SEARCH_LIMIT}),
        )
        .await?;
    let conversations = listed["data"].as_array().cloned().unwrap_or_default();
    let latest = match conversations.first() {
        Some(c) => Some(
            s.act("get_conversation", json!({"conversation_id": c["id"]}))
                .await?,
        ),
        None => None,
    };
    let (body, data) = if what == Entity::Conversation {
        let Some(latest) = &latest else {
            return Err(Stop::failed(
                "NOT_FOUND",
                &format!(
                    "{} has no conversations to summarise.",
                    choose::describe(&contact)
                ),
            ));
        };
        (
            summary::conversation(latest),
            json!({"conversation_id": latest["id"], "contact": contact}),
        )
    } else {
        (
            summary::contact(&contact, &conversations, latest.as_ref()),
            json!({"contact": contact, "conversations": conversations.len()}),
        )
    };
    let text = match note {
        Some(note) => format!("{note} {body}"),
        None => body,
    };
    Ok(Response { text, data })
}

async fn open_ticket(
    s: &Session,
    context: &Context,
    contact: Option<Subject>,
    subject: &str,
    priority: Option<&str>,
) -> Result<Response, Stop> {
    let (contact, note) = match &contact {
        Some(subject) => {
            let (c, note) = contact_for(s, context, subject).await?;
            (Some(c), note)
        }
        None => (None, None),
    };
    let mut args = json!({"subject": subject, "priority": priority.unwrap_or("normal")});
    if let Some(c) = &contact {
        args["contact_id"] = c["id"].clone();
    }
    if let (Some(Entity::Conversation), Some(id)) = (context.entity, context.id.as_deref()) {
        args["conversation_id"] = json!(id);
    }
    let ticket = s.act("create_ticket", args).await?;
    let whose = contact
        .as_ref()
        .map(|c| format!(" for {}", choose::describe(c)))
        .unwrap_or_default();
    let done = format!(
        "Opened {} ticket {}{whose}: \"{subject}\".",
        ticket["priority"].as_str().unwrap_or("normal"),
        ticket["reference"].as_str().unwrap_or("?"),
    );
    Ok(Response {
        text: match note {
            Some(n) => format!("{n} {done}"),
            None => done,
        },
        data: json!({"ticket": ticket}),
    })
}

/// The resource a name points to: the one whose name equals it, else the only one
/// containing it (ignoring case).
async fn resource_named(s: &Session, named: &str) -> Result<Value, Stop> {
    let found = s.act("list_resources", json!({"limit": 100})).await?;
    let all = found["data"].as_array().cloned().unwrap_or_default();
    let wanted = named.to_lowercase();
    let name_of = |r: &Value| r["name"].as_str().unwrap_or("").to_lowercase();
    if let Some(exact) = all.iter().find(|r| name_of(r) == wanted) {
        return Ok(exact.clone());
    }
    let partial: Vec<&Value> = all
        .iter()
        .filter(|r| name_of(r).contains(&wanted))
        .collect();
    match partial.as_slice() {
        [one] => Ok((*one).clone()),
        _ => {
            let names: Vec<&str> = all.iter().filter_map(|r| r["name"].as_str()).collect();
            Err(Stop::failed(
                "NOT_FOUND",
                &format!(
                    "No single resource is called \"{named}\"; the bookable ones are: {}.",
                    if names.is_empty() {
                        "none yet".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
            ))
        }
    }
}

async fn book(
    s: &Session,
    context: &Context,
    resource: &str,
    contact: Subject,
    when: &str,
) -> Result<Response, Stop> {
    let resource = resource_named(s, resource).await?;
    let zone = resource["timezone"].as_str().unwrap_or("UTC");
    let tz = confab_core::hours::timezone(zone)
        .map_err(|_| Stop::failed("INTERNAL", "The resource's timezone could not be read."))?;
    let today = s
        .ctx
        .app
        .clock
        .now()
        .to_datetime()
        .with_timezone(&tz)
        .date_naive();
    let asked = confab_agent::when::parse(when, today);
    let Some(date) = asked.date else {
        return Err(Stop::failed(
            "NOT_UNDERSTOOD",
            "Say which day (\"next Tuesday\", \"tomorrow\", \"15 March\").",
        ));
    };
    let Some(time) = asked.time else {
        let free = s
            .act(
                "check_availability",
                json!({"resource_id": resource["id"], "date": date.to_string()}),
            )
            .await?;
        let starts: Vec<&str> = free["slots"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["start"].as_str())
                    .take(8)
                    .collect()
            })
            .unwrap_or_default();
        return Err(Stop::failed(
            "NOT_UNDERSTOOD",
            &format!(
                "Say a time. Free on {date}: {}.",
                if starts.is_empty() {
                    "nothing".to_owned()
                } else {
                    starts.join(", ")
                }
            ),
        ));
    };
    let (contact, note) = contact_for(s, context, &contact).await?;
    let start = chrono::TimeZone::from_local_datetime(&tz, &date.and_time(time))
        .earliest()
        .ok_or_else(|| {
            Stop::failed(
                "NOT_UNDERSTOOD",
                "That local time does not exist there (a clock change).",
            )
        })?;
    let booking = s
        .act(
            "create_booking",
            json!({"resource_id": resource["id"], "contact_id": contact["id"], "start": start.to_rfc3339()}),
        )
        .await?;
    let done = format!(
        "Booked {} for {} from {} to {} ({zone}).",
        resource["name"].as_str().unwrap_or("?"),
        choose::describe(&contact),
        booking["start"].as_str().unwrap_or("?"),
        booking["end"].as_str().unwrap_or("?"),
    );
    Ok(Response {
        text: match note {
            Some(n) => format!("{n} {done}"),
            None => done,
        },
        data: json!({"booking": booking}),
    })
}

async fn send_message(
    s: &Session,
    context: &Context,
    to: Subject,
    text: &str,
) -> Result<Response, Stop> {
    // Into the conversation in context, or to a contact (their open conversation, or
    // a new one).
    let (message, note, sent) = match (&to, context.entity) {
        (Subject::Context, Some(Entity::Conversation)) => {
            let (_, id) = context.require()?;
            let args = json!({"conversation_id": id, "role": "agent", "text": text});
            let message = s.act("send_message", args).await?;
            (
                message,
                None,
                format!("Sent in conversation {id}: \"{text}\"."),
            )
        }
        _ => {
            let (contact, note) = contact_for(s, context, &to).await?;
            let args = json!({"contact_id": contact["id"], "text": text});
            let message = s.act("message_contact", args).await?;
            let sent = format!(
                "Sent to {} in conversation {}: \"{text}\".",
                choose::describe(&contact),
                message["conversation_id"].as_str().unwrap_or("?")
            );
            (message, note, sent)
        }
    };
    Ok(Response {
        text: match note {
            Some(n) => format!("{n} {sent}"),
            None => sent,
        },
        data: json!({"message": message}),
    })
}
