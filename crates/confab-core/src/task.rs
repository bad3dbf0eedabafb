//! Tasks: plain-English requests the task agent carries out, and what their result
//! looks like at the caller's `response_url`.

use crate::object::ObjectName;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Timestamp;
use crate::id::{KeyId, MemberId, TaskId};

/// The longest task message (DESIGN §4), like a chat message.
pub const MAX_TASK_MESSAGE_CHARS: usize = 10_000;

/// Where a task stands: `open` (queued) → `processing` → `resolved` | `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Open,
    Processing,
    Resolved,
    Failed,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Open,
        TaskStatus::Processing,
        TaskStatus::Resolved,
        TaskStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Processing => "processing",
            TaskStatus::Resolved => "resolved",
            TaskStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_final(self) -> bool {
        matches!(self, TaskStatus::Resolved | TaskStatus::Failed)
    }
}

/// Who spoke a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TurnRole {
    /// The caller's request.
    User,
    /// The agent: an action it took (with its result) or its answer.
    Agent,
}

impl TurnRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TurnRole::User => "user",
            TurnRole::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(TurnRole::User),
            "agent" => Some(TurnRole::Agent),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskTurn {
    pub role: TurnRole,
    /// The request (`{message, context, metadata}`), an action (`{type: "action",
    /// tool, arguments, result | error, cost_cents}`), a model call (`{type:
    /// "model_call", …}`) or the answer (`{type: "answer", text}`).
    #[schema(value_type = Object)]
    pub payload: Value,
    pub timestamp: Timestamp,
}

/// Where the delivery of a task's result stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskWebhookStatus {
    /// Nothing will be sent: the key has no (enabled) `response_url`.
    None,
    /// Not sent yet.
    Pending,
    Delivered,
    /// The last attempt failed; another is scheduled.
    Failed,
    /// Every attempt failed.
    Dead,
}

impl From<crate::webhook::DeliveryStatus> for TaskWebhookStatus {
    fn from(status: crate::webhook::DeliveryStatus) -> Self {
        use crate::webhook::DeliveryStatus as D;
        match status {
            D::Pending => TaskWebhookStatus::Pending,
            D::Delivered => TaskWebhookStatus::Delivered,
            D::Failed => TaskWebhookStatus::Failed,
            D::Dead => TaskWebhookStatus::Dead,
        }
    }
}

/// The delivery of the result to the key's `response_url`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskWebhook {
    pub status: TaskWebhookStatus,
    pub delivered_at: Option<Timestamp>,
    /// Attempts made so far.
    pub attempts: i64,
    pub next_attempt_at: Option<Timestamp>,
}

impl TaskWebhook {
    /// A delivery not (or never to be) attempted.
    pub fn unsent(status: TaskWebhookStatus) -> Self {
        TaskWebhook {
            status,
            delivered_at: None,
            attempts: 0,
            next_attempt_at: None,
        }
    }
}

/// What a task's context names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Contact,
    Conversation,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Contact => "contact",
            Entity::Conversation => "conversation",
        }
    }
}

/// A task's context as it was accepted: what it is about (checked: an id of the
/// entity's kind) and what the caller was doing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskTarget {
    pub entity_type: Option<Entity>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
}

/// Why a task failed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct TaskError {
    /// `NOT_UNDERSTOOD`, `BUDGET_EXCEEDED`, `FORBIDDEN`, `KEY_REVOKED`,
    /// `ACTION_FAILED`, `PROVIDER_ERROR` or `EXPIRED`.
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: TaskId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub status: TaskStatus,
    pub api_key_id: KeyId,
    pub member_id: MemberId,
    /// The request first, then every action and the answer, oldest first.
    pub turns: Vec<TaskTurn>,
    /// The result once `resolved`: `{text, data}`.
    #[schema(value_type = Option<Object>)]
    pub response: Option<Value>,
    /// Why it failed, once `failed`.
    pub error: Option<TaskError>,
    pub webhook: TaskWebhook,
    /// What the task cost, in US cents (to a millionth of a cent).
    pub cost_cents: f64,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    /// After this the task is gone (404).
    pub expires_at: Timestamp,
    pub livemode: bool,
}

crate::named!(Task => "task");

/// What `POST /v1/tasks` answers (202): the task is queued.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskAccepted {
    pub id: TaskId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    /// Always `"accepted"`.
    pub status: &'static str,
    /// What happens next, for people.
    pub message: String,
    pub expires_at: Timestamp,
    pub livemode: bool,
}

crate::named!(TaskAccepted => "task");

/// The body POSTed to the key's `response_url`: `{task_id, status: "resolved",
/// response}` or `{task_id, status: "failed", error}`, read from the task as its
/// `task.resolved` / `task.failed` event carries it.
pub fn result_body(task: &Value) -> Value {
    let status = task["status"].as_str().unwrap_or("failed");
    if status == TaskStatus::Resolved.as_str() {
        json!({"task_id": task["id"], "status": status, "response": task["response"]})
    } else {
        json!({"task_id": task["id"], "status": status, "error": task["error"]})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_body_carries_the_response_or_the_error() {
        let resolved = json!({"id": "tsk_1", "status": "resolved", "response": {"text": "done"}, "error": null});
        assert_eq!(
            result_body(&resolved),
            json!({"task_id": "tsk_1", "status": "resolved", "response": {"text": "done"}})
        );
        let failed = json!({"id": "tsk_2", "status": "failed", "response": null, "error": {"code": "NOT_UNDERSTOOD", "message": "?"}});
        assert_eq!(
            result_body(&failed),
            json!({"task_id": "tsk_2", "status": "failed", "error": {"code": "NOT_UNDERSTOOD", "message": "?"}})
        );
    }
}
