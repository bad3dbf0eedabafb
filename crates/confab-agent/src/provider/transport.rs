//! The HTTP side both adapters share: post a JSON body, turn a refusal into
//! [`ProviderError::Http`], and read the streamed answer as server-sent events, never
//! waiting longer than the whole-request deadline or the idle timeout.

use std::collections::VecDeque;
use std::error::Error as _;
use std::future::Future;
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::time::Instant;

use super::error::scrub;
use super::sse::{SseEvent, SseParser};
use super::{ApiKey, ProviderConfig, ProviderError};

/// The most of an error body we read: enough for any provider's explanation.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The client both adapters build. The connect timeout is the idle timeout because a
/// connection that takes longer is as silent as a stalled stream.
pub(crate) fn client(config: &ProviderConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(config.idle_timeout)
        .build()
        // Building fails only when the TLS backend cannot initialise; the default client
        // would then fail the same way on first use, with a Transport error.
        .unwrap_or_default()
}

/// The two timeouts, anchored at the moment the request starts.
#[derive(Clone, Copy)]
struct Clock {
    deadline: Instant,
    timeout: Duration,
    idle: Duration,
}

impl Clock {
    fn start(config: &ProviderConfig) -> Self {
        Clock {
            deadline: Instant::now() + config.timeout,
            timeout: config.timeout,
            idle: config.idle_timeout,
        }
    }

    /// Waits for `future` no longer than the idle timeout and the whole deadline allow,
    /// and says which of the two expired.
    async fn bound<T>(&self, future: impl Future<Output = T>) -> Result<T, ProviderError> {
        let idle_end = Instant::now() + self.idle;
        let (end, expired) = if idle_end < self.deadline {
            (idle_end, self.idle)
        } else {
            (self.deadline, self.timeout)
        };
        tokio::time::timeout_at(end, future)
            .await
            .map_err(|_| ProviderError::Timeout(expired))
    }
}

/// Posts `body` with `headers` to `url` and, on a 2xx, returns the answer's events.
pub(crate) async fn open_stream(
    client: &reqwest::Client,
    config: &ProviderConfig,
    url: &str,
    headers: Vec<(&'static str, String)>,
    body: &serde_json::Value,
) -> Result<Events<impl Stream<Item = reqwest::Result<impl AsRef<[u8]>>> + Unpin>, ProviderError> {
    let clock = Clock::start(config);
    let key = config.api_key.as_ref();
    let mut request = client
        .post(url)
        .header("accept", "text/event-stream")
        .json(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = clock.bound(request.send()).await?.map_err(|error| {
        // Only the connect timeout is set on the client, and it is the idle timeout.
        if error.is_timeout() {
            ProviderError::Timeout(config.idle_timeout)
        } else {
            transport_error(&error, key)
        }
    })?;

    let status = response.status();
    if !status.is_success() {
        let body = clock.bound(read_limited(response)).await?;
        return Err(ProviderError::from_http(status.as_u16(), &body, key));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    // A server that ignored `stream: true` answers one JSON document; say so plainly
    // rather than report an empty stream.
    if content_type.starts_with("application/json") {
        return Err(ProviderError::Protocol(format!(
            "expected an event stream, got {content_type}"
        )));
    }
    Ok(Events {
        body: Box::pin(response.bytes_stream()),
        parser: SseParser::default(),
        pending: VecDeque::new(),
        ended: false,
        clock,
        key: config.api_key.clone(),
    })
}

/// The events of one streamed answer, read as they arrive.
pub(crate) struct Events<S> {
    body: S,
    parser: SseParser,
    pending: VecDeque<SseEvent>,
    ended: bool,
    clock: Clock,
    key: Option<ApiKey>,
}

impl<S, B> Events<S>
where
    S: Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    /// The next event, `None` once the body has ended.
    pub(crate) async fn next(&mut self) -> Result<Option<SseEvent>, ProviderError> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(Some(event));
            }
            if self.ended {
                return Ok(None);
            }
            match self.clock.bound(self.body.next()).await? {
                Some(Ok(chunk)) => self.pending.extend(self.parser.feed(chunk.as_ref())),
                Some(Err(error)) => return Err(transport_error(&error, self.key.as_ref())),
                None => {
                    self.ended = true;
                    self.pending.extend(self.parser.finish());
                }
            }
        }
    }
}

/// Reads at most [`ERROR_BODY_LIMIT`] bytes of a refusal; a body that breaks off is
/// reported with what arrived.
async fn read_limited(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body.truncate(ERROR_BODY_LIMIT);
    body
}

/// A reqwest failure as text, with its causes (reqwest's own message is only "error
/// sending request"), the key scrubbed in case a proxy echoed it.
fn transport_error(error: &reqwest::Error, key: Option<&ApiKey>) -> ProviderError {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    ProviderError::Transport(scrub(&message, key))
}
