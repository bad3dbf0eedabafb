//! The task agent with an LLM provider (a local server speaking OpenAI Chat
//! Completions): a multi-step request done through the tools, every call and action
//! priced, and a budget that stops the model between two steps.

use confab_testkit::llm::openai::{self, COMPLETION_TOKENS, PROMPT_TOKENS, Reply};
use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

use crate::agent_llm::operator;

/// A `'static` text for the scripted server, built at run time (ids are not known
/// before the test makes them).
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn call(id: &'static str, name: &'static str, arguments: Value) -> Reply {
    Reply::ToolCall {
        id,
        name,
        arguments: vec![leak(arguments.to_string())],
    }
}

both_backends! {
    async fn a_multi_step_request_is_done_through_the_tools(backend) {
        let server = openai::OpenAiServer::start(None, vec![]).await;
        let s = TestServer::start_with_ai(backend, operator("openai", &server.url)).await;
        let john = s.contact(json!({"name": "John Smith", "email": "john@acme.com"})).await;
        let ana = s.contact(json!({"name": "Ana Lima", "email": "ana@acme.com"})).await;
        let talk = s.conversation(json!({"contact_id": john["id"], "message": {"text": "Where is my order #1042?"}})).await;
        let (john_id, ana_id, talk_id) = (john["id"].as_str().unwrap(), ana["id"].as_str().unwrap(), talk["id"].as_str().unwrap());
        let summary = "John Smith asked where his order #1042 is.";
        // The script names the ids just made.
        server.script(vec![
            call("call_1", "search_contacts", json!({"search": "John Smith"})),
            call("call_2", "list_conversations", json!({"contact_id": john_id})),
            call("call_3", "get_conversation", json!({"conversation_id": talk_id})),
            call("call_4", "search_contacts", json!({"search": "ana@acme.com"})),
            call("call_5", "message_contact", json!({"contact_id": ana_id, "text": summary})),
            Reply::Text(vec![leak(format!("I found John Smith ({john_id}), summarised his conversation {talk_id} and sent the summary to Ana Lima ({ana_id})."))]),
        ]);

        let me = s.task_caller(json!({"label": "llm", "mode": "test"})).await;
        let id = s.task(&me, json!({"message": "Find John Smith, summarise his latest conversation, and send the summary to ana@acme.com"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "resolved", "{task}");
        assert!(task["response"]["text"].as_str().unwrap().starts_with("I found John Smith"));
        let tools: Vec<&str> = task["response"]["data"]["actions"].as_array().unwrap().iter().map(|a| a["tool"].as_str().unwrap()).collect();
        assert_eq!(tools, ["search_contacts", "list_conversations", "get_conversation", "search_contacts", "message_contact"]);

        // The model saw real results: the conversation's text came back to it.
        let requests = server.received.all();
        assert_eq!(requests.len(), 6);
        let offered: Vec<&str> = requests[0].body["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
        // The same tools as the MCP server, as this key may use them.
        let registry: Vec<&str> = confab_app::tools::catalog().iter().map(|t| t.name).collect();
        assert_eq!(offered, registry, "a full-access key is offered every tool");
        let fed_back = requests[3].body["messages"].to_string();
        assert!(fed_back.contains("Where is my order #1042?"), "{fed_back}");

        // Through the REST API: Ana got the summary.
        let ana_talks = s.call("GET", &format!("/v1/conversations?contact_id={ana_id}"), s.sk(), None).await.json();
        let cnv = ana_talks["data"][0]["id"].as_str().unwrap().to_owned();
        let messages = s.messages(&cnv).await;
        assert_eq!((messages[0]["role"].as_str(), messages[0]["text"].as_str()), (Some("agent"), Some(summary)));

        // Priced: five actions at 0.1 cents, six model calls at the tokens the server reported.
        let per_call = (PROMPT_TOKENS * 15 + COMPLETION_TOKENS * 60) as f64 / 1_000_000.0;
        let expected = 5.0 * 0.1 + 6.0 * per_call;
        assert!((task["cost_cents"].as_f64().unwrap() - expected).abs() < 1e-9, "{} vs {expected}", task["cost_cents"]);
        let calls = task["turns"].as_array().unwrap().iter().filter(|t| t["payload"]["type"] == "model_call").count();
        assert_eq!(calls, 6);
        let key = s.call("GET", &format!("/v1/api-keys/{}", me.key_id), &s.creds.owner_token, None).await.json();
        assert_eq!(key["usage"]["requests"], 11);
    }
}

both_backends! {
    async fn a_budget_that_runs_out_stops_the_model_between_steps(backend) {
        let server = openai::OpenAiServer::start(None, vec![
            call("call_1", "search_contacts", json!({"search": "John"})),
            call("call_2", "search_contacts", json!({"search": "Smith"})),
            Reply::Text(vec!["done"]),
        ]).await;
        let s = TestServer::start_configured(backend, confab_http::HttpConfig::default(), |c| {
            c.ai = operator("openai", &server.url);
            c.tasks.prices.action = confab_app::core::money::Microcents::from_cents(1);
        }).await;
        let me = s.task_caller(json!({"label": "tight", "mode": "test", "budget_usd_cents": 1, "budget_period": "monthly"})).await;
        let id = s.task(&me, json!({"message": "Look up John, then Smith"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "failed", "{task}");
        assert_eq!(task["error"]["code"], "BUDGET_EXCEEDED");
        assert!(task["error"]["message"].as_str().unwrap().contains("monthly budget; it resets at"));
        // One model call, one paid search; the second model call was never made.
        assert_eq!(server.received.all().len(), 1);
        let key = s.call("GET", &format!("/v1/api-keys/{}", me.key_id), &s.creds.owner_token, None).await.json();
        let spent = key["usage"]["spent_cents"].as_f64().unwrap();
        assert!((1.0..1.01).contains(&spent), "one action and one small model call: {spent}");
    }
}

both_backends! {
    async fn a_task_is_processing_while_the_model_works_and_fails_when_it_never_answers(backend) {
        let url = confab_testkit::llm::wire::stalling_server(confab_testkit::llm::wire::Stall::Silent).await;
        let s = TestServer::start_with_ai(backend, operator("openai", &format!("{url}/v1"))).await;
        let me = s.task_caller(json!({"label": "llm", "mode": "test"})).await;
        let id = s.task(&me, json!({"message": "Tidy up my contacts"})).await;
        let app = s.app.clone();
        let worker = tokio::spawn(async move { confab_app::tasks::worker::process_next(&app).await });
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let task = s.get_task(&me, &id).await.json();
            if task["status"] == "processing" {
                break;
            }
            assert_eq!(task["status"], "open", "{task}");
            assert!(tokio::time::Instant::now() < deadline, "never processing");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(worker.await.unwrap().unwrap(), "the worker ran the task");
        let task = s.get_task(&me, &id).await.json();
        assert_eq!(task["status"], "failed", "{task}");
        assert_eq!(task["error"]["code"], "PROVIDER_ERROR");
        assert!(task["error"]["message"].as_str().unwrap().contains("did not answer"), "{}", task["error"]);
        assert_eq!(task["cost_cents"].as_f64(), Some(0.0), "a call that never answered costs nothing once settled");
    }
}
