//! Extractors for path and query parameters whose failures speak the contract.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use confab_core::ErrorCode;
use confab_core::id::TypedId;
use confab_core::page::PageRequest;

use crate::error::{ApiError, ApiResult};

/// Path parameters.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // No id holds a NUL character, and no backend could look one up (PostgreSQL
        // refuses it in text): a path naming one names nothing.
        if parts.uri.path().contains("%00") {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "Nothing has this id: ids never contain a NUL character.",
            ));
        }
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("Bad path parameter: {e}.")))
    }
}

/// A path's one id, parsed at the edge: `ApiPath<ConversationId>` reads as the id it
/// names, and a malformed id or one of another kind is the 404 of an id that does not
/// exist.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: TypedId + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiPath(raw) = ApiPath::<String>::from_request_parts(parts, state).await?;
        Ok(PathId(confab_app::input::id(&raw)?))
    }
}

/// The query string as a map (each route picks what it understands).
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                ApiError::new(
                    ErrorCode::BadRequest,
                    "The query string could not be parsed.",
                )
            })
            .and_then(|Query(map)| {
                // The same rule as bodies: a NUL character is never a value we accept.
                match map
                    .iter()
                    .find(|(k, v)| k.contains('\0') || v.contains('\0'))
                {
                    Some((name, _)) => Err(ApiError(confab_app::AppError::field(
                        &name.replace('\0', "\\u0000"),
                        confab_app::input::NUL_MESSAGE,
                    ))),
                    None => Ok(QueryMap(map)),
                }
            })
    }
}

/// An empty value (`?status=`, as an HTML form sends an empty field) is read as absent,
/// for every parameter of every route; the OpenAPI document says so with
/// `allowEmptyValue` on each optional query parameter.
impl QueryMap {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// `?limit=&cursor=`, validated.
    pub fn page(&self) -> ApiResult<PageRequest> {
        Ok(PageRequest::parse(self.get("limit"), self.get("cursor"))?)
    }
}
