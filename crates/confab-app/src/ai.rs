//! The AI's orchestration: reading messages, the knowledge index, answering, providers.

pub(crate) mod ai_providers;
pub mod knowledge_index;
pub mod responder;
pub mod understanding;
