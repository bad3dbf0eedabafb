//! `[mcp]`: the MCP server at `/mcp`.

use anyhow::bail;
use confab_mcp::McpConfig;
use serde::{Deserialize, Serialize};

use super::{comma_list, setting};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct McpSection {
    /// Comma-separated `Host` values `/mcp` accepts (`host` or `host:port`; default: the
    /// public URL's host and the loopback names).
    pub allowed_hosts: Option<String>,
}

impl McpSection {
    pub fn validate(self, public_url: &str) -> anyhow::Result<McpConfig> {
        let hosts: Vec<String> = comma_list(self.allowed_hosts.as_deref())
            .into_iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if hosts.is_empty() {
            return Ok(McpConfig {
                allowed_hosts: confab_mcp::default_allowed_hosts(public_url),
            });
        }
        if let Some(bad) = hosts
            .iter()
            .find(|h| h.contains("://") || h.contains('/') || h.chars().any(char::is_whitespace))
        {
            bail!(
                "{} lists {bad:?}; give host names or host:port, e.g. chat.example.com",
                setting("mcp.allowed_hosts")
            );
        }
        Ok(McpConfig {
            allowed_hosts: hosts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, Layer};

    #[test]
    fn mcp_hosts_default_to_the_public_host_and_can_be_listed() {
        let config =
            Config::resolve([Layer::toml("public_url = \"https://chat.example.com\"")]).unwrap();
        assert_eq!(
            config.mcp.allowed_hosts,
            ["localhost", "127.0.0.1", "::1", "chat.example.com"]
        );
        let env = Layer::env(&[(
            "CONFAB_MCP_ALLOWED_HOSTS",
            "Chat.Example.com, 10.0.0.5:8080",
        )]);
        let config = Config::resolve([env]).unwrap();
        assert_eq!(
            config.mcp.allowed_hosts,
            ["chat.example.com", "10.0.0.5:8080"]
        );
        let bad = Config::resolve([Layer::toml(
            "mcp_allowed_hosts = \"https://chat.example.com\"",
        )])
        .unwrap_err();
        assert!(bad.to_string().contains("mcp_allowed_hosts"));
    }
}
