//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Confab API",
        description = "Self-hostable, API-first AI customer chat. Authenticate with `Authorization: Bearer sk_test_…` (or `sk_live_…`); member tokens (`mt_…`) also work and pick test mode with `Confab-Mode: test`. Every POST, PUT, PATCH and DELETE accepts `Idempotency-Key`. Errors are `{\"error\": {code, message, fields?, request_id}}`.",
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = [])),
    tags(
        (name = "Conversations", description = "Conversations, messages and the hand-off between AI and people."),
        (name = "Contacts", description = "The people who talk to you."),
        (name = "Files", description = "Attachments."),
        (name = "Members", description = "Your team, roles and access tokens."),
        (name = "Events", description = "The event log and the live stream."),
        (name = "Webhooks", description = "Signed, retried, replayable deliveries of every event to your endpoints."),
        (name = "Analytics", description = "Chats, messages and rates over a calendar period."),
        (name = "API keys", description = "Secret keys with scopes, a response URL for task results, and a budget."),
        (name = "Tasks", description = "Plain-English tasks for the task agent: send your member token as the bearer and your secret key as X-Api-Key."),
        (name = "Settings", description = "Workspace settings: the chat widget's look, words, allowed origins and identity secret."),
        (name = "Widget", description = "The public API of the chat widget and the hosted chat page, authenticated by site key (`X-Site-Key: pk_…` or `?site_key=`). Rate-limited per site key and client IP: config 60/min, create 5/min, read 60/min, send 20/min."),
        (name = "Admin", description = "Platform administration (CONFAB_ADMIN_TOKEN)."),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A secret key (sk_test_…, sk_live_…) or a member token (mt_…).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Api-Key",
                "The member's secret key (sk_…), next to their member token, on /v1/tasks.",
            ))),
        );
        components.add_security_scheme(
            "site_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Site-Key",
                "A site key (pk_test_…, pk_live_…); also accepted as the `site_key` query parameter.",
            ))),
        );
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The platform admin token (CONFAB_ADMIN_TOKEN)."))
                    .build(),
            ),
        );
    }
}
