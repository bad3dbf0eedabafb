//! The workspace actions the task agent may take, by name, with JSON arguments and
//! JSON results: the same use cases, under the same names, as the MCP server's tools
//! (`search_contacts`, `get_contact`, `create_contact`, `update_contact`,
//! `list_conversations`, `get_conversation`, `send_message`, `search_knowledge`).
//! The local agent calls them by name; an LLM sees [`visible`] as its tools. Each call
//! runs as the task's key, so the key's scopes limit the agent exactly as they limit
//! the key.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use confab_agent::provider::ToolSpec;
use confab_core::page::PageRequest;

use crate::contacts::{self, ContactCreate, ContactUpdate};
use crate::{Access, AppError, AppResult, Ctx, Resource, conversations, knowledge, messages};

/// One tool: its name, what it is for, its arguments' JSON Schema, and what it touches.
pub struct Tool {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: Value,
    pub resource: Resource,
    pub access: Access,
}

/// Every tool.
pub fn catalog() -> Vec<Tool> {
    let id = |prefix: &str| json!({"type": "string", "description": format!("An id starting with {prefix}")});
    let limit = json!({"type": "integer", "minimum": 1, "maximum": 100, "description": "At most this many (default 25)."});
    vec![
        Tool {
            name: "search_contacts",
            description: "Find contacts by name, email or phone (query), by tag, or by the city or company attribute. Returns the newest first.",
            parameters: json!({"type": "object", "properties": {
                "query": {"type": "string", "description": "Part of a name, email or phone."},
                "tag": {"type": "string"},
                "city": {"type": "string", "description": "The contact's `city` attribute, exactly (any case)."},
                "company": {"type": "string", "description": "The contact's `company` attribute, exactly (any case)."},
                "limit": limit,
            }, "additionalProperties": false}),
            resource: Resource::Contacts,
            access: Access::Read,
        },
        Tool {
            name: "get_contact",
            description: "Read one contact.",
            parameters: json!({"type": "object", "properties": {"contact_id": id("ctc_")},
                "required": ["contact_id"], "additionalProperties": false}),
            resource: Resource::Contacts,
            access: Access::Read,
        },
        Tool {
            name: "create_contact",
            description: "Create a contact. Search first: an email or external_id already in use is refused. Put company, city and other facts in attributes.",
            parameters: json!({"type": "object", "properties": {
                "name": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"},
                "external_id": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "attributes": {"type": "object", "description": "e.g. {\"company\": \"Acme Corp\", \"city\": \"London\"}"},
            }, "additionalProperties": false}),
            resource: Resource::Contacts,
            access: Access::Write,
        },
        Tool {
            name: "update_contact",
            description: "Change a contact's name, email, phone, tags or attributes; absent fields stay as they are.",
            parameters: json!({"type": "object", "properties": {
                "contact_id": id("ctc_"),
                "name": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "attributes": {"type": "object"},
            }, "required": ["contact_id"], "additionalProperties": false}),
            resource: Resource::Contacts,
            access: Access::Write,
        },
        Tool {
            name: "list_conversations",
            description: "List conversations, newest first, optionally of one contact or in one status (open, resolved).",
            parameters: json!({"type": "object", "properties": {
                "contact_id": id("ctc_"),
                "status": {"type": "string", "enum": ["open", "resolved"]},
                "limit": limit,
            }, "additionalProperties": false}),
            resource: Resource::Conversations,
            access: Access::Read,
        },
        Tool {
            name: "get_conversation",
            description: "Read one conversation with all its messages.",
            parameters: json!({"type": "object", "properties": {"conversation_id": id("cnv_")},
                "required": ["conversation_id"], "additionalProperties": false}),
            resource: Resource::Conversations,
            access: Access::Read,
        },
        Tool {
            name: "send_message",
            description: "Send a message as the team: into a conversation (conversation_id), or to a contact (contact_id: their open conversation, or a new one).",
            parameters: json!({"type": "object", "properties": {
                "conversation_id": id("cnv_"),
                "contact_id": id("ctc_"),
                "text": {"type": "string", "description": "At most 10,000 characters."},
            }, "required": ["text"], "additionalProperties": false}),
            resource: Resource::Conversations,
            access: Access::Write,
        },
        Tool {
            name: "search_knowledge",
            description: "Search the knowledge base; best matches first.",
            parameters: json!({"type": "object", "properties": {
                "query": {"type": "string"}, "limit": limit,
            }, "required": ["query"], "additionalProperties": false}),
            resource: Resource::Knowledge,
            access: Access::Read,
        },
    ]
}

