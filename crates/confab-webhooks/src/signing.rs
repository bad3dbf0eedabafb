//! Signing as Standard Webhooks specifies (and Svix verifies), plus the plain recipe.
//!
//! - `webhook-signature: v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`, keyed with
//!   the base64-decoded bytes after `whsec_`. While a rotated-out secret is still valid
//!   the header carries one signature per secret, space-separated; verifiers accept
//!   the request when any of them matches.
//! - `X-Signature: <hex HMAC-SHA256(body)>`, keyed with the whole secret string
//!   (`whsec_…` included), for verifiers written from the one-line recipe.
//!
//! The caller signs the exact bytes it sends: [`sign`] takes the body as bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &str = "whsec_";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigningError {
    #[error("a signing secret must start with `whsec_` followed by base64")]
    MalformedSecret,
}

/// The signature headers of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `webhook-id`: the event id, the same on every attempt (receivers dedupe by it).
    pub webhook_id: String,
    /// `webhook-timestamp`: unix seconds of this attempt.
    pub webhook_timestamp: String,
    /// `webhook-signature`: `v1,…`, one per valid secret, space-separated.
    pub webhook_signature: String,
    /// `X-Signature`: hex HMAC of the body keyed with the current secret string.
    pub x_signature: String,
}

/// The HMAC key of a `whsec_…` secret: the bytes its base64 part decodes to.
fn key_of(secret: &str) -> Result<Vec<u8>, SigningError> {
    let encoded = secret
        .strip_prefix(PREFIX)
        .ok_or(SigningError::MalformedSecret)?;
    let key = STANDARD
        .decode(encoded)
        .map_err(|_| SigningError::MalformedSecret)?;
    if key.is_empty() {
        return Err(SigningError::MalformedSecret);
    }
    Ok(key)
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// One Standard Webhooks signature, `v1,<base64>`.
pub fn standard_signature(
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SigningError> {
    let key = key_of(secret)?;
    let mac = hmac(
        &key,
        &[
            id.as_bytes(),
            b".",
            timestamp.to_string().as_bytes(),
            b".",
            body,
        ],
    );
    Ok(format!("v1,{}", STANDARD.encode(mac)))
}

/// The plain recipe: `hex(HMAC-SHA256(key = secret string, body))`.
pub fn hex_signature(secret: &str, body: &[u8]) -> String {
    hex::encode(hmac(secret.as_bytes(), &[body]))
}

/// Signs one attempt with the current secret and, while it is still valid, the
/// previous one.
pub fn sign(
    id: &str,
    timestamp: i64,
    body: &[u8],
    current: &str,
    previous: Option<&str>,
) -> Result<SignedHeaders, SigningError> {
    let mut signature = standard_signature(current, id, timestamp, body)?;
    if let Some(previous) = previous {
        signature.push(' ');
        signature.push_str(&standard_signature(previous, id, timestamp, body)?);
    }
    Ok(SignedHeaders {
        webhook_id: id.to_owned(),
        webhook_timestamp: timestamp.to_string(),
        webhook_signature: signature,
        x_signature: hex_signature(current, body),
    })
}

/// Checks that `secret` is usable for signing (the app validates before storing).
pub fn check_secret(secret: &str) -> Result<(), SigningError> {
    key_of(secret).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification (its reference libraries
    /// test against the same values).
    #[test]
    fn matches_the_specification_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        let sig = standard_signature(secret, id, 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn rotation_signs_with_both_secrets() {
        let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let new = "whsec_c2Vjb25kIHNlY3JldCBmb3Igcm90YXRpb24h";
        let h = sign("evt_1", 10, b"{}", new, Some(old)).unwrap();
        let parts: Vec<&str> = h.webhook_signature.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0],
            standard_signature(new, "evt_1", 10, b"{}").unwrap()
        );
        assert_eq!(
            parts[1],
            standard_signature(old, "evt_1", 10, b"{}").unwrap()
        );
        assert_eq!(h.x_signature, hex_signature(new, b"{}"));
    }

    #[test]
    fn refuses_malformed_secrets() {
        assert_eq!(check_secret("nope"), Err(SigningError::MalformedSecret));
        assert_eq!(check_secret("whsec_"), Err(SigningError::MalformedSecret));
        assert_eq!(
            check_secret("whsec_!!!"),
            Err(SigningError::MalformedSecret)
        );
    }
}
