//! The store's one error type.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique index refused the write; `detail` names the index or its columns.
    #[error("unique constraint violated: {detail}")]
    UniqueViolation { detail: String },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("configuration: {0}")]
    Config(String),
}

impl StoreError {
    /// Sorts driver errors so unique violations can become a client-facing conflict.
    pub(crate) fn classify(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err
            && db.kind() == sqlx::error::ErrorKind::UniqueViolation
        {
            let detail = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            return StoreError::UniqueViolation { detail };
        }
        StoreError::Database(err)
    }

    /// True when this is a unique violation mentioning `needle` (an index or column name).
    pub fn is_unique_on(&self, needle: &str) -> bool {
        matches!(self, StoreError::UniqueViolation { detail } if detail.contains(needle))
    }
}

pub(crate) type Result<T> = std::result::Result<T, StoreError>;

/// Lets `?` classify driver errors inside repository functions.
pub(crate) trait Classify<T> {
    fn classified(self) -> Result<T>;
}

impl<T> Classify<T> for std::result::Result<T, sqlx::Error> {
    fn classified(self) -> Result<T> {
        self.map_err(StoreError::classify)
    }
}
