//! The tool registry: what an AI agent may do on a workspace, whichever way it reaches
//! us (the MCP server at `/mcp`, the task agent). Transport-independent: a caller lists
//! the tools its [`Ctx`] may use with [`visible`] and runs one with [`call`].
//!
//! Each resource's file declares its tools next to the use case each one calls, so a
//! tool validates exactly as the REST route does (the same input types, the same field
//! messages) and emits the same events. Arguments are named as the route's fields and
//! query parameters; an object the route names in its path is an argument too
//! (`contact_id`, `conversation_id`).
//!
//! Tickets and bookings (`create_ticket`, `list_tickets`, `check_availability`,
//! `create_booking`) join here when those use cases exist.

mod analytics;
mod bookings;
mod contacts;
mod conversations;
mod knowledge;
mod outcome;
mod spec;
mod tickets;

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use confab_core::FieldErrors;
use confab_core::page::{Page, PageRequest};

pub use outcome::{ToolError, ToolOutput};
pub use spec::{Hints, ToolSpec};

use crate::Ctx;

static CATALOG: LazyLock<Vec<ToolSpec>> = LazyLock::new(|| {
    let mut all = Vec::new();
    all.extend(contacts::tools());
    all.extend(conversations::tools());
    all.extend(knowledge::tools());
    all.extend(analytics::tools());
    all.extend(tickets::tools());
    all.extend(bookings::tools());
    all
});

/// Every tool, whoever asks.
pub fn catalog() -> &'static [ToolSpec] {
    &CATALOG
}

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static ToolSpec> {
    catalog().iter().find(|t| t.name == name)
}

/// The tools `ctx` may call: a key's scopes decide what it sees.
pub fn visible(ctx: &Ctx) -> Vec<&'static ToolSpec> {
    catalog().iter().filter(|t| t.allows(ctx)).collect()
}

/// Runs the tool `name` with `args` (a JSON object; `null` counts as no arguments) as
/// `ctx`. An unknown name, a scope refusal and bad arguments are told apart
/// ([`ToolError::UnknownTool`], [`ToolError::Forbidden`], [`ToolError::InvalidArguments`]).
pub async fn call(ctx: &Ctx, name: &str, args: Value) -> Result<ToolOutput, ToolError> {
    let tool = find(name).ok_or_else(|| ToolError::UnknownTool(name.to_owned()))?;
    ctx.authorize(tool.resource, tool.access)?;
    let args = match args {
        Value::Object(map) => map,
        Value::Null => serde_json::Map::new(),
        _ => {
            return Err(ToolError::InvalidArguments(FieldErrors::single(
                "arguments",
                "must be a JSON object",
            )));
        }
    };
    let result = tool.run(ctx.clone(), args).await;
    if let Err(ToolError::Internal(detail)) = &result {
        tracing::error!(request_id = %ctx.request_id, tool = name, error = %detail, "tool failed");
    }
    result
}

/// The arguments of a tool that takes none besides the object it acts on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoArguments {}

/// A list tool's `limit` and `cursor`, validated as the REST API's `?limit=&cursor=`.
fn page_request(limit: Option<i64>, cursor: Option<&str>) -> Result<PageRequest, FieldErrors> {
    PageRequest::parse(limit.map(|l| l.to_string()).as_deref(), cursor)
}

/// A list tool's summary of its page: "No {one} matches.", "1 {one}: {describe}." or
/// "{n} {many}.", the last pointing at `next_cursor` when there are more.
fn page_summary<T>(page: &Page<T>, one: &str, many: &str, describe: fn(&T) -> String) -> String {
    let more = if page.has_more {
        " (more: pass `next_cursor` as `cursor`)"
    } else {
        ""
    };
    match page.data.len() {
        0 => format!("No {one} matches."),
        1 => format!("1 {one}: {}.", describe(&page.data[0])),
        n => format!("{n} {many}{more}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_schemas_are_objects() {
        let mut names: Vec<&str> = catalog().iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), catalog().len(), "duplicate tool names");
        for tool in catalog() {
            let schema = tool.input_schema();
            assert_eq!(schema["type"], "object", "{}", tool.name);
            assert!(schema["properties"].is_object(), "{}", tool.name);
            assert_eq!(tool.hints.read_only, tool.access == crate::Access::Read);
            assert!(!tool.description.is_empty());
        }
    }

    #[test]
    fn an_object_id_is_a_required_argument() {
        let schema = find("update_contact")
            .expect("update_contact")
            .input_schema();
        assert_eq!(schema["properties"]["contact_id"]["type"], "string");
        assert_eq!(schema["required"][0], "contact_id");
        assert!(schema["properties"]["email"].is_object());
        assert_eq!(schema["additionalProperties"], false);
        let search = find("search_knowledge")
            .expect("search_knowledge")
            .input_schema();
        assert_eq!(search["required"], serde_json::json!(["q"]));
    }
}
