//! The AI agent's reasoning, free of storage: what a customer message is (language,
//! sentiment, intent), which knowledge answers it (tokenisation and BM25 retrieval),
//! and how an LLM is asked (OpenAI-compatible and Anthropic adapters behind one trait).
//! `confab-app` owns persistence, jobs and events and calls into this crate.

// Understanding and retrieval: pure functions and an immutable index, no I/O.
pub mod intent;
pub mod lang;
pub mod phrases;
pub mod retrieval;
mod script;
pub mod sentiment;
pub mod tokenize;
pub mod when;

// Asking an LLM: OpenAI-compatible and Anthropic adapters, streaming, tool calling.
pub mod provider;

// The task agent's text work: reading a plain-English request, choosing between
// matches, writing summaries. Acting is `confab-app`'s.
pub mod task;
