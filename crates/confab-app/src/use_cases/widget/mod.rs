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

use confab_core::FieldErrors;

/// The schemas (request bodies) whose `text` is an alias of `message`; the OpenAPI
/// document says that one of the two is required.
pub const TEXT_ALIAS_OF_MESSAGE: [&str; 2] = ["WidgetConversationCreate", "WidgetMessageCreate"];

/// A visitor's words, sent as `message` or as `text` (the name the rest of the API gives
/// a message's words, so a client written against it works here too), with the field
/// they came in. Two different values are ambiguous: refused on `text`.
pub(crate) fn message_or_text(
    message: Option<String>,
    text: Option<String>,
    errors: &mut FieldErrors,
) -> Option<(&'static str, String)> {
    match (message, text) {
        (Some(message), Some(text)) if message != text => {
            errors.add(
                "text",
                "is another name for `message` and differs from it; send one of the two",
            );
            None
        }
        (Some(message), _) => Some(("message", message)),
        (None, Some(text)) => Some(("text", text)),
        (None, None) => {
            errors.add("message", "is required");
            None
        }
    }
}
