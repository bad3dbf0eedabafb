//! Verification by code we did not write: the PyPI `standardwebhooks` 1.1.0 library
//! (the Standard Webhooks reference verifier) and the seed's one-line recipe
//! `hmac.new(secret.encode(), body, sha256).hexdigest() == X-Signature`, both run by a
//! real Python interpreter over the exact bytes and headers the receiver got.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use base64::Engine;
use confab_testkit::Received;
use serde_json::json;

const PACKAGE: &str = "standardwebhooks==1.1.0";

const SCRIPT: &str = r#"
import base64, hashlib, hmac, json, sys
from standardwebhooks import Webhook
out = []
for line in sys.stdin:
    item = json.loads(line)
    body = base64.b64decode(item["body"])
    try:
        Webhook(item["secret"]).verify(body, item["headers"])
        standard = True
    except Exception as err:
        standard = False
    plain = hmac.new(item["secret"].encode(), body, hashlib.sha256).hexdigest() == item["headers"].get("x-signature")
    out.append({"standard": standard, "plain": plain})
print(json.dumps(out))
"#;

/// A Python with `standardwebhooks` installed: `CONFAB_TEST_PYTHON` when set (`.ci/run`
/// prepares one), otherwise a virtual environment made once under the target directory.
/// Panics (the test fails) when neither can be had: the check is not optional.
fn python() -> PathBuf {
    static PYTHON: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut cached = PYTHON.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(python) = cached.as_ref() {
        return python.clone();
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("standardwebhooks-1.1.0");
    let python = confab_testkit::python::with_package(
        "CONFAB_TEST_PYTHON",
        &venv,
        PACKAGE,
        "standardwebhooks",
    )
    .unwrap_or_else(|why| panic!("a Python with standardwebhooks is needed: {why}"));
    *cached = Some(python.clone());
    python
}

/// For each request: whether `standardwebhooks` accepts it, and whether the plain
/// recipe matches its `X-Signature`, with `secret`.
pub fn verify(secret: &str, requests: &[Received]) -> Vec<(bool, bool)> {
    let mut child = Command::new(python())
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run python");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for r in requests {
            let item = json!({
                "secret": secret,
                "body": base64::engine::general_purpose::STANDARD.encode(&r.body),
                "headers": r.headers,
            });
            writeln!(stdin, "{item}").expect("write to python");
        }
    }
    let out = child.wait_with_output().expect("python output");
    assert!(out.status.success(), "the verifier script failed");
    let verdicts: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("verifier prints JSON");
    verdicts
        .iter()
        .map(|v| (v["standard"] == true, v["plain"] == true))
        .collect()
}
