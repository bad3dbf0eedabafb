//! The `Idempotency-Key` middleware: claims the key, replays a stored response, or runs
//! the handler with the claim in its [`Ctx`] and stores the response in the effect's
//! own transaction before answering.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use confab_app::Ctx;
use confab_app::idempotency::{self, Begin};
use confab_core::credential::digest_hex;

use crate::error::ApiError;
use crate::json::too_large;

/// Bodies read here may be uploads; each route's own limit still applies afterwards.
const MAX_BODY_BYTES: usize = confab_app::files::MAX_UPLOAD_BODY_BYTES;

pub const HEADER: &str = "idempotency-key";
/// Stored responses are JSON; a handler answering with more than this is not stored.
const MAX_STORED_RESPONSE: usize = 4 * 1024 * 1024;

pub async fn middleware(request: Request, next: Next) -> Response {
    let is_write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let key = request.headers().get(HEADER).cloned();
    let (Some(key), true) = (key, is_write) else {
        return next.run(request).await;
    };
    let Some(ctx) = request.extensions().get::<Ctx>().cloned() else {
        return next.run(request).await;
    };
    let Ok(key) = key.to_str().map(str::to_owned) else {
        return ApiError::new(
            confab_core::ErrorCode::BadRequest,
            "The Idempotency-Key header must be printable ASCII.",
        )
        .into_response();
    };
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large().into_response(),
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let fingerprint = digest_hex(&[parts.method.as_str().as_bytes(), path.as_bytes(), &bytes]);
    let slot = match idempotency::begin(&ctx, &key, &fingerprint).await {
        Ok(Begin::Run(slot)) => slot,
        Ok(Begin::Replay { status, body }) => return replay(status, body),
        Ok(Begin::InUse {
            error,
            retry_after_secs,
        }) => {
            let mut response = ApiError(error).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }
        Err(err) => return ApiError(err).into_response(),
    };
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(Ctx {
        idempotency: Some(Arc::clone(&slot)),
        ..ctx.clone()
    });
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_STORED_RESPONSE).await {
        Ok(bytes) => bytes,
        Err(_) => {
            idempotency::abandon(&ctx, &slot).await;
            return ApiError(confab_app::AppError::Internal(
                "response too large to store for idempotency".into(),
            ))
            .into_response();
        }
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if let Err(err) = idempotency::finish(&ctx, &slot, parts.status.as_u16(), &text).await {
        // Nothing was committed: the client may retry with the same key.
        idempotency::abandon(&ctx, &slot).await;
        return ApiError(err).into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(status: u16, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
