//! `/v1/files`: uploads and downloads with safe headers.

use axum::body::Body;
use axum::extract::Multipart;
use axum::http::{HeaderValue, header};
use axum::response::Response;

use confab_app::files::{self, FileObject};
use confab_core::ErrorCode;
use confab_core::id::FileId;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{PathId, QueryMap};
use crate::json::{Created, Json};

/// The multipart form of an upload: one part, `file` (`read_upload` refuses any other,
/// which `deny_unknown_fields` tells the document).
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct FileUpload {
    /// The file's bytes (at most 25 MiB). Its type is sniffed from the content.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
}

fn bad_upload(message: &str) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, message)
}

/// A multipart read failure: 413 when the body limit stopped it, else 400.
fn read_error(err: &axum::extract::multipart::MultipartError, message: &str) -> ApiError {
    if err.status().as_u16() == 413 {
        ApiError(files::too_large())
    } else {
        bad_upload(message)
    }
}

/// Upload a file to attach to messages.
#[utoipa::path(post, path = "/v1/files", tag = "Files",
    request_body(content_type = "multipart/form-data", content = FileUpload),
    responses((status = 201, body = FileObject), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn upload(
    Auth(ctx): Auth,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Created<FileObject>> {
    let (filename, bytes) = read_upload(multipart).await?;
    Ok(Created(files::upload(&ctx, &filename, bytes).await?))
}

/// Reads the part named `file` of an upload: its name and bytes.
pub async fn read_upload(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(String, Vec<u8>)> {
    let mut multipart = multipart.map_err(|_| {
        bad_upload("Send the file as multipart/form-data with a part named `file`.")
    })?;
    // Like a JSON body's unknown field, a part other than `file` is refused (the
    // document's `FileUpload` has no other properties).
    let mut upload = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| read_error(&e, "The multipart body could not be read."))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name != "file" || upload.is_some() {
            let message = if name == "file" {
                "must be sent once"
            } else {
                "is not a known field"
            };
            return Err(ApiError(confab_app::AppError::field(&name, message)));
        }
        let filename = field.file_name().unwrap_or("file").to_owned();
        if filename.contains('\0') {
            return Err(ApiError(confab_app::AppError::field(
                "file",
                "the file name must not contain a NUL character (\\u0000)",
            )));
        }
        let bytes = field
            .bytes()
            .await
            .map_err(|e| read_error(&e, "The file part could not be read."))?;
        upload = Some((filename, bytes.to_vec()));
    }
    upload.ok_or_else(|| {
        ApiError(confab_app::AppError::field(
            "file",
            "is required (a multipart part named `file`)",
        ))
    })
}

/// Get a file's details.
#[utoipa::path(get, path = "/v1/files/{id}", tag = "Files",
    params(("id" = String, Path)),
    responses((status = 200, body = FileObject), (status = 404, body = ErrorBody)))]
pub async fn get(Auth(ctx): Auth, PathId(id): PathId<FileId>) -> ApiResult<Json<FileObject>> {
    Ok(Json(files::get(&ctx, &id).await?))
}

/// Download a file's bytes.
#[utoipa::path(get, path = "/v1/files/{id}/content", tag = "Files",
    params(("id" = String, Path), ("disposition" = Option<crate::routes::files::Disposition>, Query, description = "inline (default) | attachment")),
    responses((status = 200, description = "The file's bytes, with its sniffed type."), (status = 404, body = ErrorBody)))]
pub async fn content(
    Auth(ctx): Auth,
    PathId(id): PathId<FileId>,
    q: QueryMap,
) -> ApiResult<Response> {
    let disposition = disposition(q.get("disposition"))?;
    let (file, bytes) = files::content(&ctx, &id).await?;
    Ok(file_response(&file, bytes, disposition))
}

/// How a download is offered (the `disposition` query parameter), for the document.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum Disposition {
    /// Shown in the browser when it can (the default).
    Inline,
    /// Saved as a file.
    Attachment,
}

/// `inline` or `attachment`; anything else is a 422.
pub fn disposition(raw: Option<&str>) -> ApiResult<&'static str> {
    match raw.unwrap_or("inline") {
        "inline" => Ok("inline"),
        "attachment" => Ok("attachment"),
        _ => Err(ApiError(confab_app::AppError::field(
            "disposition",
            "must be inline or attachment",
        ))),
    }
}

/// A download with headers that stop a browser from running or re-typing it.
pub fn file_response(file: &FileObject, bytes: Vec<u8>, disposition: &str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    set(headers, header::CONTENT_TYPE, file.content_type.clone());
    set(
        headers,
        header::CONTENT_DISPOSITION,
        content_disposition(disposition, &file.filename),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    response
}

/// `inline; filename="report.pdf"; filename*=UTF-8''r%C3%A9port.pdf` (RFC 6266): an
/// ASCII fallback with quotes and controls removed, and the exact name percent-encoded.
pub fn content_disposition(kind: &str, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !matches!(c, '"' | '\\' | ';'))
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
