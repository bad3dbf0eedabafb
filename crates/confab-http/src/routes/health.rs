//! Liveness, readiness and metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use crate::json::Json;
use crate::state::HttpState;

/// The process is up.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// The process can serve: the database answers.
pub async fn readyz(State(state): State<HttpState>) -> impl IntoResponse {
    if state.app.store.ping().await {
        (StatusCode::OK, Json(json!({"status": "ready"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "reason": "the database does not answer"})),
        )
    }
}

/// HTTP metrics of this process, then the background work's (queue depth, job
/// latency), which every role reports.
pub async fn metrics(State(state): State<HttpState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    match confab_app::work_metrics::render(&state.app).await {
        Ok(work) => text.push_str(&work),
        // The HTTP figures are still worth having; the database is down (see /readyz).
        Err(err) => tracing::warn!(error = %err, "metrics: cannot read the queues"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}
