//! `[tasks]`: the task gateway's worker.

use anyhow::bail;
use confab_app::TaskSettings;
use confab_app::budget::Prices;
use serde::{Deserialize, Serialize};

use super::setting;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TasksSection {
    /// Tasks one process runs at once (default 4).
    pub concurrency: Option<u64>,
}

impl TasksSection {
    /// The task settings, with the `[prices]` they charge.
    pub fn validate(self, prices: Prices) -> anyhow::Result<TaskSettings> {
        let defaults = TaskSettings::default();
        let concurrency = match self.concurrency {
            Some(0) => bail!("{} must be at least 1", setting("tasks.concurrency")),
            Some(n) => n as usize,
            None => defaults.concurrency,
        };
        Ok(TaskSettings {
            prices,
            concurrency,
            ..defaults
        })
    }
}
