//! The AI reply worker. A customer message to a conversation the AI handles queues an
//! `ai_reply` job in the message's own transaction. The worker claims it, asks the
//! reply engine, and writes the reply only if the conversation is still the AI's at
//! that moment: the check and the write are one conditional update, so a take-over that
//! commits first always wins, even for a message queued before it. A reply is written at
//! most once per customer message (a unique index on `reply_to`), so a crash after the
//! reply and before the job is closed cannot answer twice.
//!
//! A provider failure is retried with backoff while it may pass (timeouts, 429, 5xx);
//! when it cannot, or the attempts run out, the AI says honestly that a person will
//! reply and hands off, so no conversation is left hanging.

use confab_core::object::ObjectName;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use confab_agent::phrases::{Phrase, say};
use confab_agent::provider::Role;
use confab_core::conversation::{
    Author, AuthorType, Conversation, HandledBy, Message, MessageRole, Status,
};
use confab_core::event::EventType;
use confab_core::handoff::{HandoffReason, Transition};
use confab_core::id::{AgentId, AiReplyId, ConversationId, MessageId, WorkspaceId};
use confab_core::job::{JobKind, Work};
use confab_store::ai_replies::{self, AiReply};
use confab_store::jobs::{self, Job};
use confab_store::{StoreError, conversations, messages};

use crate::messages::message_data;
use crate::responder::{Answer, Exchange, Profile, respond};
use crate::understanding::reread;
use crate::{App, AppError, AppResult};

/// What the engine is asked.
pub struct ReplyRequest<'a> {
    pub workspace_id: &'a WorkspaceId,
    pub conversation: &'a Conversation,
    /// Every message of the conversation, oldest first, `message` included.
    pub history: &'a [Message],
    pub message: &'a Message,
}

/// What the engine answers: the responder's answer and the agent that gave it.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub answer: Answer,
    /// The agent that answered (`None`: the server's default provider).
    pub agent_id: Option<AgentId>,
}

/// Why the engine could not answer.
#[derive(Clone, Debug)]
pub struct ReplyError {
    pub message: String,
    /// Worth trying again later (a timeout, a rate limit, a provider outage).
    pub retryable: bool,
}

/// Produces replies. The worker neither knows nor cares how.
pub trait ReplyEngine: Send + Sync {
    fn reply<'a>(&'a self, request: ReplyRequest<'a>) -> BoxFuture<'a, Result<Reply, ReplyError>>;
}

/// The engine that answers with the conversation's agent: its hand-off policy, its
/// provider and the workspace's knowledge.
pub struct AgentEngine {
    app: App,
}

impl AgentEngine {
    pub fn new(app: App) -> Self {
        AgentEngine { app }
    }
}

impl ReplyEngine for AgentEngine {
    fn reply<'a>(&'a self, request: ReplyRequest<'a>) -> BoxFuture<'a, Result<Reply, ReplyError>> {
        Box::pin(async move {
            let app = &self.app;
            let c = request.conversation;
            let internal = |e: AppError| ReplyError {
                message: e.to_string(),
                retryable: true,
            };
            let mut tx = app
                .store
                .tenant_read(request.workspace_id, c.livemode)
                .await
                .map_err(|e| internal(e.into()))?;
            let agent = crate::agents::for_conversation(&mut tx, c)
                .await
                .map_err(internal)?;
            let knowledge = app.knowledge.current(&mut tx).await.map_err(internal)?;
            drop(tx);
            let tags = agent
                .as_ref()
                .map(|a| a.knowledge_tags.clone())
                .unwrap_or_default();
            let message = request.message;
            // Language and sentiment were read when the message was written; only the
            // intent depends on this agent's knowledge.
            let understanding = reread(message, &knowledge, &tags);
            let history = request
                .history
                .iter()
                .filter(|m| m.id != message.id && m.created_at <= message.created_at)
                .filter_map(|m| match m.role {
                    MessageRole::Customer => Some((Role::User, m.text.clone())),
                    MessageRole::Ai | MessageRole::Agent => Some((Role::Assistant, m.text.clone())),
                    MessageRole::Note | MessageRole::System => None,
                })
                .collect();
            let exchange = Exchange {
                text: &message.text,
                understanding: &understanding,
                negative_streak: c.negative_streak,
                low_confidence_streak: c.low_confidence_streak,
                history,
            };
            let profile = Profile {
                agent: agent.as_ref(),
                ai: &app.config.ai,
            };
            let answer = respond(app, &profile, &knowledge, &exchange)
                .await
                .map_err(|e| ReplyError {
                    retryable: e.is_retryable(),
                    message: e.to_string(),
                })?;
            Ok(Reply {
                answer,
                agent_id: agent.map(|a| a.id),
            })
        })
    }
}

