//! The chat widget's vocabulary: its settings, what a visitor may see of a conversation,
//! the origins a site key accepts, and identity verification (DESIGN §4 "Widget").

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::conversation::{Attachment, Conversation, HandledBy, MessageRole, Status};
use crate::id::{ConversationId, MessageId};
use crate::object::ObjectName;
use crate::time::Timestamp;

/// Which corner the launcher sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Right,
    Left,
}

impl Position {
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Right => "right",
            Position::Left => "left",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "right" => Some(Position::Right),
            "left" => Some(Position::Left),
            _ => None,
        }
    }
}

/// The widget's look and words: what `GET /v1/widget/config` answers, and the part of
/// the settings (`PUT /v1/settings/widget`) that sets it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WidgetConfig {
    /// The first line the visitor reads. Unset in the settings: the web agent's
    /// greeting; `null` in the config: the widget's own, in the visitor's language.
    pub greeting: Option<String>,
    /// The name in the panel's header. Unset in the settings: the web agent's name;
    /// `null` in the config: the widget's word for "Support".
    pub agent_name: Option<String>,
    /// `#rrggbb`.
    pub accent_color: String,
    /// `right` or `left`: the launcher's corner.
    pub position: Position,
    /// The pre-chat form asks for an email and will not start without one.
    pub require_email: bool,
    /// ISO 639-1 codes the widget speaks, the first being the fallback; empty: it
    /// follows the page (English, Arabic, French, Spanish and German are built in).
    pub languages: Vec<String>,
}

impl Default for WidgetConfig {
    fn default() -> Self {
        WidgetConfig {
            greeting: None,
            agent_name: None,
            accent_color: DEFAULT_ACCENT.to_owned(),
            position: Position::Right,
            require_email: false,
            languages: Vec::new(),
        }
    }
}

/// The accent colour of a workspace that has not chosen one.
pub const DEFAULT_ACCENT: &str = "#4f46e5";

/// An accent colour: `#rgb` or `#rrggbb`, answered as lower-case `#rrggbb`.
pub fn accent_color(raw: &str) -> Result<String, String> {
    let hex = raw.trim().strip_prefix('#').unwrap_or("");
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("must be a hex colour such as #4f46e5".into());
    }
    match hex.len() {
        6 => Ok(format!("#{}", hex.to_ascii_lowercase())),
        3 => Ok(hex
            .chars()
            .fold(String::from("#"), |mut s, c| {
                s.push(c);
                s.push(c);
                s
            })
            .to_ascii_lowercase()),
        _ => Err("must be a hex colour such as #4f46e5".into()),
    }
}

/// An allowed origin as a browser sends it: `https://shop.example.com`,
/// `http://localhost:3000`, a wildcard subdomain `https://*.example.com`, or `*` (any).
/// No path, query or trailing slash; answered lower-case.
pub fn origin(raw: &str) -> Result<String, String> {
    const ERR: &str = "must be an origin such as https://shop.example.com (scheme and host, optional port, no path), https://*.example.com, or *";
    let value = raw.trim().to_ascii_lowercase();
    if value == "*" {
        return Ok(value);
    }
    let (scheme, rest) = value.split_once("://").ok_or(ERR)?;
    if scheme != "http" && scheme != "https" {
        return Err(ERR.into());
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host = host.strip_prefix("*.").unwrap_or(host);
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if port_ok && host_ok {
        Ok(value)
    } else {
        Err(ERR.into())
    }
}

/// True when the browser origin `origin` (e.g. `https://shop.example.com`) matches the
/// allowed pattern `allowed` (as [`origin`] returns it).
pub fn origin_matches(allowed: &str, origin: &str) -> bool {
    let origin = origin.trim().to_ascii_lowercase();
    if allowed == "*" || allowed == origin {
        return true;
    }
    let Some((scheme, pattern)) = allowed.split_once("://*.") else {
        return false;
    };
    let Some((origin_scheme, host)) = origin.split_once("://") else {
        return false;
    };
    // `https://*.example.com` takes any subdomain (one level or more), not the apex.
    origin_scheme == scheme && host.ends_with(&format!(".{pattern}"))
}

/// The hex HMAC-SHA256 of `external_id` keyed with the workspace's identity secret:
/// what the host page's server computes and the widget passes as `user_hash`.
pub fn user_hash(identity_secret: &str, external_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(identity_secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(external_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time check of a presented `user_hash` (hex, either case).
pub fn verify_user_hash(identity_secret: &str, external_id: &str, presented: &str) -> bool {
    let expected = user_hash(identity_secret, external_id);
    let presented = presented.trim().to_ascii_lowercase();
    expected.as_bytes().ct_eq(presented.as_bytes()).into()
}

/// A visitor's token: what the widget generates once and keeps in `localStorage`. It
/// names the visitor's conversation in every widget path, so it must be unguessable.
pub fn visitor_token(raw: &str) -> Result<String, String> {
    let ok = (16..=128).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err("must be 16 to 128 characters of A-Z, a-z, 0-9, `-` or `_` (a random value the widget keeps)".into())
    }
}

/// Who wrote a message, as the visitor sees it: the kind and a display name, never an id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitorAuthor {
    /// `contact` (the visitor), `ai` or `member` (a person on the team).
    #[serde(rename = "type")]
    pub author_type: String,
    pub name: Option<String>,
}

/// A message as the visitor sees it: no notes, no internal fields (intent, sentiment,
/// author ids).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitorMessage {
    pub id: MessageId,
    #[serde(default)]
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    /// `customer` (the visitor), `ai` or `agent`.
    pub role: MessageRole,
    pub text: String,
    pub author: VisitorAuthor,
    pub attachments: Vec<Attachment>,
    pub created_at: Timestamp,
}

crate::named!(VisitorMessage => "message", VisitorConversation => "conversation");

impl VisitorMessage {
    /// The roles a visitor may see.
    pub const VISIBLE: &'static [MessageRole] =
        &[MessageRole::Customer, MessageRole::Ai, MessageRole::Agent];

    /// The visitor's view of a stored message, or `None` for a message they may not see.
    pub fn of(m: &crate::conversation::Message) -> Option<Self> {
        Self::VISIBLE.contains(&m.role).then(|| VisitorMessage {
            id: m.id.clone(),
            object: ObjectName::new(),
            role: m.role,
            text: m.text.clone(),
            author: VisitorAuthor {
                author_type: m.author.author_type.as_str().to_owned(),
                name: m.author.name.clone(),
            },
            attachments: m.attachments.clone(),
            created_at: m.created_at,
        })
    }

    /// The visitor's view of a `message.*` event's data, or `None` when the data is not a
    /// visible message (another role, or erased).
    pub fn from_event_data(data: &serde_json::Value) -> Option<Self> {
        let m: VisitorMessage = serde_json::from_value(data.clone()).ok()?;
        Self::VISIBLE.contains(&m.role).then_some(m)
    }
}

/// A conversation as the visitor sees it: whether it is open and who is answering.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitorConversation {
    pub id: ConversationId,
    #[serde(default)]
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub status: Status,
    /// `ai`, `pending` (waiting for a person) or `human`.
    pub handled_by: HandledBy,
    pub created_at: Timestamp,
}

