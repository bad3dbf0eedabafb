//! Who is asking, in which workspace and mode, and what they may do.

use std::sync::Arc;

use confab_core::Mode;
use confab_core::id::{KeyId, MemberId, TokenId, WorkspaceId};
use confab_core::member::Role;
use confab_store::TenantTx;
use confab_store::credentials::KeyRow;

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

impl Actor {
    /// The actor a secret key's row acts as: the key, its member and its scopes.
    pub(crate) fn secret_key(key: &KeyRow) -> Self {
        Actor::SecretKey {
            key_id: key.id.clone(),
            member_id: key.member_id.clone(),
            scopes: key.scopes.clone(),
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
            Resource::Tasks => "tasks",
        }
    }

    /// Every resource, in scope-name order of declaration.
    pub const ALL: [Resource; 12] = [
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

/// The scopes a key may carry: `read`, `write`, `{resource}:read`, `{resource}:write`.
/// An empty list means full access.
pub mod scopes {
    use super::{Access, Resource};

    /// Checks and normalizes a key's scopes (trimmed, lower-cased, duplicates
    /// dropped); the error names the first unknown scope and the vocabulary.
    pub fn parse(raw: &[String]) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = Vec::new();
        for scope in raw {
            let scope = scope.trim().to_ascii_lowercase();
            if !is_known(&scope) {
                let names: Vec<&str> = Resource::ALL.iter().map(|r| r.scope_name()).collect();
                return Err(format!(
                    "`{scope}` is not a scope; use read, write, or {{resource}}:read / {{resource}}:write where resource is one of {}",
                    names.join(", ")
                ));
            }
            if !out.contains(&scope) {
                out.push(scope);
            }
        }
        Ok(out)
    }

    fn is_known(scope: &str) -> bool {
        if scope == "read" || scope == "write" {
            return true;
        }
        scope.split_once(':').is_some_and(|(name, access)| {
            matches!(access, "read" | "write")
                && Resource::ALL.iter().any(|r| r.scope_name() == name)
        })
    }

    /// Whether `held` (a key's scopes; empty means everything) allows `access` on
    /// `resource`. A write scope also allows reading.
    pub fn allows(held: &[String], resource: Resource, access: Access) -> bool {
        if held.is_empty() {
            return true;
        }
        let name = resource.scope_name();
        held.iter().any(|s| match (s.as_str(), access) {
            ("write", _) | ("read", Access::Read) => true,
            (scope, _) => match scope.split_once(':') {
                Some((n, "write")) => n == name,
                Some((n, "read")) => n == name && access == Access::Read,
                _ => false,
            },
        })
    }

    /// Whether every scope of `wanted` is within `held`: a key may only hand out what
    /// it has itself (and a limited key never a full-access one).
    pub fn within(wanted: &[String], held: &[String]) -> bool {
        if held.is_empty() {
            return true;
        }
        !wanted.is_empty()
            && wanted.iter().all(|scope| match scope.as_str() {
                "write" => held.iter().any(|h| h == "write"),
                "read" => held.iter().any(|h| h == "read" || h == "write"),
                other => other.split_once(':').is_some_and(|(name, access)| {
                    Resource::ALL.iter().any(|r| {
                        r.scope_name() == name
                            && allows(
                                held,
                                *r,
                                if access == "write" {
                                    Access::Write
                                } else {
                                    Access::Read
                                },
                            )
                    })
                }),
            })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn v(items: &[&str]) -> Vec<String> {
            items.iter().map(|s| (*s).to_owned()).collect()
        }

        #[test]
        fn the_vocabulary_is_read_write_and_per_resource() {
            assert_eq!(
                parse(&v(&[" Contacts:Read", "write", "contacts:read"])),
                Ok(v(&["contacts:read", "write"]))
            );
            assert!(parse(&v(&["contacts:delete"])).is_err());
            assert!(parse(&v(&["admin"])).unwrap_err().contains("tasks"));
            assert!(parse(&v(&["nothing:read"])).is_err());
        }

        #[test]
        fn a_write_scope_reads_too() {
            let held = v(&["contacts:write"]);
            assert!(allows(&held, Resource::Contacts, Access::Read));
            assert!(!allows(&held, Resource::Tasks, Access::Read));
            assert!(allows(&v(&["read"]), Resource::Tasks, Access::Read));
            assert!(!allows(&v(&["read"]), Resource::Tasks, Access::Write));
            assert!(allows(&[], Resource::Keys, Access::Write));
        }

        #[test]
        fn a_key_hands_out_only_what_it_holds() {
            let held = v(&["keys:write", "contacts:write"]);
            assert!(within(&v(&["contacts:read"]), &held));
            assert!(!within(&v(&["tasks:write"]), &held));
            assert!(!within(&[], &held), "a limited key cannot make a full one");
            assert!(within(&[], &[]));
            assert!(within(&v(&["read"]), &v(&["write"])));
            assert!(!within(&v(&["write"]), &v(&["read"])));
        }
    }
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
        if access == Access::Write
            && resource.spans_modes()
            && !self.livemode()
            && matches!(self.actor, Actor::SecretKey { .. })
        {
            return Err(AppError::forbidden(format!(
                "The team ({}) spans both modes, so a test key cannot change it; use a live secret key or a member token.",
                resource.scope_name()
            )));
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
            Actor::SecretKey { scopes, .. } => scopes::allows(scopes, resource, access),
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