/// Runs reply jobs until `shutdown`.
pub async fn run_worker(app: App, engine: Arc<dyn ReplyEngine>, shutdown: CancellationToken) {
    loop {
        match process_next(&app, engine.as_ref()).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(error = %err, "reply worker");
                // Not at once: the database may be down.
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
        if shutdown.is_cancelled() {
            return;
        }
        crate::wakeups::wait_for_job(&app, JobKind::AiReply, &shutdown).await;
    }
}

/// Claims and runs one due reply job; false when none was due.
pub async fn process_next(app: &App, engine: &dyn ReplyEngine) -> AppResult<bool> {
    let mut sys = app.store.system().await?;
    let lease_ms = app.config.job_lease_ms;
    let job = jobs::claim(&mut sys, &[JobKind::AiReply], app.clock.now(), lease_ms).await?;
    sys.commit().await?;
    let Some(job) = job else { return Ok(false) };
    // Renewed until this function returns: the provider may take longer than a lease.
    let _lease = crate::infra::lease::keep_job(app, &job);
    let outcome = run(app, engine, &job).await;
    app.work
        .finished(JobKind::AiReply.as_str(), job.run_at, app.clock.now());
    if let Err(err) = outcome {
        let mut tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
        let now = app.clock.now();
        // The engine gives up on its own failures within `max_attempts`; this bounds
        // everything else (a bad payload, a store error) so no job retries forever.
        if job.attempts >= app.config.ai.max_attempts {
            tracing::warn!(job = %job.id, attempts = job.attempts, error = %err, "reply job failed for good");
            jobs::fail(&mut tx, &job.id, &err.to_string(), now).await?;
        } else {
            let backoff_ms = 1000 * (1_i64 << job.attempts.clamp(0, 6));
            let run_at = confab_core::Timestamp::from_millis(now.millis() + backoff_ms);
            jobs::retry(&mut tx, &job.id, run_at, &err.to_string(), now).await?;
        }
        tx.commit().await?;
    }
    Ok(true)
}

fn ids(job: &Job) -> AppResult<(ConversationId, MessageId)> {
    match &job.work {
        Ok(Work::AiReply {
            conversation_id,
            message_id,
        }) => Ok((conversation_id.clone(), message_id.clone())),
        Ok(other) => Err(AppError::Internal(format!(
            "job {} is a {} job, not an AI reply",
            job.id,
            other.kind().as_str()
        ))),
        Err(why) => Err(AppError::Internal(format!("job {}: {why}", job.id))),
    }
}

