//! Prometheus metrics: request counts per route and status, and latency histograms per
//! route, rendered as text at `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use confab_app::work_metrics::Histogram;

use crate::state::HttpState;

#[derive(Default, Debug)]
struct Registry {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<(String, String), Histogram>,
}

#[derive(Clone, Default, Debug)]
pub struct Metrics {
    registry: Arc<Mutex<Registry>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut registry = self.registry.lock().expect("metrics poisoned");
        *registry
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        registry
            .latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default()
            .observe(seconds);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let registry = self.registry.lock().expect("metrics poisoned");
        let mut out = String::new();
        out.push_str("# HELP confab_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE confab_http_requests_total counter\n");
        for ((method, route, status), n) in &registry.requests {
            let _ = writeln!(
                out,
                "confab_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP confab_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE confab_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &registry.latency {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            h.render(&mut out, "confab_http_request_duration_seconds", &labels);
        }
        out
    }
}

/// Records every routed request under its route template (never the raw path, so ids
/// do not explode the label set).
pub async fn middleware(State(state): State<HttpState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    state.metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
