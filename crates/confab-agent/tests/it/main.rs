//! Integration tests for confab-agent.

// LLM providers: local protocol servers for each wire format, and a real llama-server.
mod anthropic;
mod anthropic_server;
mod llama;
mod openai;
mod openai_server;
mod wire;

// Understanding and retrieval: language, sentiment, intents, tokens, knowledge search.
mod intent;
mod lang;
mod retrieval;
mod sentiment;
mod tokenize;
