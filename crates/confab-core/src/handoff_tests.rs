//! Every state × every transition, against a table written out by hand.

use crate::object::ObjectName;
use serde_json::json;

use super::*;
use crate::conversation::Channel;
use crate::id::ConversationId;

fn conversation(status: Status, handled_by: HandledBy) -> Conversation {
    Conversation {
        id: ConversationId::generate(),
        object: ObjectName::new(),
        channel: Channel::Api,
        status,
        handled_by,
        contact: None,
        agent_id: None,
        assignee_id: None,
        lang: None,
        sentiment: None,
        intent: None,
        visitor: None,
        human_requested_at: None,
        human_took_over_at: None,
        resolved_at: (status == Status::Resolved).then(|| Timestamp::from_millis(1)),
        resolution: None,
        ticket_id: None,
        message_count: 3,
        last_activity_at: Timestamp::from_millis(1),
        created_at: Timestamp::from_millis(1),
        metadata: json!({}),
        livemode: false,
        messages: None,
        first_response_at: None,
        updated_at: Timestamp::from_millis(1),
        negative_streak: 2,
        low_confidence_streak: 1,
    }
}

const STATES: [(Status, HandledBy); 6] = [
    (Status::Open, HandledBy::Ai),
    (Status::Open, HandledBy::Pending),
    (Status::Open, HandledBy::Human),
    (Status::Resolved, HandledBy::Ai),
    (Status::Resolved, HandledBy::Pending),
    (Status::Resolved, HandledBy::Human),
];

/// The expected outcome, one row per transition and one column per state in
/// `STATES`' order: `"open/human"` is the state after an accepted move (with `+event`
/// when it emits one), anything else names the refusal.
#[rustfmt::skip]
fn table() -> Vec<(&'static str, [&'static str; 6])> {
    //                    open/ai                               open/pending                             open/human                              resolved/ai          resolved/pending     resolved/human
    vec![
        ("request",          ["open/pending+handoff.requested",    "waiting",                               "with_person",                          "resolved",          "resolved",          "resolved"]),
        ("visitor_request",  ["open/pending+handoff.requested",    "open/pending",                          "open/human",                           "resolved",          "resolved",          "resolved"]),
        ("take_over",        ["open/human+agent.assigned",         "open/human+agent.assigned",             "taken_over",                           "resolved",          "resolved",          "resolved"]),
        ("take_over_to",     ["open/human+agent.assigned",         "open/human+agent.assigned",             "taken_over",                           "resolved",          "resolved",          "resolved"]),
        ("release",          ["already_ai",                        "open/ai+conversation.released",         "open/ai+conversation.released",        "resolved",          "resolved",          "resolved"]),
        ("assign",           ["open/ai+agent.assigned",            "open/pending+agent.assigned",           "open/human+agent.assigned",            "resolved",          "resolved",          "resolved"]),
        ("resolve",          ["resolved/ai+conversation.resolved", "resolved/pending+conversation.resolved", "resolved/human+conversation.resolved", "already_resolved",  "already_resolved",  "already_resolved"]),
        ("customer_message", ["open/ai",                           "open/pending",                          "open/human",                           "open/ai",           "open/pending",      "open/human"]),
        ("agent_message",    ["open/human+agent.assigned",         "open/human+agent.assigned",             "open/human",                           "agent_to_resolved", "agent_to_resolved", "agent_to_resolved"]),
        ("ai_reply",         ["open/ai",                           "ai_stood_down",                         "ai_stood_down",                        "ai_stood_down",     "ai_stood_down",     "ai_stood_down"]),
    ]
}

fn refusal_name(r: Refusal) -> &'static str {
    match r {
        Refusal::Resolved { .. } => "resolved",
        Refusal::AlreadyResolved => "already_resolved",
        Refusal::AlreadyWaiting => "waiting",
        Refusal::AlreadyWithPerson => "with_person",
        Refusal::AlreadyTakenOver => "taken_over",
        Refusal::AlreadyAi => "already_ai",
        Refusal::AlreadyAssigned => "already_assigned",
        Refusal::AgentToResolved => "agent_to_resolved",
        Refusal::AiStoodDown => "ai_stood_down",
    }
}

fn outcome(c: &Conversation, applied: &Applied) -> String {
    let mut s = format!("{}/{}", c.status.as_str(), c.handled_by.as_str());
    if let Some(e) = applied.event {
        s.push('+');
        s.push_str(e.as_str());
    }
    s
}

