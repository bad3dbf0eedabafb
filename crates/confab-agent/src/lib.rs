//! The AI agent's reasoning, free of storage: what a customer message is (language,
//! sentiment, intent), which knowledge answers it (tokenisation and BM25 retrieval),
//! and how an LLM is asked (OpenAI-compatible and Anthropic adapters behind one trait).
//! `confab-app` owns persistence, jobs and events and calls into this crate.