async fn finish(app: &App, job: &Job) -> AppResult<()> {
    let mut tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
    jobs::complete(&mut tx, &job.id, app.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Errors returned from here are retried by `process_next`.
async fn run(app: &App, engine: &dyn ReplyEngine, job: &Job) -> AppResult<()> {
    let (conversation_id, message_id) = ids(job)?;
    // Read without holding the writer: the engine may take seconds.
    let mut tx = app
        .store
        .tenant_read(&job.workspace_id, job.livemode)
        .await?;
    let conversation = conversations::get(&mut tx, &conversation_id).await?;
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
    // The visitor sees "typing…" while the answer is being written.
    crate::wakeups::raise_typing(
        app,
        crate::live::Typing {
            workspace_id: job.workspace_id.clone(),
            livemode: job.livemode,
            conversation_id: conversation.id.clone(),
            role: MessageRole::Ai,
            name: None,
        },
    )
    .await;
    let outcome = engine
        .reply(ReplyRequest {
            workspace_id: &job.workspace_id,
            conversation: &conversation,
            history: &history,
            message: &message,
        })
        .await;
    let reply = match outcome {
        Ok(reply) => reply,
        Err(err) if err.retryable && job.attempts < app.config.ai.max_attempts => {
            return Err(AppError::Internal(format!("reply engine: {}", err.message)));
        }
        Err(err) => {
            tracing::warn!(job = %job.id, attempts = job.attempts, error = %err.message, "AI reply failed; handing off");
            give_up(&message)
        }
    };
    write_reply(app, job, &conversation.id, &message, reply).await
}

/// The reply when the provider cannot answer: an honest word and a person.
fn give_up(answered: &Message) -> Reply {
    let answer = Answer {
        text: Some(say(Phrase::HandoffUnsure, answered.lang.as_deref()).to_owned()),
        intent: answered.intent.clone().unwrap_or_default(),
        lang: answered.lang.clone(),
        sentiment: answered.sentiment,
        sentiment_score: answered.sentiment_score,
        handoff: Some(HandoffReason::ProviderError),
        provider: "none".into(),
        ..Answer::default()
    };
    Reply {
        answer,
        agent_id: None,
    }
}

async fn write_reply(
    app: &App,
    job: &Job,
    conversation_id: &ConversationId,
    answered: &Message,
    reply: Reply,
) -> AppResult<()> {
    let Reply {
        answer: reply,
        agent_id,
    } = reply;
    // The answered message's own intent when the engine read none.
    let intent = Some(reply.intent.clone()).filter(|i| !i.is_empty());
    let tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
    let mut uow = crate::Uow::new(tx, app.clock.now(), None, app);
    let Some(mut conversation) = conversations::get_for_update(uow.tx(), conversation_id).await?
    else {
        drop(uow);
        return finish(app, job).await;
    };
    let now = uow.now;
    // The gate, on the locked row: nothing is written if a person has taken over (or
    // the conversation was resolved) since the job was queued.
    if conversation.apply(Transition::AiReply, now).is_err() {
        drop(uow);
        return finish(app, job).await;
    }
    if reply.text.is_some() {
        conversation.message_count += 1;
        conversation.last_activity_at = now;
        conversation.first_response_at.get_or_insert(now);
    }
    if intent.is_some() {
        conversation.intent = intent.clone();
    }
    if reply.lang.is_some() {
        conversation.lang = reply.lang.clone();
    }
    if conversation.agent_id.is_none() {
        conversation.agent_id = agent_id.clone();
    }
    conversation.low_confidence_streak = if reply.low_confidence {
        conversation.low_confidence_streak + 1
    } else {
        0
    };
    conversation.updated_at = now;
    let mut text = reply.text.clone();
    if let (Some(said), Some(_)) = (&mut text, reply.handoff) {
        // Handing off after hours: say roughly when a person will be back, and open a
        // ticket so the request waits in the queue.
        if let Some(after_hours) = crate::account::after_hours_handoff(
            &mut uow,
            &mut conversation,
            reply.lang.as_deref(),
            Some(&answered.text),
        )
        .await?
        {
            *said = format!("{said} {after_hours}");
        }
    }
    conversations::update(uow.tx(), &conversation).await?;
    let mut message_id = None;
    if let Some(text) = text {
        let message = Message {
            id: MessageId::generate(),
            object: ObjectName::new(),
            conversation_id: conversation.id.clone(),
            role: MessageRole::Ai,
            text,
            author: Author {
                author_type: AuthorType::Ai,
                id: agent_id.as_ref().map(|a| a.to_string()),
                name: None,
            },
            attachments: vec![],
            intent,
            lang: reply.lang.clone(),
            sentiment: reply.sentiment,
            sentiment_score: reply.sentiment_score,
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
        message_id = Some(message.id.clone());
    }
    let record = AiReply {
        id: AiReplyId::answering(&answered.id),
        conversation_id: conversation.id.clone(),
        message_id,
        reply_to: answered.id.clone(),
        agent_id: agent_id.clone(),
        provider: reply.provider.clone(),
        model: reply.model.clone(),
        confidence: reply.confidence,
        sources: reply.sources.clone(),
        handoff_reason: reply.handoff,
        input_tokens: reply.usage.input_tokens as i64,
        output_tokens: reply.usage.output_tokens as i64,
        created_at: now,
    };
    match ai_replies::insert(uow.tx(), &record).await {
        Ok(()) => {}
        Err(StoreError::UniqueViolation { .. }) => {
            drop(uow);
            return finish(app, job).await;
        }
        Err(err) => return Err(err.into()),
    }
    jobs::complete(uow.tx(), &job.id, now).await?;
    match reply.handoff {
        Some(reason) => {
            crate::handoff::request_in(uow, conversation, reason.as_str().to_owned()).await?;
        }
        None => uow.commit().await?,
    }
    Ok(())
}
