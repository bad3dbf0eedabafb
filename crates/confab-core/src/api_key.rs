//! Secret API keys as `/v1/api-keys` shows them: who owns them, what they may do,
//! where task results go, and what they may spend.

use crate::object::ObjectName;
use serde::Serialize;

use crate::Mode;
use crate::Timestamp;
use crate::budget::BudgetPeriod;
use crate::id::{KeyId, MemberId};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: KeyId,
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub label: String,
    pub mode: Mode,
    /// The member the key belongs to; tasks need that member's token next to the key.
    pub member_id: Option<MemberId>,
    /// The last four characters of the key, to tell keys apart.
    pub last4: String,
    /// Empty: full access. Otherwise `read`, `write`, `{resource}:read` or
    /// `{resource}:write`.
    pub scopes: Vec<String>,
    /// Where task results are POSTed, signed with `signing_secret`.
    pub response_url: Option<String>,
    /// The spending cap in US cents per `budget_period`; `null` means no cap.
    pub budget_usd_cents: Option<i64>,
    pub budget_period: BudgetPeriod,
    /// The secret key `sk_…`: only in the response that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The `whsec_…` secret that signs task results: only in the response that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
    /// Spending in the current period (on `GET /v1/api-keys/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<KeyUsage>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set once the key is revoked; a revoked key gets 403 `KEY_REVOKED`.
    pub revoked_at: Option<Timestamp>,
    pub livemode: bool,
}

crate::named!(ApiKey => "api_key");

/// What a key spent in its current budget period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct KeyUsage {
    pub period: BudgetPeriod,
    pub period_start: Timestamp,
    /// When the next period starts; `null` for `total`, which never resets.
    pub resets_at: Option<Timestamp>,
    /// Charged in this period, in US cents (to a millionth of a cent).
    pub spent_cents: f64,
    pub budget_usd_cents: Option<i64>,
    /// What is left of the budget, in cents; `null` without a budget.
    pub remaining_cents: Option<f64>,
    /// Priced AI requests in this period: each action the task agent took and each
    /// call to a language model.
    pub requests: i64,
    /// Tasks accepted in this period.
    pub tasks: i64,
}
