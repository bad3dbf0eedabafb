//! Reading a plain-English request into one of the forms the local agent carries out.
//! The reading is deliberately narrow: a sentence that does not clearly fit one form
//! is not guessed at, so the caller gets a helpful error instead of a wrong action.
//!
//! Keywords are English and ASCII, so the text is lower-cased for ASCII only: byte
//! positions found in the lower-cased copy then stand in the original too, whatever
//! letters the names are written in.

pub use confab_core::task::Entity;
use confab_core::validate;

/// Who or what the request refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The request's `context.entity_id`.
    Context,
    /// A name or an email address to search for.
    Named(String),
}

/// A contact to create.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewContact {
    pub name: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
}

/// How to find contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactQuery {
    /// "from London", "in Paris": the `city` attribute (or a tag of that name).
    Place(String),
    /// "at Acme Corp", "working for Acme": the `company` attribute.
    Company(String),
    /// "tagged vip", "with the tag vip".
    Tag(String),
    /// "named John", "called Smith": name, email or phone.
    Text(String),
}

/// One of the forms the local agent understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// "Book Dr. Rao for John Smith next Tuesday at 10": `when` is the whole sentence,
    /// read later against the resource's local date (`crate::when`).
    Book {
        resource: String,
        contact: Subject,
        when: String,
    },
    /// "Open a high-priority ticket for Acme about the broken invoice".
    OpenTicket {
        /// Whose ticket: named, or the context's contact; `None` for nobody in particular.
        contact: Option<Subject>,
        subject: String,
        /// `low`, `normal`, `high` or `urgent` when the request says.
        priority: Option<&'static str>,
    },
    CreateContact(NewContact),
    FindContacts(ContactQuery),
    Summarise {
        what: Entity,
        subject: Subject,
    },
    SendMessage {
        to: Subject,
        text: String,
    },
}

/// Why a request was not understood, in a sentence for the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotUnderstood(pub String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verb {
    Create,
    Find,
    Summarise,
    Send,
}

const CREATE: &[&str] = &["create", "add", "new", "register", "save"];
const FIND: &[&str] = &["find", "search", "list", "show", "lookup"];
const SUMMARISE: &[&str] = &["summary", "summarise", "summarize", "overview", "recap"];
const SEND: &[&str] = &["send", "tell", "write", "text", "notify", "message"];

/// Words of the request, lower-cased, without punctuation.
fn words(lower: &str) -> Vec<String> {
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '@' || c == '.' || c == '+' || c == '_'))
        .map(|w| w.trim_matches('.').to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Every verb the request uses, in order of appearance, each once.
fn verbs(words: &[String]) -> Vec<Verb> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let verb = if SUMMARISE.contains(&w.as_str()) {
            Some(Verb::Summarise)
        } else if SEND.contains(&w.as_str()) {
            // "message" is a noun after "send a"; it is the verb only at the start.
            (w != "message" || i == 0).then_some(Verb::Send)
        } else if FIND.contains(&w.as_str()) {
            Some(Verb::Find)
        } else if CREATE.contains(&w.as_str()) {
            Some(Verb::Create)
        } else {
            None
        };
        if let Some(v) = verb
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

/// Reads `message`. `context` is the kind of the request's `context.entity_id`, when
/// it has one.
pub fn parse(message: &str, context: Option<Entity>) -> Result<Request, NotUnderstood> {
    let text = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = text.to_ascii_lowercase();
    let words = words(&lower);
    // "Open/raise/file/create a ticket …" is its own form, whatever else it says.
    if words.iter().any(|w| w == "ticket")
        && words
            .iter()
            .any(|w| ["open", "raise", "file", "create", "log", "new"].contains(&w.as_str()))
    {
        return open_ticket(&text, &lower, context);
    }
    if words
        .first()
        .is_some_and(|w| ["book", "schedule", "reserve"].contains(&w.as_str()))
    {
        return book(&text, &lower, context);
    }
    let found = verbs(&words);
    // "Give me a full summary" leads with no verb of ours but is one request.
    match found.as_slice() {
        [] => Err(NotUnderstood(
            "I could not tell what you want done.".into(),
        )),
        [Verb::Create] => create_contact(&text, &words),
        [Verb::Find] => find_contacts(&text, &lower),
        [Verb::Summarise] | [Verb::Find, Verb::Summarise] if !lower.contains(" and ") => {
            summarise(&text, &lower, context)
        }
        [Verb::Send] => send_message(&text, &lower, context),
        _ => Err(NotUnderstood(
            "This asks for several things at once; the local agent does one thing per task (an LLM provider can do several).".into(),
        )),
    }
}

/// The text after the first occurrence of one of `markers` (matched on the
/// lower-cased text at word boundaries), up to the end.
fn after<'t>(text: &'t str, lower: &str, markers: &[&str]) -> Option<&'t str> {
    markers
        .iter()
        .filter_map(|m| {
            let needle = format!(" {m} ");
            lower.find(&needle).map(|at| at + needle.len())
        })
        .min()
        .map(|at| text[at..].trim())
}

