//! Three `confab serve` processes on one PostgreSQL database, two `--role api` and one
//! `--role worker`, sharing nothing but the database: a visitor writes through node 1
//! while an agent watches through node 2; the worker answers; webhooks go out once; a
//! `kill -9` of the worker mid-delivery loses nothing once another worker starts.

use std::collections::HashMap;
use std::process::Child;
use std::time::Duration;

use confab_testkit::{Receiver, Reply, SseClient, SseFrame, TestBackend, TestDb};
use serde_json::{Value, json};

use super::{confab, serve_as};

/// Long enough for a slow CI machine, short enough to fail before the harness does.
const WAIT: Duration = Duration::from_secs(15);

/// One node; killed with SIGKILL when dropped.
struct Node {
    child: Child,
    url: String,
}

impl Node {
    fn start(dir: &std::path::Path, role: &str, env: &[(&str, &str)]) -> Node {
        let (child, url, _) = serve_as(dir, role, env);
        Node { child, url }
    }

    /// `kill -9`: no graceful anything.
    fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client of the nodes with the workspace's credentials.
struct Cluster {
    http: reqwest::Client,
    creds: Value,
}

impl Cluster {
    fn cred(&self, name: &str) -> &str {
        self.creds[name].as_str().expect("credential")
    }

    /// A REST call with the test secret key; asserts a success.
    async fn rest(&self, node: &Node, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(node, method, path, body, self.cred("test_secret_key"))
            .await
    }

    /// A REST call as the owner, in test mode; asserts a success.
    async fn owner(&self, node: &Node, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(node, method, path, body, self.cred("owner_token"))
            .await
    }

    async fn call(
        &self,
        node: &Node,
        method: &str,
        path: &str,
        body: Option<Value>,
        bearer: &str,
    ) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", node.url))
            .bearer_auth(bearer)
            .header("confab-mode", "test");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A widget call with the test site key; asserts a success.
    async fn widget(&self, node: &Node, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", node.url))
            .header("x-site-key", self.cred("test_site_key"))
            .json(&body)
            .send()
            .await
            .expect("widget request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// The visitor with `token` sends `text` through `node`.
    async fn say(&self, node: &Node, token: &str, text: &str) {
        let path = format!("/v1/widget/conversations/{token}/messages");
        self.widget(node, &path, json!({ "message": text })).await;
    }

    async fn metrics(&self, node: &Node) -> String {
        let response = self
            .http
            .get(format!("{}/metrics", node.url))
            .send()
            .await
            .expect("metrics");
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }
}

/// Reads `stream` until a frame satisfies `wanted`; returns the frames read, that one
/// last. Panics after [`WAIT`].
async fn read_until(
    stream: &mut SseClient,
    what: &str,
    wanted: impl Fn(&SseFrame) -> bool,
) -> Vec<SseFrame> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(frame) = stream.next(left).await else {
            panic!("no {what} within {WAIT:?}; saw {seen:#?}");
        };
        let done = wanted(&frame);
        seen.push(frame);
        if done {
            return seen;
        }
    }
}

fn is_message(frame: &SseFrame, role: &str) -> bool {
    frame.event.as_deref() == Some("message") && frame.json()["role"] == role
}

/// How many times each event id reached the receiver with a 2xx.
fn receipts(receiver: &Receiver) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in receiver.accepted() {
        *counts.entry(r.header("webhook-id").to_owned()).or_default() += 1;
    }
    counts
}

/// Waits until every event from the `first`th on has been accepted by the receiver;
/// returns the log's event ids and the receipts.
async fn all_delivered(
    cluster: &Cluster,
    node: &Node,
    receiver: &Receiver,
    first: usize,
) -> (Vec<String>, HashMap<String, usize>) {
    let events = event_ids(cluster, node).await;
    receiver
        .wait_until(WAIT, "every event delivered", |_| {
            let got = receipts(receiver);
            events[first..].iter().all(|id| got.contains_key(id))
        })
        .await;
    (events, receipts(receiver))
}

