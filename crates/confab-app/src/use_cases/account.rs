//! The account: the workspace itself, as its owners and admins see and change it. The
//! name is what customers see on the hosted chat page; the working hours tell them,
//! when they ask for a person after hours, roughly when one will answer.

use confab_core::hours::{self, RawWeek, WeeklyHours};
use confab_core::id::WorkspaceId;
use confab_core::object::ObjectName;
use confab_core::{FieldErrors, Timestamp, validate};
use serde::{Deserialize, Serialize};

use confab_store::{TenantTx, workspaces};

use crate::input::patch_field;
use crate::{Access, AppResult, Ctx, Resource};

/// The workspace behind the caller's credential, what this instance enforces, and what
/// the workspace used this month in the credential's mode.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    #[schema(schema_with = ObjectName::<Self>::schema)]
    pub object: ObjectName<Self>,
    pub workspace: AccountWorkspace,
    /// Present on `GET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// Present on `GET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<MonthUsage>,
    pub livemode: bool,
}

/// The rate limits the HTTP edge enforces, as it tells them.
#[derive(Clone, Debug)]
pub struct RateLimits {
    pub requests_per_minute: u64,
    pub widget_per_minute: WidgetRateLimits,
}

/// What the instance enforces: the edge's rate limits and the use cases' sizes.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Limits {
    /// Requests per minute per credential on the REST API.
    pub requests_per_minute: u64,
    /// The widget's limits per site key and client address, per minute.
    pub widget_per_minute: WidgetRateLimits,
    pub max_message_chars: usize,
    pub max_file_bytes: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WidgetRateLimits {
    pub config: u64,
    pub create: u64,
    pub read: u64,
    pub send: u64,
}

/// Counts since the first of this month (UTC), in the credential's mode.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MonthUsage {
    pub since: Timestamp,
    pub conversations: i64,
    pub messages: i64,
    pub ai_replies: i64,
    pub ai_input_tokens: i64,
    pub ai_output_tokens: i64,
    pub tasks: i64,
    pub tickets: i64,
    pub bookings: i64,
}

confab_core::named!(Account => "account");

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountWorkspace {
    #[schema(value_type = String)]
    pub id: WorkspaceId,
    /// The business's name, shown to customers on the hosted chat page.
    pub name: String,
    pub plan: String,
    /// IANA timezone of the working hours (`Europe/London`).
    pub timezone: String,
    /// When people answer, per weekday in `timezone`:
    /// `{"mon": [["09:00","12:30"], ["13:30","17:00"]], …}`; `null` when not set.
    #[schema(schema_with = nullable_week)]
    pub working_hours: Option<RawWeek>,
    pub created_at: Timestamp,
}

/// A change to the account: fields left out keep their value; `working_hours: null`
/// removes the hours.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    /// The business's name (1–200 characters).
    pub name: Option<String>,
    /// IANA timezone (`Europe/London`).
    pub timezone: Option<String>,
    /// Per weekday (`mon` … `sun`), up to six `["HH:MM", "HH:MM"]` intervals, apart and in
    /// order of time; a day left out or empty is closed; `"24:00"` ends a day.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(schema_with = nullable_week)]
    pub working_hours: Option<Option<RawWeek>>,
}

fn nullable_week() -> utoipa::openapi::schema::Object {
    hours::schema(true)
}

async fn view(ctx: &Ctx, tx: &mut TenantTx) -> AppResult<Account> {
    let row = workspaces::current(tx).await?;
    Ok(Account {
        object: ObjectName::new(),
        workspace: AccountWorkspace {
            id: row.id,
            name: row.name,
            plan: row.plan,
            timezone: row.timezone.name().to_owned(),
            working_hours: row.working_hours.as_ref().map(WeeklyHours::to_raw),
            created_at: row.created_at,
        },
        limits: None,
        usage: None,
        livemode: ctx.livemode(),
    })
}

/// The first instant of `now`'s calendar month, UTC.
fn month_start(now: Timestamp) -> Timestamp {
    use chrono::{Datelike, TimeZone, Utc};
    let t = now.to_datetime();
    Utc.with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0)
        .single()
        .map(|m| Timestamp::from_millis(m.timestamp_millis()))
        .unwrap_or(now)
}

