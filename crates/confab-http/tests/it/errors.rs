//! The error shape for malformed requests: nothing of axum's plain text leaks.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

fn assert_shape(r: &confab_testkit::Response, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body = r.json();
    assert_eq!(body["error"]["code"], code);
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    let request_id = body["error"]["request_id"].as_str().unwrap();
    assert!(request_id.starts_with("req_"));
    assert_eq!(r.header("x-request-id"), Some(request_id));
}

both_backends! {
    async fn malformed_json_is_400(backend) {
        let s = TestServer::start(backend).await;
        let r = s.send("POST", "/v1/contacts", Some(s.sk()), &[("content-type", "application/json")], Some(b"{\"name\": ".to_vec())).await;
        assert_shape(&r, 400, "BAD_REQUEST");
        let r = s.send("POST", "/v1/contacts", Some(s.sk()), &[("content-type", "text/plain")], Some(b"{\"name\": \"A\"}".to_vec())).await;
        assert_shape(&r, 400, "BAD_REQUEST");
        let r = s.send("POST", "/v1/contacts", Some(s.sk()), &[("content-type", "application/json")], Some(b"[1, 2]".to_vec())).await;
        assert_shape(&r, 400, "BAD_REQUEST");
    }
}

both_backends! {
    async fn a_body_over_one_mebibyte_is_413(backend) {
        let s = TestServer::start(backend).await;
        let big = format!("{{\"name\": \"{}\"}}", "a".repeat(1536 * 1024));
        let r = oversized(&s, &[("content-type", "application/json")], &big).await;
        assert_shape(&r, 413, "PAYLOAD_TOO_LARGE");
        let r = oversized(&s, &[("content-type", "application/json"), ("idempotency-key", "big")], &big).await;
        assert_shape(&r, 413, "PAYLOAD_TOO_LARGE");
    }
}

/// Posts an oversized body until the server's answer is read. The server answers 413
/// from `Content-Length` without reading the body, and on a loaded machine closing that
/// connection can reset it while the client is still writing, losing the answer; only
/// such transport errors are retried, never an answer.
async fn oversized(
    s: &TestServer,
    headers: &[(&str, &str)],
    body: &str,
) -> confab_testkit::Response {
    let mut last = None;
    for _ in 0..5 {
        match s
            .try_send(
                "POST",
                "/v1/contacts",
                Some(s.sk()),
                headers,
                Some(body.as_bytes().to_vec()),
            )
            .await
        {
            Ok(r) => return r,
            Err(e) => last = Some(e),
        }
    }
    panic!("no answer to an oversized body in 5 attempts: {last:?}");
}

both_backends! {
    async fn unknown_routes_and_methods_and_bad_paths(backend) {
        let s = TestServer::start(backend).await;
        assert_shape(&s.send("GET", "/v1/nothing-here", None, &[], None).await, 404, "NOT_FOUND");
        assert_shape(&s.send("PUT", "/v1/contacts", Some(s.sk()), &[], None).await, 405, "METHOD_NOT_ALLOWED");
        assert_shape(&s.call("GET", "/v1/contacts/ctc_doesnotexist", s.sk(), None).await, 404, "NOT_FOUND");
    }
}

both_backends! {
    /// A 413 is answered before the body is read, so the connection cannot carry another
    /// request; the answer says so with `Connection: close` (clients such as Python
    /// `requests` otherwise reuse it and fail on their next call) and the server closes it.
    async fn a_413_closes_the_connection_and_says_so(backend) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let s = TestServer::start(backend).await;
        for (path, content_type, size) in [("/v1/contacts", "application/json", 2), ("/v1/knowledge/import?format=csv", "text/csv", 12)] {
            let conn = tokio::net::TcpStream::connect(s.addr).await.unwrap();
            let (mut read, mut write) = conn.into_split();
            let size = size * 1024 * 1024;
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: {content_type}\r\nContent-Length: {size}\r\nConnection: keep-alive\r\n\r\n",
                s.addr, s.sk()
            );
            // The body is written beside the read: the server answers once it has read
            // past its limit and may stop reading (the rest of the write then fails).
            let writer = tokio::spawn(async move {
                let _ = write.write_all(head.as_bytes()).await;
                let _ = write.write_all(&vec![b'a'; size]).await;
                write
            });
            let mut answer = Vec::new();
            tokio::time::timeout(std::time::Duration::from_secs(20), read.read_to_end(&mut answer))
                .await
                .expect("the server closes the connection after a 413")
                .ok();
            writer.abort();
            let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
            assert!(text.starts_with("http/1.1 413"), "{path}: {text}");
            assert!(text.contains("\r\nconnection: close\r\n"), "{path}: a 413 must say the connection closes: {text}");
        }
    }
}

both_backends! {
    /// Ids are parsed where they enter: in a path, an id of another kind (or no id at
    /// all) names nothing and is the 404 of a missing object, worded for what the route
    /// looks up; in a body field it is that field's 422.
    async fn an_id_of_the_wrong_kind_names_nothing(backend) {
        let s = TestServer::start(backend).await;
        let contact = s.call("POST", "/v1/contacts", s.sk(), Some(json!({"name": "Ada"}))).await.json();
        let contact_id = contact["id"].as_str().unwrap();
        let r = s.call("GET", &format!("/v1/conversations/{contact_id}"), s.sk(), None).await;
        assert_shape(&r, 404, "NOT_FOUND");
        assert_eq!(r.json()["error"]["message"], format!("No conversation with id `{contact_id}` exists."));
        for (method, path) in [
            ("GET", format!("/v1/agents/{contact_id}")),
            ("GET", format!("/v1/webhook-endpoints/{contact_id}/deliveries")),
            ("GET", format!("/v1/webhook-deliveries/{contact_id}")),
            ("GET", format!("/v1/contacts/{contact_id}x")),
            ("DELETE", format!("/v1/members/{contact_id}/tokens/mtk_nope")),
        ] {
            assert_shape(&s.call(method, &path, s.sk(), None).await, 404, "NOT_FOUND");
        }
        // A path of two parts parses both: the right kinds still work.
        let tagged = s.call("POST", &format!("/v1/contacts/{contact_id}/tags"), s.sk(), Some(json!({"tags": ["vip"]}))).await;
        assert_eq!(tagged.status, 200, "{}", tagged.text);
        let untagged = s.call("DELETE", &format!("/v1/contacts/{contact_id}/tags/vip"), s.sk(), None).await;
        assert_eq!(untagged.json()["tags"], json!([]));

        let wrong_kind = contact_id.replace("ctc_", "cnv_");
        let r = s
            .call("POST", "/v1/conversations", s.sk(), Some(json!({"contact_id": wrong_kind, "message": {"text": "hi"}})))
            .await;
        assert_shape(&r, 422, "VALIDATION_FAILED");
        assert_eq!(r.json()["error"]["fields"]["contact_id"], json!(["no contact with this id exists"]));
    }
}
