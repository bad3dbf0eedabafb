//! Confab's HTTP surface: the `/v1` REST API, the admin API, health and metrics, and
//! the OpenAPI document. Handlers are thin; the shared machinery (request ids, the
//! error shape, authentication, rate limits, idempotency, metrics) is layered here once.

mod auth;
mod cors;
mod error;
mod extract;
mod idempotency;
mod json;
mod metrics;
mod openapi;
mod rate_limit;
mod request_id;
mod routes;
mod site_key;
mod state;
mod static_asset;
mod widget_limits;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use confab_app::App;
use confab_core::ErrorCode;

pub use error::{ApiError, ErrorBody};
pub use metrics::Metrics;
pub use rate_limit::RateLimiter;
pub use routes::widget_assets::{WIDGET_JS, widget_js_gzipped_len};
pub use state::HttpState;
pub use widget_limits::{RouteClass, WidgetLimits};

use routes::{
    account, admin, agents, analytics, api_keys, bookings, console, contacts, conversations, docs,
    events, files, health, home, knowledge, members, settings, stream, tasks, tickets, webhooks,
    widget, widget_assets,
};

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Requests a minute per credential.
    pub rate_limit_per_minute: u64,
    pub admin_token: Option<String>,
    /// Behind a reverse proxy: take the client's address (widget rate limits, visitor
    /// details) from the last `X-Forwarded-For` entry instead of the peer.
    pub trust_forwarded_for: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            rate_limit_per_minute: 6000,
            admin_token: None,
            trust_forwarded_for: false,
        }
    }
}

/// The routes that need a credential, with their OpenAPI operations.
fn api_routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::get, contacts::update, contacts::erase))
        .routes(routes!(contacts::add_tags))
        .routes(routes!(contacts::remove_tag))
        .routes(routes!(contacts::block))
        .routes(routes!(contacts::unblock))
        .routes(routes!(contacts::export))
        .routes(routes!(members::list, members::create))
        .routes(routes!(members::me))
        .routes(routes!(members::get, members::update, members::delete))
        .routes(routes!(members::create_token, members::list_tokens))
        .routes(routes!(members::revoke_token))
        .routes(routes!(events::list))
        .routes(routes!(events::get))
        .routes(routes!(stream::stream))
        .routes(routes!(analytics::get))
        .routes(routes!(conversations::list, conversations::create))
        .routes(routes!(conversations::get, conversations::update))
        .routes(routes!(
            conversations::post_message,
            conversations::list_messages
        ))
        .routes(routes!(conversations::request_handoff))
        .routes(routes!(conversations::take_over))
        .routes(routes!(conversations::release))
        .routes(routes!(conversations::assign))
        .routes(routes!(conversations::resolve))
        .routes(routes!(conversations::typing))
        .routes(routes!(settings::get_widget, settings::put_widget))
        .routes(routes!(settings::new_site_key))
        .routes(routes!(account::get, account::update))
        .routes(routes!(bookings::list_resources, bookings::create_resource))
        .routes(routes!(
            bookings::get_resource,
            bookings::update_resource,
            bookings::delete_resource
        ))
        .routes(routes!(bookings::availability))
        .routes(routes!(bookings::list_bookings, bookings::create_booking))
        .routes(routes!(
            bookings::get_booking,
            bookings::update_booking,
            bookings::delete_booking
        ))
        .routes(routes!(bookings::cancel_booking))
        .routes(routes!(bookings::booking_ics))
        .routes(routes!(
            tickets::list_departments,
            tickets::create_department
        ))
        .routes(routes!(
            tickets::get_department,
            tickets::update_department,
            tickets::delete_department
        ))
        .routes(routes!(tickets::list_tickets, tickets::create_ticket))
        .routes(routes!(
            tickets::get_ticket,
            tickets::update_ticket,
            tickets::delete_ticket
        ))
        .routes(routes!(tickets::list_replies, tickets::create_reply))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::get, webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::send_test))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::replay))
        .routes(routes!(webhooks::get_delivery))
        .routes(routes!(webhooks::retry))
        .routes(routes!(files::get))
        .routes(routes!(files::content))
        .routes(routes!(knowledge::list, knowledge::create))
        .routes(routes!(knowledge::search))
        .routes(routes!(
            knowledge::get,
            knowledge::update,
            knowledge::delete
        ))
        .routes(routes!(agents::list, agents::create))
        .routes(routes!(agents::get, agents::update, agents::delete))
        .routes(routes!(agents::preview))
        .routes(routes!(api_keys::list, api_keys::create))
        .routes(routes!(api_keys::get, api_keys::update, api_keys::revoke))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(knowledge::import))
                .layer(DefaultBodyLimit::max(knowledge::MAX_IMPORT_BYTES)),
        )
        .merge(
            OpenApiRouter::new()
                .routes(routes!(files::upload))
                .layer(DefaultBodyLimit::max(
                    confab_app::files::MAX_UPLOAD_BODY_BYTES,
                )),
        )
}

/// `/v1/tasks`: authenticated by a member token and that member's key together.
fn task_routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(tasks::create))
        .routes(routes!(tasks::get))
}

