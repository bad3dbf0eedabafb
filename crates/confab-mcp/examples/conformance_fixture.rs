//! The fixture server the official MCP conformance suite (npm
//! `@modelcontextprotocol/conformance`) runs its server scenarios against: the tools
//! those scenarios name (`test_simple_text`, `test_sampling`, …), served through the same
//! [`Toolbox`] adapter and Streamable HTTP transport as Confab's `/mcp`.
//!
//! ```sh
//! cargo run -p confab-mcp --example conformance_fixture -- 127.0.0.1:3001            # sessions
//! cargo run -p confab-mcp --example conformance_fixture -- 127.0.0.1:3002 --stateless # as /mcp runs
//! ```
//! Without authentication: the suite's client sends no credential (Confab's own
//! credential check is the HTTP layer's, tested with the rest of the API).

// Logging and sampling are deprecated by SEP-2577 yet still scenarios of the suite.
#![allow(deprecated)]

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use confab_mcp::{MAX_BODY_BYTES, Toolbox, Transport, streamable_http};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, CreateMessageRequestParams,
    ElicitRequestParams, Implementation, LoggingLevel, LoggingMessageNotificationParam,
    ProgressNotificationParam, ResourceContents, ServerCapabilities, SetLevelRequestParams, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde_json::{Map, Value, json};

/// A 1×1 red PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A WAV file with one silent 8-bit sample at 8 kHz.
const WAV: &str = "UklGRiUAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQEAAACA";

/// The suite's tools, with the logging level the session asked for.
#[derive(Default)]
struct FixtureTools {
    level: Mutex<Option<LoggingLevel>>,
}

fn tool(name: &'static str, description: &'static str, schema: Value) -> Tool {
    let Value::Object(schema) = schema else {
        unreachable!("schemas are objects")
    };
    Tool::new(name, description, Arc::new(schema))
}

fn no_arguments() -> Value {
    json!({"type": "object", "properties": {}})
}

fn text(s: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(s)])
}

fn decode<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ErrorData> {
    serde_json::from_value(value).map_err(|e| ErrorData::internal_error(e.to_string(), None))
}

fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

impl FixtureTools {
    async fn log(
        &self,
        context: &RequestContext<RoleServer>,
        message: &str,
    ) -> Result<(), ErrorData> {
        let floor = *self.level.lock().unwrap_or_else(|e| e.into_inner());
        if floor.is_some_and(|f| severity(f) > severity(LoggingLevel::Info)) {
            return Ok(());
        }
        let param = LoggingMessageNotificationParam::new(LoggingLevel::Info, json!(message));
        context
            .peer
            .notify_logging_message(param)
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    async fn progress(
        &self,
        context: &RequestContext<RoleServer>,
        done: f64,
    ) -> Result<(), ErrorData> {
        let Some(token) = context.meta.get_progress_token() else {
            return Ok(());
        };
        let param: ProgressNotificationParam =
            decode(json!({"progressToken": token, "progress": done, "total": 100}))?;
        context
            .peer
            .notify_progress(param)
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    async fn elicit(
        &self,
        context: &RequestContext<RoleServer>,
        message: &str,
        schema: Value,
    ) -> Result<Value, ErrorData> {
        let params: ElicitRequestParams =
            decode(json!({"mode": "form", "message": message, "requestedSchema": schema}))?;
        let result = context
            .peer
            .create_elicitation(params)
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        serde_json::to_value(result).map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }
}

fn argument(arguments: &Map<String, Value>, name: &str) -> Result<String, ErrorData> {
    arguments
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ErrorData::invalid_params(format!("`{name}` (a string) is required"), None))
}

impl Toolbox for FixtureTools {
    fn implementation(&self) -> Implementation {
        Implementation::new("confab-conformance-fixture", env!("CARGO_PKG_VERSION"))
    }

