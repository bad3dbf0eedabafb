//! Credentials: secret keys, site keys, member tokens and signing secrets.
//!
//! Secrets are random, high-entropy strings, so a single SHA-256 is a sufficient
//! at-rest hash (a slow KDF protects low-entropy passwords, not these). Lookups go by
//! hash; the final comparison is constant-time.

use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Mode;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_LEN: usize = 32;

/// What a presented credential claims to be, read from its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    SecretKey(Mode),
    SiteKey(Mode),
    MemberToken,
}

impl CredentialKind {
    pub fn of(presented: &str) -> Option<Self> {
        let kind = if presented.starts_with("sk_test_") {
            CredentialKind::SecretKey(Mode::Test)
        } else if presented.starts_with("sk_live_") {
            CredentialKind::SecretKey(Mode::Live)
        } else if presented.starts_with("pk_test_") {
            CredentialKind::SiteKey(Mode::Test)
        } else if presented.starts_with("pk_live_") {
            CredentialKind::SiteKey(Mode::Live)
        } else if presented.starts_with("mt_") {
            CredentialKind::MemberToken
        } else {
            return None;
        };
        Some(kind)
    }
}

fn random_string(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A new secret key: `sk_test_…` or `sk_live_…`.
pub fn new_secret_key(mode: Mode) -> String {
    format!("sk_{}_{}", mode.as_str(), random_string(SECRET_LEN))
}

/// A new site key: `pk_test_…` or `pk_live_…`.
pub fn new_site_key(mode: Mode) -> String {
    format!("pk_{}_{}", mode.as_str(), random_string(SECRET_LEN))
}

/// A new member access token: `mt_…`.
pub fn new_member_token() -> String {
    format!("mt_{}", random_string(SECRET_LEN))
}

/// A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks uses.
pub fn new_signing_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::rng().random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The at-rest form of a secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Constant-time check that `presented` hashes to `stored_hash`.
pub fn verify_secret(presented: &str, stored_hash: &str) -> bool {
    let presented_hash = hash_secret(presented);
    presented_hash
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

/// The last four characters, kept so a person can tell keys apart in a list.
pub fn last4(secret: &str) -> String {
    secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

/// SHA-256 of several byte strings, each length-prefixed so their boundaries count.
pub fn digest_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_identify_kinds() {
        let key = new_secret_key(Mode::Test);
        assert_eq!(
            CredentialKind::of(&key),
            Some(CredentialKind::SecretKey(Mode::Test))
        );
        assert_eq!(
            CredentialKind::of(&new_site_key(Mode::Live)),
            Some(CredentialKind::SiteKey(Mode::Live))
        );
        assert_eq!(
            CredentialKind::of(&new_member_token()),
            Some(CredentialKind::MemberToken)
        );
        assert_eq!(CredentialKind::of("bearer-nonsense"), None);
        assert_eq!(key.len(), "sk_test_".len() + SECRET_LEN);
    }

    #[test]
    fn verifies_only_the_right_secret() {
        let key = new_secret_key(Mode::Live);
        let stored = hash_secret(&key);
        assert!(verify_secret(&key, &stored));
        assert!(!verify_secret(&new_secret_key(Mode::Live), &stored));
    }
}