impl VisitorConversation {
    pub fn of(c: &Conversation) -> Self {
        VisitorConversation {
            id: c.id.clone(),
            object: ObjectName::new(),
            status: c.status,
            handled_by: c.handled_by,
            created_at: c.created_at,
        }
    }

    /// The visitor's view of a conversation event's data.
    pub fn from_event_data(data: &serde_json::Value) -> Option<Self> {
        serde_json::from_value(data.clone()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_and_match() {
        assert_eq!(
            origin("HTTPS://Shop.Example.com").unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            origin("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        assert!(origin("https://shop.example.com/").is_err());
        assert!(origin("https://shop.example.com/path").is_err());
        assert!(origin("ftp://example.com").is_err());
        assert!(origin("example.com").is_err());
        assert!(origin("https://exa mple.com").is_err());
        assert!(origin("http://localhost:").is_err());
        assert!(origin_matches(
            "https://shop.example.com",
            "https://shop.example.com"
        ));
        assert!(!origin_matches(
            "https://shop.example.com",
            "http://shop.example.com"
        ));
        assert!(origin_matches(
            "https://*.example.com",
            "https://a.b.example.com"
        ));
        assert!(!origin_matches(
            "https://*.example.com",
            "https://example.com"
        ));
        assert!(!origin_matches(
            "https://*.example.com",
            "https://evilexample.com"
        ));
        assert!(origin_matches("*", "https://anything.test"));
    }

    #[test]
    fn user_hashes_verify_in_constant_time() {
        let hash = user_hash("whsec_secret", "user-42");
        assert_eq!(hash.len(), 64);
        assert!(verify_user_hash("whsec_secret", "user-42", &hash));
        assert!(verify_user_hash(
            "whsec_secret",
            "user-42",
            &hash.to_uppercase()
        ));
        assert!(!verify_user_hash("whsec_secret", "user-43", &hash));
        assert!(!verify_user_hash("whsec_other", "user-42", &hash));
        assert!(!verify_user_hash("whsec_secret", "user-42", ""));
    }

    #[test]
    fn accent_colours_normalise() {
        assert_eq!(accent_color("#ABC").unwrap(), "#aabbcc");
        assert_eq!(accent_color("#4F46E5").unwrap(), "#4f46e5");
        assert!(accent_color("blue").is_err());
        assert!(accent_color("#12345").is_err());
    }

    #[test]
    fn visitor_tokens_are_long_and_plain() {
        assert!(visitor_token("0123456789abcdef").is_ok());
        assert!(visitor_token("short").is_err());
        assert!(visitor_token("0123456789abcdef/../x").is_err());
    }
}
