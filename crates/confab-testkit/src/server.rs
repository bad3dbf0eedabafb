//! A real Confab server on port 0, with a bootstrapped workspace and a client.

use std::net::SocketAddr;

use confab_app::workspaces::{self, WorkspaceCredentials};
use confab_app::{App, AppConfig, Clock};
use confab_http::HttpConfig;
use serde_json::Value;

use crate::db::{TestBackend, TestDb};

pub struct TestServer {
    pub base: String,
    pub addr: SocketAddr,
    pub app: App,
    pub creds: WorkspaceCredentials,
    pub client: reqwest::Client,
    pub db: TestDb,
    pub background: tokio_util::sync::CancellationToken,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _files: tempfile::TempDir,
}

/// A response read whole: status, headers and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error code of an error response.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

impl TestServer {
    pub async fn start(backend: TestBackend) -> TestServer {
        Self::start_with(backend, HttpConfig::default()).await
    }

    pub async fn start_with(backend: TestBackend, config: HttpConfig) -> TestServer {
        Self::start_configured(backend, config, |_| {}).await
    }

    /// A server whose agents use `ai` (providers on local protocol servers, short
    /// timeouts).
    pub async fn start_with_ai(backend: TestBackend, ai: confab_app::AiConfig) -> TestServer {
        Self::start_configured(backend, HttpConfig::default(), |c| c.ai = ai).await
    }

    /// A server whose application settings `configure` adjusts (webhook schedule,
    /// private networks, …).
    pub async fn start_configured(
        backend: TestBackend,
        config: HttpConfig,
        configure: impl FnOnce(&mut AppConfig),
    ) -> TestServer {
        // `CONFAB_TEST_LOG=debug` shows the server's logs in a failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("CONFAB_TEST_LOG"))
            .with_test_writer()
            .try_init();
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let files = tempfile::tempdir().expect("files dir");
        let mut app_config = AppConfig {
            files_dir: files.path().to_path_buf(),
            ..AppConfig::default()
        };
        configure(&mut app_config);
        let app = App::new(store, Clock::system(), app_config);
        let background = tokio_util::sync::CancellationToken::new();
        tokio::spawn(confab_app::live::run_pump(app.clone(), background.clone()));
        let creds = workspaces::bootstrap_if_empty(&app)
            .await
            .expect("bootstrap")
            .expect("fresh database bootstraps");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = confab::router(app.clone(), config, &confab_mcp::McpConfig::default());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let router = router.into_make_service_with_connect_info::<SocketAddr>();
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        TestServer {
            base: format!("http://{addr}"),
            addr,
            app,
            creds,
            client: reqwest::Client::new(),
            db,
            background,
            shutdown: Some(tx),
            _files: files,
        }
    }

    /// Sends a request with an optional bearer credential, extra headers and a raw body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Response {
        self.try_send(method, path, bearer, headers, body)
            .await
            .expect("request")
    }

    /// [`TestServer::send`] that returns a transport error instead of panicking (a server
    /// that answers before reading a whole oversized body may reset the connection
    /// while the client is still writing it).
    pub async fn try_send(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<Response, reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        let resp = req.send().await?;
        Ok(Response {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            text: resp.text().await?,
        })
    }

    /// A multipart upload to `path`: one part named `file` with this name, declared
    /// type (the server sniffs its own) and bytes, and these headers.
    pub async fn upload(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        filename: &str,
        declared: &str,
        bytes: Vec<u8>,
    ) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_owned())
            .mime_str(declared)
            .expect("a valid content type");
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(reqwest::multipart::Form::new().part("file", part));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("upload");
        Response {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body"),
        }
    }

    /// A JSON request with the given key.
    pub async fn call(&self, method: &str, path: &str, key: &str, body: Option<Value>) -> Response {
        let headers: &[(&str, &str)] = if body.is_some() {
            &[("content-type", "application/json")]
        } else {
            &[]
        };
        self.send(
            method,
            path,
            Some(key),
            headers,
            body.map(|b| serde_json::to_vec(&b).expect("json")),
        )
        .await
    }

    /// A transaction in the workspace's test mode, for reaching the store directly.
    pub async fn test_tx(&self) -> confab_store::TenantTx {
        self.app
            .store
            .tenant(&self.creds.workspace_id, false)
            .await
            .expect("a test-mode transaction")
    }

    /// The default test-mode secret key.
    pub fn sk(&self) -> &str {
        &self.creds.test_secret_key
    }

    /// Creates a contact with the test key and returns it.
    pub async fn contact(&self, body: Value) -> Value {
        let r = self
            .call("POST", "/v1/contacts", self.sk(), Some(body))
            .await;
        assert_eq!(r.status, 201, "create contact: {}", r.text);
        r.json()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.background.cancel();
    }
}

