//! What the binary assembles that tests must assemble the same way: the whole HTTP
//! application. `confab serve` and the test kit's `TestServer` both call [`router`], so
//! tests hit the real thing.

use axum::Router;

use confab_app::App;
use confab_http::HttpConfig;
use confab_mcp::McpConfig;

/// The REST API (with admin, health, metrics and docs) and the MCP server at `/mcp`,
/// behind one set of layers (request ids, metrics, authentication, rate limits).
pub fn router(app: App, http: HttpConfig, mcp: &McpConfig) -> Router {
    confab_http::router_with(app, http, vec![("/mcp", confab_mcp::router(mcp))])
}
