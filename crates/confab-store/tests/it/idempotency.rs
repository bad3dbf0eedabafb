//! The idempotency claim protocol.

use confab_core::Timestamp;
use confab_store::idempotency::{self, Claim, IdempotencyScope};
use confab_testkit::{TestDb, both_backends};

use crate::fixtures::workspace;

both_backends! {
    async fn claim_complete_replay_and_expired_lease(backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let ws = workspace(&store).await;
        let scope = IdempotencyScope { credential_id: "key_1".into(), key: "k".into() };
        let now = Timestamp::from_millis(1_000_000);
        let claim = |fp: &'static str, at: Timestamp| {
            let store = store.clone();
            let ws = ws.clone();
            let scope = scope.clone();
            async move {
                let mut tx = store.tenant(&ws, false).await.unwrap();
                let c = idempotency::claim(&mut tx, &scope, fp, at, 60_000).await.unwrap();
                tx.commit().await.unwrap();
                c
            }
        };
        assert_eq!(claim("fp", now).await, Claim::Acquired);
        let held = Claim::InFlight { fingerprint: "fp".into(), locked_until: now.plus_seconds(60) };
        assert_eq!(claim("fp", now).await, held);
        // A renewed lease holds past the first one.
        let mut tx = store.tenant(&ws, false).await.unwrap();
        idempotency::renew(&mut tx, &scope, now.plus_seconds(90)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            claim("fp", now.plus_seconds(61)).await,
            Claim::InFlight { fingerprint: "fp".into(), locked_until: now.plus_seconds(90) }
        );
        // The first request died without committing: after its lease, a retry takes over.
        assert_eq!(claim("fp", now.plus_seconds(91)).await, Claim::Acquired);
        let mut tx = store.tenant(&ws, false).await.unwrap();
        idempotency::complete(&mut tx, &scope, 201, "{\"id\":1}").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            claim("other", now.plus_seconds(62)).await,
            Claim::Completed { fingerprint: "fp".into(), status: 201, body: "{\"id\":1}".into() }
        );
        // The same key in the other mode is a different key.
        let mut live = store.tenant(&ws, true).await.unwrap();
        assert_eq!(idempotency::claim(&mut live, &scope, "fp", now, 60_000).await.unwrap(), Claim::Acquired);
    }
}