pub async fn get(ctx: &Ctx, rates: RateLimits) -> AppResult<Account> {
    ctx.authorize(Resource::Settings, Access::Read)?;
    let mut tx = ctx.read().await?;
    let mut account = view(ctx, &mut tx).await?;
    let since = month_start(ctx.app.clock.now());
    let u = confab_store::usage::since(&mut tx, since).await?;
    account.limits = Some(Limits {
        requests_per_minute: rates.requests_per_minute,
        widget_per_minute: rates.widget_per_minute,
        max_message_chars: confab_core::conversation::MAX_MESSAGE_CHARS,
        max_file_bytes: crate::files::MAX_FILE_BYTES,
    });
    account.usage = Some(MonthUsage {
        since,
        conversations: u.conversations,
        messages: u.messages,
        ai_replies: u.ai_replies,
        ai_input_tokens: u.ai_input_tokens,
        ai_output_tokens: u.ai_output_tokens,
        tasks: u.tasks,
        tickets: u.tickets,
        bookings: u.bookings,
    });
    Ok(account)
}

pub async fn update(ctx: &Ctx, input: AccountUpdate) -> AppResult<Account> {
    ctx.authorize(Resource::Settings, Access::Write)?;
    ctx.may_change_both_modes("The workspace")?;
    let mut errors = FieldErrors::new();
    let name = input
        .name
        .as_deref()
        .and_then(|n| validate::name(n).map_err(|m| errors.add("name", m)).ok());
    let timezone = input.timezone.as_deref().and_then(|t| {
        hours::timezone(t)
            .map_err(|m| errors.add("timezone", m))
            .ok()
    });
    let working_hours = input
        .working_hours
        .map(|raw| raw.and_then(|raw| WeeklyHours::parse(&raw, "working_hours", &mut errors)));
    errors.into_result()?;

    let mut uow = ctx.write().await?;
    let mut row = workspaces::current_for_update(uow.tx()).await?;
    if let Some(name) = name {
        row.name = name;
    }
    if let Some(timezone) = timezone {
        row.timezone = timezone;
    }
    if let Some(hours) = working_hours {
        row.working_hours = hours;
    }
    workspaces::update(uow.tx(), &row).await?;
    let account = view(ctx, uow.tx()).await?;
    uow.commit().await?;
    Ok(account)
}

/// A hand-off at `uow.now` outside working hours: the request becomes a ticket (so it
/// waits in the queue overnight) and the customer is told, in `lang`, roughly when a
/// person is back and the ticket's reference. `None` while the team is in.
pub(crate) async fn after_hours_handoff(
    uow: &mut crate::Uow,
    conversation: &mut confab_core::conversation::Conversation,
    lang: Option<&str>,
    asked: Option<&str>,
) -> AppResult<Option<String>> {
    let now = uow.now;
    let Some(away) = away_note(uow.tx(), lang, now).await? else {
        return Ok(None);
    };
    let ticket = crate::tickets::open_for_follow_up(uow, conversation, asked).await?;
    let opened = crate::tickets::opened_sentence(lang, &ticket);
    Ok(Some(format!("{away} {opened}")))
}

/// What a customer who asks for a person at `now` is told about the wait, in their
/// language: `None` while the team is in (or the workspace has no working hours).
async fn away_note(
    tx: &mut TenantTx,
    lang: Option<&str>,
    now: Timestamp,
) -> AppResult<Option<String>> {
    let row = workspaces::current(tx).await?;
    let Some(week) = row.working_hours else {
        return Ok(None);
    };
    let hours = hours::OpeningHours {
        timezone: row.timezone,
        week,
    };
    if hours.is_open(now.to_datetime()) {
        return Ok(None);
    }
    // Closed all week: the sentence cannot name a time, so it says nothing.
    Ok(hours.next_opening(now.to_datetime()).map(|opening| {
        confab_agent::phrases::team_away(lang, opening.weekday, &opening.time, row.timezone.name())
    }))
}
