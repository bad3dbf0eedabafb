//! Secret keys with scopes, made through the store (key management has its own API).

use confab_app::core::Mode;
use confab_app::core::credential::{self, hash_secret};
use confab_app::core::id::KeyId;
use confab_store::credentials::{KeyKind, KeyRow, insert_key};

use crate::TestServer;

impl TestServer {
    /// A new test-mode secret key of the bootstrapped workspace limited to `scopes`
    /// (`read`, `write`, `contacts:write`, …; none means full access).
    pub async fn secret_key(&self, scopes: &[&str]) -> String {
        let secret = credential::new_secret_key(Mode::Test);
        let row = KeyRow {
            id: KeyId::generate(),
            workspace_id: self.creds.workspace_id.clone(),
            livemode: false,
            member_id: None,
            kind: KeyKind::Secret,
            last4: credential::last4(&secret),
            label: format!("Test key ({})", scopes.join(", ")),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            allowed_origins: vec![],
            site_key: None,
            created_at: self.app.clock.now(),
            revoked_at: None,
        };
        let mut tx = self
            .app
            .store
            .tenant(&self.creds.workspace_id, false)
            .await
            .expect("tenant tx");
        insert_key(&mut tx, &row, &hash_secret(&secret))
            .await
            .expect("insert key");
        tx.commit().await.expect("commit key");
        secret
    }
}