/// Cuts a value at the first clause boundary and drops surrounding quotes and
/// punctuation.
fn clean(value: &str) -> Option<String> {
    let cut = value
        .split([',', ';', '?', '!'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('.')
        .trim_matches(|c| c == '"' || c == '\'' || c == '“' || c == '”')
        .trim();
    (!cut.is_empty()).then(|| cut.to_owned())
}

fn email_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || ",;<>()\"'".contains(c))
        .map(|w| w.trim_end_matches(['.', ':']))
        .find(|w| w.contains('@'))
        .and_then(|w| validate::email(w).ok())
}

/// A phone number: a run of digits, spaces, dots, hyphens and parentheses, starting
/// with `+` or a digit, with 7 to 15 digits.
fn phone_in(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '+'
            || chars[i].is_ascii_digit()
            || (chars[i] == '(' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        let after_word = i == 0 || !chars[i - 1].is_alphanumeric() && chars[i - 1] != '@';
        if starts && after_word {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_digit() || " -.()".contains(chars[j])) {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let run = run.trim_end_matches([' ', '-', '.', '(']).to_owned();
            let digits = run.chars().filter(char::is_ascii_digit).count();
            if (7..=15).contains(&digits) && chars.get(j).is_none_or(|c| *c != '@') {
                return Some(run);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    None
}

/// A plausible person's or company's name: 1 to 8 words, with letters.
fn plausible_name(s: &str) -> bool {
    let words = s.split_whitespace().count();
    (1..=8).contains(&words) && s.chars().any(char::is_alphabetic) && !s.contains('@')
}

fn create_contact(text: &str, words: &[String]) -> Result<Request, NotUnderstood> {
    if !words
        .iter()
        .any(|w| w == "contact" || w == "customer" || w == "person")
    {
        return Err(NotUnderstood(
            "I can create contacts, but this does not say to create one.".into(),
        ));
    }
    let mut contact = NewContact {
        email: email_in(text),
        phone: phone_in(text),
        ..NewContact::default()
    };
    let lower = text.to_ascii_lowercase();
    let body = ["contact", "customer", "person"]
        .iter()
        .filter_map(|w| lower.find(w).map(|at| at + w.len()))
        .min()
        .map_or("", |at| text[at..].trim_start_matches([':', ' ']));
    for segment in body.split([',', ';']) {
        let segment = segment.trim().trim_end_matches('.');
        let seg_lower = segment.to_ascii_lowercase();
        if segment.is_empty()
            || contact
                .email
                .as_deref()
                .is_some_and(|e| seg_lower.contains(&e.to_ascii_lowercase()))
            || contact
                .phone
                .as_deref()
                .is_some_and(|p| segment.contains(p))
        {
            continue;
        }
        // "name: John", "company Acme", "city London", "email …", "phone …".
        let labelled = ["name", "company", "city", "email", "phone"]
            .iter()
            .find_map(|label| {
                seg_lower
                    .strip_prefix(label)
                    .filter(|rest| rest.starts_with([' ', ':']))
                    .map(|_| {
                        (
                            *label,
                            segment[label.len()..].trim_start_matches([' ', ':']).trim(),
                        )
                    })
            });
        if let Some((label, value)) = labelled {
            match label {
                "name" => contact.name = clean(value),
                "company" => contact.company = clean(value),
                "city" => contact.city = clean(value),
                _ => {}
            }
            continue;
        }
        if contact.name.is_some() {
            // A second free segment: "…, Acme Corp" or "…, London".
            if contact.company.is_none() {
                contact.company = clean(segment).filter(|s| plausible_name(s));
            }
            continue;
        }
        let mut rest = segment;
        for lead in ["for ", "named ", "called ", "of ", "with name "] {
            if rest.to_ascii_lowercase().starts_with(lead) {
                rest = rest[lead.len()..].trim();
                break;
            }
        }
        let rest_lower = rest.to_ascii_lowercase();
        let split_at = |markers: &[&str]| {
            markers
                .iter()
                .filter_map(|m| rest_lower.find(m).map(|at| (at, m.len())))
                .min()
        };
        let (name_part, tail) =
            match split_at(&[" at ", " from ", " who works at ", " working at ", " of "]) {
                Some((at, len)) => (&rest[..at], Some(&rest[at + len..])),
                None => (rest, None),
            };
        if let Some(tail) = tail {
            let (company, city) = split_place(tail);
            contact.company = clean(company);
            contact.city = city.and_then(clean);
        }
        contact.name = clean(name_part).filter(|n| plausible_name(n));
    }
    if contact
        .company
        .as_deref()
        .is_some_and(|c| !plausible_name(c))
    {
        contact.company = None;
    }
    if contact.name.is_none() && contact.email.is_none() && contact.phone.is_none() {
        return Err(NotUnderstood(
            "To create a contact I need at least a name, an email address or a phone number."
                .into(),
        ));
    }
    Ok(Request::CreateContact(contact))
}

/// Where a "for <contact>" ends and the time begins.
const WHEN_MARKERS: &[&str] = &[
    " next ",
    " tomorrow",
    " today",
    " on ",
    " at ",
    " this ",
    " monday",
    " tuesday",
    " wednesday",
    " thursday",
    " friday",
    " saturday",
    " sunday",
    " in the ",
];

fn book(text: &str, lower: &str, context: Option<Entity>) -> Result<Request, NotUnderstood> {
    let verb_end = lower.find(' ').unwrap_or(lower.len());
    let rest = &text[verb_end..];
    let rest_lower = &lower[verb_end..];
    let Some(for_at) = rest_lower.find(" for ") else {
        return Err(NotUnderstood(
            "To book, say who or what for whom and when (\"Book Dr. Rao for John Smith next Tuesday at 10\").".into(),
        ));
    };
    let resource = rest[..for_at]
        .trim()
        .trim_start_matches("an appointment with ")
        .trim_start_matches("a visit with ");
    let resource = clean(resource)
        .ok_or_else(|| NotUnderstood("Say what to book (a person's name or a room).".into()))?;
    let after_for = &rest[for_at + 5..];
    let after_lower = after_for.to_ascii_lowercase();
    let end = WHEN_MARKERS
        .iter()
        .filter_map(|m| format!(" {after_lower}").find(m))
        .min()
        .unwrap_or(after_for.len())
        .min(after_for.len());
    let contact = match clean(&after_for[..end]) {
        Some(n)
            if ["this contact", "this customer", "them"]
                .contains(&n.to_ascii_lowercase().as_str())
                && context.is_some() =>
        {
            Subject::Context
        }
        Some(n) if plausible_name(&n) => Subject::Named(n),
        _ => {
            return Err(NotUnderstood(
                "Say who the booking is for (\"… for John Smith …\").".into(),
            ));
        }
    };
    Ok(Request::Book {
        resource,
        contact,
        when: text.to_owned(),
    })
}

fn open_ticket(text: &str, lower: &str, context: Option<Entity>) -> Result<Request, NotUnderstood> {
    let priority = ["urgent", "high", "normal", "low"].into_iter().find(|p| {
        [
            format!("{p}-priority"),
            format!("{p} priority"),
            format!("{p} ticket"),
        ]
        .iter()
        .any(|phrase| lower.contains(phrase.as_str()))
            || (*p == "urgent" && lower.contains(" urgent"))
    });
    let subject = after(text, lower, &["about", "regarding", "concerning", "re"])
        .and_then(clean)
        .ok_or_else(|| {
            NotUnderstood(
                "A ticket needs a subject: say what it is about (\"… about the broken invoice\")."
                    .into(),
            )
        })?;
    // "for Acme" up to "about …".
    let contact = after(text, lower, &["for"]).and_then(|rest| {
        let rest_lower = rest.to_ascii_lowercase();
        let end = [" about ", " regarding ", " concerning ", " re "]
            .iter()
            .filter_map(|m| rest_lower.find(m))
            .min()
            .unwrap_or(rest.len());
        clean(&rest[..end]).filter(|n| plausible_name(n))
    });
    let contact = match contact {
        Some(n)
            if ["this contact", "this customer", "them", "this conversation"]
                .contains(&n.to_ascii_lowercase().as_str()) =>
        {
            context.map(|_| Subject::Context)
        }
        Some(n) => Some(Subject::Named(n)),
        None => context.map(|_| Subject::Context),
    };
    Ok(Request::OpenTicket {
        contact,
        subject,
        priority,
    })
}

/// "Acme Corp in London" → ("Acme Corp", Some("London")).
fn split_place(text: &str) -> (&str, Option<&str>) {
    let lower = text.to_ascii_lowercase();
    [" based in ", " in "]
        .iter()
        .find_map(|m| {
            lower
                .find(m)
                .map(|at| (&text[..at], Some(&text[at + m.len()..])))
        })
        .unwrap_or((text, None))
}

fn find_contacts(text: &str, lower: &str) -> Result<Request, NotUnderstood> {
    let tagged = after(
        text,
        lower,
        &["tagged", "labelled", "labeled", "with the tag", "with tag"],
    );
    if let Some(tag) = tagged.and_then(clean) {
        return Ok(Request::FindContacts(ContactQuery::Tag(
            tag.trim_matches('#').to_owned(),
        )));
    }
    let company = after(
        text,
        lower,
        &[
            "working at",
            "who work at",
            "who works at",
            "employed at",
            "working for",
            "at",
            "of company",
            "company",
        ],
    );
    if let Some(company) = company.and_then(clean) {
        return Ok(Request::FindContacts(ContactQuery::Company(company)));
    }
    let place = after(
        text,
        lower,
        &[
            "from",
            "in",
            "based in",
            "located in",
            "living in",
            "who live in",
        ],
    );
    if let Some(place) = place.and_then(clean) {
        return Ok(Request::FindContacts(ContactQuery::Place(place)));
    }
    let named = after(text, lower, &["named", "called", "matching"]);
    if let Some(name) = named.and_then(clean) {
        return Ok(Request::FindContacts(ContactQuery::Text(name)));
    }
    Err(NotUnderstood(
        "I can find contacts by city (\"from London\"), company (\"at Acme Corp\"), tag (\"tagged vip\") or name (\"named John\"); this names none of them.".into(),
    ))
}

fn summarise(text: &str, lower: &str, context: Option<Entity>) -> Result<Request, NotUnderstood> {
    let what =
        if lower.contains("conversation") || lower.contains("chat") || lower.contains("thread") {
            Entity::Conversation
        } else if lower.contains("contact") || lower.contains("customer") {
            Entity::Contact
        } else {
            context.unwrap_or(Entity::Contact)
        };
    let refers_to_context = ["this ", "that ", "the current "].iter().any(|w| {
        lower.contains(&format!("{w}contact"))
            || lower.contains(&format!("{w}customer"))
            || lower.contains(&format!("{w}conversation"))
            || lower.contains(&format!("{w}chat"))
    });
    // "a summary of John Smith", "summarise John Smith".
    let named = after(text, lower, &["of", "about", "on", "for"])
        .or_else(|| {
            let at = SUMMARISE
                .iter()
                .filter_map(|v| lower.find(&format!("{v} ")).map(|at| at + v.len()))
                .min()?;
            Some(text[at..].trim())
        })
        .and_then(clean)
        .filter(|n| plausible_name(n) || n.contains('@'));
    let subject = match named {
        Some(n) if !refers_to_context => {
            let n = n
                .trim_start_matches("contact ")
                .trim_start_matches("customer ")
                .to_owned();
            Subject::Named(n)
        }
        _ if context.is_some() => Subject::Context,
        _ => {
            return Err(NotUnderstood(format!(
                "Which {}? Name them, or send context.entity_id ({}).",
                if what == Entity::Contact {
                    "contact"
                } else {
                    "conversation"
                },
                if what == Entity::Contact {
                    "ctc_…"
                } else {
                    "cnv_…"
                }
            )));
        }
    };
    Ok(Request::Summarise { what, subject })
}

fn send_message(
    text: &str,
    lower: &str,
    context: Option<Entity>,
) -> Result<Request, NotUnderstood> {
    // The message: after a colon, inside quotes, or after "saying"/"that".
    let quoted = text
        .split_once(['"', '“'])
        .and_then(|(_, rest)| rest.split_once(['"', '”']))
        .map(|(inside, _)| inside.trim().to_owned());
    let (head, body) = if let Some((head, body)) = text.split_once(':') {
        (head.to_owned(), Some(body.trim().to_owned()))
    } else if let Some(q) = quoted {
        let head = text.split(['"', '“']).next().unwrap_or("").to_owned();
        (head, Some(q))
    } else {
        let marker = [" saying ", " that ", " to say "]
            .iter()
            .filter_map(|m| lower.find(m).map(|at| (at, m.len())))
            .min();
        match marker {
            Some((at, len)) => (
                text[..at].to_owned(),
                Some(text[at + len..].trim().to_owned()),
            ),
            None => (text.to_owned(), None),
        }
    };
    let Some(body) = body.filter(|b| !b.is_empty()) else {
        return Err(NotUnderstood(
            "What should the message say? Put it after a colon: \"Send a message to John Smith: your order has shipped\".".into(),
        ));
    };
    let head_lower = head.to_ascii_lowercase();
    let mut to = after(&head, &head_lower, &["to"]).and_then(clean);
    if to.is_none() {
        // "Tell John Smith that …", "Message john@acme.com: …".
        let first_space = head.find(' ').map_or(head.len(), |i| i + 1);
        to = clean(&head[first_space..]).filter(|t| plausible_name(t) || t.contains('@'));
    }
    let context_contact = context == Some(Entity::Contact);
    let subject = match to {
        Some(t)
            if [
                "this contact",
                "this customer",
                "them",
                "him",
                "her",
                "the contact",
            ]
            .iter()
            .any(|w| t.to_lowercase() == *w || t.to_lowercase().starts_with(&format!("{w} "))) =>
        {
            Subject::Context
        }
        Some(t) => {
            let t = t.trim_start_matches("a message to ").to_owned();
            Subject::Named(t.strip_prefix("contact ").map(str::to_owned).unwrap_or(t))
        }
        None if context_contact => Subject::Context,
        None => {
            return Err(NotUnderstood(
                "Who should get the message? Name the contact (\"to John Smith\") or send context.entity_id.".into(),
            ));
        }
    };
    if subject == Subject::Context && !context_contact {
        return Err(NotUnderstood(
            "The message is for \"this contact\", but the request has no context.entity_id of a contact (ctc_…).".into(),
        ));
    }
    let mut body = body
        .trim_matches(|c| c == '"' || c == '“' || c == '”')
        .trim()
        .to_owned();
    if let Some(first) = body.chars().next() {
        body = first.to_uppercase().collect::<String>() + &body[first.len_utf8()..];
    }
    Ok(Request::SendMessage {
        to: subject,
        text: body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_booking_request() {
        let r = parse("Book Dr. Rao for John Smith next Tuesday at 10", None).unwrap();
        assert_eq!(
            r,
            Request::Book {
                resource: "Dr. Rao".into(),
                contact: Subject::Named("John Smith".into()),
                when: "Book Dr. Rao for John Smith next Tuesday at 10".into(),
            }
        );
        let Request::Book {
            resource, contact, ..
        } = parse("Schedule Room 2 for Ana Lima on Friday at 3pm", None).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (resource.as_str(), contact),
            ("Room 2", Subject::Named("Ana Lima".into()))
        );
        assert!(parse("Book Dr. Rao tomorrow", None).is_err(), "for whom?");
    }

    #[test]
    fn opens_a_ticket_with_its_contact_subject_and_priority() {
        assert_eq!(
            parse(
                "Open a high-priority ticket for Acme about the broken invoice",
                None
            )
            .unwrap(),
            Request::OpenTicket {
                contact: Some(Subject::Named("Acme".into())),
                subject: "the broken invoice".into(),
                priority: Some("high"),
            }
        );
        assert_eq!(
            parse(
                "Raise an urgent ticket regarding the outage.",
                Some(Entity::Conversation)
            )
            .unwrap(),
            Request::OpenTicket {
                contact: Some(Subject::Context),
                subject: "the outage".into(),
                priority: Some("urgent"),
            }
        );
        assert!(
            parse("Open a ticket for Acme", None).is_err(),
            "a ticket needs a subject"
        );
    }

    #[test]
    fn creates_a_contact_from_a_sentence() {
        let r = parse(
            "Create a contact for John Smith at Acme Corp, john@acme.com, +44 7700 900000",
            None,
        )
        .unwrap();
        assert_eq!(
            r,
            Request::CreateContact(NewContact {
                name: Some("John Smith".into()),
                company: Some("Acme Corp".into()),
                email: Some("john@acme.com".into()),
                phone: Some("+44 7700 900000".into()),
                city: None,
            })
        );
        let r = parse(
            "Add a new contact named Ana Lima from Globex in Lisbon, ana@globex.io",
            None,
        )
        .unwrap();
        let Request::CreateContact(c) = r else {
            panic!("{r:?}")
        };
        assert_eq!(c.name.as_deref(), Some("Ana Lima"));
        assert_eq!(c.company.as_deref(), Some("Globex"));
        assert_eq!(c.city.as_deref(), Some("Lisbon"));
        let r = parse(
            "Create contact: name Bo Chen, company Initech, phone (555) 123-4567",
            None,
        )
        .unwrap();
        let Request::CreateContact(c) = r else {
            panic!("{r:?}")
        };
        assert_eq!(
            (c.name.as_deref(), c.company.as_deref()),
            (Some("Bo Chen"), Some("Initech"))
        );
        assert_eq!(c.phone.as_deref(), Some("(555) 123-4567"));
    }

    #[test]
    fn finds_contacts_by_place_company_tag_or_name() {
        let find = |s| parse(s, None).unwrap();
        assert_eq!(
            find("Find all contacts from London"),
            Request::FindContacts(ContactQuery::Place("London".into()))
        );
        assert_eq!(
            find("Show me the contacts working at Acme Corp."),
            Request::FindContacts(ContactQuery::Company("Acme Corp".into()))
        );
        assert_eq!(
            find("list contacts tagged VIP"),
            Request::FindContacts(ContactQuery::Tag("VIP".into()))
        );
        assert_eq!(
            find("search for contacts named Smith"),
            Request::FindContacts(ContactQuery::Text("Smith".into()))
        );
    }

    #[test]
    fn summarises_the_context_or_a_named_contact() {
        assert_eq!(
            parse(
                "Give me a full summary of this contact",
                Some(Entity::Contact)
            )
            .unwrap(),
            Request::Summarise {
                what: Entity::Contact,
                subject: Subject::Context
            }
        );
        assert_eq!(
            parse("Summarise this conversation", Some(Entity::Conversation)).unwrap(),
            Request::Summarise {
                what: Entity::Conversation,
                subject: Subject::Context
            }
        );
        assert_eq!(
            parse("Give me a summary of John Smith", None).unwrap(),
            Request::Summarise {
                what: Entity::Contact,
                subject: Subject::Named("John Smith".into())
            }
        );
        assert!(parse("Give me a full summary of this contact", None).is_err());
    }

    #[test]
    fn sends_a_message_to_a_named_contact_or_the_context() {
        assert_eq!(
            parse("Send a message to John Smith: your order has shipped", None).unwrap(),
            Request::SendMessage {
                to: Subject::Named("John Smith".into()),
                text: "Your order has shipped".into()
            }
        );
        assert_eq!(
            parse("Tell john@acme.com that the invoice is ready", None).unwrap(),
            Request::SendMessage {
                to: Subject::Named("john@acme.com".into()),
                text: "The invoice is ready".into()
            }
        );
        assert_eq!(
            parse(
                "Send this contact a message: \"Thanks for your order!\"",
                Some(Entity::Contact)
            )
            .unwrap(),
            Request::SendMessage {
                to: Subject::Context,
                text: "Thanks for your order!".into()
            }
        );
        assert!(parse("Send a message to John Smith", None).is_err());
    }

    #[test]
    fn names_in_any_script_keep_their_letters() {
        let r = parse(
            "Create a contact for İlkay Öztürk at Şirket Ltd, ilkay@example.com",
            None,
        )
        .unwrap();
        let Request::CreateContact(c) = r else {
            panic!("{r:?}")
        };
        assert_eq!(c.name.as_deref(), Some("İlkay Öztürk"));
        assert_eq!(c.company.as_deref(), Some("Şirket Ltd"));
        assert_eq!(
            parse("Find all contacts from İSTANBUL", None).unwrap(),
            Request::FindContacts(ContactQuery::Place("İSTANBUL".into()))
        );
        assert_eq!(
            parse("Send a message to Ørjan Ångström: ça marche", None).unwrap(),
            Request::SendMessage {
                to: Subject::Named("Ørjan Ångström".into()),
                text: "Ça marche".into()
            }
        );
    }

    #[test]
    fn refuses_what_it_cannot_do_safely() {
        assert!(parse("What's the weather like?", None).is_err());
        let several = parse(
            "Find John Smith, summarise his history, and send it to ana@acme.com",
            None,
        )
        .unwrap_err();
        assert!(several.0.contains("several"), "{}", several.0);
    }
}