    fn capabilities(&self) -> ServerCapabilities {
        ServerCapabilities::builder()
            .enable_tools()
            .enable_logging()
            .build()
    }

    fn list(&self, _context: &RequestContext<RoleServer>) -> Result<Vec<Tool>, ErrorData> {
        let prompt = json!({"type": "object", "properties": {"prompt": {"type": "string"}}, "required": ["prompt"]});
        let message = json!({"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]});
        Ok(vec![
            tool("test_simple_text", "Returns a simple text.", no_arguments()),
            tool("test_image_content", "Returns an image.", no_arguments()),
            tool("test_audio_content", "Returns audio.", no_arguments()),
            tool(
                "test_embedded_resource",
                "Returns an embedded resource.",
                no_arguments(),
            ),
            tool(
                "test_multiple_content_types",
                "Returns text, an image and a resource.",
                no_arguments(),
            ),
            tool(
                "test_tool_with_logging",
                "Logs three messages while it runs.",
                no_arguments(),
            ),
            tool(
                "test_tool_with_progress",
                "Reports progress while it runs.",
                no_arguments(),
            ),
            tool("test_error_handling", "Always fails.", no_arguments()),
            tool("test_sampling", "Asks the client's model.", prompt),
            tool("test_elicitation", "Asks the user.", message),
            tool(
                "test_elicitation_sep1034_defaults",
                "Asks the user, with defaults.",
                no_arguments(),
            ),
            tool(
                "test_elicitation_sep1330_enums",
                "Asks the user to choose.",
                no_arguments(),
            ),
            tool(
                "test_reconnection",
                "Answers after a pause (SSE polling).",
                no_arguments(),
            ),
            tool(
                "json_schema_2020_12_tool",
                "Tool with JSON Schema 2020-12 features",
                json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "$defs": {"address": {"type": "object", "properties": {
                        "street": {"type": "string"}, "city": {"type": "string"}
                    }}},
                    "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
                    "additionalProperties": false
                }),
            ),
        ])
    }