/// The public widget API, authenticated by site key.
fn widget_routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(widget::config))
        .routes(routes!(widget::create))
        .routes(routes!(widget::get))
        .routes(routes!(widget::list_messages, widget::send_message))
        .routes(routes!(widget::stream))
        .routes(routes!(widget::handoff))
        .routes(routes!(widget::identify))
        .routes(routes!(widget::file_content))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(widget::upload_file))
                .layer(DefaultBodyLimit::max(
                    confab_app::files::MAX_UPLOAD_BODY_BYTES,
                )),
        )
}

fn admin_routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(admin::create_workspace))
}

/// The OpenAPI document of every documented route, as served at `/v1/openapi.json`.
pub fn openapi() -> serde_json::Value {
    let (_, doc) = api_routes().split_for_parts();
    let (_, tasks) = task_routes().split_for_parts();
    let (_, widget) = widget_routes().split_for_parts();
    let (_, admin) = admin_routes().split_for_parts();
    document(doc, [tasks, widget, admin])
}

/// Merges the routers' documents and completes them with what the shared layers
/// answer ([`openapi::complete`]).
fn document(
    mut doc: utoipa::openapi::OpenApi,
    others: [utoipa::openapi::OpenApi; 3],
) -> serde_json::Value {
    for other in others {
        doc.merge(other);
    }
    let mut value = serde_json::to_value(&doc).unwrap_or_default();
    openapi::complete(&mut value);
    value
}

/// Builds the HTTP application: the API, admin, health, metrics and docs.
pub fn router(app: App, config: HttpConfig) -> Router {
    router_with(app, config, Vec::new())
}

/// [`router`] with more services mounted beside the API (`(path, service)`, e.g. the
/// MCP server at `/mcp`), behind the credential middleware for secret keys: each request
/// reaches its service authenticated as a secret key and rate-limited, with the caller's [`confab_app::Ctx`] in
/// its extensions, under the request-id and metrics layers.
pub fn router_with(app: App, config: HttpConfig, mounts: Vec<(&'static str, Router)>) -> Router {
    let (api, doc) = api_routes().split_for_parts();
    let (task_api, task_doc) = task_routes().split_for_parts();
    let (widget, widget_doc) = widget_routes().split_for_parts();
    let (admin, admin_doc) = admin_routes().split_for_parts();
    let doc = document(doc, [task_doc, widget_doc, admin_doc]);
    let state = HttpState {
        app,
        limiter: RateLimiter::new(config.rate_limit_per_minute),
        widget_limits: WidgetLimits::default(),
        trust_forwarded_for: config.trust_forwarded_for,
        metrics: Metrics::default(),
        admin_token: config.admin_token.filter(|t| !t.is_empty()),
        openapi: Arc::new(doc.to_string()),
    };
    let api = api
        .route_layer(from_fn(idempotency::middleware))
        .route_layer(from_fn_with_state(state.clone(), auth::require_credential));
    let task_api = task_api
        .route_layer(from_fn(idempotency::middleware))
        .route_layer(from_fn_with_state(
            state.clone(),
            auth::require_task_credentials,
        ));
    let mounted = mounts
        .into_iter()
        .fold(Router::new(), |router, (path, service)| {
            router.nest_service(path, service)
        })
        .route_layer(from_fn_with_state(state.clone(), auth::require_secret_key));
    let widget = widget
        .route_layer(from_fn(idempotency::middleware))
        .route_layer(from_fn_with_state(
            state.clone(),
            site_key::require_site_key,
        ));
    Router::new()
        .merge(api)
        .merge(task_api)
        .merge(widget)
        .merge(mounted)
        .merge(admin)
        .merge(probe_routes())
        .route("/v1/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::page))
        .route("/", get(home::page))
        .route("/favicon.ico", get(home::favicon))
        .route("/favicon.svg", get(home::favicon_svg))
        .route("/console", get(console::page))
        .route("/console/", get(console::trailing_slash))
        .route("/console/{file}", get(console::asset))
        .route("/widget.js", get(widget_assets::script))
        .route("/chat/{site_key}", get(widget_assets::chat_page))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(from_fn_with_state(state.clone(), metrics::middleware))
        .layer(from_fn_with_state(state.clone(), cors::middleware))
        .layer(DefaultBodyLimit::max(json::MAX_BODY_BYTES))
        .layer(from_fn(request_id::middleware))
        .with_state(state)
}

/// Liveness, readiness and metrics: on every role's listen address.
fn probe_routes() -> Router<HttpState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
}

/// What a `--role worker` node serves: the probes alone, so an orchestrator can check
/// it and scrape its queue and job metrics. No API, so no credentials are taken here.
pub fn probes(app: App) -> Router {
    let state = HttpState {
        app,
        limiter: RateLimiter::new(HttpConfig::default().rate_limit_per_minute),
        widget_limits: WidgetLimits::default(),
        trust_forwarded_for: false,
        metrics: Metrics::default(),
        admin_token: None,
        openapi: Arc::new("{}".into()),
    };
    probe_routes()
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(from_fn_with_state(state.clone(), metrics::middleware))
        .layer(from_fn(request_id::middleware))
        .with_state(state)
}

/// The message of the fallback route, which tests use to tell "no such route" from
/// "no such object".
pub const NO_ROUTE_MESSAGE: &str = "No route matches this method and path; see /docs.";

async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, NO_ROUTE_MESSAGE)
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "This path exists but not with this method; see /docs.",
    )
}
