//! The OpenAPI document and the page that renders it (no external network).

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};

use crate::state::HttpState;

const DOCS_PAGE: &str = include_str!("../../../../web/docs.html");

pub async fn openapi_json(State(state): State<HttpState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_ref().clone(),
    )
}

pub async fn page() -> impl IntoResponse {
    Html(DOCS_PAGE)
}
