//! Every state rule of DOMAIN.md, on the real sled store: allowed events are written, refused
//! ones change nothing and say why.

mod common;
use common::*;
use genban::domain::event::Event;
use genban::domain::ticket::{Refusal, State};
use genban::ledger::{Ledger, LedgerError};

fn ev(json: &str) -> Event {
    Event::from_json_str(json).unwrap()
}

fn rec(l: &Ledger, json: &str) -> Result<(), LedgerError> {
    l.record(ev(json))
}

fn refused(l: &Ledger, json: &str) -> Refusal {
    let before = l.events("T1").unwrap().len();
    match rec(l, json) {
        Err(LedgerError::Refused(r)) => {
            assert_eq!(
                l.events("T1").unwrap().len(),
                before,
                "a refused event wrote something"
            );
            r
        }
        other => panic!("expected a refusal for {json}, got {other:?}"),
    }
}

fn state(l: &Ledger) -> Option<State> {
    l.ticket("T1", date("2027-12-31"))
        .unwrap()
        .unwrap()
        .0
        .ticket()
        .state
}

const TICKET: &str = r#"{"ticket":"T1","type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"新金社区","phone":"13800000000","category":"路灯照明"}"#;
const DISPATCH: &str =
    r#"{"ticket":"T1","type":"dispatch","at":"2026-10-02T09:00:00+08:00","unit":"新金社区"}"#;
const SIGN: &str = r#"{"ticket":"T1","type":"sign","at":"2026-10-03T09:00:00+08:00","unit":"新金社区","deadline":"2026-12-31"}"#;
const RESOLVE: &str = r#"{"ticket":"T1","type":"resolve","at":"2026-10-20T09:00:00+08:00"}"#;

#[test]
fn nothing_before_a_ticket_record() {
    let (_d, l) = ledger("2026-11-29");
    assert_eq!(refused(&l, DISPATCH), Refusal::NoRecord);
    assert_eq!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"ticket","at":"2026-10-01T09:00:00+08:00","phone":"1"}"#
        ),
        Refusal::FirstRecordNeedsUnit
    );
    rec(&l, TICKET).unwrap();
    assert_eq!(state(&l), None);
    // A later record carries only what it changes; restating a value changes nothing.
    rec(
        &l,
        r#"{"ticket":"T1","type":"ticket","at":"2026-10-01T10:00:00+08:00","unit":"新金社区"}"#,
    )
    .unwrap();
    rec(
        &l,
        r#"{"ticket":"T1","type":"note","at":"2026-10-01T11:00:00+08:00","note":"已登记"}"#,
    )
    .unwrap();
}

#[test]
fn dispatch_return_redispatch_and_sign() {
    let (_d, l) = ledger("2026-11-29");
    rec(&l, TICKET).unwrap();
    rec(&l, DISPATCH).unwrap();
    assert_eq!(state(&l), Some(State::AwaitingSign));
    // Re-route before the unit answers.
    rec(
        &l,
        r#"{"ticket":"T1","type":"dispatch","at":"2026-10-02T10:00:00+08:00","unit":"同心社区"}"#,
    )
    .unwrap();
    // Only the unit of the latest dispatch may answer.
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"return","at":"2026-10-02T11:00:00+08:00","unit":"新金社区","reason":"不归我们"}"#
        ),
        Refusal::UnitMismatch { .. }
    ));
    rec(&l, r#"{"ticket":"T1","type":"return","at":"2026-10-02T11:00:00+08:00","unit":"同心社区","reason":"不归我们"}"#).unwrap();
    assert_eq!(state(&l), Some(State::Returned));
    // A returned ticket cannot be signed until it is dispatched again.
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"sign","at":"2026-10-02T12:00:00+08:00","unit":"同心社区","deadline":"2026-12-31"}"#
        ),
        Refusal::WrongState { .. }
    ));
    assert!(matches!(refused(&l, RESOLVE), Refusal::WrongState { .. }));
    assert_eq!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"contact","at":"2026-10-02T12:00:00+08:00","channel":"phone","outcome":"reached"}"#
        ),
        Refusal::NeverSigned
    );
    rec(
        &l,
        r#"{"ticket":"T1","type":"dispatch","at":"2026-10-02T13:00:00+08:00","unit":"新金社区"}"#,
    )
    .unwrap();
    // The deadline may not be before the local date of the sign: 16:30Z is 00:30 on the 4th.
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"sign","at":"2026-10-03T16:30:00Z","unit":"新金社区","deadline":"2026-10-03"}"#
        ),
        Refusal::DeadlineBeforeSign { .. }
    ));
    // 15:30Z is 23:30 on the 3rd: a deadline equal to the signing date is fine.
    rec(&l, r#"{"ticket":"T1","type":"sign","at":"2026-10-03T15:30:00Z","unit":"新金社区","deadline":"2026-10-03"}"#).unwrap();
    assert_eq!(state(&l), Some(State::InProgress));
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"dispatch","at":"2026-10-05T09:00:00+08:00","unit":"同心社区"}"#
        ),
        Refusal::WrongState { .. }
    ));
}