    async fn call(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let arguments = request.arguments.clone().unwrap_or_default();
        let pause = || tokio::time::sleep(Duration::from_millis(50));
        Ok(match request.name.as_ref() {
            "test_simple_text" => text("This is a simple text response for testing."),
            "test_image_content" => {
                CallToolResult::success(vec![ContentBlock::image(PNG, "image/png")])
            }
            "test_audio_content" => {
                CallToolResult::success(vec![ContentBlock::audio(WAV, "audio/wav")])
            }
            "test_embedded_resource" => {
                CallToolResult::success(vec![ContentBlock::resource(decode::<ResourceContents>(
                    json!({"uri": "test://embedded-resource", "mimeType": "text/plain", "text": "This is an embedded resource content."}),
                )?)])
            }
            "test_multiple_content_types" => CallToolResult::success(vec![
                ContentBlock::text("Multiple content types test:"),
                ContentBlock::image(PNG, "image/png"),
                ContentBlock::resource(decode::<ResourceContents>(json!({
                    "uri": "test://mixed-content-resource", "mimeType": "application/json",
                    "text": "{\"test\":\"data\",\"value\":123}"
                }))?),
            ]),
            "test_tool_with_logging" => {
                self.log(&context, "Tool execution started").await?;
                pause().await;
                self.log(&context, "Tool processing data").await?;
                pause().await;
                self.log(&context, "Tool execution completed").await?;
                text("Tool with logging executed successfully")
            }
            "test_tool_with_progress" => {
                self.progress(&context, 0.0).await?;
                pause().await;
                self.progress(&context, 50.0).await?;
                pause().await;
                self.progress(&context, 100.0).await?;
                text("Tool with progress executed successfully")
            }
            "test_error_handling" => CallToolResult::error(vec![ContentBlock::text(
                "This tool intentionally returns an error for testing",
            )]),
            "test_sampling" => {
                let prompt = argument(&arguments, "prompt")?;
                let params: CreateMessageRequestParams = decode(json!({
                    "messages": [{"role": "user", "content": {"type": "text", "text": prompt}}],
                    "maxTokens": 100
                }))?;
                let result = context
                    .peer
                    .create_message(params)
                    .await
                    .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
                let result = serde_json::to_value(result).unwrap_or_default();
                let content = &result["content"];
                let reply = content["text"]
                    .as_str()
                    .or_else(|| content[0]["text"].as_str())
                    .unwrap_or_default();
                text(format!("LLM response: {reply}"))
            }
            "test_elicitation" => {
                let message = argument(&arguments, "message")?;
                let result = self
                    .elicit(
                        &context,
                        &message,
                        json!({
                            "type": "object",
                            "properties": {
                                "username": {"type": "string", "description": "User's response"},
                                "email": {"type": "string", "description": "User's email address"}
                            },
                            "required": ["username", "email"]
                        }),
                    )
                    .await?;
                text(format!(
                    "User response: action={}, content={}",
                    result["action"], result["content"]
                ))
            }
            "test_elicitation_sep1034_defaults" => {
                let result = self
                    .elicit(&context, "Please review and update the form fields with defaults", json!({
                        "type": "object",
                        "properties": {
                            "name": {"type": "string", "description": "User name", "default": "John Doe"},
                            "age": {"type": "integer", "description": "User age", "default": 30},
                            "score": {"type": "number", "description": "User score", "default": 95.5},
                            "status": {"type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active"},
                            "verified": {"type": "boolean", "description": "Verification status", "default": true}
                        }
                    }))
                    .await?;
                text(format!(
                    "Elicitation completed: action={}, content={}",
                    result["action"], result["content"]
                ))
            }
            "test_elicitation_sep1330_enums" => {
                let result = self
                    .elicit(&context, "Please select options from the enum fields", json!({
                        "type": "object",
                        "properties": {
                            "untitledSingle": {"type": "string", "description": "Select one option", "enum": ["option1", "option2", "option3"]},
                            "titledSingle": {"type": "string", "description": "Select one option with titles", "oneOf": [
                                {"const": "value1", "title": "First Option"},
                                {"const": "value2", "title": "Second Option"},
                                {"const": "value3", "title": "Third Option"}
                            ]},
                            "legacyEnum": {"type": "string", "description": "Select one option (legacy)", "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]},
                            "untitledMulti": {"type": "array", "description": "Select multiple options", "minItems": 1, "maxItems": 3, "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
                            "titledMulti": {"type": "array", "description": "Select multiple options with titles", "minItems": 1, "maxItems": 3, "items": {"anyOf": [
                                {"const": "value1", "title": "First Choice"},
                                {"const": "value2", "title": "Second Choice"},
                                {"const": "value3", "title": "Third Choice"}
                            ]}}
                        }
                    }))
                    .await?;
                text(format!(
                    "Elicitation completed: action={}, content={}",
                    result["action"], result["content"]
                ))
            }
            "test_reconnection" => {
                pause().await;
                text("Reconnection test completed")
            }
            "json_schema_2020_12_tool" => text(format!("Received: {}", Value::Object(arguments))),
            other => {
                return Err(ErrorData::invalid_params(
                    format!("Unknown tool: {other}"),
                    None,
                ));
            }
        })
    }

    fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        *self.level.lock().unwrap_or_else(|e| e.into_inner()) = Some(request.level);
        Ok(())
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:3001".into());
    let sessions = !args.any(|a| a == "--stateless");
    let service = streamable_http(
        FixtureTools::default,
        Transport {
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            sessions,
            max_body_bytes: MAX_BODY_BYTES,
        },
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| panic!("listening on {listen}: {e}"));
    let addr = listener.local_addr().expect("address");
    println!("conformance fixture listening on http://{addr}/mcp (sessions: {sessions})");
    axum::serve(listener, router).await.expect("serve");
}
