//! `[database]`: where the data lives and how it is reached.

use std::path::Path;

use anyhow::bail;
use serde::{Deserialize, Serialize};

use super::setting;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSection {
    /// `sqlite://…` or `postgres://…` (default `sqlite://<data_dir>/confab.db`).
    pub url: Option<String>,
    /// The role tenant queries run as on PostgreSQL (default `confab_tenant`).
    pub tenant_role: Option<String>,
    /// Connections in the pool (default 10).
    pub max_connections: Option<u32>,
    /// `full` (default: survives power loss) or `normal` (survives a process crash only).
    pub sqlite_synchronous: Option<String>,
}

/// The database settings, checked.
pub struct Database {
    pub url: String,
    pub tenant_role: String,
    pub max_connections: u32,
    pub sqlite_full_sync: bool,
}

impl DatabaseSection {
    pub fn validate(self, data_dir: &Path) -> anyhow::Result<Database> {
        let url = match self.url.filter(|u| !u.is_empty()) {
            Some(url) => url,
            None => format!("sqlite://{}/confab.db", data_dir.display()),
        };
        if confab_store::Backend::of_url(&url).is_none() {
            bail!(
                "{} must start with sqlite:// or postgres://",
                setting("database.url")
            );
        }
        let sqlite_full_sync = match self.sqlite_synchronous.as_deref().unwrap_or("full") {
            "full" => true,
            "normal" => false,
            other => bail!(
                "{} must be `full` or `normal`, not {other:?}",
                setting("database.sqlite_synchronous")
            ),
        };
        Ok(Database {
            url,
            tenant_role: self.tenant_role.unwrap_or_else(|| "confab_tenant".into()),
            max_connections: self.max_connections.unwrap_or(10).max(1),
            sqlite_full_sync,
        })
    }
}
