//! The task agent's reasoning without storage: what a plain-English request asks for
//! ([`request`]), which of several matching records fits best and why ([`choose`]),
//! summaries of a contact or a conversation from what the tools returned
//! ([`summary`]), and what the local agent can do ([`help`]).

pub mod choose;
pub mod help;
pub mod request;
pub mod summary;
