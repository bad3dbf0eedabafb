//! A sweep of hostile input over every operation of the OpenAPI document: invalid UTF-8
//! and oversized bodies, invalid UTF-8 in paths and query strings, and NUL characters in
//! every body field, path parameter and query parameter. The answer is always a 4xx in
//! the error shape, never a 5xx. Paths name A's real objects, so a request gets as far as
//! the input allows.

use confab_testkit::{Response, TestServer, both_backends};
use serde_json::{Value, json};

use crate::specimens::{self, Body, Specimens};

/// The JSON body limit (DESIGN §3).
const MAX_JSON_BODY: usize = 1024 * 1024;

fn is_error(r: &Response, status: u16) -> bool {
    r.status == status && !r.code().is_empty()
}

/// Whether an error answer names `field` in `fields` (any answer may come back here).
fn names_field(r: &Response, field: &str) -> bool {
    serde_json::from_str::<Value>(&r.text).is_ok_and(|v| v["error"]["fields"].get(field).is_some())
}

/// Each path parameter in turn replaced by `value`.
fn with_param(filled: &str, template: &str, index: usize, value: &str) -> String {
    let mut n = 0;
    template
        .split('/')
        .zip(filled.split('/'))
        .map(|(t, f)| {
            if t.starts_with('{') {
                n += 1;
                if n - 1 == index {
                    return value.to_owned();
                }
            }
            f.to_owned()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The string properties of an object schema.
fn string_fields(schema: &Value) -> Vec<String> {
    schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, p)| {
            p["type"] == "string"
                || p["type"]
                    .as_array()
                    .is_some_and(|t| t.contains(&json!("string")))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

both_backends! {
    async fn invalid_utf8_and_oversized_input_is_a_4xx(backend) {
        let s = TestServer::start(backend).await;
        let sp = Specimens::create(&s).await;
        let mut wrong = Vec::new();
        let mut checked = 0;
        for op in specimens::operations(&s).await {
            if op.gate == specimens::Gate::Admin {
                continue;
            }
            let path = sp.fill(&op.path).unwrap_or_else(|m| panic!("{}: {m:?}", op.label()));
            let mut expect = |what: &str, r: Response, ok: bool| {
                checked += 1;
                if !ok || r.status >= 500 {
                    wrong.push(format!("{} {what}: {} {}", op.label(), r.status, r.text));
                }
            };
            for i in 0..op.path_params.len() {
                let bad = with_param(&path, &op.path, i, "%FF%FE");
                let r = specimens::send(&s, &op, &bad, &sp.a_live, Body::None).await;
                let ok = (400..500).contains(&r.status) && !r.code().is_empty();
                expect("invalid UTF-8 in the path", r, ok);
            }
            for name in &op.query_params {
                let r = specimens::send(&s, &op, &format!("{path}?{name}=%FF%FE"), &sp.a_live, Body::None).await;
                // Query strings are read leniently (U+FFFD), so any answer but a 5xx will do.
                let ok = r.status < 500;
                expect(&format!("invalid UTF-8 in ?{name}"), r, ok);
            }
            match op.body.as_deref() {
                Some("application/json") => {
                    let r = specimens::send(&s, &op, &path, &sp.a_live, Body::Raw("application/json", b"{\"name\": \"\xff\xfe\"}".to_vec())).await;
                    let ok = is_error(&r, 400);
                    expect("invalid UTF-8 in the body", r, ok);
                    let mut big = b"{\"name\": \"".to_vec();
                    big.resize(MAX_JSON_BODY + 1, b'a');
                    big.extend_from_slice(b"\"}");
                    let r = specimens::send(&s, &op, &path, &sp.a_live, Body::Raw("application/json", big)).await;
                    let ok = is_error(&r, 413);
                    expect("a body over 1 MiB", r, ok);
                }
                Some(content_type) if content_type.starts_with("text/") => {
                    let r = specimens::send(&s, &op, &path, &sp.a_live, Body::Raw("text/csv", b"question,answer\n\xff,\xfe\n".to_vec())).await;
                    let ok = (400..500).contains(&r.status) && !r.code().is_empty();
                    expect("invalid UTF-8 in the file", r, ok);
                }
                _ => {}
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert!(checked > 100, "checked {checked}");
    }
}

both_backends! {
    /// One rule at the edge for every string the API accepts (issue 16, item 4): NUL in a
    /// body field is a 422 naming the field, in a path parameter a 404, in a query
    /// parameter a 422.
    async fn nul_is_refused_wherever_a_string_goes(backend) {
        let s = TestServer::start(backend).await;
        let sp = Specimens::create(&s).await;
        let mut wrong = Vec::new();
        for op in specimens::operations(&s).await {
            if op.gate == specimens::Gate::Admin {
                continue;
            }
            let path = sp.fill(&op.path).unwrap_or_else(|m| panic!("{}: {m:?}", op.label()));
            for i in 0..op.path_params.len() {
                let bad = with_param(&path, &op.path, i, "probe%00id");
                let r = specimens::send(&s, &op, &bad, &sp.a_live, Body::None).await;
                if !is_error(&r, 404) {
                    wrong.push(format!("{} NUL in path parameter {i}: {} {}", op.label(), r.status, r.text));
                }
            }
            for name in &op.query_params {
                let r = specimens::send(&s, &op, &format!("{path}?{name}=a%00b"), &sp.a_live, Body::None).await;
                let named = names_field(&r, name);
                if !(is_error(&r, 422) && named) {
                    wrong.push(format!("{} NUL in ?{name}: {} {}", op.label(), r.status, r.text));
                }
            }
            if op.body.as_deref() == Some("application/json") {
                for field in op.body_schema.as_ref().map(string_fields).unwrap_or_default() {
                    let body = Body::Json(json!({ field.clone(): "a\u{0}b" }));
                    let r = specimens::send(&s, &op, &path, &sp.a_live, body).await;
                    let named = names_field(&r, &field);
                    if !(is_error(&r, 422) && named) {
                        wrong.push(format!("{} NUL in `{field}`: {} {}", op.label(), r.status, r.text));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{} answers break the rule: {wrong:#?}", wrong.len());
    }
}

/// The sweep's own check: an operation with a JSON body has string fields to probe.
#[test]
fn string_fields_reads_nullable_strings() {
    let schema = json!({"properties": {"a": {"type": "string"}, "b": {"type": ["string", "null"]}, "c": {"type": "integer"}}});
    assert_eq!(string_fields(&schema), vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(
        with_param("/v1/x/1/y/2", "/v1/x/{id}/y/{t}", 1, "Z"),
        "/v1/x/1/y/Z"
    );
}
