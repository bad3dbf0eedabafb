//! The AI agent end to end with the local provider: understanding of every customer
//! message, answers from the knowledge base in the customer's language, the hand-off
//! policy, agents and previews, and one reply per message across a crash.

use confab_app::core::job::JobKind;
use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

async fn post(s: &TestServer, path: &str, body: Value) -> Value {
    let r = s.call("POST", path, s.sk(), Some(body)).await;
    assert!(
        r.status == 200 || r.status == 201,
        "{path}: {} {}",
        r.status,
        r.text
    );
    r.json()
}

async fn say(s: &TestServer, id: &str, text: &str) -> Value {
    post(
        s,
        &format!("/v1/conversations/{id}/messages"),
        json!({"role": "customer", "text": text}),
    )
    .await
}

async fn conversation(s: &TestServer, id: &str) -> Value {
    s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None)
        .await
        .json()
}

/// Opening hours in English and Arabic (one intent), refunds in English only.
async fn multilingual_knowledge(s: &TestServer) -> (String, String) {
    let en = post(
        s,
        "/v1/knowledge",
        json!({
            "title": "Opening hours",
            "body": "We are open every day from 9 am to 6 pm.",
            "questions": ["What are your opening hours?", "When do you open?"],
            "intent": "opening_hours", "lang": "en"
        }),
    )
    .await;
    let ar = post(
        s,
        "/v1/knowledge",
        json!({
            "title": "ساعات العمل",
            "body": "نحن نعمل كل يوم من الساعة 9 صباحاً حتى 6 مساءً.",
            "questions": ["ما هي ساعات العمل؟", "متى تفتحون؟"],
            "intent": "opening_hours", "lang": "ar"
        }),
    )
    .await;
    post(
        s,
        "/v1/knowledge",
        json!({
            "title": "Refunds",
            "body": "Returns are accepted within 30 days for a full refund.",
            "questions": ["Can I get a refund?", "How do I return an item?"],
            "intent": "refund_policy", "lang": "en"
        }),
    )
    .await;
    (
        en["id"].as_str().unwrap().into(),
        ar["id"].as_str().unwrap().into(),
    )
}

both_backends! {
    async fn english_and_arabic_customers_get_the_answer_in_their_language(backend) {
        let s = TestServer::start(backend).await;
        multilingual_knowledge(&s).await;

        let c = s.conversation(json!({"message": {"text": "Hello, what are your opening hours please?"}})).await;
        let en_id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(c["lang"], "en");
        assert_eq!(c["intent"], "opening_hours", "a confident match gives the entry's intent");
        let c = s.conversation(json!({"message": {"text": "مرحبا، ما هي ساعات العمل لديكم؟"}})).await;
        let ar_id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(c["lang"], "ar");

        assert_eq!(s.run_replies().await, 2);
        let en = s.messages(&en_id).await;
        assert_eq!(en[0]["lang"], "en");
        assert!(en[0]["sentiment"].as_str().is_some());
        assert!(en[0]["sentiment_score"].as_f64().unwrap().abs() <= 1.0);
        assert_eq!(en[1]["role"], "ai");
        assert_eq!(en[1]["text"], "We are open every day from 9 am to 6 pm.");
        assert_eq!(en[1]["intent"], "opening_hours");
        assert_eq!(en[1]["lang"], "en");
        let ar = s.messages(&ar_id).await;
        assert_eq!(ar[1]["text"], "نحن نعمل كل يوم من الساعة 9 صباحاً حتى 6 مساءً.");
        assert_eq!(ar[1]["lang"], "ar");
        assert_eq!(ar[1]["intent"], "opening_hours");
        // message.sent carries what the reply carries.
        let sent = s.events_of("message.sent").await;
        assert_eq!(sent.len(), 2);
        for e in &sent {
            assert_eq!(e["data"]["intent"], "opening_hours");
            assert!(e["data"]["lang"] == "en" || e["data"]["lang"] == "ar");
            assert!(e["data"]["sentiment"].is_string());
        }
        assert_eq!(conversation(&s, &ar_id).await["handled_by"], "ai", "answered, no hand-off");

        // A Spanish customer asking about refunds (an English-only entry) still gets it:
        // the best entry, when none exists in their language.
        let c = s.conversation(json!({"message": {"text": "Can I get a refund for my order?"}})).await;
        s.run_replies().await;
        let m = s.messages(c["id"].as_str().unwrap()).await;
        assert_eq!(m[1]["text"], "Returns are accepted within 30 days for a full refund.");
    }
}

