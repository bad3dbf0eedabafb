//! The AI reply worker. A customer message to a conversation the AI handles queues an
//! `ai_reply` job in the message's own transaction. The worker claims it, asks the
//! reply engine, and writes the reply only if the conversation is still the AI's at
//! that moment: the check and the write are one conditional update, so a take-over that
//! commits first always wins, even for a message queued before it. A reply is written at
//! most once per customer message (a unique index on `reply_to`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use confab_core::conversation::{
    Author, AuthorType, Conversation, HandledBy, Message, MessageRole, Sentiment, Status,
};
use confab_core::event::EventType;
use confab_core::id::{ConversationId, MessageId};
use confab_store::jobs::{self, Job};
use confab_store::{StoreError, conversations, messages};

use crate::messages::{AI_REPLY_JOB, message_data};
use crate::{App, AppError, AppResult};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the engine is asked.
pub struct ReplyRequest<'a> {
    pub conversation: &'a Conversation,
    pub history: &'a [Message],
    pub message: &'a Message,
}

/// What the engine answers.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    /// The text to send; `None` sends nothing.
    pub text: Option<String>,
    pub intent: Option<String>,
    pub lang: Option<String>,
    pub sentiment: Option<Sentiment>,
    /// Hand the conversation to a person, with this reason.
    pub handoff: Option<String>,
}

/// Produces replies. Providers (local retrieval, OpenAI-compatible, Anthropic) sit
/// behind this; the worker neither knows nor cares which.
pub trait ReplyEngine: Send + Sync {
    fn reply<'a>(&'a self, request: ReplyRequest<'a>) -> BoxFuture<'a, Result<Reply, String>>;
}

/// The engine used when no knowledge-backed provider is configured: it answers nothing
/// itself, tells the customer honestly that a person will reply, and hands off.
pub struct HandOffEngine;

impl ReplyEngine for HandOffEngine {
    fn reply<'a>(&'a self, _request: ReplyRequest<'a>) -> BoxFuture<'a, Result<Reply, String>> {
        Box::pin(async {
            Ok(Reply {
                text: Some("Thanks for your message. I'm bringing in a person from the team, who will reply here.".into()),
                handoff: Some("no_answer".into()),
                ..Reply::default()
            })
        })
    }
}

const LEASE_MS: i64 = 60_000;
const MAX_ATTEMPTS: i64 = 5;

/// Runs reply jobs until `shutdown`.
pub async fn run_worker(app: App, engine: Arc<dyn ReplyEngine>, shutdown: CancellationToken) {
    loop {
        match process_next(&app, engine.as_ref()).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "reply worker"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
}

/// Claims and runs one due reply job; false when none was due.
pub async fn process_next(app: &App, engine: &dyn ReplyEngine) -> AppResult<bool> {
    let mut sys = app.store.system().await?;
    let job = jobs::claim(&mut sys, &[AI_REPLY_JOB], app.clock.now(), LEASE_MS).await?;
    sys.commit().await?;
    let Some(job) = job else { return Ok(false) };
    if let Err(err) = run(app, engine, &job).await {
        let mut tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
        let now = app.clock.now();
        if job.attempts >= MAX_ATTEMPTS {
            jobs::fail(&mut tx, &job.id, &err.to_string(), now).await?;
        } else {
            let backoff_ms = 1000 * (1_i64 << job.attempts.min(6));
            let run_at = confab_core::Timestamp::from_millis(now.millis() + backoff_ms);
            jobs::retry(&mut tx, &job.id, run_at, &err.to_string(), now).await?;
        }
        tx.commit().await?;
    }
    Ok(true)
}

fn ids(job: &Job) -> AppResult<(ConversationId, String)> {
    let field = |name: &str| {
        job.payload
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| AppError::Internal(format!("job {} has no {name}", job.id)))
    };
    Ok((
        ConversationId::from_trusted(field("conversation_id")?),
        field("message_id")?,
    ))
}

async fn finish(app: &App, job: &Job) -> AppResult<()> {
    let mut tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
    jobs::complete(&mut tx, &job.id, app.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn run(app: &App, engine: &dyn ReplyEngine, job: &Job) -> AppResult<()> {
    let (conversation_id, message_id) = ids(job)?;
    // Read without holding the writer: the engine may take seconds.
    let mut tx = app
        .store
        .tenant_read(&job.workspace_id, job.livemode)
        .await?;
    let conversation = conversations::get(&mut tx, conversation_id.as_str()).await?;
    let message = messages::get(&mut tx, &message_id).await?;
    let (Some(conversation), Some(message)) = (conversation, message) else {
        drop(tx);
        return finish(app, job).await;
    };
    if conversation.handled_by != HandledBy::Ai || conversation.status != Status::Open {
        drop(tx);
        return finish(app, job).await;
    }
    let history = messages::all(&mut tx, &conversation.id).await?;
    drop(tx);
    let reply = engine
        .reply(ReplyRequest {
            conversation: &conversation,
            history: &history,
            message: &message,
        })
        .await
        .map_err(|e| AppError::Internal(format!("reply engine: {e}")))?;
    write_reply(app, job, &conversation.id, &message, reply).await
}

async fn write_reply(
    app: &App,
    job: &Job,
    conversation_id: &ConversationId,
    answered: &Message,
    reply: Reply,
) -> AppResult<()> {
    let tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
    let mut uow = crate::Uow::new(tx, app.clock.now(), None, app);
    let Some(mut conversation) = conversations::get(uow.tx(), conversation_id.as_str()).await?
    else {
        return finish(app, job).await;
    };
    let now = uow.now;
    if reply.text.is_some() {
        conversation.message_count += 1;
        conversation.last_activity_at = now;
        conversation.first_response_at.get_or_insert(now);
    }
    conversation.intent = reply.intent.clone().or(conversation.intent);
    conversation.lang = reply.lang.clone().or(conversation.lang);
    conversation.updated_at = now;
    // The gate: written only if a person has not taken over since the job was queued.
    if !conversations::update(uow.tx(), &conversation, Some(HandledBy::Ai)).await? {
        drop(uow);
        return finish(app, job).await;
    }
    if let Some(text) = reply.text {
        let message = Message {
            id: MessageId::generate(),
            object: "message",
            conversation_id: conversation.id.clone(),
            role: MessageRole::Ai,
            text,
            author: Author {
                author_type: AuthorType::Ai,
                id: conversation.agent_id.as_ref().map(|a| a.to_string()),
                name: None,
            },
            attachments: vec![],
            intent: reply.intent,
            lang: reply.lang,
            sentiment: reply.sentiment,
            sentiment_score: None,
            created_at: now,
            livemode: job.livemode,
            reply_to: Some(answered.id.clone()),
        };
        match messages::insert(uow.tx(), &message).await {
            Ok(()) => {}
            Err(StoreError::UniqueViolation { .. }) => {
                // Already answered (a crash after the reply, before the job was closed).
                drop(uow);
                return finish(app, job).await;
            }
            Err(err) => return Err(err.into()),
        }
        uow.emit_for(
            EventType::MessageSent,
            message_data(&message),
            &conversation,
        )
        .await?;
    }
    jobs::complete(uow.tx(), &job.id, now).await?;
    match reply.handoff {
        Some(reason) => {
            crate::handoff::request_in(uow, conversation, reason).await?;
        }
        None => uow.commit().await?,
    }
    Ok(())
}
