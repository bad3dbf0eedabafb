//! Who is asking, in which workspace and mode, and what they may do.

use std::sync::Arc;

use confab_core::Mode;
use confab_core::id::{KeyId, MemberId, TokenId, WorkspaceId};
use confab_core::member::Role;
use confab_store::TenantTx;
use confab_store::credentials::KeyRow;

use crate::idempotency::IdemSlot;
use crate::scopes::Scopes;
use crate::{App, AppError, AppResult, Uow};

/// The authenticated caller.
#[derive(Clone, Debug)]
pub enum Actor {
    /// A secret key (`sk_…`), limited by its scopes (empty means full access).
    SecretKey {
        key_id: KeyId,
        member_id: Option<MemberId>,
        scopes: Scopes,
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

impl Actor {
    /// The actor a secret key's row acts as: the key, its member and its scopes.
    pub(crate) fn secret_key(key: &KeyRow) -> Self {
        Actor::SecretKey {
            key_id: key.id.clone(),
            member_id: key.member_id.clone(),
            scopes: Scopes::from_stored(&key.scopes),
        }
    }
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
    Tasks,
    /// Resources, their availability and bookings (changing a resource is a setting).
    Bookings,
    Tickets,
}

impl Resource {
    pub(crate) fn scope_name(self) -> &'static str {
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
            Resource::Tasks => "tasks",
            Resource::Bookings => "bookings",
            Resource::Tickets => "tickets",
        }
    }

    /// Every resource, in scope-name order of declaration.
    pub const ALL: [Resource; 14] = [
        Resource::Contacts,
        Resource::Conversations,
        Resource::Files,
        Resource::Analytics,
        Resource::Events,
        Resource::Members,
        Resource::Keys,
        Resource::Knowledge,
        Resource::Agents,
        Resource::Webhooks,
        Resource::Settings,
        Resource::Tasks,
        Resource::Bookings,
        Resource::Tickets,
    ];

    /// Identity objects that belong to the workspace rather than to one mode: a member
    /// or member token acts in both modes, so only a credential that may reach live data
    /// (a live secret key or a member token) may create, change or revoke them.
    fn spans_modes(self) -> bool {
        matches!(self, Resource::Members)
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

    /// Fails with 403 `FORBIDDEN` when a test secret key would change `what`, something
    /// both modes share: test keys never reach live data.
    pub fn may_change_both_modes(&self, what: &str) -> AppResult<()> {
        if !self.livemode() && matches!(self.actor, Actor::SecretKey { .. }) {
            return Err(AppError::forbidden(format!(
                "{what} spans both modes, so a test key cannot change it; use a live secret key or a member token."
            )));
        }
        Ok(())
    }

    /// Fails with 403 `FORBIDDEN` unless the caller may do `access` on `resource`.
    pub fn authorize(&self, resource: Resource, access: Access) -> AppResult<()> {
        if access == Access::Write && resource.spans_modes() {
            self.may_change_both_modes(&format!("The team ({})", resource.scope_name()))?;
        }
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
            Actor::SecretKey { scopes, .. } => scopes.allows(resource, access),
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
        if let Some(slot) = &self.idempotency {
            slot.refuse_second_unit()?;
        }
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
