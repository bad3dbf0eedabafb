//! `confab serve` and `confab init`: open the store, bootstrap, run the HTTP server and
//! background work under one cancellation token, shut down gracefully.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio_util::sync::CancellationToken;

use confab_app::replies::{self, AgentEngine, ReplyEngine};
use confab_app::workspaces::{self, WorkspaceCredentials};
use confab_app::{App, AppConfig, Clock};
use confab_app::{live, tasks, webhooks};
use confab_store::{Backend, Store, StoreOptions};

use crate::Role;
use crate::config::Config;

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CONFAB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config
        .log_format
        .json(std::io::IsTerminal::is_terminal(&std::io::stderr()))
    {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init();
    } else {
        builder.init();
    }
}

async fn open(config: &Config) -> anyhow::Result<App> {
    if Backend::of_url(&config.database_url) == Some(Backend::Sqlite) {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    }
    let options = StoreOptions {
        tenant_role: config.database_tenant_role.clone(),
        max_connections: config.database_max_connections,
        sqlite_full_sync: config.sqlite_full_sync,
    };
    let store = Store::open(&config.database_url, &options)
        .await
        .context("opening the database")?;
    let app_config = AppConfig {
        public_url: config.public_url.clone(),
        files_dir: config.files_dir.clone(),
        ai: config.ai.clone(),
        webhooks: config.webhooks.clone(),
        tasks: config.tasks.clone(),
        wakeups: config.wakeups.clone(),
        idempotency_lease_ms: config.idempotency_lease_ms,
        ..AppConfig::default()
    };
    Ok(App::new(store, Clock::system(), app_config))
}

pub async fn init(config: Config, json: bool) -> anyhow::Result<()> {
    let app = open(&config).await?;
    let Some(creds) = workspaces::bootstrap_if_empty(&app).await? else {
        bail!(
            "this database already has a workspace; its credentials were shown when it was created \
             (`confab owner-token` issues a new owner token for it)"
        );
    };
    if json {
        println!("{}", serde_json::to_string(&creds)?);
    } else {
        print_credentials(&creds, &config.public_url);
    }
    app.store.close().await;
    Ok(())
}

pub async fn owner_token(
    config: Config,
    workspace: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let app = open(&config).await?;
    let recovered = workspaces::recover_owner_token(&app, workspace).await;
    app.store.close().await;
    let recovered = recovered?;
    if json {
        println!("{}", serde_json::to_string(&recovered)?);
    } else {
        println!(
            "\nA new owner token for workspace {} (member {}). It is shown ONCE: store it now.\n\n  owner token      {}\n  console          {}/console\n\nEarlier tokens still work; revoke them in the console once signed in.\n",
            recovered.workspace_id, recovered.member_id, recovered.owner_token, config.public_url,
        );
    }
    Ok(())
}

/// The first-start banner. A newcomer starts in test mode (the sandbox the README's
/// quickstart uses, where the console signs in by default and the test site key works
/// on any page), and the banner says how to go live.
fn print_credentials(creds: &WorkspaceCredentials, public_url: &str) {
    println!(
        "\nConfab created workspace \"Default\". These credentials are shown ONCE: store them now.\n\
         \n  workspace id     {ws}\n  test secret key  {test_sk}\n  live secret key  {live_sk}\n  test site key    {test_pk}\n  live site key    {live_pk}\n  owner token      {owner}\n\
         \nStart in test mode (a sandbox: its data never mixes with live data):\n\
         \x20 console          {public_url}/console  (sign in with the owner token; \"Test\" is preselected)\n\
         \x20 API docs         {public_url}/docs\n\
         \x20 widget snippet   <script src=\"{public_url}/widget.js\" data-site-key=\"{test_pk}\" async></script>\n\
         \x20                  (the test site key works on any page, including http://localhost)\n\
         \x20 chat page        {public_url}/chat/{test_pk}\n\
         \nTo go live: switch the console to Live, add knowledge there, and list your site on its\n\
         Widget page (which also gives the snippet), or allow it with the LIVE secret key:\n\
         \x20 curl -X PUT {public_url}/v1/settings/widget -H \"Authorization: Bearer {live_sk}\" \\\n\
         \x20      -H \"Content-Type: application/json\" -d '{{\"allowed_origins\": [\"https://your.site\"]}}'\n\
         and use the live site key in the snippet: data-site-key=\"{live_pk}\"\n",
        ws = creds.workspace_id,
        test_sk = creds.test_secret_key,
        live_sk = creds.live_secret_key,
        test_pk = creds.test_site_key,
        live_pk = creds.live_site_key,
        owner = creds.owner_token,
    );
}