both_backends! {
    async fn asking_for_a_person_hands_off_in_any_language(backend) {
        let s = TestServer::start(backend).await;
        multilingual_knowledge(&s).await;
        let asks = [
            ("I want to talk to a human", "en"),
            ("أريد التحدث إلى موظف", "ar"),
            ("मुझे किसी इंसान से बात करनी है", "hi"),
        ];
        for (text, lang) in asks {
            let c = s.conversation(json!({"message": {"text": text}})).await;
            let id = c["id"].as_str().unwrap();
            assert_eq!(c["intent"], "human_request", "{text}");
            assert_eq!(s.run_replies().await, 1);
            let after = conversation(&s, id).await;
            assert_eq!(after["handled_by"], "pending", "{text}");
            assert!(after["human_requested_at"].is_string());
            let m = s.messages(id).await;
            assert_eq!(m[1]["role"], "ai");
            assert_eq!(m[1]["lang"], lang, "the notice is in the customer's language");
            assert_ne!(m[1]["text"], m[0]["text"]);
        }
        let handoffs = s.events_of("handoff.requested").await;
        assert_eq!(handoffs.len(), 3);
        assert!(handoffs.iter().all(|e| e["data"]["reason"] == "customer_request"));
    }
}

both_backends! {
    async fn two_angry_messages_hand_off_for_negative_sentiment(backend) {
        let s = TestServer::start(backend).await;
        multilingual_knowledge(&s).await;
        let c = s.conversation(json!({"message": {"text": "This is terrible. My order arrived broken and I am furious!"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(c["sentiment"], "negative");
        assert_eq!(s.events_of("sentiment.changed").await.len(), 1, "neutral → negative");
        s.run_replies().await;
        assert_eq!(conversation(&s, &id).await["handled_by"], "ai", "one angry message is not enough");

        let m = say(&s, &id, "Awful service, this is the worst experience ever. Horrible!").await;
        assert_eq!(m["sentiment"], "negative");
        assert!(m["sentiment_score"].as_f64().unwrap() < -0.05);
        assert_eq!(s.events_of("sentiment.changed").await.len(), 1, "still negative: no new event");
        s.run_replies().await;
        let after = conversation(&s, &id).await;
        assert_eq!(after["handled_by"], "pending");
        let handoff = &s.events_of("handoff.requested").await[0];
        assert_eq!(handoff["data"]["reason"], "negative_sentiment");
        assert_eq!(handoff["data"]["id"], id.as_str());

        // Back to the AI after a person calms things down: the count starts afresh.
        post(&s, &format!("/v1/conversations/{id}/take-over"), json!({})).await;
        post(&s, &format!("/v1/conversations/{id}/release"), json!({})).await;
        say(&s, &id, "Thanks, that is great, you fixed it!").await;
        assert_eq!(s.events_of("sentiment.changed").await.len(), 2, "negative → positive");
        s.run_replies().await;
        assert_eq!(conversation(&s, &id).await["handled_by"], "ai");
    }
}

both_backends! {
    async fn unanswerable_questions_hand_off_after_the_second(backend) {
        let s = TestServer::start(backend).await;
        multilingual_knowledge(&s).await;
        let c = s.conversation(json!({"message": {"text": "Do you sell replacement bicycle chains?"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        s.run_replies().await;
        let m = s.messages(&id).await;
        assert_eq!(m.len(), 2);
        assert_eq!(conversation(&s, &id).await["handled_by"], "ai", "first miss: ask to rephrase");
        say(&s, &id, "What about tandem bicycle saddles?").await;
        s.run_replies().await;
        assert_eq!(conversation(&s, &id).await["handled_by"], "pending");
        assert_eq!(s.events_of("handoff.requested").await[0]["data"]["reason"], "low_confidence");
    }
}

both_backends! {
    async fn agents_choose_policy_and_preview_without_side_effects(backend) {
        let s = TestServer::start(backend).await;
        multilingual_knowledge(&s).await;
        let support = post(&s, "/v1/agents", json!({
            "name": "Sam", "greeting": "Hi, I'm Sam from Acme!",
            "handoff": {"negative_messages": 0, "low_confidence_answers": 1, "keywords": ["legal action"]}
        })).await;
        assert_eq!(support["object"], "agent");
        assert!(support["id"].as_str().unwrap().starts_with("agt_"));
        assert_eq!(support["is_default"], true, "the first agent is the default");
        assert_eq!(support["provider"]["kind"], "local");
        let whatsapp = post(&s, "/v1/agents", json!({"name": "Wanda", "channels": ["whatsapp"], "handoff": {"keywords": ["manager"]}})).await;
        assert_eq!(whatsapp["is_default"], false);

        // Validation: provider kinds, models, key variables the operator has not allowed.
        let r = s.call("POST", "/v1/agents", s.sk(), Some(json!({"name": "x", "provider": {"kind": "gemini"}}))).await;
        assert_eq!(r.status, 422);
        let r = s.call("POST", "/v1/agents", s.sk(), Some(json!({"name": "x", "provider": {"kind": "openai"}}))).await;
        assert!(r.json()["error"]["fields"]["provider.model"].is_array());
        let r = s.call("POST", "/v1/agents", s.sk(), Some(json!({"name": "x", "provider": {"kind": "openai", "model": "m", "base_url": "https://evil.example/v1", "api_key_env": "CONFAB_ADMIN_TOKEN"}}))).await;
        assert!(r.json()["error"]["fields"]["provider.api_key_env"].is_array(), "{}", r.text);
        let r = s.call("POST", "/v1/agents", s.sk(), Some(json!({"name": "x", "channels": ["fax"], "languages": ["english"]}))).await;
        let fields = r.json()["error"]["fields"].clone();
        assert!(fields["channels.0"].is_array() && fields["languages.0"].is_array());
        let r = s.call("POST", "/v1/conversations", s.sk(), Some(json!({"agent_id": "agt_01J00000000000000000000000"}))).await;
        assert_eq!(r.status, 422, "an agent that does not exist");

        // Preview: the default agent's greeting, a keyword hand-off, a knowledge answer.
        let sid = support["id"].as_str().unwrap();
        let p = post(&s, &format!("/v1/agents/{sid}/preview"), json!({"text": "hello"})).await;
        assert_eq!(p["reply"], "Hi, I'm Sam from Acme!");
        assert_eq!(p["intent"], "greeting");
        assert_eq!(p["handoff"], false);
        let p = post(&s, &format!("/v1/agents/{sid}/preview"), json!({"text": "I will take legal action over this"})).await;
        assert_eq!((p["handoff"].clone(), p["handoff_reason"].clone()), (json!(true), json!("keyword")));
        let p = post(&s, &format!("/v1/agents/{sid}/preview"), json!({"text": "when do you open?", "history": [{"role": "customer", "text": "hi"}, {"role": "ai", "text": "Hello!"}]})).await;
        assert_eq!(p["reply"], "We are open every day from 9 am to 6 pm.");
        assert_eq!(p["sources"].as_array().unwrap().len(), 1);
        assert!(p["confidence"].as_f64().unwrap() >= 0.5);
        assert_eq!(p["lang"], "en");
        let p = post(&s, &format!("/v1/agents/{sid}/preview"), json!({"text": "Do you repair vintage typewriters?"})).await;
        assert_eq!(p["handoff_reason"], "low_confidence", "this agent hands off at the first miss");
        assert_eq!(s.call("GET", "/v1/conversations", s.sk(), None).await.json()["data"], json!([]), "previews store nothing");
        assert!(s.events_of("message.received").await.is_empty());

        // Choice of agent: channel's agent for WhatsApp, the contact's over the channel's.
        let c = s.conversation(json!({"channel": "whatsapp", "message": {"text": "get me your manager"}})).await;
        s.run_replies().await;
        let after = conversation(&s, c["id"].as_str().unwrap()).await;
        assert_eq!(after["agent_id"], whatsapp["id"]);
        assert_eq!(after["handled_by"], "pending", "Wanda's keyword");
        let contact = s.contact(json!({"name": "Ada", "agent_id": sid})).await;
        let c = s.conversation(json!({"channel": "whatsapp", "contact_id": contact["id"], "message": {"text": "get me your manager"}})).await;
        s.run_replies().await;
        let after = conversation(&s, c["id"].as_str().unwrap()).await;
        assert_eq!(after["agent_id"], support["id"]);
        assert_eq!(after["handled_by"], "pending", "Sam hands off at the first unanswered message");
        assert_eq!(s.events_of("handoff.requested").await[0]["data"]["reason"], "low_confidence");

        // Making another agent the default takes it from the first.
        let r = s.call("PATCH", &format!("/v1/agents/{}", whatsapp["id"].as_str().unwrap()), s.sk(), Some(json!({"is_default": true}))).await;
        assert_eq!(r.json()["is_default"], true);
        assert_eq!(s.call("GET", &format!("/v1/agents/{sid}"), s.sk(), None).await.json()["is_default"], false);
        let r = s.call("DELETE", &format!("/v1/agents/{sid}"), s.sk(), None).await;
        assert_eq!(r.status, 200);
        assert_eq!(s.call("GET", &format!("/v1/agents/{sid}"), s.sk(), None).await.status, 404);
        let list = s.call("GET", "/v1/agents", s.sk(), None).await.json();
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
    }
}

both_backends! {
    /// The worker claimed the job and died before answering: after the lease, the job
    /// runs again and the customer gets exactly one reply; running it yet again (a
    /// crash after the reply, before the job closed) adds nothing.
    async fn a_reply_interrupted_by_a_crash_is_sent_exactly_once(backend) {
        let s = TestServer::start(backend).await;
        multilingual_knowledge(&s).await;
        let c = s.conversation(json!({"message": {"text": "When do you open?"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();

        // Claim the job as a worker would, then "crash" (never finish it).
        let mut sys = s.app.store.system().await.unwrap();
        let claimed = confab_store::jobs::claim(&mut sys, &[JobKind::AiReply], s.app.clock.now(), 120_000).await.unwrap();
        sys.commit().await.unwrap();
        assert!(claimed.is_some());
        assert_eq!(s.run_replies().await, 0, "the lease keeps the job from a second worker");
        assert_eq!(s.messages(&id).await.len(), 1);

        s.app.clock.advance(121_000);
        assert_eq!(s.run_replies().await, 1, "after the lease the job runs again");
        let m = s.messages(&id).await;
        assert_eq!(m.len(), 2);
        assert_eq!(m[1]["role"], "ai");

        // A duplicate job for the same message (as if the close was lost) adds no reply.
        let job = claimed.unwrap();
        let mut tx = s.app.store.tenant(&job.workspace_id, job.livemode).await.unwrap();
        let work = job.work.clone().expect("a readable job");
        confab_store::jobs::enqueue_unchecked(&mut tx, "ai_reply", "ai_reply:again", &work.payload(), s.app.clock.now()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.run_replies().await, 1);
        assert_eq!(s.messages(&id).await.len(), 2, "still one reply");
        assert_eq!(s.events_of("message.sent").await.len(), 1);
    }
}

both_backends! {
    /// A job the worker can never run (here: its payload names no message) is retried
    /// with backoff and then failed after `max_attempts`, not retried forever.
    async fn a_reply_job_that_keeps_failing_ends_failed(backend) {
        let s = TestServer::start(backend).await;
        let mut tx = s.test_tx().await;
        confab_store::jobs::enqueue_unchecked(&mut tx, "ai_reply", "ai_reply:broken", &json!({"conversation_id": "cnv_x"}), s.app.clock.now()).await.unwrap();
        tx.commit().await.unwrap();
        for _ in 0..s.app.config.ai.max_attempts {
            assert_eq!(s.run_replies().await, 1, "the job is claimed and fails");
            s.app.clock.advance(120_000);
        }
        assert_eq!(s.run_replies().await, 0, "nothing is left to claim");
        let mut sys = s.app.store.system().await.unwrap();
        assert_eq!(confab_store::jobs::count_unfinished(&mut sys).await.unwrap(), 0);
    }
}
