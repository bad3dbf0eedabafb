//! The scopes a secret key carries: `read`, `write`, `{resource}:read`,
//! `{resource}:write`; none at all means full access. Parsed once, when a key is
//! created or authenticated, and matched as types from there on.

use crate::{Access, Resource};

/// One scope: read or write, on every resource or on one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    /// `None`: every resource.
    pub resource: Option<Resource>,
    pub access: Access,
}

impl Scope {
    /// A scope's name, trimmed and in any case (`" Contacts:Read"`).
    pub fn parse(raw: &str) -> Option<Scope> {
        let name = raw.trim().to_ascii_lowercase();
        let (resource, access) = match name.split_once(':') {
            Some((resource, access)) => (
                Some(
                    Resource::ALL
                        .into_iter()
                        .find(|r| r.scope_name() == resource)?,
                ),
                access,
            ),
            None => (None, name.as_str()),
        };
        let access = match access {
            "read" => Access::Read,
            "write" => Access::Write,
            _ => return None,
        };
        Some(Scope { resource, access })
    }

    /// As written in the API and stored.
    pub fn name(self) -> String {
        let access = match self.access {
            Access::Read => "read",
            Access::Write => "write",
        };
        match self.resource {
            Some(r) => format!("{}:{access}", r.scope_name()),
            None => access.to_owned(),
        }
    }

    /// A write scope also allows reading.
    fn allows(self, resource: Resource, access: Access) -> bool {
        self.resource.is_none_or(|r| r == resource)
            && (self.access == Access::Write || access == Access::Read)
    }
}

/// What a key may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scopes {
    /// The key was given no scopes.
    Full,
    /// Only these (never empty when made by [`Scopes::parse`]).
    Limited(Vec<Scope>),
}

impl Scopes {
    /// Checks a request's scopes: duplicates dropped, first-seen order kept; the error
    /// names the first unknown scope and the vocabulary.
    pub fn parse(raw: &[String]) -> Result<Scopes, String> {
        let mut out: Vec<Scope> = Vec::new();
        for name in raw {
            let scope = Scope::parse(name).ok_or_else(|| {
                let names: Vec<&str> = Resource::ALL.iter().map(|r| r.scope_name()).collect();
                format!(
                    "`{}` is not a scope; use read, write, or {{resource}}:read / {{resource}}:write where resource is one of {}",
                    name.trim().to_ascii_lowercase(),
                    names.join(", ")
                )
            })?;
            if !out.contains(&scope) {
                out.push(scope);
            }
        }
        Ok(if out.is_empty() {
            Scopes::Full
        } else {
            Scopes::Limited(out)
        })
    }

    /// A key's scopes as stored. A name the vocabulary does not know (a scope from a
    /// newer version, or a damaged row) grants nothing, and never widens the key.
    pub fn from_stored(raw: &[String]) -> Scopes {
        if raw.is_empty() {
            return Scopes::Full;
        }
        Scopes::Limited(raw.iter().filter_map(|s| Scope::parse(s)).collect())
    }

    pub fn allows(&self, resource: Resource, access: Access) -> bool {
        match self {
            Scopes::Full => true,
            Scopes::Limited(held) => held.iter().any(|s| s.allows(resource, access)),
        }
    }

    /// Whether every scope of `self` is within `held`: a key may only hand out what it
    /// has itself (and a limited key never a full-access one).
    pub fn within(&self, held: &Scopes) -> bool {
        match (self, held) {
            (_, Scopes::Full) => true,
            (Scopes::Full, Scopes::Limited(_)) => false,
            (Scopes::Limited(wanted), Scopes::Limited(held)) => {
                wanted.iter().all(|w| match w.resource {
                    Some(r) => held.iter().any(|h| h.allows(r, w.access)),
                    None => held.iter().any(|h| {
                        h.resource.is_none()
                            && (h.access == Access::Write || w.access == Access::Read)
                    }),
                })
            }
        }
    }

    /// The names, as stored and shown (empty for full access).
    pub fn names(&self) -> Vec<String> {
        match self {
            Scopes::Full => Vec::new(),
            Scopes::Limited(held) => held.iter().map(|s| s.name()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn scopes(items: &[&str]) -> Scopes {
        Scopes::parse(&v(items)).unwrap()
    }

    #[test]
    fn the_vocabulary_is_read_write_and_per_resource() {
        assert_eq!(
            Scopes::parse(&v(&[" Contacts:Read", "write", "contacts:read"])).map(|s| s.names()),
            Ok(v(&["contacts:read", "write"]))
        );
        assert!(Scopes::parse(&v(&["contacts:delete"])).is_err());
        assert!(Scopes::parse(&v(&["admin"])).unwrap_err().contains("tasks"));
        assert!(Scopes::parse(&v(&["nothing:read"])).is_err());
        assert_eq!(Scopes::parse(&[]), Ok(Scopes::Full));
    }

    #[test]
    fn a_write_scope_reads_too() {
        let held = scopes(&["contacts:write"]);
        assert!(held.allows(Resource::Contacts, Access::Read));
        assert!(!held.allows(Resource::Tasks, Access::Read));
        assert!(scopes(&["read"]).allows(Resource::Tasks, Access::Read));
        assert!(!scopes(&["read"]).allows(Resource::Tasks, Access::Write));
        assert!(Scopes::Full.allows(Resource::Keys, Access::Write));
    }

    #[test]
    fn a_key_hands_out_only_what_it_holds() {
        let held = scopes(&["keys:write", "contacts:write"]);
        assert!(scopes(&["contacts:read"]).within(&held));
        assert!(!scopes(&["tasks:write"]).within(&held));
        assert!(
            !Scopes::Full.within(&held),
            "a limited key cannot make a full one"
        );
        assert!(Scopes::Full.within(&Scopes::Full));
        assert!(scopes(&["read"]).within(&scopes(&["write"])));
        assert!(!scopes(&["write"]).within(&scopes(&["read"])));
    }

    #[test]
    fn a_stored_scope_no_longer_known_grants_nothing() {
        let stored = Scopes::from_stored(&v(&["contacts:read", "telepathy:write"]));
        assert!(stored.allows(Resource::Contacts, Access::Read));
        assert!(!stored.allows(Resource::Tasks, Access::Read));
        let unknown_only = Scopes::from_stored(&v(&["telepathy:write"]));
        assert!(
            !unknown_only.allows(Resource::Contacts, Access::Read),
            "never full access"
        );
    }
}
