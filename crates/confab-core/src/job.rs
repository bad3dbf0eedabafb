//! Background work queued in the database: what kinds there are and what each needs.
//! A job is written as `Work` in the transaction of the change that needs it and read
//! back as `Work` once, by the worker that claims it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::id::{ConversationId, MessageId, TaskId};

/// The kinds of job, as stored in `jobs.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// The AI's reply to one customer message.
    AiReply,
    /// One plain-English task.
    Task,
}

impl JobKind {
    pub const ALL: [JobKind; 2] = [JobKind::AiReply, JobKind::Task];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::AiReply => "ai_reply",
            JobKind::Task => "task",
        }
    }
}

/// One piece of work and what it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    AiReply {
        conversation_id: ConversationId,
        message_id: MessageId,
    },
    Task {
        task_id: TaskId,
    },
}

impl Work {
    pub fn kind(&self) -> JobKind {
        match self {
            Work::AiReply { .. } => JobKind::AiReply,
            Work::Task { .. } => JobKind::Task,
        }
    }

    /// Queueing the same work twice queues it once: at most one AI reply per customer
    /// message, one run per task.
    pub fn dedupe_key(&self) -> String {
        match self {
            Work::AiReply { message_id, .. } => format!("ai_reply:{message_id}"),
            Work::Task { task_id } => task_id.to_string(),
        }
    }

    /// The stored payload: the fields without the kind (stored in its own column).
    pub fn payload(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(fields) = value.as_object_mut() {
            fields.remove("kind");
        }
        value
    }

    /// Reads a stored job back; the error says what is wrong with it (such a job can
    /// never run, and its worker fails it).
    pub fn read(kind: &str, payload: &Value) -> Result<Work, String> {
        let mut tagged = payload.clone();
        let fields = tagged
            .as_object_mut()
            .ok_or_else(|| format!("the payload of a {kind} job is not an object"))?;
        fields.insert("kind".into(), Value::String(kind.to_owned()));
        serde_json::from_value(tagged).map_err(|e| format!("a {kind} job cannot be read: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn work_is_stored_as_before_and_read_back() {
        let reply = Work::AiReply {
            conversation_id: ConversationId::from_trusted("cnv_1".into()),
            message_id: MessageId::from_trusted("msg_2".into()),
        };
        assert_eq!(reply.kind().as_str(), "ai_reply");
        assert_eq!(
            reply.payload(),
            json!({"conversation_id": "cnv_1", "message_id": "msg_2"})
        );
        assert_eq!(reply.dedupe_key(), "ai_reply:msg_2");
        assert_eq!(Work::read("ai_reply", &reply.payload()), Ok(reply));

        let task = Work::Task {
            task_id: TaskId::from_trusted("tsk_3".into()),
        };
        assert_eq!(task.payload(), json!({"task_id": "tsk_3"}));
        assert_eq!(task.dedupe_key(), "tsk_3");
        assert_eq!(Work::read("task", &task.payload()), Ok(task));
    }

    #[test]
    fn a_job_that_cannot_be_read_says_why() {
        assert!(
            Work::read("ai_reply", &json!({"conversation_id": "cnv_x"}))
                .unwrap_err()
                .contains("message_id")
        );
        assert!(Work::read("fax", &json!({})).is_err());
        assert!(Work::read("task", &json!("nope")).is_err());
    }
}
