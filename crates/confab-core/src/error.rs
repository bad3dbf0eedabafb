//! The contract's error codes (DESIGN §3) and the field-error map that rides with
//! `VALIDATION_FAILED`.

use std::collections::BTreeMap;

use serde::Serialize;

/// Every error code a client can see. The HTTP status is part of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    InvalidApiKey,
    WalletEmpty,
    KeyRevoked,
    KeyOwnerMismatch,
    Forbidden,
    ContactBlocked,
    NotFound,
    MethodNotAllowed,
    IdempotencyKeyInUse,
    ConversationResolved,
    VisitorTokenTaken,
    SlotTaken,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    IdempotencyKeyReused,
    RateLimited,
    BudgetExceeded,
    Internal,
    Unavailable,
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest => 400,
            Unauthenticated | InvalidApiKey => 401,
            WalletEmpty => 402,
            KeyRevoked | KeyOwnerMismatch | Forbidden | ContactBlocked => 403,
            NotFound => 404,
            MethodNotAllowed => 405,
            IdempotencyKeyInUse | ConversationResolved | VisitorTokenTaken | SlotTaken
            | Conflict => 409,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            ValidationFailed | IdempotencyKeyReused => 422,
            RateLimited | BudgetExceeded => 429,
            Internal => 500,
            Unavailable => 503,
        }
    }

    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "BAD_REQUEST",
            Unauthenticated => "UNAUTHENTICATED",
            InvalidApiKey => "INVALID_API_KEY",
            WalletEmpty => "WALLET_EMPTY",
            KeyRevoked => "KEY_REVOKED",
            KeyOwnerMismatch => "KEY_OWNER_MISMATCH",
            Forbidden => "FORBIDDEN",
            ContactBlocked => "CONTACT_BLOCKED",
            NotFound => "NOT_FOUND",
            MethodNotAllowed => "METHOD_NOT_ALLOWED",
            IdempotencyKeyInUse => "IDEMPOTENCY_KEY_IN_USE",
            ConversationResolved => "CONVERSATION_RESOLVED",
            VisitorTokenTaken => "VISITOR_TOKEN_TAKEN",
            SlotTaken => "SLOT_TAKEN",
            Conflict => "CONFLICT",
            PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ValidationFailed => "VALIDATION_FAILED",
            IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            RateLimited => "RATE_LIMITED",
            BudgetExceeded => "BUDGET_EXCEEDED",
            Internal => "INTERNAL",
            Unavailable => "UNAVAILABLE",
        }
    }
}

/// Per-field messages, keyed by the field's path (`contact.email`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.0.iter()
    }

    /// `Ok(())` when nothing was added, else the collected errors.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The fields and their messages on one line: "`title` is required; `lang` must be …".
    pub fn list(&self) -> String {
        self.0
            .iter()
            .map(|(field, messages)| format!("`{field}` {}", messages.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A one-line summary for the error's `message`.
    pub fn summary(&self) -> String {
        format!("The request has invalid fields: {}.", self.list())
    }
}
