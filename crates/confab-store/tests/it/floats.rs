//! Optional floats (message sentiment scores, reply confidence) bind the same way with
//! and without a value, so a statement cached on a pooled connection accepts both.

use confab_core::Timestamp;
use confab_core::id::{AiReplyId, ConversationId, MessageId};
use confab_store::ai_replies::{self, AiReply};
use confab_testkit::{TestDb, both_backends};

use crate::fixtures::workspace;

fn reply(n: i64, confidence: Option<f64>) -> AiReply {
    AiReply {
        id: AiReplyId::from_trusted(format!("air_{n}")),
        conversation_id: ConversationId::from_trusted("cnv_x".into()),
        message_id: None,
        reply_to: MessageId::from_trusted(format!("msg_{n}")),
        agent_id: None,
        provider: "local".into(),
        model: None,
        confidence,
        sources: vec![],
        handoff_reason: None,
        input_tokens: n,
        output_tokens: 1,
        created_at: Timestamp::from_millis(1_000),
    }
}

both_backends! {
    async fn a_missing_float_then_a_value_on_one_connection(backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let ws = workspace(&store).await;
        // One transaction is one connection: the second insert reuses the statement the
        // first prepared.
        let mut tx = store.tenant(&ws, false).await.unwrap();
        ai_replies::insert(&mut tx, &reply(1, None)).await.unwrap();
        ai_replies::insert(&mut tx, &reply(2, Some(0.731_25))).await.unwrap();
        ai_replies::insert(&mut tx, &reply(3, None)).await.unwrap();
        let spent = ai_replies::tokens_since(&mut tx, Timestamp::from_millis(0)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(spent, (6, 3));
    }
}
