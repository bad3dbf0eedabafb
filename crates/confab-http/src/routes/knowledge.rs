//! `/v1/knowledge`: the knowledge base, its search and bulk import.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use confab_app::knowledge::{self, KnowledgeCreate, KnowledgeUpdate, ListFilter, SearchResults};
use confab_app::knowledge_import::{self, ImportFormat, ImportOptions, ImportResult};
use confab_core::ErrorCode;
use confab_core::id::KnowledgeId;
use confab_core::knowledge::KnowledgeEntry;
use confab_core::page::Page;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::{ApiJson, Created, Json};

/// The largest import file.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// List knowledge entries, newest first.
#[utoipa::path(get, path = "/v1/knowledge", tag = "Knowledge",
    params(
        ("lang" = Option<String>, Query, pattern = "^[A-Za-z]{2}$", description = "Only entries in this language (ISO 639-1)."),
        ("intent" = Option<String>, Query, pattern = "^[a-z0-9_.-]{1,64}$", description = "Only entries with this intent."),
        ("enabled" = Option<bool>, Query, description = "Only enabled (true) or disabled (false) entries."),
        ("limit" = Option<i64>, Query, description = "1–100, default 25."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses((status = 200, body = Page<KnowledgeEntry>), (status = 422, body = ErrorBody)))]
pub async fn list(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<Page<KnowledgeEntry>>> {
    let page = query.page()?;
    let filter = ListFilter {
        lang: query.owned("lang"),
        intent: query.owned("intent"),
        enabled: query.owned("enabled"),
    };
    Ok(Json(knowledge::list(&ctx, filter, &page).await?))
}

/// Create a knowledge entry.
#[utoipa::path(post, path = "/v1/knowledge", tag = "Knowledge",
    request_body = KnowledgeCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses((status = 201, body = KnowledgeEntry), (status = 422, body = ErrorBody)))]
pub async fn create(
    Auth(ctx): Auth,
    ApiJson(input): ApiJson<KnowledgeCreate>,
) -> ApiResult<Created<KnowledgeEntry>> {
    Ok(Created(knowledge::create(&ctx, input).await?))
}

/// Get a knowledge entry.
#[utoipa::path(get, path = "/v1/knowledge/{id}", tag = "Knowledge",
    params(("id" = String, Path)),
    responses((status = 200, body = KnowledgeEntry), (status = 404, body = ErrorBody)))]
pub async fn get(
    Auth(ctx): Auth,
    PathId(id): PathId<KnowledgeId>,
) -> ApiResult<Json<KnowledgeEntry>> {
    Ok(Json(knowledge::get(&ctx, &id).await?))
}

/// Update a knowledge entry: absent fields stay.
#[utoipa::path(patch, path = "/v1/knowledge/{id}", tag = "Knowledge",
    params(("id" = String, Path)),
    request_body = KnowledgeUpdate,
    responses((status = 200, body = KnowledgeEntry), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    Auth(ctx): Auth,
    PathId(id): PathId<KnowledgeId>,
    ApiJson(input): ApiJson<KnowledgeUpdate>,
) -> ApiResult<Json<KnowledgeEntry>> {
    Ok(Json(knowledge::update(&ctx, &id, input).await?))
}

/// Delete a knowledge entry; answers it as it was.
#[utoipa::path(delete, path = "/v1/knowledge/{id}", tag = "Knowledge",
    params(("id" = String, Path)),
    responses((status = 200, body = KnowledgeEntry), (status = 404, body = ErrorBody)))]
pub async fn delete(
    Auth(ctx): Auth,
    PathId(id): PathId<KnowledgeId>,
) -> ApiResult<Json<KnowledgeEntry>> {
    Ok(Json(knowledge::delete(&ctx, &id).await?))
}

/// Search the enabled entries (BM25 over title, questions and body), best first.
#[utoipa::path(get, path = "/v1/knowledge/search", tag = "Knowledge",
    params(
        ("q" = String, Query, min_length = 1, max_length = 1000, pattern = r"\S", description = "What the customer asked (at most 1,000 characters)."),
        ("lang" = Option<String>, Query, pattern = "^[A-Za-z]{2}$", description = "Only entries in this language (ISO 639-1) or without one."),
        ("limit" = Option<i64>, Query, description = "1–100, default 10."),
    ),
    responses((status = 200, body = SearchResults), (status = 422, body = ErrorBody)))]
pub async fn search(Auth(ctx): Auth, query: QueryMap) -> ApiResult<Json<SearchResults>> {
    Ok(Json(
        knowledge::search(&ctx, query.get("q"), query.get("lang"), query.get("limit")).await?,
    ))
}

/// Import many entries from JSON lines, CSV (`question,answer`) or Markdown (one entry
/// per heading). Nothing is imported when any line is bad, unless `partial=true`.
#[utoipa::path(post, path = "/v1/knowledge/import", tag = "Knowledge",
    params(
        ("format" = Option<String>, Query, description = "`jsonl`, `csv` or `markdown`; default from Content-Type."),
        ("partial" = Option<bool>, Query, description = "Import the good lines even if some are bad."),
        ("lang" = Option<String>, Query, description = "Language of entries that do not name one."),
    ),
    request_body(content_type = "text/csv", content = String),
    responses((status = 200, body = ImportResult), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    Auth(ctx): Auth,
    query: QueryMap,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!(
                    "An import may be at most {} MiB; split the file.",
                    MAX_IMPORT_BYTES / 1024 / 1024
                ),
            )
        } else {
            ApiError::new(ErrorCode::BadRequest, "The request body could not be read.")
        }
    })?;
    let format = match query.get("format").filter(|f| !f.is_empty()) {
        Some(name) => ImportFormat::from_name(name).ok_or_else(|| {
            ApiError(confab_app::AppError::field("format", "must be jsonl, csv or markdown"))
        })?,
        None => headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(ImportFormat::from_content_type)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::BadRequest,
                    "Send the file as application/x-ndjson, text/csv or text/markdown, or name it with ?format=jsonl|csv|markdown.",
                )
            })?,
    };
    let partial = match query.get("partial") {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError(confab_app::AppError::field(
                "partial",
                "must be true or false",
            )));
        }
    };
    let options = ImportOptions {
        partial,
        lang: query.owned("lang"),
    };
    let result = knowledge_import::import(&ctx, format, &body, options).await?;
    if result.rejected {
        return Ok(rejected(result));
    }
    Ok(Json(result).into_response())
}

/// 422 in the contract's error shape, with the per-line report beside it.
fn rejected(result: ImportResult) -> Response {
    let lines = result.errors.len();
    let fields: serde_json::Map<String, serde_json::Value> = result
        .errors
        .iter()
        .map(|e| (format!("line.{}", e.line), json!([e.message])))
        .collect();
    let body = json!({
        "error": {
            "code": ErrorCode::ValidationFailed.as_str(),
            "message": format!(
                "Nothing was imported: {lines} line{} of the file {} invalid. Fix {}, or send ?partial=true to import the valid lines.",
                if lines == 1 { "" } else { "s" },
                if lines == 1 { "is" } else { "are" },
                if lines == 1 { "it" } else { "them" },
            ),
            "fields": fields,
            "request_id": crate::request_id::current(),
        },
        "imported": 0,
        "errors": result.errors,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
}
