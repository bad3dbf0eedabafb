//! What a tool call answers: a result (structured JSON and a one-line summary) or an
//! error a model can act on, in the contract's error shape.

use serde_json::{Value, json};

use confab_core::{ErrorCode, FieldErrors};

use crate::AppError;

/// A tool's result.
#[derive(Clone, Debug)]
pub struct ToolOutput {
    /// One short sentence saying what happened ("Created contact ctc_… (Ana).").
    pub summary: String,
    /// The object the REST route would answer, always a JSON object.
    pub structured: Value,
}

/// Why a tool call did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// No tool has this name.
    #[error("No tool is named `{0}`; list the tools to see which this key may call.")]
    UnknownTool(String),
    /// The caller's scopes do not allow the tool.
    #[error("{0}")]
    Forbidden(String),
    /// The arguments are not what the tool takes, worded as the REST route's field errors.
    #[error("{}", .0.summary())]
    InvalidArguments(FieldErrors),
    /// The use case refused (not found, conflict, resolved conversation, …).
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// Something broke on our side; the detail is logged, never shown.
    #[error("Something went wrong on our side; try again later.")]
    Internal(String),
}

impl ToolError {
    /// The contract's error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            ToolError::UnknownTool(_) => ErrorCode::NotFound,
            ToolError::Forbidden(_) => ErrorCode::Forbidden,
            ToolError::InvalidArguments(_) => ErrorCode::ValidationFailed,
            ToolError::Refused { code, .. } => *code,
            ToolError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// `{"error": {code, message, fields?, request_id}}`, as the REST API answers.
    pub fn body(&self, request_id: &str) -> Value {
        let mut error = json!({
            "code": self.code().as_str(),
            "message": self.to_string(),
            "request_id": request_id,
        });
        if let ToolError::InvalidArguments(fields) = self {
            error["fields"] = serde_json::to_value(fields).unwrap_or(Value::Null);
        }
        json!({ "error": error })
    }
}

impl From<AppError> for ToolError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Client {
                code: ErrorCode::Forbidden,
                message,
                ..
            } => ToolError::Forbidden(message),
            AppError::Client {
                fields: Some(fields),
                ..
            } => ToolError::InvalidArguments(fields),
            AppError::Client { code, message, .. } => ToolError::Refused { code, message },
            AppError::Internal(detail) => ToolError::Internal(detail),
        }
    }
}

impl From<FieldErrors> for ToolError {
    fn from(fields: FieldErrors) -> Self {
        ToolError::InvalidArguments(fields)
    }
}
