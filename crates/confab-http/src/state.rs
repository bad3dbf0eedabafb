//! What every handler and middleware shares.

use std::sync::Arc;

use confab_app::App;

use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;

#[derive(Clone, Debug)]
pub struct HttpState {
    pub app: App,
    pub limiter: RateLimiter,
    pub metrics: Metrics,
    /// `CONFAB_ADMIN_TOKEN`; the admin API is off without it.
    pub admin_token: Option<String>,
    /// The OpenAPI document, rendered once at start.
    pub openapi: Arc<String>,
}
