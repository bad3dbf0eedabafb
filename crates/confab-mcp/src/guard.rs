//! `/mcp` is for secret keys (DESIGN §3): the HTTP layer has authenticated the request;
//! here anything but a secret key is turned away with 401, as a missing key would be.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use confab_app::{Actor, Ctx};

pub async fn secret_keys_only(request: Request, next: Next) -> Response {
    let refusal = match request.extensions().get::<Ctx>() {
        Some(Ctx {
            actor: Actor::SecretKey { .. },
            ..
        }) => return next.run(request).await,
        Some(ctx) => json!({"error": {
            "code": "UNAUTHENTICATED",
            "message": "The MCP server takes secret keys only; send `Authorization: Bearer sk_…`.",
            "request_id": ctx.request_id,
        }}),
        None => json!({"error": {
            "code": "UNAUTHENTICATED",
            "message": "No credential was sent. Send your secret key as `Authorization: Bearer sk_…`.",
        }}),
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, r#"Bearer realm="confab""#)],
        axum::Json(refusal),
    )
        .into_response()
}
