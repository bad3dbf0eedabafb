//! The first hour as a browser test: the real binary on a fresh data dir, its banner
//! read as a newcomer reads it, and the banner's snippet, token and mode carried through
//! the console and a local shop page (`browser/first_hour.mjs`). Screenshots go to
//! `target/browser-artifacts/first-hour/`.

use serde_json::json;

use super::{serve, terminate};

/// The value printed after `label` on its own banner line (`  label   value`).
fn banner_value<'a>(banner: &'a str, label: &str) -> &'a str {
    banner
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("the banner has no {label:?} line:\n{banner}"))
}

#[tokio::test]
async fn a_newcomer_goes_from_the_banner_to_a_person_replying_in_one_mode() {
    if !confab_testkit::browser::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, banner) = serve(dir.path());
    let snippet = banner_value(&banner, "widget snippet").to_owned();
    let owner_token = banner_value(&banner, "owner token").to_owned();
    let test_site_key = banner_value(&banner, "test site key").to_owned();
    let test_secret_key = banner_value(&banner, "test secret key").to_owned();
    assert!(
        snippet.contains(&format!("data-site-key=\"{test_site_key}\"")),
        "the banner's snippet is the test mode's: {snippet}"
    );
    assert!(
        snippet.contains(&format!("src=\"{base}/widget.js\"")),
        "{snippet}"
    );
    assert!(
        banner.contains("works on any page"),
        "the banner says where the test key runs"
    );

    let config = json!({"base_url": base, "owner_token": owner_token, "snippet": snippet});
    let r = confab_testkit::browser::run("first_hour", "first-hour", config)
        .await
        .expect("the browser was found above");
    println!("{r:#}");
    assert_eq!(
        r["preselected_mode"], "test",
        "the console starts in the banner's mode"
    );
    assert_eq!(r["console_mode"], "test");
    assert!(
        r["setup_notice"]
            .as_str()
            .unwrap()
            .contains("Knowledge page"),
        "the empty sandbox says what to do: {}",
        r["setup_notice"]
    );
    assert!(
        r["ai_answer"].as_str().unwrap().contains("9am"),
        "the AI answered from the console's entry: {}",
        r["ai_answer"]
    );
    assert!(!r["acknowledgment"].as_str().unwrap().is_empty());
    let reply = "Hi Maya, this is a person. We open at 9 tomorrow.";
    assert_eq!(r["customer_sees"], json!([reply]));
    assert_eq!(r["page_errors"], json!([]));

    // Everything happened in test mode: the test key sees it, the live key does not.
    let client = reqwest::Client::new();
    let list = |key: String| {
        let client = client.clone();
        let url = format!("{base}/v1/conversations");
        async move {
            client
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let test = list(test_secret_key).await;
    assert_eq!(test["data"].as_array().unwrap().len(), 1, "{test}");
    assert_eq!(test["data"][0]["handled_by"], "human");
    let live = list(banner_value(&banner, "live secret key").to_owned()).await;
    assert_eq!(live["data"], json!([]), "nothing reached live mode: {live}");
    assert!(terminate(&mut child).success());
}
