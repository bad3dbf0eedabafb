//! The HTTP layer's error: every failure leaves as the contract's JSON shape
//! `{"error": {code, message, fields?, request_id}}` with the code's status.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use confab_app::AppError;
use confab_core::{ErrorCode, FieldErrors};

use crate::request_id;

#[derive(Debug)]
pub struct ApiError(pub AppError);

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError(AppError::new(code, message))
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        ApiError(err)
    }
}

impl From<FieldErrors> for ApiError {
    fn from(fields: FieldErrors) -> Self {
        ApiError(AppError::validation(fields))
    }
}

/// The documented error body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable UPPER_SNAKE code, e.g. `VALIDATION_FAILED`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    /// Per-field messages, for `VALIDATION_FAILED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub fields: Option<FieldErrors>,
    pub request_id: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = request_id::current();
        let (code, message, fields) = match self.0 {
            AppError::Client {
                code,
                message,
                fields,
            } => (code, message, fields),
            AppError::Internal(detail) => {
                tracing::error!(request_id = %request_id, error = %detail, "internal error");
                (
                    ErrorCode::Internal,
                    format!(
                        "Something went wrong on our side. Quote {request_id} if you contact support."
                    ),
                    None,
                )
            }
        };
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.as_str().to_owned(),
                message,
                fields,
                request_id,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if code == ErrorCode::PayloadTooLarge {
            // Answered before the body was read, so the connection cannot carry another
            // request: say so, and hyper closes it after this answer.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if code == ErrorCode::Unauthenticated || code == ErrorCode::InvalidApiKey {
            response.headers_mut().insert(
                "www-authenticate",
                HeaderValue::from_static("Bearer realm=\"confab\""),
            );
        }
        response
    }
}
