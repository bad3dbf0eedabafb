//! A visitor's live stream: their conversation's visible messages and status changes
//! from the event log (resumable by event id), and typing signals beside them.

use confab_core::object::ObjectName;
use std::sync::Arc;

use futures::{Stream, StreamExt};
use serde::Serialize;

use confab_core::conversation::MessageRole;
use confab_core::event::EventType;
use confab_core::id::{ConversationId, EventId};
use confab_core::widget::{VisitorConversation, VisitorMessage};
use confab_store::events::Sequenced;

use super::conversations::load;
use crate::live::{TYPING_TTL_MS, Typing, subscribe_conversation};
use crate::{AppResult, Ctx};

/// Someone on the business's side is writing.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TypingView {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    /// `ai` or `agent`.
    pub role: MessageRole,
    /// The person's name, when a person types.
    pub name: Option<String>,
    /// Hide the indicator after this long without another signal or a message.
    pub ttl_ms: u64,
}

confab_core::named!(TypingView => "typing");

/// One frame of a visitor's stream.
#[derive(Clone, Debug)]
pub enum WidgetFrame {
    /// `event: message`, with the event id (resume with `Last-Event-ID`).
    Message(EventId, VisitorMessage),
    /// `event: status`: the conversation was handed off, taken over, released or resolved.
    Status(EventId, VisitorConversation),
    /// `event: typing`: ephemeral, without an id.
    Typing(TypingView),
}

fn frame(e: &Sequenced) -> Option<WidgetFrame> {
    let id = e.event.id.clone();
    match EventType::parse(&e.event.event_type)? {
        EventType::MessageReceived | EventType::MessageSent => {
            VisitorMessage::from_event_data(&e.event.data).map(|m| WidgetFrame::Message(id, m))
        }
        EventType::HandoffRequested
        | EventType::AgentAssigned
        | EventType::ConversationReleased
        | EventType::ConversationResolved => {
            VisitorConversation::from_event_data(&e.event.data).map(|c| WidgetFrame::Status(id, c))
        }
        _ => None,
    }
}

/// Typing signals for one conversation, until the bus closes.
fn typing_frames(
    ctx: &Ctx,
    conversation: ConversationId,
) -> impl Stream<Item = WidgetFrame> + use<> {
    let receiver = ctx.app.bus.typing_signals();
    let (workspace, livemode) = (ctx.workspace_id.clone(), ctx.livemode());
    futures::stream::unfold(receiver, move |mut receiver| {
        let (workspace, conversation) = (workspace.clone(), conversation.clone());
        async move {
            loop {
                match receiver.recv().await {
                    Ok(t) if is_for(&t, &workspace, livemode, &conversation) => {
                        let view = TypingView {
                            object: ObjectName::new(),
                            role: t.role,
                            name: t.name.clone(),
                            ttl_ms: TYPING_TTL_MS,
                        };
                        return Some((WidgetFrame::Typing(view), receiver));
                    }
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    })
}

fn is_for(
    t: &Arc<Typing>,
    workspace: &confab_core::id::WorkspaceId,
    livemode: bool,
    conversation: &ConversationId,
) -> bool {
    &t.workspace_id == workspace && t.livemode == livemode && &t.conversation_id == conversation
}

/// The visitor's stream, from after `last_event_id` (or from now).
pub async fn stream(
    ctx: &Ctx,
    token: &str,
    last_event_id: Option<&str>,
) -> AppResult<impl Stream<Item = WidgetFrame> + Send + use<>> {
    let conversation = load(ctx, token).await?;
    let typing = typing_frames(ctx, conversation.id.clone());
    let events = subscribe_conversation(ctx, &conversation.id, last_event_id)
        .await?
        .filter_map(|e| std::future::ready(frame(&e)));
    Ok(futures::stream::select(events, typing))
}
