//! JSON in and out. Request bodies are parsed by hand so that every failure speaks the
//! contract: wrong content type or malformed JSON → 400 `BAD_REQUEST`, a body over the
//! limit → 413 `PAYLOAD_TOO_LARGE`, a field of the wrong type → 422 with `fields`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use confab_core::ErrorCode;

use crate::error::ApiError;

/// Maximum size of a JSON request body (DESIGN §3).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body of type `T`.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if bytes.is_empty() {
            return Err(ApiError::new(
                ErrorCode::BadRequest,
                "The request body is empty; send a JSON object.",
            ));
        }
        parse(&bytes).map(ApiJson)
    }
}

/// A JSON body that may be absent (an action such as `/resolve` with nothing to add).
pub struct OptionalJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        parse(&bytes).map(|v| OptionalJson(Some(v)))
    }
}

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_ascii_lowercase());
    let declared_len = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let is_json = content_type.as_deref().is_some_and(|ct| {
        let essence = ct.split(';').next().unwrap_or("").trim();
        essence == "application/json" || essence.ends_with("+json")
    });
    if !is_json && declared_len > 0 {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "Send the body as JSON with `Content-Type: application/json`.",
        ));
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::new(ErrorCode::BadRequest, "The request body could not be read.")
        }
    })
}

pub fn too_large() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!(
            "The request body is larger than {} MiB.",
            MAX_BODY_BYTES / 1024 / 1024
        ),
    )
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("The body is not valid JSON ({e})."),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "The body must be a JSON object.",
        ));
    }
    confab_app::input::from_json(value).map_err(ApiError::from)
}

/// A 201 with the created object.
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, axum::Json(self.0)).into_response()
    }
}

pub use axum::Json;

/// A 202 with the queued piece of work (a test send, a retry, a replay).
pub struct Accepted<T>(pub T);

impl<T: Serialize> IntoResponse for Accepted<T> {
    fn into_response(self) -> Response {
        (StatusCode::ACCEPTED, axum::Json(self.0)).into_response()
    }
}
