//! The application layer's one error type: a contract code, a sentence a person can
//! act on, and optional field errors. Internal failures keep their detail for the log
//! and show the client nothing of it.

use confab_core::{ErrorCode, FieldErrors};
use confab_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Client {
        code: ErrorCode,
        message: String,
        fields: Option<FieldErrors>,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Client {
            code,
            message: message.into(),
            fields: None,
        }
    }

    pub fn validation(fields: FieldErrors) -> Self {
        AppError::Client {
            code: ErrorCode::ValidationFailed,
            message: fields.summary(),
            fields: Some(fields),
        }
    }

    pub fn field(field: &str, message: &str) -> Self {
        Self::validation(FieldErrors::single(field, message))
    }

    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("No {what} with id `{id}` exists."),
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Client { code, .. } => *code,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::UniqueViolation { .. } => AppError::conflict(
                "Another request changed this resource at the same time; retry the request.",
            ),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(fields: FieldErrors) -> Self {
        AppError::validation(fields)
    }
}

impl From<confab_core::handoff::Refusal> for AppError {
    fn from(refusal: confab_core::handoff::Refusal) -> Self {
        AppError::new(refusal.code(), refusal.message())
    }
}