#[test]
fn extend_resolve_revisit_reopen() {
    let (_d, l) = ledger("2026-11-29");
    for e in [TICKET, DISPATCH, SIGN] {
        rec(&l, e).unwrap();
    }
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"extend","at":"2026-10-10T09:00:00+08:00","deadline":"2026-10-02","reason":"r"}"#
        ),
        Refusal::DeadlineBeforeSign { .. }
    ));
    // An extension to an earlier date is allowed: the latest deadline wins.
    rec(&l, r#"{"ticket":"T1","type":"extend","at":"2026-10-10T09:00:00+08:00","deadline":"2026-11-15","reason":"r"}"#).unwrap();
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"revisit","at":"2026-10-11T09:00:00+08:00","satisfaction":"satisfied"}"#
        ),
        Refusal::WrongState { .. }
    ));
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"reopen","at":"2026-10-11T09:00:00+08:00","deadline":"2026-12-01","reason":"r"}"#
        ),
        Refusal::WrongState { .. }
    ));
    rec(&l, RESOLVE).unwrap();
    assert_eq!(state(&l), Some(State::Resolved));
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"resolve","at":"2026-10-21T09:00:00+08:00"}"#
        ),
        Refusal::WrongState { .. }
    ));
    assert!(matches!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"extend","at":"2026-10-21T09:00:00+08:00","deadline":"2026-12-01","reason":"r"}"#
        ),
        Refusal::WrongState { .. }
    ));
    // A call after resolve tells the citizen the result.
    rec(&l, r#"{"ticket":"T1","type":"contact","at":"2026-10-20T09:05:00+08:00","channel":"phone","outcome":"reached"}"#).unwrap();
    assert_eq!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"revisit","at":"2026-10-22T09:00:00+08:00","satisfaction":"unsatisfied"}"#
        ),
        Refusal::RevisitNeedsDeadline
    );
    assert_eq!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"revisit","at":"2026-10-22T09:00:00+08:00","satisfaction":"satisfied","deadline":"2026-12-01"}"#
        ),
        Refusal::RevisitDeadlineNotAllowed
    );
    rec(&l, r#"{"ticket":"T1","type":"revisit","at":"2026-10-22T09:00:00+08:00","satisfaction":"unsatisfied","deadline":"2026-12-20"}"#).unwrap();
    assert_eq!(state(&l), Some(State::InProgress));
    let (row, _) = l.ticket("T1", date("2026-11-29")).unwrap().unwrap();
    assert_eq!(row.ticket().deadline, Some(date("2026-12-20")));
    rec(
        &l,
        r#"{"ticket":"T1","type":"resolve","at":"2026-11-20T09:00:00+08:00"}"#,
    )
    .unwrap();
    rec(&l, r#"{"ticket":"T1","type":"reopen","at":"2026-11-21T09:00:00+08:00","deadline":"2027-01-31","reason":"复发"}"#).unwrap();
    assert_eq!(state(&l), Some(State::InProgress));
}

#[test]
fn whistle_responses_need_a_summons() {
    let (_d, l) = ledger("2026-11-29");
    rec(&l, TICKET).unwrap();
    assert_eq!(
        refused(
            &l,
            r#"{"ticket":"T1","type":"whistle_response","at":"2026-10-02T09:00:00+08:00","department":"区城管局"}"#
        ),
        Refusal::NotSummoned("区城管局".into())
    );
    rec(&l, r#"{"ticket":"T1","type":"whistle","at":"2026-10-02T09:00:00+08:00","departments":["区城管局","区水务局"]}"#).unwrap();
    rec(&l, r#"{"ticket":"T1","type":"whistle_response","at":"2026-10-03T09:00:00+08:00","department":"区城管局","resolved":true}"#).unwrap();
    rec(&l, r#"{"ticket":"T1","type":"escalate","at":"2026-10-04T09:00:00+08:00","topic":"老旧小区路灯"}"#).unwrap();
}

#[test]
fn refusals_read_in_both_languages() {
    let (_d, l) = ledger("2026-11-29");
    rec(&l, TICKET).unwrap();
    let r = refused(&l, RESOLVE);
    assert_eq!(
        r.message(genban::i18n::Lang::Zh),
        "工单当前为「未派发」,不能解决;只有「办理中」状态可以"
    );
    assert!(r
        .message(genban::i18n::Lang::En)
        .contains("allowed only when it is in progress"));
}

#[test]
fn a_backdated_event_that_breaks_later_history_is_refused() {
    let (_d, l) = ledger("2026-11-29");
    for e in [TICKET, DISPATCH, SIGN, RESOLVE] {
        rec(&l, e).unwrap();
    }
    // A resolve back-dated before the stored one would make the stored resolve invalid.
    let r = refused(
        &l,
        r#"{"ticket":"T1","type":"resolve","at":"2026-10-10T09:00:00+08:00"}"#,
    );
    assert!(
        r.message(genban::i18n::Lang::En).contains("invalid"),
        "{r:?}"
    );
}

#[test]
fn events_survive_closing_and_reopening_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = genban::store::open(&path, genban::domain::time::DEFAULT_TZ).unwrap();
        let l = Ledger::new(
            store,
            genban::domain::time::Clock::fixed(
                genban::domain::time::DEFAULT_TZ,
                date("2026-11-29"),
            ),
        );
        for e in [TICKET, DISPATCH, SIGN] {
            rec(&l, e).unwrap();
        }
    }
    let store = genban::store::open(&path, genban::domain::time::DEFAULT_TZ).unwrap();
    let l = Ledger::new(
        store,
        genban::domain::time::Clock::fixed(genban::domain::time::DEFAULT_TZ, date("2026-11-29")),
    );
    assert_eq!(l.events("T1").unwrap().len(), 3);
    assert_eq!(state(&l), Some(State::InProgress));
    assert_eq!(
        l.pane(genban::ledger::Pane::InProgress, date("2026-11-29"))
            .unwrap()
            .len(),
        1
    );
}
