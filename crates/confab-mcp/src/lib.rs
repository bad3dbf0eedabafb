//! Confab's MCP server: customers' own AI agents act on a workspace through the same use
//! cases as the REST API. `/mcp` speaks the Streamable HTTP transport (the official
//! Rust SDK, `rmcp`); the tools are `confab_app::tools`, filtered by the key's scopes.
//!
//! [`router`] is mounted by the HTTP layer behind its credential middleware, which
//! authenticates `Authorization: Bearer sk_…`, applies the rate limit and puts the
//! caller's `Ctx` (workspace, mode, scopes) in the request. The adapter in [`adapter`] is
//! independent of Confab: the conformance fixture (`examples/conformance_fixture.rs`)
//! serves the MCP test suite's tools through it.

pub mod adapter;
mod workspace;

use axum::Router;

pub use adapter::{Adapter, Toolbox, Transport, streamable_http};
pub use workspace::WorkspaceTools;

/// Requests larger than this are refused (the REST API's bound).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Settings of the MCP server.
#[derive(Clone, Debug)]
pub struct McpConfig {
    /// `Host` header values accepted at `/mcp` (`host` or `host:port`); others get 403,
    /// which defeats DNS rebinding.
    pub allowed_hosts: Vec<String>,
}

impl Default for McpConfig {
    fn default() -> Self {
        McpConfig {
            allowed_hosts: default_allowed_hosts("http://127.0.0.1:8080"),
        }
    }
}

/// The hosts a server at `public_url` answers to by default: that URL's host and the
/// loopback names.
pub fn default_allowed_hosts(public_url: &str) -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let host = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    if !host.is_empty() && !hosts.iter().any(|h| h == host) {
        hosts.push(host.to_owned());
    }
    hosts
}

/// The `/mcp` service: stateless Streamable HTTP (plain JSON answers, no sessions, so
/// any node can serve any request) over the workspace's tools, for secret keys only.
pub fn router(config: &McpConfig) -> Router {
    let service = streamable_http(
        || WorkspaceTools,
        Transport {
            allowed_hosts: config.allowed_hosts.clone(),
            sessions: false,
            max_body_bytes: MAX_BODY_BYTES,
        },
    );
    Router::new().fallback_service(service)
}

#[cfg(test)]
mod tests {
    use super::default_allowed_hosts;

    #[test]
    fn the_public_host_joins_the_loopback_names() {
        assert_eq!(
            default_allowed_hosts("https://chat.example.com/"),
            ["localhost", "127.0.0.1", "::1", "chat.example.com"]
        );
        assert_eq!(
            default_allowed_hosts("http://[2001:db8::1]:8080"),
            ["localhost", "127.0.0.1", "::1", "2001:db8::1"]
        );
        assert_eq!(
            default_allowed_hosts("http://127.0.0.1:8080"),
            ["localhost", "127.0.0.1", "::1"]
        );
    }
}
