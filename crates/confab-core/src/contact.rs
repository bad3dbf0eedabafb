//! Contacts: the people who talk to the workspace.

use serde::Serialize;
use serde_json::Value;

use crate::id::{AgentId, ContactId};
use crate::object::ObjectName;
use crate::time::Timestamp;

crate::named!(Contact => "contact");

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: ContactId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub attributes: Value,
    pub blocked: bool,
    pub agent_id: Option<AgentId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub livemode: bool,
}

/// Clean contact fields, ready to store. `None` leaves a field empty.
#[derive(Clone, Debug, Default)]
pub struct ContactFields {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    pub tags: Vec<String>,
    pub attributes: Option<Value>,
    pub blocked: bool,
    pub agent_id: Option<AgentId>,
}