/// The tools `ctx` may call, as a model sees them.
pub fn visible(ctx: &Ctx) -> Vec<ToolSpec> {
    catalog()
        .into_iter()
        .filter(|t| ctx.authorize(t.resource, t.access).is_ok())
        .map(|t| ToolSpec {
            name: t.name.to_owned(),
            description: t.description.to_owned(),
            parameters: t.parameters,
        })
        .collect()
}

fn arguments<T: DeserializeOwned>(raw: Value) -> AppResult<T> {
    let raw = if raw.is_null() { json!({}) } else { raw };
    serde_json::from_value(raw).map_err(|e| AppError::field("arguments", &e.to_string()))
}

fn page(limit: Option<i64>) -> AppResult<PageRequest> {
    match limit {
        None => Ok(PageRequest::first(25)),
        Some(n) if (1..=100).contains(&n) => Ok(PageRequest::first(n)),
        Some(_) => Err(AppError::field("limit", "must be from 1 to 100")),
    }
}

fn json_of<T: serde::Serialize>(value: T) -> AppResult<Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(format!("tool result: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchContacts {
    query: Option<String>,
    tag: Option<String>,
    city: Option<String>,
    company: Option<String>,
    limit: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactRef {
    contact_id: String,
}

/// The id, and the changes as `ContactUpdate` reads them (which refuses unknown fields).
#[derive(Deserialize)]
struct UpdateContact {
    contact_id: String,
    #[serde(flatten)]
    changes: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListConversations {
    contact_id: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationRef {
    conversation_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendMessage {
    conversation_id: Option<String>,
    contact_id: Option<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchKnowledge {
    query: String,
    limit: Option<i64>,
}

/// Runs the tool `name` with `raw` arguments as `ctx`.
pub async fn call(ctx: &Ctx, name: &str, raw: Value) -> AppResult<Value> {
    match name {
        "search_contacts" => {
            let a: SearchContacts = arguments(raw)?;
            let attributes: Vec<(String, String)> = [("city", a.city), ("company", a.company)]
                .into_iter()
                .filter_map(|(k, v)| {
                    v.filter(|v| !v.trim().is_empty())
                        .map(|v| (k.to_owned(), v.trim().to_owned()))
                })
                .collect();
            let filter = contacts::ListFilter {
                search: a.query,
                tag: a.tag,
            };
            let found = contacts::list_where(ctx, filter, attributes, &page(a.limit)?).await?;
            Ok(json!({"contacts": json_of(&found.data)?, "has_more": found.has_more}))
        }
        "get_contact" => {
            let a: ContactRef = arguments(raw)?;
            json_of(contacts::get(ctx, &a.contact_id).await?)
        }
        "create_contact" => {
            let input: ContactCreate = arguments(raw)?;
            json_of(contacts::create(ctx, input).await?)
        }
        "update_contact" => {
            let a: UpdateContact = arguments(raw)?;
            let changes: ContactUpdate = arguments(a.changes)?;
            json_of(contacts::update(ctx, &a.contact_id, changes).await?)
        }
        "list_conversations" => {
            let a: ListConversations = arguments(raw)?;
            let filter = conversations::ListFilter {
                contact_id: a.contact_id,
                status: a.status,
                ..Default::default()
            };
            let found = conversations::list(ctx, filter, &page(a.limit)?).await?;
            Ok(json!({"conversations": json_of(&found.data)?, "has_more": found.has_more}))
        }
        "get_conversation" => {
            let a: ConversationRef = arguments(raw)?;
            json_of(conversations::get(ctx, &a.conversation_id, true).await?)
        }
        "send_message" => {
            let a: SendMessage = arguments(raw)?;
            let message = match (a.conversation_id, a.contact_id) {
                (Some(cnv), None) => {
                    let input = messages::MessageCreate {
                        role: confab_core::conversation::MessageRole::Agent,
                        text: a.text,
                        attachments: Vec::new(),
                    };
                    messages::post(ctx, &cnv, input).await?
                }
                (None, Some(contact)) => messages::send_to_contact(ctx, &contact, &a.text).await?,
                _ => {
                    return Err(AppError::field(
                        "arguments",
                        "give either conversation_id or contact_id",
                    ));
                }
            };
            json_of(message)
        }
        "search_knowledge" => {
            let a: SearchKnowledge = arguments(raw)?;
            let limit = a.limit.map(|n| n.to_string());
            json_of(knowledge::search(ctx, Some(&a.query), None, limit.as_deref()).await?)
        }
        other => Err(AppError::field(
            "tool",
            &format!("there is no tool named {other:?}"),
        )),
    }
}
