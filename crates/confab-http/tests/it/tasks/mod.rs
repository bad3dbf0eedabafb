//! The task gateway end to end: API keys with budgets, `/v1/tasks` with both
//! credentials, the local and LLM task agents acting through the tools, budgets that
//! run out, results signed to the key's `response_url`, and expiry.

mod auth;
mod budget;
mod delivery;
mod expiry;
mod keys;
mod llm;
mod local;
