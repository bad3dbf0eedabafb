//! What a tool is: its name, its description for a model, the JSON schema of its
//! arguments (generated from the Rust input type), what it touches, its hints, and the
//! use case it runs.

use std::future::Future;
use std::pin::Pin;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use confab_core::FieldErrors;
use confab_core::id::TypedId;

use super::{ToolError, ToolOutput};
use crate::{Access, AppResult, Ctx, Resource};

type Outcome = Result<ToolOutput, ToolError>;
type Runner = Box<
    dyn Fn(Ctx, Map<String, Value>) -> Pin<Box<dyn Future<Output = Outcome> + Send>> + Send + Sync,
>;

/// What calling a tool may do to the workspace, for clients that ask before acting
/// (MCP's `readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hints {
    /// Changes nothing.
    pub read_only: bool,
    /// May overwrite or end something (rather than only add).
    pub destructive: bool,
    /// Calling it again with the same arguments has no further effect.
    pub idempotent: bool,
    /// Reaches people or systems outside the workspace (a message to a customer).
    pub open_world: bool,
}

impl Hints {
    pub const READ: Hints = Hints {
        read_only: true,
        destructive: false,
        idempotent: true,
        open_world: false,
    };
    /// Adds something new each time (a contact, a message).
    pub const ADD: Hints = Hints {
        read_only: false,
        destructive: false,
        idempotent: false,
        open_world: false,
    };
    /// Sets a state; a repeat changes nothing more (a hand-off, a resolution).
    pub const SET: Hints = Hints {
        read_only: false,
        destructive: false,
        idempotent: true,
        open_world: false,
    };
    /// Overwrites what was there (an update).
    pub const OVERWRITE: Hints = Hints {
        read_only: false,
        destructive: true,
        idempotent: true,
        open_world: false,
    };
}

/// The description of one tool, as a tool's file declares it.
pub(super) struct Meta {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The authorization the tool needs; a key without it neither sees nor calls it.
    pub needs: (Resource, Access),
    pub hints: Hints,
}

/// One tool of the catalog.
pub struct ToolSpec {
    pub name: &'static str,
    /// A short human-readable name.
    pub title: &'static str,
    /// What the tool does and when to use it, written for a model to read.
    pub description: &'static str,
    pub resource: Resource,
    pub access: Access,
    pub hints: Hints,
    input_schema: Map<String, Value>,
    run: Runner,
}

impl std::fmt::Debug for ToolSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolSpec")
            .field("name", &self.name)
            .finish()
    }
}

impl ToolSpec {
    /// The JSON schema (draft 2020-12) of the tool's arguments: always an object.
    pub fn input_schema(&self) -> &Map<String, Value> {
        &self.input_schema
    }

    /// Whether `ctx` may call this tool (and so should see it).
    pub fn allows(&self, ctx: &Ctx) -> bool {
        ctx.authorize(self.resource, self.access).is_ok()
    }

    pub(super) async fn run(&self, ctx: Ctx, args: Map<String, Value>) -> Outcome {
        (self.run)(ctx, args).await
    }

    /// A tool whose arguments are all of `I`: `run` calls the use case with them.
    pub(super) fn new<I, O, F, Fut>(meta: Meta, run: F, summary: fn(&O) -> String) -> ToolSpec
    where
        I: DeserializeOwned + JsonSchema + Send + 'static,
        O: Serialize + 'static,
        F: Fn(Ctx, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = AppResult<O>> + Send + 'static,
    {
        let schema = object_schema::<I>();
        let run: Runner = Box::new(move |ctx, args| {
            let parsed = crate::input::from_json::<I>(Value::Object(args));
            let call = parsed.map(|input| run(ctx, input));
            Box::pin(async move { finish(call?.await, summary) })
        });
        Self::assemble(meta, schema, run)
    }

    /// A tool that acts on one object named by the argument `id` (as a REST route names
    /// it in its path); the other arguments are `I` (as the route's body).
    pub(super) fn on<Id, I, O, F, Fut>(
        meta: Meta,
        id: (&'static str, &'static str),
        run: F,
        summary: fn(&O) -> String,
    ) -> ToolSpec
    where
        Id: TypedId + Send + 'static,
        I: DeserializeOwned + JsonSchema + Send + 'static,
        O: Serialize + 'static,
        F: Fn(Ctx, Id, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = AppResult<O>> + Send + 'static,
    {
        let (key, description) = id;
        let mut schema = object_schema::<I>();
        add_id_property(&mut schema, key, description);
        let run: Runner = Box::new(move |ctx, mut args| {
            let target = take_id(&mut args, key)
                .and_then(|raw| crate::input::id::<Id>(&raw).map_err(ToolError::from));
            let parsed = crate::input::from_json::<I>(Value::Object(args));
            let call = target.and_then(|target| Ok(run(ctx, target, parsed?)));
            Box::pin(async move { finish(call?.await, summary) })
        });
        Self::assemble(meta, schema, run)
    }

    fn assemble(meta: Meta, input_schema: Map<String, Value>, run: Runner) -> ToolSpec {
        let (resource, access) = meta.needs;
        debug_assert_eq!(meta.hints.read_only, access == Access::Read);
        ToolSpec {
            name: meta.name,
            title: meta.title,
            description: meta.description,
            resource,
            access,
            hints: meta.hints,
            input_schema,
            run,
        }
    }
}

fn finish<O: Serialize>(result: AppResult<O>, summary: fn(&O) -> String) -> Outcome {
    let output = result?;
    let text = summary(&output);
    let structured = match serde_json::to_value(&output) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(other) => json!({ "result": other }),
        Err(e) => {
            return Err(ToolError::Internal(format!(
                "serializing a tool result: {e}"
            )));
        }
    };
    Ok(ToolOutput {
        summary: text,
        structured,
    })
}

/// The object id argument, removed from the rest.
fn take_id(args: &mut Map<String, Value>, key: &str) -> Result<String, ToolError> {
    match args.remove(key) {
        Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
        Some(Value::String(_)) => Err(FieldErrors::single(key, "must not be empty").into()),
        Some(_) => Err(FieldErrors::single(key, "must be a string").into()),
        None => Err(FieldErrors::single(key, "is required").into()),
    }
}

/// The schema of `I` with nested types written in place (some clients do not follow
/// `$ref`), as a JSON object.
fn object_schema<I: JsonSchema>() -> Map<String, Value> {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let schema: Schema = generator.into_root_schema_for::<I>();
    match schema.to_value() {
        Value::Object(mut map) => {
            // The Rust type's name and doc comment are written for us, not for a model;
            // the tool's description says what the arguments are for.
            map.remove("title");
            map.remove("description");
            map.entry("properties").or_insert_with(|| json!({}));
            map
        }
        _ => Map::from_iter([
            ("type".to_owned(), json!("object")),
            ("properties".to_owned(), json!({})),
        ]),
    }
}

fn add_id_property(schema: &mut Map<String, Value>, key: &str, description: &str) {
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.insert(
            key.to_owned(),
            json!({ "type": "string", "description": description }),
        );
    }
    let required = schema
        .entry("required")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(names) = required {
        names.insert(0, Value::String(key.to_owned()));
    }
}
