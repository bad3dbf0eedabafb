//! A visitor's attachments: uploaded into their conversation, readable only through it.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

use super::{start, test_call};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn upload(s: &TestServer, token: &str, name: &str, bytes: &[u8]) -> confab_testkit::Response {
    let path = format!("/v1/widget/conversations/{token}/files");
    s.upload(
        &path,
        &[("x-site-key", &s.creds.test_site_key)],
        name,
        "application/octet-stream",
        bytes.to_vec(),
    )
    .await
}

both_backends! {
    async fn attachments_stay_inside_the_visitor_s_conversation(backend) {
        let s = TestServer::start(backend).await;
        let (token, started) = start(&s, "here is a photo").await;
        let id = started["conversation_id"].as_str().unwrap();
        let r = upload(&s, &token, "photo.png", PNG).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let file = r.json();
        assert_eq!(file["content_type"], "image/png");
        assert_eq!(file["conversation_id"], id);
        let file_id = file["id"].as_str().unwrap();

        let sent = test_call(&s, "POST", &format!("/v1/widget/conversations/{token}/messages"),
            Some(json!({"message": "see attached", "attachments": [file_id]}))).await;
        assert_eq!(sent.status, 201, "{}", sent.text);
        assert_eq!(sent.json()["attachments"][0]["filename"], "photo.png");

        let download = s.client.get(format!("{}/v1/widget/conversations/{token}/files/{file_id}?disposition=attachment", s.base))
            .header("x-site-key", &s.creds.test_site_key).send().await.unwrap();
        assert_eq!(download.status(), 200);
        let header = |name: &str| download.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "image/png");
        assert!(header("content-disposition").starts_with("attachment;"));
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(&download.bytes().await.unwrap()[..], PNG);
        let by_query = s.send("GET", &format!("/v1/widget/conversations/{token}/files/{file_id}?site_key={}", s.creds.test_site_key), None, &[], None).await;
        assert_eq!(by_query.status, 200, "an <img> can load it with the key in the query");

        // Another visitor can neither read nor attach it; nor a file the business uploaded.
        let (other, _) = start(&s, "me too").await;
        let theirs = test_call(&s, "GET", &format!("/v1/widget/conversations/{other}/files/{file_id}"), None).await;
        assert_eq!(theirs.status, 404);
        let attach = test_call(&s, "POST", &format!("/v1/widget/conversations/{other}/messages"),
            Some(json!({"message": "mine now", "attachments": [file_id]}))).await;
        assert_eq!(attach.status, 422, "{}", attach.text);
        let bad = test_call(&s, "GET", &format!("/v1/widget/conversations/{token}/files/{file_id}?disposition=open"), None).await;
        assert_eq!(bad.status, 422);

        let empty = upload(&s, &token, "empty.txt", b"").await;
        assert_eq!(empty.status, 422);
        let no_part = s.send("POST", &format!("/v1/widget/conversations/{token}/files"), None,
            &[("x-site-key", s.creds.test_site_key.as_str()), ("content-type", "application/json")], Some(b"{}".to_vec())).await;
        assert_eq!(no_part.status, 400);
        let unknown = upload(&s, &crate::widget::token(), "x.png", PNG).await;
        assert_eq!(unknown.status, 404);
    }
}
