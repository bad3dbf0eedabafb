//! `/widget.js` (size budget, compression, caching) and the hosted chat page.

use confab_testkit::{TestBackend, TestServer};

/// DESIGN §4: the widget is at most 12 KB gzipped.
const BUDGET_BYTES: usize = 12 * 1024;

#[test]
fn the_widget_fits_its_size_budget() {
    let gzipped = confab_http::widget_js_gzipped_len();
    assert!(
        gzipped <= BUDGET_BYTES,
        "widget.js is {gzipped} bytes gzipped; the budget is {BUDGET_BYTES}"
    );
    let source = std::str::from_utf8(confab_http::WIDGET_JS).unwrap();
    assert!(source.len() > 4096, "the real widget, not a placeholder");
    for api in ["open", "close", "identify", "on"] {
        assert!(source.contains(&format!("{api}(")), "Confab.{api}");
    }
    for needle in [
        "attachShadow",
        "localStorage",
        "EventSource",
        "aria-modal",
        "role",
    ] {
        assert!(source.contains(needle), "{needle}");
    }
    for forbidden in ["document.cookie", "http://", "https://", "eval("] {
        assert!(
            !source.contains(forbidden),
            "widget.js must not use {forbidden}"
        );
    }
}

#[tokio::test]
async fn the_script_is_compressed_once_cached_and_revalidated() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let gz = s
        .send(
            "GET",
            "/widget.js",
            None,
            &[("accept-encoding", "gzip, br")],
            None,
        )
        .await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(
        gz.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(gz.header("cache-control").unwrap().contains("max-age=600"));
    assert_eq!(gz.header("vary"), Some("Accept-Encoding"));
    let etag = gz.header("etag").unwrap().to_owned();
    let raw = s
        .client
        .get(format!("{}/widget.js", s.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let compressed = raw.bytes().await.unwrap();
    assert_eq!(compressed.len(), confab_http::widget_js_gzipped_len());
    assert!(compressed.len() <= BUDGET_BYTES);

    let plain = s
        .send(
            "GET",
            "/widget.js",
            None,
            &[("accept-encoding", "identity")],
            None,
        )
        .await;
    assert!(plain.header("content-encoding").is_none());
    assert_eq!(plain.text.as_bytes(), confab_http::WIDGET_JS);
    let refused = s
        .send(
            "GET",
            "/widget.js",
            None,
            &[("accept-encoding", "gzip;q=0")],
            None,
        )
        .await;
    assert!(refused.header("content-encoding").is_none());

    let again = s
        .send(
            "GET",
            "/widget.js",
            None,
            &[
                ("accept-encoding", "gzip"),
                ("if-none-match", etag.as_str()),
            ],
            None,
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let stale = s
        .send(
            "GET",
            "/widget.js",
            None,
            &[("accept-encoding", "gzip"), ("if-none-match", "\"other\"")],
            None,
        )
        .await;
    assert_eq!(stale.status, 200);
}

#[tokio::test]
async fn the_hosted_chat_page_is_a_phone_sized_page_on_the_same_script() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let key = s.creds.live_site_key.clone();
    let page = s
        .send("GET", &format!("/chat/{key}"), None, &[], None)
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.text
            .contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1"#)
    );
    assert!(page.text.contains(&format!(
        r#"<script src="/widget.js" data-site-key="{key}" data-mode="page" async></script>"#
    )));
    assert!(
        page.text.contains("<title>Chat · Default</title>"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(r#"<h1 class="brand" dir="auto">Default</h1>"#)
    );
    assert!(
        page.text
            .contains(r##"<meta name="theme-color" content="#4f46e5">"##)
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"));

    s.call(
        "PUT",
        "/v1/settings/widget",
        &s.creds.live_secret_key,
        Some(serde_json::json!({"accent_color": "#0a7"})),
    )
    .await;
    let r = s
        .call(
            "PATCH",
            "/v1/account",
            &s.creds.owner_token,
            Some(serde_json::json!({"name": "Sam <& Co>"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let arabic = s
        .send("GET", &format!("/chat/{key}?lang=AR"), None, &[], None)
        .await;
    assert!(
        arabic.text.contains(r#"<html lang="ar" dir="rtl">"#),
        "{}",
        arabic.text
    );
    assert!(
        arabic
            .text
            .contains("<title>Chat · Sam &lt;&amp; Co&gt;</title>")
    );
    assert!(arabic.text.contains(">Sam &lt;&amp; Co&gt;</h1>"));
    assert!(
        arabic.text.contains("#00aa77"),
        "the page takes the accent colour"
    );
    let french = s
        .send("GET", &format!("/chat/{key}?lang=fr"), None, &[], None)
        .await;
    assert!(french.text.contains(r#"<html lang="fr">"#));
    let junk = s
        .send(
            "GET",
            &format!("/chat/{key}?lang=<script>"),
            None,
            &[],
            None,
        )
        .await;
    assert!(junk.text.contains("<html>"));

    for bad in [
        "pk_live_unknown0000000000000000000000",
        "sk_test_x",
        "%3Cscript%3E",
    ] {
        let r = s
            .send("GET", &format!("/chat/{bad}"), None, &[], None)
            .await;
        assert_eq!(r.status, 401, "{bad}");
        assert!(r.text.contains("not valid"));
        assert!(!r.text.contains("<script"), "{}", r.text);
    }
}

#[tokio::test]
async fn the_widget_api_is_in_the_openapi_document() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let doc = s
        .send("GET", "/v1/openapi.json", None, &[], None)
        .await
        .json();
    for path in [
        "/v1/widget/config",
        "/v1/widget/conversations",
        "/v1/widget/conversations/{visitor_token}",
        "/v1/widget/conversations/{visitor_token}/messages",
        "/v1/widget/conversations/{visitor_token}/stream",
        "/v1/widget/conversations/{visitor_token}/handoff",
        "/v1/widget/conversations/{visitor_token}/identify",
        "/v1/widget/conversations/{visitor_token}/files",
        "/v1/widget/conversations/{visitor_token}/files/{file_id}",
        "/v1/settings/widget",
        "/v1/conversations/{id}/typing",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    let config = &doc["paths"]["/v1/widget/config"]["get"];
    assert_eq!(config["security"][0]["site_key"], serde_json::json!([]));
    assert_eq!(
        doc["components"]["securitySchemes"]["site_key"]["name"],
        "X-Site-Key"
    );
}
