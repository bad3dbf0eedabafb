//! Confab's own toolbox: the registry in `confab_app::tools`, as the calling key sees it.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, Implementation, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde_json::Value;

use confab_app::Ctx;
use confab_app::tools::{self, ToolError, ToolSpec};

use crate::adapter::Toolbox;

const INSTRUCTIONS: &str = "Tools over one Confab workspace (customer conversations, contacts, the knowledge base \
and analytics), limited by the API key's scopes. Search before you act: find a contact before creating one, read a \
conversation before replying, search the knowledge base before answering a customer. Errors carry a code \
(VALIDATION_FAILED with the fields at fault, NOT_FOUND, CONFLICT, FORBIDDEN, …) and a sentence saying what to do.";

/// The tools of the workspace and mode of the key that authenticated the request.
pub struct WorkspaceTools;

/// The caller the HTTP layer authenticated (the credential middleware puts the
/// [`Ctx`] in the request's extensions, and the transport hands us the request's parts).
fn caller(context: &RequestContext<RoleServer>) -> Result<Ctx, ErrorData> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Ctx>())
        .cloned()
        .ok_or_else(|| {
            ErrorData::internal_error("the request carries no authenticated caller", None)
        })
}

impl Toolbox for WorkspaceTools {
    fn implementation(&self) -> Implementation {
        Implementation::new("confab", env!("CARGO_PKG_VERSION")).with_title("Confab")
    }

    fn instructions(&self) -> Option<String> {
        Some(INSTRUCTIONS.to_owned())
    }

    fn list(&self, context: &RequestContext<RoleServer>) -> Result<Vec<Tool>, ErrorData> {
        let ctx = caller(context)?;
        Ok(tools::visible(&ctx).into_iter().map(describe).collect())
    }

    async fn call(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let ctx = caller(&context)?;
        let args = request.arguments.map(Value::Object).unwrap_or(Value::Null);
        match tools::call(&ctx, &request.name, args).await {
            Ok(output) => {
                let mut result = CallToolResult::success(vec![
                    ContentBlock::text(output.summary),
                    ContentBlock::text(output.structured.to_string()),
                ]);
                result.structured_content = Some(output.structured);
                Ok(result)
            }
            // A name the client made up is a protocol error (MCP: "Unknown tool").
            Err(err @ ToolError::UnknownTool(_)) => {
                Err(ErrorData::invalid_params(err.to_string(), None))
            }
            Err(err) => {
                let mut result = CallToolResult::error(vec![ContentBlock::text(format!(
                    "{}: {err}",
                    err.code().as_str()
                ))]);
                result.structured_content = Some(err.body(&ctx.request_id));
                Ok(result)
            }
        }
    }
}

/// A registry entry as an MCP tool.
fn describe(spec: &ToolSpec) -> Tool {
    let hints = spec.hints;
    let mut annotations = ToolAnnotations::with_title(spec.title)
        .read_only(hints.read_only)
        .open_world(hints.open_world);
    if !hints.read_only {
        // MCP defines these only for tools that change something.
        annotations = annotations
            .destructive(hints.destructive)
            .idempotent(hints.idempotent);
    }
    Tool::new(
        spec.name,
        spec.description,
        Arc::new(spec.input_schema().clone()),
    )
    .with_title(spec.title)
    .with_annotations(annotations)
}
