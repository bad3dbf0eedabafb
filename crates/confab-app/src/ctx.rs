//! Who is asking, in which workspace and mode, and what they may do.

use std::sync::Arc;

use confab_core::Mode;
use confab_core::id::{KeyId, MemberId, TokenId, WorkspaceId};
use confab_core::member::Role;
use confab_store::TenantTx;

use crate::idempotency::IdemSlot;
use crate::{App, AppError, AppResult, Uow};

/// The authenticated caller.
#[derive(Clone, Debug)]
pub enum Actor {
    /// A secret key (`sk_…`), limited by its scopes (empty means full access).
    SecretKey {
        key_id: KeyId,
        member_id: Option<MemberId>,
        scopes: Vec<String>,
    },
    /// A team member's access token (`mt_…`), limited by the member's role.
    Member {
        token_id: TokenId,
        member_id: MemberId,
        role: Role,
    },
    /// The server itself (bootstrap, workers).
    System,
    /// A site key (`pk_…`) on the public widget routes, acting for one visitor. Only
    /// the widget use cases are reachable with it; `visitor` (the hash of the visitor's
    /// token, when the path names one) scopes its idempotency keys.
    SiteKey {
        key_id: KeyId,
        visitor: Option<String>,
    },
}

/// What a request touches, for authorization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Contacts,
    Conversations,
    Files,
    Analytics,
    Events,
    Members,
    Keys,
    Knowledge,
    Agents,
    Webhooks,
    /// Workspace settings (the chat widget's, with the identity secret).
    Settings,
}

impl Resource {
    fn scope_name(self) -> &'static str {
        match self {
            Resource::Contacts => "contacts",
            Resource::Conversations => "conversations",
            Resource::Files => "files",
            Resource::Analytics => "analytics",
            Resource::Events => "events",
            Resource::Members => "members",
            Resource::Keys => "keys",
            Resource::Knowledge => "knowledge",
            Resource::Agents => "agents",
            Resource::Webhooks => "webhooks",
            Resource::Settings => "settings",
        }
    }

    /// Team, keys, agents and settings are managed by owners and admins only. Webhook
    /// endpoints count as settings: one receives every event of the workspace.
    fn is_administrative(self) -> bool {
        matches!(
            self,
            Resource::Members
                | Resource::Keys
                | Resource::Agents
                | Resource::Webhooks
                | Resource::Settings
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The context of one call: the app, the tenant, the mode and the caller.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub app: App,
    pub workspace_id: WorkspaceId,
    pub mode: Mode,
    pub actor: Actor,
    pub request_id: String,
    /// Set while an `Idempotency-Key` request runs: its commit is deferred so the stored
    /// response joins the effect's transaction.
    pub idempotency: Option<Arc<IdemSlot>>,
}

impl Ctx {
    pub fn livemode(&self) -> bool {
        self.mode.is_live()
    }

    /// The id of the credential used, which scopes idempotency keys and rate limits.
    pub fn credential_id(&self) -> String {
        match &self.actor {
            Actor::SecretKey { key_id, .. } => key_id.to_string(),
            Actor::Member { token_id, .. } => token_id.to_string(),
            Actor::System => "system".into(),
            Actor::SiteKey { key_id, visitor } => match visitor {
                Some(visitor) => format!("{key_id}/{visitor}"),
                None => key_id.to_string(),
            },
        }
    }

    /// The member acting, when the credential belongs to one.
    pub fn member_id(&self) -> Option<&MemberId> {
        match &self.actor {
            Actor::SecretKey { member_id, .. } => member_id.as_ref(),
            Actor::Member { member_id, .. } => Some(member_id),
            Actor::System | Actor::SiteKey { .. } => None,
        }
    }

    /// Fails with 403 `FORBIDDEN` unless the caller may do `access` on `resource`.
    pub fn authorize(&self, resource: Resource, access: Access) -> AppResult<()> {
        let allowed = match &self.actor {
            Actor::System => true,
            Actor::Member { role, .. } => {
                !resource.is_administrative()
                    || role.manages_workspace()
                    || (matches!(resource, Resource::Members | Resource::Agents)
                        && access == Access::Read)
            }
            // A visitor starts and continues their own conversation, with its contact
            // and attachments; everything else is out of reach.
            Actor::SiteKey { .. } => matches!(
                resource,
                Resource::Conversations | Resource::Contacts | Resource::Files
            ),
            Actor::SecretKey { scopes, .. } => {
                scopes.is_empty() || {
                    let name = resource.scope_name();
                    let wanted = match access {
                        Access::Read => [
                            "read".to_owned(),
                            "write".to_owned(),
                            format!("{name}:read"),
                            format!("{name}:write"),
                        ]
                        .to_vec(),
                        Access::Write => ["write".to_owned(), format!("{name}:write")].to_vec(),
                    };
                    scopes.iter().any(|s| wanted.contains(s))
                }
            }
        };
        if allowed {
            Ok(())
        } else {
            let verb = match access {
                Access::Read => "read",
                Access::Write => "change",
            };
            Err(AppError::forbidden(match &self.actor {
                Actor::Member { .. } => format!(
                    "Only owners and admins may {verb} {}; ask one of them.",
                    resource.scope_name()
                ),
                _ => format!(
                    "This key's scopes do not allow it to {verb} {}; it needs `{}:{}`.",
                    resource.scope_name(),
                    resource.scope_name(),
                    if access == Access::Read {
                        "read"
                    } else {
                        "write"
                    }
                ),
            }))
        }
    }

    /// A unit of work that writes, fenced to this tenant and mode.
    pub async fn write(&self) -> AppResult<Uow> {
        let tx = self
            .app
            .store
            .tenant(&self.workspace_id, self.livemode())
            .await?;
        Ok(Uow::new(
            tx,
            self.app.clock.now(),
            self.idempotency.clone(),
            &self.app,
        ))
    }

    /// A read-only transaction, fenced to this tenant and mode.
    pub async fn read(&self) -> AppResult<TenantTx> {
        Ok(self
            .app
            .store
            .tenant_read(&self.workspace_id, self.livemode())
            .await?)
    }
}