impl TestServer {
    /// Runs the AI reply worker (the real agent engine) until no job is due; returns
    /// how many jobs ran.
    pub async fn run_replies(&self) -> usize {
        let engine = confab_app::replies::AgentEngine::new(self.app.clone());
        let mut n = 0;
        while confab_app::replies::process_next(&self.app, &engine)
            .await
            .expect("reply worker")
        {
            n += 1;
        }
        n
    }

    /// A conversation's messages (first page of 25, oldest first) with the test key.
    pub async fn messages(&self, conversation_id: &str) -> Vec<Value> {
        let r = self
            .call(
                "GET",
                &format!("/v1/conversations/{conversation_id}/messages"),
                self.sk(),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "list messages: {}", r.text);
        r.json()["data"].as_array().expect("data").clone()
    }

    /// The test mode's events of one type, newest first (up to 100).
    pub async fn events_of(&self, event_type: &str) -> Vec<Value> {
        let r = self
            .call(
                "GET",
                &format!("/v1/events?type={event_type}&limit=100"),
                self.sk(),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "list events: {}", r.text);
        r.json()["data"].as_array().expect("data").clone()
    }

    /// Starts a conversation with the test key and returns it.
    pub async fn conversation(&self, body: Value) -> Value {
        let r = self
            .call("POST", "/v1/conversations", self.sk(), Some(body))
            .await;
        assert_eq!(r.status, 201, "create conversation: {}", r.text);
        r.json()
    }
}

impl TestServer {
    /// A server that delivers webhooks with the retry `schedule` (e.g.
    /// `0ms,200ms,400ms`) and private networks allowed (receivers listen on 127.0.0.1).
    pub async fn with_webhooks(backend: TestBackend, schedule: &str) -> TestServer {
        Self::with_webhook_settings(backend, schedule, |_| {}).await
    }

    /// The same, with other webhook settings adjusted by `configure`.
    pub async fn with_webhook_settings(
        backend: TestBackend,
        schedule: &str,
        configure: impl FnOnce(&mut confab_webhooks::WebhookSettings),
    ) -> TestServer {
        let schedule = confab_webhooks::RetrySchedule::parse(schedule).expect("schedule");
        let s = Self::start_configured(backend, HttpConfig::default(), |c| {
            c.webhooks.schedule = schedule;
            c.webhooks.allow_private_networks = true;
            configure(&mut c.webhooks);
        })
        .await;
        tokio::spawn(confab_app::webhooks::run_dispatcher(
            s.app.clone(),
            s.background.clone(),
        ));
        s
    }

    /// Creates a webhook endpoint with `key` and returns it (with its secret).
    pub async fn endpoint(&self, key: &str, body: Value) -> Value {
        let r = self
            .call("POST", "/v1/webhook-endpoints", key, Some(body))
            .await;
        assert_eq!(r.status, 201, "create webhook endpoint: {}", r.text);
        r.json()
    }

    /// Deliveries not yet finished (delivered or dead), across tenants.
    pub async fn unfinished_deliveries(&self) -> i64 {
        let mut tx = self.app.store.system().await.expect("system tx");
        let n = confab_store::webhook_dispatch::count_unfinished(&mut tx)
            .await
            .expect("count");
        tx.commit().await.expect("commit");
        n
    }
}