#[test]
fn every_state_and_transition_matches_the_table() {
    let member = MemberId::generate();
    let transitions = Transition::samples(&member);
    let table = table();
    assert_eq!(transitions.len(), table.len(), "a transition has no row");
    let now = Timestamp::from_millis(1_000);
    for (t, (name, row)) in transitions.into_iter().zip(table) {
        for ((status, handled_by), expected) in STATES.into_iter().zip(row) {
            let mut c = conversation(status, handled_by);
            let before = format!("{c:?}");
            let got = match c.apply(t.clone(), now) {
                Ok(applied) => outcome(&c, &applied),
                Err(refusal) => {
                    assert_eq!(
                        format!("{c:?}"),
                        before,
                        "{name} refused but changed the row"
                    );
                    refusal_name(refusal).to_owned()
                }
            };
            assert_eq!(
                got,
                expected,
                "{name} from {}/{}",
                status.as_str(),
                handled_by.as_str()
            );
        }
    }
}

#[test]
fn moves_record_when_and_who() {
    let now = Timestamp::from_millis(5_000);
    let member = MemberId::generate();

    let mut c = conversation(Status::Open, HandledBy::Ai);
    c.apply(Transition::RequestHuman, now).unwrap();
    assert_eq!(c.human_requested_at, Some(now));

    let mut c = conversation(Status::Open, HandledBy::Pending);
    c.apply(
        Transition::TakeOver {
            assignee: Some(member.clone()),
        },
        now,
    )
    .unwrap();
    assert_eq!(
        (c.human_took_over_at, c.assignee_id.clone()),
        (Some(now), Some(member.clone()))
    );

    // A take-over without an assignee keeps the one there is.
    let other = MemberId::generate();
    let mut c = conversation(Status::Open, HandledBy::Ai);
    c.assignee_id = Some(other.clone());
    c.apply(Transition::TakeOver { assignee: None }, now)
        .unwrap();
    assert_eq!(c.assignee_id, Some(other.clone()));

    // An agent's message assigns its author only when nobody is assigned.
    c = conversation(Status::Open, HandledBy::Ai);
    c.assignee_id = Some(other.clone());
    c.apply(
        Transition::AgentMessage {
            member: Some(member.clone()),
        },
        now,
    )
    .unwrap();
    assert_eq!(c.assignee_id, Some(other));
    c = conversation(Status::Open, HandledBy::Ai);
    c.apply(
        Transition::AgentMessage {
            member: Some(member.clone()),
        },
        now,
    )
    .unwrap();
    assert_eq!(c.assignee_id, Some(member.clone()));

    // Assigning the member already assigned is refused.
    assert_eq!(
        c.apply(Transition::Assign { member }, now),
        Err(Refusal::AlreadyAssigned)
    );

    // Release clears the counters that made the AI stand down.
    let mut c = conversation(Status::Open, HandledBy::Human);
    c.apply(Transition::Release, now).unwrap();
    assert_eq!((c.negative_streak, c.low_confidence_streak), (0, 0));

    // Resolve then a customer message: reopened, the resolution gone.
    let mut c = conversation(Status::Open, HandledBy::Human);
    let resolution = Resolution {
        outcome: "answered".into(),
        note: None,
    };
    c.apply(
        Transition::Resolve {
            resolution: Some(resolution),
        },
        now,
    )
    .unwrap();
    assert_eq!((c.resolved_at, c.resolution.is_some()), (Some(now), true));
    let applied = c.apply(Transition::CustomerMessage, now).unwrap();
    assert!(applied.reopened);
    assert_eq!(
        (c.status, c.resolved_at, c.resolution.is_none()),
        (Status::Open, None, true)
    );
}

#[test]
fn reasons_are_written_as_on_the_wire() {
    for r in [
        HandoffReason::CustomerRequest,
        HandoffReason::Keyword,
        HandoffReason::NegativeSentiment,
        HandoffReason::LowConfidence,
        HandoffReason::AgentDecision,
        HandoffReason::ProviderError,
    ] {
        assert_eq!(serde_json::to_value(r).unwrap(), json!(r.as_str()));
    }
}

#[test]
fn refusals_say_why_with_the_contract_codes() {
    assert_eq!(
        Refusal::AgentToResolved.code(),
        ErrorCode::ConversationResolved
    );
    assert_eq!(Refusal::AlreadyTakenOver.code(), ErrorCode::Conflict);
    assert!(
        Refusal::Resolved { action: "released" }
            .message()
            .contains("cannot be released")
    );
}
