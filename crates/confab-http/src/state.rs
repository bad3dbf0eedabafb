//! What every handler and middleware shares.

use std::sync::Arc;

use confab_app::App;

use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::widget_limits::WidgetLimits;

#[derive(Clone, Debug)]
pub struct HttpState {
    pub app: App,
    pub limiter: RateLimiter,
    /// The widget routes' limits (per site key and client IP, by route class).
    pub widget_limits: WidgetLimits,
    /// Read the client's address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    pub metrics: Metrics,
    /// `CONFAB_ADMIN_TOKEN`; the admin API is off without it.
    pub admin_token: Option<String>,
    /// The OpenAPI document, rendered once at start.
    pub openapi: Arc<String>,
}
