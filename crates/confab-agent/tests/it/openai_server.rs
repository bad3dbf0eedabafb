//! The openai protocol server lives in the testkit, shared with the HTTP suite.

pub use confab_testkit::llm::openai::*;
