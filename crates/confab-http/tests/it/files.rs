//! Files: upload, sniffed type, attachment to messages, safe downloads.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

async fn upload(
    s: &TestServer,
    filename: &str,
    declared: &str,
    bytes: Vec<u8>,
) -> confab_testkit::Response {
    let auth = format!("Bearer {}", s.sk());
    s.upload(
        "/v1/files",
        &[("authorization", &auth)],
        filename,
        declared,
        bytes,
    )
    .await
}

both_backends! {
    async fn uploads_are_sniffed_attached_and_downloaded_safely(backend) {
        let s = TestServer::start(backend).await;
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR rest of a picture".to_vec();
        // The client claims HTML; the bytes say PNG.
        let r = upload(&s, "../../evil\"name.png", "text/html", png.clone()).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let file = r.json();
        assert!(file["id"].as_str().unwrap().starts_with("fil_"));
        assert_eq!(file["content_type"], "image/png");
        assert_eq!(file["size"], png.len());
        assert_eq!(file["filename"], "evilname.png");
        let file_id = file["id"].as_str().unwrap();

        let c = s.conversation(json!({})).await;
        let id = c["id"].as_str().unwrap();
        let m = s.call("POST", &format!("/v1/conversations/{id}/messages"), s.sk(),
            Some(json!({"role": "customer", "text": "see picture", "attachments": [file_id]}))).await;
        assert_eq!(m.status, 201, "{}", m.text);
        assert_eq!(m.json()["attachments"][0]["id"], file_id);
        assert_eq!(m.json()["attachments"][0]["content_type"], "image/png");
        let meta = s.call("GET", &format!("/v1/files/{file_id}"), s.sk(), None).await.json();
        assert_eq!(meta["conversation_id"], id);

        let inline = s.client.get(format!("{}/v1/files/{file_id}/content", s.base)).bearer_auth(s.sk()).send().await.unwrap();
        assert_eq!(inline.status(), 200);
        let h = inline.headers().clone();
        assert_eq!(h["content-type"], "image/png");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
        let cd = h["content-disposition"].to_str().unwrap().to_owned();
        assert!(cd.starts_with("inline; filename=\"evilname.png\""), "{cd}");
        assert_eq!(inline.bytes().await.unwrap().to_vec(), png);

        let attachment = s.send("GET", &format!("/v1/files/{file_id}/content?disposition=attachment"), Some(s.sk()), &[], None).await;
        assert!(attachment.header("content-disposition").unwrap().starts_with("attachment;"));
        let bad = s.send("GET", &format!("/v1/files/{file_id}/content?disposition=execute"), Some(s.sk()), &[], None).await;
        assert_eq!(bad.status, 422);
        let other_mode = s.send("GET", &format!("/v1/files/{file_id}/content"), Some(&s.creds.live_secret_key), &[], None).await;
        assert_eq!(other_mode.status, 404);

        // Script dressed as an image is served as text, never as HTML.
        let r = upload(&s, "x.html", "text/html", b"<script>alert(1)</script>".to_vec()).await;
        assert_eq!(r.json()["content_type"], "text/plain; charset=utf-8");
        let r = upload(&s, "résumé.pdf", "application/pdf", b"%PDF-1.4 ...".to_vec()).await;
        let pdf_id = r.json()["id"].as_str().unwrap().to_owned();
        let d = s.send("GET", &format!("/v1/files/{pdf_id}/content"), Some(s.sk()), &[], None).await;
        assert!(d.header("content-disposition").unwrap().contains("filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"));
    }
}

#[tokio::test]
async fn empty_missing_and_oversized_uploads_are_refused() {
    let s = TestServer::start(confab_testkit::TestBackend::Sqlite).await;
    assert_eq!(upload(&s, "e.txt", "text/plain", vec![]).await.status, 422);
    let r = s
        .call("POST", "/v1/files", s.sk(), Some(json!({"file": "no"})))
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "BAD_REQUEST"));
    let big = upload(
        &s,
        "big.bin",
        "application/octet-stream",
        vec![7u8; 25 * 1024 * 1024 + 1024 * 1024],
    )
    .await;
    assert_eq!(big.status, 413, "{}", big.text);
    assert_eq!(big.code(), "PAYLOAD_TOO_LARGE");
    let max = upload(
        &s,
        "max.bin",
        "application/octet-stream",
        vec![7u8; 25 * 1024 * 1024],
    )
    .await;
    assert_eq!(max.status, 201, "25 MiB is allowed");
}