/// The ids of every event of the workspace's test mode, oldest first.
async fn event_ids(cluster: &Cluster, node: &Node) -> Vec<String> {
    let list = cluster
        .rest(node, "GET", "/v1/events?limit=100", None)
        .await;
    let mut ids: Vec<String> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    ids.reverse();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_share_one_database_and_nothing_else() {
    if !TestBackend::postgres_available().await {
        return;
    }
    let db = TestDb::new(TestBackend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let init = confab()
        .args(["init", "--json", "--data-dir"])
        .arg(dir.path())
        .env("CONFAB_DATABASE_URL", &db.url)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let cluster = Cluster {
        http: reqwest::Client::new(),
        creds: serde_json::from_slice(&init.stdout).unwrap(),
    };
    let env = [
        ("CONFAB_DATABASE_URL", db.url.as_str()),
        ("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true"),
        ("CONFAB_WEBHOOKS_RETRY_SCHEDULE", "0s,1s,2s,4s,8s"),
        ("CONFAB_WEBHOOKS_LEASE", "2s"),
    ];
    let node1 = Node::start(dir.path(), "api", &env);
    let node2 = Node::start(dir.path(), "api", &env);
    let mut worker = Node::start(dir.path(), "worker", &env);

    // Every role is observable, the worker included (and it serves nothing else).
    let probe = cluster
        .http
        .get(format!("{}/readyz", worker.url))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 200);
    let api = cluster
        .http
        .get(format!("{}/v1/contacts", worker.url))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404, "a worker serves no API");
    let metrics = cluster.metrics(&worker).await;
    for kind in ["ai_reply", "task", "webhook_delivery"] {
        assert!(
            metrics.contains(&format!("confab_queue_depth{{kind=\"{kind}\"}}")),
            "{metrics}"
        );
    }

    let receiver = Receiver::start().await;
    cluster
        .rest(
            &node1,
            "POST",
            "/v1/webhook-endpoints",
            Some(json!({"url": receiver.url})),
        )
        .await;
    let first_event = event_ids(&cluster, &node1).await.len();
    cluster
        .rest(
            &node1,
            "POST",
            "/v1/knowledge",
            Some(
                json!({"title": "Opening hours", "body": "We are open 9 to 6 every day.",
                "questions": ["When do you open?", "What are your opening hours?"],
                "intent": "opening_hours", "lang": "en"}),
            ),
        )
        .await;
    let mut console = SseClient::open(
        &format!("{}/v1/events/stream", node2.url),
        cluster.cred("test_secret_key"),
        None,
    )
    .await;

    // The visitor starts on node 1 and follows the conversation on node 2.
    let token = confab_app::core::credential::new_member_token().replacen("mt_", "vt_", 1);
    let started = cluster
        .widget(
            &node1,
            "/v1/widget/conversations",
            json!({"name": "Maya", "message": "Hello", "visitor_token": token}),
        )
        .await;
    let conversation = started["conversation_id"].as_str().unwrap().to_owned();
    let mut widget = SseClient::open_with(
        &format!(
            "{}/v1/widget/conversations/{token}/stream?site_key={}",
            node2.url,
            cluster.cred("test_site_key")
        ),
        &[],
        None,
    )
    .await;
    cluster
        .say(&node1, &token, "What are your opening hours?")
        .await;

    // The worker's answer reaches node 2's streams, its typing signal first.
    let frames = read_until(
        &mut widget,
        "the AI's answer on node 2's widget stream",
        |f| is_message(f, "ai") && f.json()["text"].as_str().unwrap_or("").contains("9 to 6"),
    )
    .await;
    assert!(
        frames
            .iter()
            .any(|f| f.event.as_deref() == Some("typing") && f.json()["role"] == "ai"),
        "the worker's typing signal crossed nodes: {frames:#?}"
    );
    read_until(
        &mut console,
        "message.sent by the AI on node 2's console stream",
        |f| {
            let e = f.json();
            e["type"] == "message.sent" && e["data"]["role"] == "ai"
        },
    )
    .await;

    // A take-over on node 2 silences the AI for the next message through node 1.
    cluster
        .owner(
            &node2,
            "POST",
            &format!("/v1/conversations/{conversation}/take-over"),
            None,
        )
        .await;
    cluster.say(&node1, &token, "When do you open?").await;
    cluster
        .owner(
            &node2,
            "POST",
            &format!("/v1/conversations/{conversation}/messages"),
            Some(json!({"role": "agent", "text": "A person here: 9 to 6."})),
        )
        .await;
    let frames = read_until(&mut widget, "the agent's message", |f| {
        is_message(f, "agent")
    })
    .await;
    assert!(
        !frames.iter().any(|f| is_message(f, "ai")),
        "no AI message after the take-over: {frames:#?}"
    );
    let history = cluster
        .rest(
            &node1,
            "GET",
            &format!("/v1/conversations/{conversation}/messages?limit=100"),
            None,
        )
        .await;
    let roles: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    let last_customer = roles.iter().rposition(|r| *r == "customer").unwrap();
    assert_eq!(roles[last_customer..], ["customer", "agent"], "{history}");
    assert!(roles[..last_customer].contains(&"ai"), "{history}");

    // Webhooks: every event since the endpoint, exactly once, as from one node.
    let (events, got) = all_delivered(&cluster, &node1, &receiver, first_event).await;
    assert!(
        got.keys().all(|id| events.contains(id)),
        "only events of the log"
    );
    assert!(got.values().all(|n| *n == 1), "each exactly once: {got:?}");

    // kill -9 the worker with a delivery in flight and a reply job about to be
    // queued; a new worker finishes both. (The held request is recorded as a 503, so
    // only the answer after the restart counts as accepted.)
    receiver.answer(Reply::status(503).after(Duration::from_secs(60)));
    let contact = cluster
        .rest(
            &node1,
            "POST",
            "/v1/contacts",
            Some(json!({"name": "In flight"})),
        )
        .await;
    let in_flight = event_ids(&cluster, &node1).await.pop().unwrap();
    receiver
        .wait_until(WAIT, "the contact's event in flight", |r| {
            r.iter().any(|x| x.header("webhook-id") == in_flight)
        })
        .await;
    worker.kill_9();
    receiver.answer(Reply::status(200));
    cluster
        .owner(
            &node2,
            "POST",
            &format!("/v1/conversations/{conversation}/release"),
            None,
        )
        .await;
    cluster
        .say(&node1, &token, "What are your opening hours?")
        .await;
    read_until(
        &mut widget,
        "the customer's message (no worker running)",
        |f| is_message(f, "customer"),
    )
    .await;
    let worker = Node::start(dir.path(), "worker", &env);
    read_until(&mut widget, "the new worker's answer", |f| {
        is_message(f, "ai")
    })
    .await;
    let (_, got) = all_delivered(&cluster, &node1, &receiver, first_event).await;
    assert!(got.values().all(|n| *n == 1), "each accepted once: {got:?}");
    assert_eq!(
        got[&in_flight], 1,
        "accepted once, after the dead worker's lease"
    );
    let sent = receiver
        .received()
        .iter()
        .filter(|r| r.header("webhook-id") == in_flight)
        .count();
    assert_eq!(
        sent, 2,
        "sent again, same webhook-id, and nothing else twice"
    );
    assert!(contact["id"].as_str().unwrap().starts_with("ctc_"));

    // The new worker reports what it ran.
    let metrics = cluster.metrics(&worker).await;
    assert!(
        metrics.contains("confab_job_latency_seconds_count{kind=\"ai_reply\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("confab_job_latency_seconds_count{kind=\"webhook_delivery\"}"),
        "{metrics}"
    );
}
