//! Both adapters against a real model: llama.cpp's `llama-server` serving SmolLM2-135M,
//! which speaks Chat Completions at `$URL/v1/chat/completions` and Messages at
//! `$URL/v1/messages`. `.ci/llama-server.sh start` builds and starts one and prints
//! `CONFAB_TEST_LLAMA_URL`; these tests are ignored unless asked for (`--ignored llama`).

use std::time::{Duration, Instant};

use confab_agent::provider::{self, ChatRequest, ProviderConfig, ProviderKind, converse};

use crate::wire::{Knowledge, question, search_knowledge};

fn llama(kind: ProviderKind) -> std::sync::Arc<dyn provider::ChatProvider> {
    let url = std::env::var("CONFAB_TEST_LLAMA_URL")
        .expect("CONFAB_TEST_LLAMA_URL names a running llama-server (.ci/llama-server.sh start)");
    let url = url.trim_end_matches('/');
    let base_url = match kind {
        ProviderKind::OpenAi => format!("{url}/v1"),
        ProviderKind::Anthropic | ProviderKind::Local => url.to_owned(),
    };
    provider::build(ProviderConfig {
        base_url,
        // Generous for two CPU cores, yet a hung server still fails the test.
        timeout: Duration::from_secs(120),
        idle_timeout: Duration::from_secs(60),
        ..ProviderConfig::new(kind)
    })
    .expect("a model provider")
}

fn greeting() -> ChatRequest {
    ChatRequest {
        model: "smollm2".into(),
        max_tokens: 48,
        temperature: Some(0.0),
        ..question("Say hello to a customer in one short sentence.")
    }
}

async fn replies_with_usage(kind: ProviderKind) {
    let started = Instant::now();
    let response = llama(kind).chat(&greeting()).await.unwrap();
    let elapsed = started.elapsed();
    let text = response.text.clone().unwrap_or_default();
    assert!(!text.trim().is_empty(), "{kind}: {response:?}");
    assert!(response.usage.input_tokens > 0, "{kind}: {response:?}");
    assert!(response.usage.output_tokens > 0, "{kind}: {response:?}");
    assert!(response.stop_reason.is_some(), "{kind}: {response:?}");
    eprintln!(
        "{kind}: {} prompt + {} generated tokens in {elapsed:.2?} ({:.1} generated tokens/s), \
         stop {:?}: {text:?}",
        response.usage.input_tokens,
        response.usage.output_tokens,
        response.usage.output_tokens as f64 / elapsed.as_secs_f64(),
        response.stop_reason,
    );
}

/// SmolLM2's template makes no tool calls, but a request offering tools must still be
/// accepted and answered; should the model call one, the loop must carry it through.
async fn accepts_tools(kind: ProviderKind) {
    let mut request = greeting();
    request.system = "You are a support assistant. Use search_knowledge to look up answers.".into();
    request.turns = question("How long do refunds take?").turns;
    request.tools = vec![search_knowledge()];
    let knowledge = Knowledge::default();
    let outcome = converse(&*llama(kind), request, &knowledge, 3)
        .await
        .unwrap_or_else(|error| panic!("{kind}: {error}"));
    assert!(
        outcome.usage.input_tokens > 0 && outcome.usage.output_tokens > 0,
        "{kind}: {outcome:?}"
    );
    assert_eq!(
        outcome.tool_calls.len(),
        knowledge.calls.lock().unwrap().len(),
        "{kind}: every call made was executed"
    );
    eprintln!(
        "{kind} with tools: {} round(s), {} tool call(s), {:?}",
        outcome.rounds,
        outcome.tool_calls.len(),
        outcome.text
    );
}

#[tokio::test]
#[ignore = "needs a llama-server; .ci/run starts one"]
async fn llama_openai_replies_with_usage() {
    replies_with_usage(ProviderKind::OpenAi).await;
}

#[tokio::test]
#[ignore = "needs a llama-server; .ci/run starts one"]
async fn llama_anthropic_replies_with_usage() {
    replies_with_usage(ProviderKind::Anthropic).await;
}

#[tokio::test]
#[ignore = "needs a llama-server; .ci/run starts one"]
async fn llama_openai_accepts_tools() {
    accepts_tools(ProviderKind::OpenAi).await;
}

#[tokio::test]
#[ignore = "needs a llama-server; .ci/run starts one"]
async fn llama_anthropic_accepts_tools() {
    accepts_tools(ProviderKind::Anthropic).await;
}
