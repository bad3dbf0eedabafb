//! An LLM provider's way through a task: the model gets the request and the tools the
//! key may use, and the tool-calling loop (`converse`) runs until it answers. Every
//! model call is paid before it is made (its upper bound, settled to the tokens the
//! provider reports) and every tool call is a priced action, so a budget that runs
//! out stops the task between two steps.

use std::sync::Mutex;

use futures::future::BoxFuture;
use serde_json::{Value, json};

use confab_agent::provider::{
    ChatProvider, ChatRequest, ChatResponse, ProviderError, Role, ToolCall, ToolExecutor,
    ToolResult, ToolSpec, Turn, Usage, converse,
};
use confab_core::agent::{ProviderKind, ProviderSettings};
use confab_core::task::Entity;

use super::outcome::{Response, Stop};
use super::session::Session;
use crate::{AppError, tools};

/// The longest answer one model call may write.
const MAX_ANSWER_TOKENS: u32 = 1024;

const SYSTEM_PROMPT: &str = "You are the task agent of a customer-chat platform. A member of the \
team asks you, in plain English, to do something with the workspace's contacts, conversations \
and knowledge. Do it with the tools, step by step:\n\
- Search before you act. Never create a contact that exists: search by email (or name) first.\n\
- When a search finds several records, pick the one that fits best and say why in your answer.\n\
- Do exactly what was asked, nothing more; never invent data a tool did not return.\n\
- If a tool fails, read its error; fix your arguments or explain why the task cannot be done.\n\
When you are done, answer in a few plain sentences: what you did, naming records by their ids.";

/// Why the task must stop, set by the meter or a tool and read after the loop.
#[derive(Default)]
struct Stopped(Mutex<Option<AppError>>);

impl Stopped {
    fn set(&self, err: AppError) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(err);
    }

    fn is_set(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    fn take(&self) -> Option<AppError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// The provider, paid per call.
struct Metered<'s> {
    inner: &'s dyn ChatProvider,
    session: &'s Session,
    kind: ProviderKind,
    model: String,
    stopped: &'s Stopped,
}

impl ChatProvider for Metered<'_> {
    fn chat<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>> {
        Box::pin(async move {
            let halt = || ProviderError::Protocol("the task was stopped".into());
            if self.stopped.is_set() {
                return Err(halt());
            }
            let (charge, bound) = match self.session.reserve_model(self.kind, request).await {
                Ok(reserved) => reserved,
                Err(err) => {
                    self.stopped.set(err);
                    return Err(halt());
                }
            };
            let result = self.inner.chat(request).await;
            // A server that reports no usage is charged the reserved upper bound; a
            // call that failed, nothing.
            let usage = match &result {
                Ok(r) if r.usage != Usage::default() => r.usage,
                Ok(_) => bound,
                Err(_) => Usage::default(),
            };
            if let Err(err) = self
                .session
                .settle_model(&charge, self.kind, &self.model, usage)
                .await
            {
                self.stopped.set(err);
                return Err(halt());
            }
            result
        })
    }
}

/// Runs the model's tool calls as priced actions.
struct Tools<'s> {
    session: &'s Session,
    stopped: &'s Stopped,
    actions: Mutex<Vec<Value>>,
}

impl ToolExecutor for Tools<'_> {
    fn call<'a>(&'a self, call: &'a ToolCall) -> BoxFuture<'a, ToolResult> {
        Box::pin(async move {
            let result = |content: String, is_error: bool| call.answer(content, is_error);
            if self.stopped.is_set() {
                return result("The task was stopped.".into(), true);
            }
            match self.session.act(&call.name, call.arguments.clone()).await {
                Ok(value) => {
                    self.actions
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(json!({"tool": call.name, "arguments": call.arguments}));
                    result(value.to_string(), false)
                }
                Err(err) => {
                    let text = match &err {
                        AppError::Client { code, message, .. } => {
                            format!("{}: {message}", code.as_str())
                        }
                        AppError::Internal(_) => "INTERNAL: the tool failed".into(),
                    };
                    let fatal = matches!(&err, AppError::Internal(_))
                        || err.code() == confab_core::ErrorCode::BudgetExceeded;
                    if fatal {
                        self.stopped.set(err);
                    }
                    result(text, true)
                }
            }
        })
    }
}

/// The request as the model reads it: the message, and what it is about.
fn request_text(s: &Session) -> String {
    let mut text = s.task.message.clone();
    if let Some(c) = &s.task.context
        && let Some(id) = &c.entity_id
    {
        let what = c.entity_type.map_or("record", Entity::as_str);
        text.push_str(&format!("\n\n(Context: this is about the {what} {id}.)"));
    }
    text
}

/// The registry's tools the key may call, as the model sees them.
fn offered(s: &Session) -> Vec<ToolSpec> {
    tools::visible(&s.ctx)
        .into_iter()
        .map(|t| ToolSpec {
            name: t.name.to_owned(),
            description: t.description.to_owned(),
            parameters: serde_json::Value::Object(t.input_schema().clone()),
        })
        .collect()
}

pub(crate) async fn run(s: &Session, settings: &ProviderSettings) -> Result<Response, Stop> {
    let app = &s.ctx.app;
    let provider = app
        .providers
        .get(settings, &app.config.ai)
        .map_err(|e| Stop::failed("PROVIDER_ERROR", &e.to_string()))?;
    let model = settings.model.clone().unwrap_or_default();
    let request = ChatRequest {
        model: model.clone(),
        system: SYSTEM_PROMPT.to_owned(),
        turns: vec![Turn::Text {
            role: Role::User,
            text: request_text(s),
        }],
        tools: offered(s),
        max_tokens: MAX_ANSWER_TOKENS,
        temperature: Some(0.2),
    };
    let stopped = Stopped::default();
    let metered = Metered {
        inner: provider.as_ref(),
        session: s,
        kind: settings.kind,
        model,
        stopped: &stopped,
    };
    let tools = Tools {
        session: s,
        stopped: &stopped,
        actions: Mutex::new(Vec::new()),
    };
    let rounds = app.config.tasks.max_model_rounds;
    let outcome = converse(&metered, request, &tools, rounds).await;
    if let Some(err) = stopped.take() {
        return Err(err.into());
    }
    let outcome = outcome.map_err(|e| Stop::failed("PROVIDER_ERROR", &e.to_string()))?;
    let text = outcome
        .text
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Stop::failed("PROVIDER_ERROR", "The model finished without an answer."))?;
    let actions = tools.actions.into_inner().unwrap_or_default();
    Ok(Response {
        text,
        data: json!({"actions": actions}),
    })
}
