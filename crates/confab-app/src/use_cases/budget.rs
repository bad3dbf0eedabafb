//! What AI work costs and who pays: the price table, a key's budget, and charging.
//!
//! Every action the task agent takes and every language-model call is charged to the
//! key that asked, before it happens, with a conditional update of the key's period
//! counter in the same transaction as the ledger line (`confab_store::spending`). So
//! the total passes the cap by at most one charge, however many tasks run at once. A
//! model call's price is known only afterwards: it is charged its upper bound (the
//! prompt's bytes as tokens, the answer's `max_tokens`) and settled to the tokens the
//! provider reports.

use confab_core::agent::ProviderKind;
use confab_core::budget::{BudgetPeriod, Window};
use confab_core::id::{ChargeId, TaskId};
use confab_core::money::Microcents;
use confab_core::{ErrorCode, Timestamp};
use confab_store::TenantTx;
use confab_store::api_keys::ManagedKey;
use confab_store::spending::{self, Charge, Period, Usage};

use crate::{AppError, AppResult};

/// The price of a million tokens in and out of one kind of provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenPrices {
    pub input_per_million: Microcents,
    pub output_per_million: Microcents,
}

/// The operator's price table (`price_*` settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    /// Each action the task agent takes (a search, a create, a summary, a message),
    /// whichever provider decided on it.
    pub action: Microcents,
    pub openai: TokenPrices,
    pub anthropic: TokenPrices,
}

impl Default for Prices {
    /// A tenth of a cent an action; OpenAI-compatible tokens at 15 / 60 cents a million
    /// (gpt-4o-mini's list price), Anthropic at 100 / 500 (Claude Haiku's).
    fn default() -> Self {
        Prices {
            action: Microcents(100_000),
            openai: TokenPrices {
                input_per_million: Microcents::from_cents(15),
                output_per_million: Microcents::from_cents(60),
            },
            anthropic: TokenPrices {
                input_per_million: Microcents::from_cents(100),
                output_per_million: Microcents::from_cents(500),
            },
        }
    }
}

impl Prices {
    /// The token prices of a model provider (`openai` prices stand for any
    /// OpenAI-compatible server).
    pub fn tokens(&self, kind: ProviderKind) -> TokenPrices {
        match kind {
            ProviderKind::Anthropic => self.anthropic,
            ProviderKind::OpenAi | ProviderKind::Local => self.openai,
        }
    }

    /// What `input` and `output` tokens of `kind` cost.
    pub fn of_tokens(&self, kind: ProviderKind, input: u64, output: u64) -> Microcents {
        let p = self.tokens(kind);
        Microcents::for_tokens(input, p.input_per_million)
            + Microcents::for_tokens(output, p.output_per_million)
    }
}

/// A key's spending rule.
#[derive(Clone, Debug)]
pub struct Budget {
    pub key_id: String,
    /// Whole cents; `None`: no cap.
    pub cap_cents: Option<i64>,
    pub period: BudgetPeriod,
}

impl Budget {
    pub fn of(key: &ManagedKey) -> Self {
        Budget {
            key_id: key.key.id.to_string(),
            cap_cents: key.budget_cents,
            period: BudgetPeriod::parse(&key.budget_period).unwrap_or(BudgetPeriod::Monthly),
        }
    }

    fn cap(&self) -> Option<Microcents> {
        self.cap_cents.map(Microcents::from_cents)
    }

    fn counter(&self, window: Window) -> Period<'_> {
        Period {
            key_id: &self.key_id,
            period: self.period.as_str(),
            start: window.start,
        }
    }

    /// 429 `BUDGET_EXCEEDED`, saying what was spent, the cap, and when it resets.
    pub fn exceeded(&self, spent: Microcents, window: Window) -> AppError {
        let cap = self.cap_cents.unwrap_or(0);
        let when = match window.resets_at {
            Some(at) => format!("it resets at {}", at.to_rfc3339()),
            None => format!(
                "a total budget never resets; raise budget_usd_cents with PUT /v1/api-keys/{} to continue",
                self.key_id
            ),
        };
        AppError::new(
            ErrorCode::BudgetExceeded,
            format!(
                "This API key has spent {} of its {cap}-cent {}; {when}.",
                in_cents(spent),
                self.period.noun()
            ),
        )
    }
}

/// "1 cent", "0.5 cents", "100 cents".
fn in_cents(amount: Microcents) -> String {
    if amount == Microcents::from_cents(1) {
        "1 cent".to_owned()
    } else {
        format!("{amount} cents")
    }
}

/// The key's totals in the period `now` falls in.
pub async fn usage(
    tx: &mut TenantTx,
    budget: &Budget,
    now: Timestamp,
) -> AppResult<(Usage, Window)> {
    let window = budget.period.window(now);
    Ok((spending::usage(tx, budget.counter(window)).await?, window))
}

/// Refuses new work once the period's spending has reached the cap; otherwise counts
/// the task in the period.
pub async fn admit_task(tx: &mut TenantTx, budget: &Budget, now: Timestamp) -> AppResult<()> {
    let (used, window) = usage(tx, budget, now).await?;
    if let Some(cap) = budget.cap()
        && used.spent >= cap
    {
        return Err(budget.exceeded(used.spent, window));
    }
    spending::count_task(tx, budget.counter(window), now).await?;
    Ok(())
}

/// What one charge is for.
#[derive(Clone, Debug)]
pub struct Item {
    pub task_id: Option<TaskId>,
    /// `action` or `model`.
    pub kind: &'static str,
    pub description: String,
    pub amount: Microcents,
}

/// Charges `item` to the key in `tx` (the caller commits it with whatever records the
/// action), adding it to the task's cost; 429 `BUDGET_EXCEEDED` when the period's
/// spending has reached the cap. Returns the ledger line's id.
pub async fn charge(
    tx: &mut TenantTx,
    budget: &Budget,
    item: &Item,
    now: Timestamp,
) -> AppResult<ChargeId> {
    let window = budget.period.window(now);
    let line = Charge {
        id: ChargeId::generate(),
        task_id: item.task_id.clone(),
        kind: item.kind.to_owned(),
        description: item.description.clone(),
        amount: item.amount,
        // A model call's tokens are known when it is settled.
        input_tokens: None,
        output_tokens: None,
    };
    if !spending::charge_under_cap(tx, budget.counter(window), budget.cap(), &line, now).await? {
        let used = spending::usage(tx, budget.counter(window)).await?;
        return Err(budget.exceeded(used.spent, window));
    }
    if let Some(task) = &item.task_id {
        confab_store::tasks::add_cost(tx, task, item.amount).await?;
    }
    Ok(line.id)
}

/// Replaces a model call's upper-bound charge with its real price.
pub async fn settle(
    tx: &mut TenantTx,
    charge_id: &ChargeId,
    task_id: Option<&TaskId>,
    amount: Microcents,
    tokens: (i64, i64),
    now: Timestamp,
) -> AppResult<()> {
    let delta = spending::settle(tx, charge_id, amount, tokens.0, tokens.1, now).await?;
    if let Some(task) = task_id {
        confab_store::tasks::add_cost(tx, task, delta).await?;
    }
    Ok(())
}
