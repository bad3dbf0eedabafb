//! The AI agent with LLM providers, end to end: local servers speaking the OpenAI Chat
//! Completions and Anthropic Messages protocols drive a reply through a tool call, the
//! tokens are metered, and a provider that fails ends in an honest hand-off.

use confab_app::AiConfig;
use confab_app::core::agent::ProviderSettings;
use confab_testkit::llm::{anthropic, openai, wire};
use confab_testkit::{TestServer, both_backends};
use serde_json::json;

async fn knowledge(s: &TestServer) -> String {
    let r = s
        .call(
            "POST",
            "/v1/knowledge",
            s.sk(),
            Some(json!({
                "title": "Opening hours",
                "body": "We are open every day from 9 am to 6 pm.",
                "questions": ["When do you open?"],
                "intent": "opening_hours", "lang": "en"
            })),
        )
        .await;
    assert_eq!(r.status, 201);
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn tokens(s: &TestServer) -> (i64, i64) {
    let mut tx = s.test_tx().await;
    let spent = confab_store::ai_replies::tokens_since(
        &mut tx,
        confab_app::core::Timestamp::from_millis(0),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    spent
}

pub(crate) fn operator(kind: &str, url: &str) -> AiConfig {
    let mut ai = AiConfig {
        provider: ProviderSettings {
            kind: kind.parse().expect("a provider kind"),
            model: Some("test-model".into()),
            base_url: None,
            api_key_env: None,
        },
        timeout_ms: 2_000,
        idle_timeout_ms: 1_000,
        max_attempts: 2,
        ..AiConfig::default()
    };
    match kind {
        "openai" => ai.openai_base_url = url.to_owned(),
        _ => ai.anthropic_base_url = url.to_owned(),
    }
    ai
}

both_backends! {
    async fn an_openai_compatible_model_answers_through_a_tool_call(backend) {
        let server = openai::OpenAiServer::start(None, vec![
            openai::Reply::ToolCall { id: "call_1", name: "search_knowledge", arguments: vec!["{\"que", "ry\": \"opening", " hours\"}"] },
            openai::Reply::Text(vec!["We're open ", "9 am to 6 pm, ", "every day."]),
        ]).await;
        let s = TestServer::start_with_ai(backend, operator("openai", &server.url)).await;
        let entry = knowledge(&s).await;
        let c = s.conversation(json!({"message": {"text": "hey, what time do you open on sunday?"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(s.run_replies().await, 1);

        let m = s.messages(&id).await;
        assert_eq!(m.len(), 2);
        assert_eq!(m[1]["role"], "ai");
        assert_eq!(m[1]["text"], "We're open 9 am to 6 pm, every day.");
        assert_eq!(m[1]["lang"], "en");

        let requests = server.received.all();
        assert_eq!(requests.len(), 2, "one round for the tool call, one for the answer");
        let first = &requests[0].body;
        assert_eq!(first["model"], "test-model");
        assert_eq!(first["stream"], true);
        assert_eq!(first["messages"][0]["role"], "system");
        let system = first["messages"][0]["content"].as_str().unwrap();
        assert!(system.contains(&entry), "the prompt names the retrieved entry's id");
        let tools: Vec<&str> = first["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
        assert_eq!(tools, vec!["search_knowledge", "hand_off_to_human"]);
        let second = requests[1].body["messages"].as_array().unwrap();
        let result = second.iter().find(|m| m["role"] == "tool").expect("the tool result went back");
        assert_eq!(result["tool_call_id"], "call_1");
        assert!(result["content"].as_str().unwrap().contains("9 am to 6 pm"), "the knowledge base answered the tool");
        assert_eq!(tokens(&s).await, (2 * openai::PROMPT_TOKENS as i64, 2 * openai::COMPLETION_TOKENS as i64));
        let after = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json();
        assert_eq!(after["handled_by"], "ai");
    }
}

both_backends! {
    async fn an_anthropic_model_answers_through_tool_use_and_can_hand_off(backend) {
        let server = anthropic::AnthropicServer::start(None, vec![
            anthropic::Reply::ToolUse { text: "Let me check.", id: "toolu_1", name: "search_knowledge", input: vec!["{\"query\":", " \"hours\"}"] },
            anthropic::Reply::Text(vec!["We open at ", "9 am."]),
            anthropic::Reply::ToolUse { text: "", id: "toolu_2", name: "hand_off_to_human", input: vec!["{\"reason\": \"billing dispute\"}"] },
            anthropic::Reply::Text(vec!["I'm bringing in a colleague."]),
        ]).await;
        let s = TestServer::start_with_ai(backend, operator("anthropic", &server.url)).await;
        knowledge(&s).await;
        let c = s.conversation(json!({"message": {"text": "When do you open?"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        s.run_replies().await;
        let m = s.messages(&id).await;
        assert_eq!(m[1]["text"], "We open at 9 am.");
        let requests = server.received.all();
        assert_eq!(requests[0].body["system"].as_str().map(|p| p.contains("Opening hours")), Some(true));
        assert_eq!(requests[0].header("anthropic-version"), Some("2023-06-01"));
        let turns = requests[1].body["messages"].as_array().unwrap();
        let last = turns.last().unwrap();
        assert_eq!(last["role"], "user");
        assert_eq!(last["content"][0]["type"], "tool_result");
        assert_eq!(last["content"][0]["tool_use_id"], "toolu_1");

        // The model decides a person is needed.
        let r = s.call("POST", &format!("/v1/conversations/{id}/messages"), s.sk(), Some(json!({"role": "customer", "text": "I was charged twice for my order"}))).await;
        assert_eq!(r.status, 201);
        s.run_replies().await;
        let m = s.messages(&id).await;
        assert_eq!(m.last().unwrap()["text"], "I'm bringing in a colleague.");
        let after = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json();
        assert_eq!(after["handled_by"], "pending");
        let e = s.call("GET", "/v1/events?type=handoff.requested", s.sk(), None).await.json();
        assert_eq!(e["data"][0]["data"]["reason"], "agent_decision");
        let turns_seen = requests.len();
        assert_eq!(turns_seen, 2);
        assert_eq!(tokens(&s).await.1, 4 * anthropic::OUTPUT_TOKENS as i64);
    }
}

both_backends! {
    /// A provider that never answers: the reply is retried with backoff, then the AI
    /// says honestly that a person will reply and hands off. Nothing hangs.
    async fn a_provider_that_times_out_ends_in_a_hand_off(backend) {
        let url = wire::stalling_server(wire::Stall::Silent).await;
        let mut ai = operator("openai", &format!("{url}/v1"));
        ai.timeout_ms = 400;
        ai.idle_timeout_ms = 300;
        let s = TestServer::start_with_ai(backend, ai).await;
        let c = s.conversation(json!({"message": {"text": "Is my parcel on its way?"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let started = std::time::Instant::now();
        assert_eq!(s.run_replies().await, 1, "the first attempt times out and is rescheduled");
        assert!(started.elapsed() < std::time::Duration::from_secs(3));
        assert_eq!(s.messages(&id).await.len(), 1);
        assert_eq!(s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json()["handled_by"], "ai");

        s.app.clock.advance(5_000);
        assert_eq!(s.run_replies().await, 1, "the last attempt");
        let m = s.messages(&id).await;
        assert_eq!(m.len(), 2);
        assert_eq!(m[1]["role"], "ai");
        assert!(m[1]["text"].as_str().unwrap().contains("person"), "{}", m[1]["text"]);
        let after = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json();
        assert_eq!(after["handled_by"], "pending");
        let e = s.call("GET", "/v1/events?type=handoff.requested", s.sk(), None).await.json();
        assert_eq!(e["data"][0]["data"]["reason"], "provider_error");
        s.app.clock.advance(60_000);
        assert_eq!(s.run_replies().await, 0, "no job is left behind");
    }
}

both_backends! {
    /// A refused request (here 401) will not pass on retry: hand off at once.
    async fn a_provider_that_refuses_hands_off_at_once(backend) {
        let server = openai::OpenAiServer::start(None, vec![openai::Reply::Error(401, "Incorrect API key provided")]).await;
        let s = TestServer::start_with_ai(backend, operator("openai", &server.url)).await;
        let c = s.conversation(json!({"message": {"text": "Hello there, do you ship to Norway?"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(s.run_replies().await, 1);
        let after = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json();
        assert_eq!(after["handled_by"], "pending");

        // Previews report a provider failure as 503 with the provider's message.
        let agent = s.call("POST", "/v1/agents", s.sk(), Some(json!({"name": "LLM", "provider": {"kind": "openai", "model": "m"}}))).await.json();
        let r = s.call("POST", &format!("/v1/agents/{}/preview", agent["id"].as_str().unwrap()), s.sk(), Some(json!({"text": "Do you ship to Norway?"}))).await;
        assert_eq!(r.status, 503, "{}", r.text);
        assert_eq!(r.json()["error"]["code"], "UNAVAILABLE");
    }
}
