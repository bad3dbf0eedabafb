//! A minimal server-sent-events reader for tests: `id:` and `data:` per frame.

use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;

/// One SSE message.
#[derive(Clone, Debug)]
pub struct SseFrame {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

impl SseFrame {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

pub struct SseClient {
    stream: futures::stream::BoxStream<'static, reqwest::Result<axum::body::Bytes>>,
    buffer: String,
}

impl SseClient {
    /// Opens `url` with the bearer credential and optional `Last-Event-ID`.
    pub async fn open(url: &str, bearer: &str, last_event_id: Option<&str>) -> SseClient {
        let auth = format!("Bearer {bearer}");
        Self::open_with(url, &[("authorization", &auth)], last_event_id).await
    }

    /// Opens `url` with these headers (a site key, say) and optional `Last-Event-ID`.
    pub async fn open_with(
        url: &str,
        headers: &[(&str, &str)],
        last_event_id: Option<&str>,
    ) -> SseClient {
        let mut req = reqwest::Client::new().get(url);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let resp = req.send().await.expect("open stream");
        assert_eq!(resp.status(), 200, "stream status");
        SseClient {
            stream: resp.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next frame with data (comments and keep-alives skipped), or `None` after
    /// `wait` with nothing.
    pub async fn next(&mut self, wait: Duration) -> Option<SseFrame> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut frame = SseFrame {
                    id: None,
                    event: None,
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        frame.id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        frame.event = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !frame.data.is_empty() {
                            frame.data.push('\n');
                        }
                        frame.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if !frame.data.is_empty() {
                    return Some(frame);
                }
                continue;
            }
            match tokio::time::timeout(wait, self.stream.next()).await {
                Ok(Some(Ok(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }
}
