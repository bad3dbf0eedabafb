//! Confab's use cases. The REST API, the MCP server, the console and the task agent
//! all call these functions; business rules live here once.
//!
//! A use case takes a [`Ctx`] (who is asking, in which workspace and mode), opens one
//! unit of work, writes the change and its events together, and commits.
//!
//! The crate by kind:
//! - [`use_cases`]: one module per resource, each the functions every transport calls
//!   (`contacts`, `conversations`, `messages`, `handoff`, …; `tasks/`, `webhooks/`,
//!   `widget/` and `tools/` are folders of their own).
//! - [`workers`]: work that runs off the request: the AI reply worker (`replies`), the
//!   erasure purge; the task worker (`tasks::worker`) and the webhook dispatcher
//!   (`webhooks::dispatcher`) live beside the use cases they finish.
//! - [`ai`]: the AI's orchestration: reading a message (`understanding`), the knowledge
//!   index, the responder (hand-off policy, then a local or model answer), the provider
//!   adapters.
//! - [`infra`]: what every use case stands on: the application and its config, the call
//!   context and authorization (`ctx`, `auth`, `scopes`), the unit of work, idempotency,
//!   input parsing, errors, the clock, leases, wake-ups, the live event bus and the
//!   work metrics.
//!
//! Every module is also re-exported at the crate root (`confab_app::contacts`), which is
//! how the rest of the workspace names them.

pub mod ai;
pub mod infra;
pub mod use_cases;
pub mod workers;

pub use ai::{knowledge_index, responder, understanding};
pub use infra::{auth, idempotency, input, live, scopes, wakeups, work_metrics};
pub use use_cases::{
    account, agents, analytics, api_keys, bookings, budget, contacts, conversations, departments,
    events, files, handoff, knowledge, knowledge_import, members, messages, preview, resources,
    tasks, tickets, tools, typing, webhooks, widget, workspaces,
};
pub use workers::{erasure_purge, replies};

pub use infra::app::{AiConfig, App, AppConfig, TaskSettings};
pub use infra::clock::Clock;
pub use infra::ctx::{Access, Actor, Ctx, Resource};
pub use infra::error::{AppError, AppResult};
pub use infra::uow::Uow;

pub use confab_core as core;
