//! The browser harness itself: Chromium reaches a real server and the test's config
//! reaches the script. When this fails, every browser test would; it says why first.

use confab_testkit::{TestBackend, TestServer, browser};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_opens_a_page_of_the_server() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    let Some(result) = browser::run(
        "smoke",
        "harness",
        json!({"base_url": server.base, "echo": "from rust"}),
    )
    .await
    else {
        return;
    };
    assert_eq!(result["status"], 200);
    assert_eq!(result["echo"], "from rust");
    assert!(
        browser::artifacts_dir("harness")
            .join("healthz.png")
            .exists()
    );
}
