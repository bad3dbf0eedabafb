//! The public widget API (DESIGN §4 "Widget, chat page and public API"): what a
//! business's visitors reach with a site key (`pk_…`) from the chat widget and the
//! hosted chat page.
//!
//! A visitor names their conversation by the token their browser generated
//! (`visitor_token`). Every use case here resolves that token to the conversation and
//! then calls the same conversation, message, hand-off and file use cases the REST API
//! calls, so the same rules, events and AI reply jobs apply. What comes back is a
//! visitor's view ([`confab_core::widget::VisitorMessage`],
//! [`confab_core::widget::VisitorConversation`]): no notes, no internal fields.

mod access;
pub mod conversations;
pub mod files;
mod identity;
pub mod live;
pub mod messages;
pub mod settings;

pub use access::{SiteKeyRequest, authenticate, page_config};
pub use identity::Identity;
