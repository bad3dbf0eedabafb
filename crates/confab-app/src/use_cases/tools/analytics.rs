//! The analytics tool over `analytics::get`.

use schemars::JsonSchema;
use serde::Deserialize;

use super::spec::{Hints, Meta, ToolSpec};
use crate::analytics::{self, Analytics};
use crate::{Access, Resource};

/// Arguments of `get_analytics`: the query of `GET /v1/analytics`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct GetAnalytics {
    /// A calendar period in UTC ending now (default `today`).
    #[schemars(extend("enum" = ["today", "week", "month", "year", null]))]
    period: Option<String>,
    /// Only conversations on this channel (default: every channel).
    #[schemars(extend("enum" = ["web", "api", "whatsapp", "instagram", "telegram", null]))]
    channel: Option<String>,
}

pub(super) fn tools() -> Vec<ToolSpec> {
    vec![ToolSpec::new(
        Meta {
            name: "get_analytics",
            title: "Get analytics",
            description: "Figures for today, this week, this month or this year (calendar periods in UTC): chats, \
                engaged, active and completed chats, messages by customers, the AI and people, unique visitors, \
                hand-off rate, AI resolution rate, median first response time, and a chart by hour, day or month.",
            needs: (Resource::Analytics, Access::Read),
            hints: Hints::READ,
        },
        |ctx, input: GetAnalytics| async move {
            analytics::get(&ctx, input.period.as_deref(), input.channel.as_deref()).await
        },
        |a: &Analytics| {
            format!(
                "{}: {}, {}, hand-off rate {:.0}%, AI resolution rate {:.0}%.",
                match a.period {
                    analytics::Period::Today => "Today",
                    analytics::Period::Week => "This week",
                    analytics::Period::Month => "This month",
                    analytics::Period::Year => "This year",
                },
                count(a.total_chats, "chat"),
                count(a.total_messages, "message"),
                a.handoff_rate * 100.0,
                a.ai_resolution_rate * 100.0
            )
        },
    )]
}

fn count(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
