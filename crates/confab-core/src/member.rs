//! Team members and their roles.

use crate::object::ObjectName;
use serde::{Deserialize, Serialize};

use crate::id::{MemberId, TokenId, WorkspaceId};
use crate::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }

    /// Owners and admins manage the team, keys and settings.
    pub fn manages_workspace(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

/// A person on the workspace's team.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: MemberId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    #[serde(skip)]
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// The name customers see on this member's replies; `null`: the widget's agent name
    /// (`agent_name` in the widget settings, else the web agent's name).
    pub display_name: Option<String>,
    pub email: String,
    pub role: Role,
    pub department_ids: Vec<String>,
    /// Away: gets no new tickets by round robin (holidays, off shift).
    pub away: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

crate::named!(Member => "member");

/// A member access token as listed (the secret itself is never shown again).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MemberToken {
    pub id: TokenId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub member_id: MemberId,
    /// The secret `mt_…`; present only in the response that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub last4: String,
    pub created_at: Timestamp,
}

crate::named!(MemberToken => "member_token");