pub async fn serve(config: Config, role: Role) -> anyhow::Result<()> {
    init_logging(&config);
    let app = open(&config).await?;
    tracing::info!(
        backend = app.store.backend().name(),
        tenant_role = app
            .store
            .tenant_role()
            .unwrap_or("n/a (sqlite: scoped by the store API)"),
        "store ready"
    );
    tracing::info!(
        public_url = %config.public_url,
        rate_limit_per_minute = config.rate_limit_per_minute,
        trust_forwarded_for = config.trust_forwarded_for,
        webhooks_retry_schedule = %config.webhooks.schedule,
        webhooks_allow_private_networks = config.webhooks.allow_private_networks,
        admin_api = config.admin_token.is_some(),
        pg_notify = config.wakeups.listen,
        poll_interval_ms = config.wakeups.poll.as_millis() as u64,
        idempotency_lease_ms = config.idempotency_lease_ms,
        ai_provider = %config.ai.provider.kind,
        ai_model = config.ai.provider.model.as_deref().unwrap_or(""),
        mcp_allowed_hosts = %config.mcp.allowed_hosts.join(","),
        "settings"
    );
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    if let Some(creds) = workspaces::bootstrap_if_empty(&app).await? {
        // Without a public URL the banner's links use the address actually bound (the
        // configured one may say port 0).
        let derived = config.public_url == format!("http://{}", config.listen);
        let shown = if derived {
            format!("http://{addr}")
        } else {
            config.public_url.clone()
        };
        print_credentials(&creds, &shown);
    }
    // Language models load lazily; load them now rather than on a customer's message.
    tokio::task::spawn_blocking(confab_agent::lang::warm_up);
    let shutdown = CancellationToken::new();
    let mut background = Vec::new();
    // Every role listens: the pump (api) and the workers (worker) all wake on other
    // nodes' commits. Returns at once on SQLite or with `pg_notify = false`.
    background.push(tokio::spawn(confab_app::wakeups::run_listener(
        app.clone(),
        shutdown.clone(),
    )));
    if role != Role::Api {
        background.push(tokio::spawn(cleaner(app.clone(), shutdown.clone())));
        let engine: Arc<dyn ReplyEngine> = Arc::new(AgentEngine::new(app.clone()));
        background.push(tokio::spawn(replies::run_worker(
            app.clone(),
            engine,
            shutdown.clone(),
        )));
        background.push(tokio::spawn(webhooks::run_dispatcher(
            app.clone(),
            shutdown.clone(),
        )));
        background.push(tokio::spawn(tasks::worker::run_worker(
            app.clone(),
            shutdown.clone(),
        )));
    }
    if role != Role::Worker {
        background.push(tokio::spawn(live::run_pump(app.clone(), shutdown.clone())));
    }
    let signal = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested: finishing in-flight work");
        signal.cancel();
    });
    println!("confab listening on http://{addr}");
    tracing::info!(%addr, role = ?role, "listening");
    let router = if role == Role::Worker {
        // Probes only: an orchestrator checks a worker like any other node.
        confab_http::probes(app.clone())
    } else {
        confab::router(
            app.clone(),
            confab_http::HttpConfig {
                rate_limit_per_minute: config.rate_limit_per_minute,
                admin_token: config.admin_token.as_ref().map(|s| s.expose().to_owned()),
                trust_forwarded_for: config.trust_forwarded_for,
            },
            &config.mcp,
        )
    };
    let stop = shutdown.clone();
    // The peer address counts the widget's per-visitor rate limits.
    let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
        .context("serving HTTP")?;
    for task in background {
        let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
    }
    app.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Periodic housekeeping: idempotency keys past their 24 hours, events and webhook
/// deliveries past 30 days, tasks past their 24 hours.
async fn cleaner(app: App, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {
                match confab_app::idempotency::purge_expired(&app).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "purged expired idempotency keys"),
                    Err(err) => tracing::warn!(error = %err, "idempotency cleanup failed"),
                }
                match confab_app::events::purge_expired(&app).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "purged events past retention"),
                    Err(err) => tracing::warn!(error = %err, "event cleanup failed"),
                }
                match webhooks::deliveries::purge_expired(&app).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "purged webhook deliveries past retention"),
                    Err(err) => tracing::warn!(error = %err, "webhook delivery cleanup failed"),
                }
                match tasks::purge_expired(&app).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "purged expired tasks"),
                    Err(err) => tracing::warn!(error = %err, "task cleanup failed"),
                }
            }
        }
    }
}
