//! Local servers that speak the LLM providers' wire protocols as their public references
//! document them (OpenAI Chat Completions, Anthropic Messages), scripted per test and
//! recording what they receive; and servers that stall, for timeout paths.

pub mod anthropic;
pub mod openai;
pub mod wire;
