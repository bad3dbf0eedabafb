//! The bridge between a set of tools and the MCP protocol: a [`Toolbox`] says which
//! tools there are and runs them; [`Adapter`] answers `initialize`, `tools/list` and
//! `tools/call` with it; [`streamable_http`] serves it over the Streamable HTTP
//! transport. Confab's workspace tools and the conformance fixture both go through here.
// Logging (`logging/setLevel`) is deprecated by SEP-2577 but still part of the protocol
// versions clients speak today, and of the conformance suite.
#![allow(deprecated)]

use std::future::Future;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, SetLevelRequestParams, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};

/// A source of tools an MCP server offers.
pub trait Toolbox: Send + Sync + 'static {
    /// The server's name and version in `initialize`.
    fn implementation(&self) -> Implementation;

    /// What the server can do besides tools (logging, for one).
    fn capabilities(&self) -> ServerCapabilities {
        ServerCapabilities::builder().enable_tools().build()
    }

    /// Guidance for the model using the server, sent in `initialize`.
    fn instructions(&self) -> Option<String> {
        None
    }

    /// The tools this request's caller may use.
    fn list(&self, context: &RequestContext<RoleServer>) -> Result<Vec<Tool>, ErrorData>;

    /// Runs one tool. A failure the model should read is `Ok` with `is_error`; `Err` is
    /// for requests that cannot be served at all (an unknown tool).
    fn call(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResult, ErrorData>> + Send;

    /// `logging/setLevel`, for toolboxes that log to the client.
    fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let _ = (request, context);
        Err(ErrorData::method_not_found::<
            rmcp::model::SetLevelRequestMethod,
        >())
    }
}

/// An MCP server handler over a [`Toolbox`]. Tools are listed and called dynamically
/// (not declared with `#[tool]` macros), so what a caller sees can depend on who calls.
pub struct Adapter<T>(Arc<T>);

impl<T: Toolbox> ServerHandler for Adapter<T> {
    fn get_info(&self) -> ServerConfig {
        let config =
            ServerConfig::new(self.0.capabilities()).with_server_info(self.0.implementation());
        match self.0.instructions() {
            Some(text) => config.with_instructions(text),
            None => config,
        }
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.0.list(&context)?))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.0.call(request, context).await.map(Into::into)
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.0.set_level(request, &context)
    }
}

/// How the transport keeps state.
#[derive(Clone, Debug)]
pub struct Transport {
    /// `Host` values (`host` or `host:port`) accepted; others get 403 (DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Sessions kept in this process, needed for requests from the server to the
    /// client in the middle of a call (sampling, elicitation) and for resumable
    /// streams. Without them every request stands alone and answers plain JSON, so
    /// any node behind a load balancer can serve it.
    pub sessions: bool,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
}

/// The Streamable HTTP service for toolboxes made by `make` (one per session, or one
/// per request without sessions).
pub fn streamable_http<T: Toolbox>(
    make: impl Fn() -> T + Send + Sync + 'static,
    transport: Transport,
) -> StreamableHttpService<Adapter<T>, LocalSessionManager> {
    let mut config =
        StreamableHttpServerConfig::default().with_allowed_hosts(transport.allowed_hosts);
    config.legacy_session_mode = transport.sessions;
    config.json_response = !transport.sessions;
    config.max_request_body_bytes = transport.max_body_bytes;
    StreamableHttpService::new(
        move || Ok(Adapter(Arc::new(make()))),
        Arc::new(LocalSessionManager::default()),
        config,
    )
}
