//! Each ticket's facts (the compact record every figure reads): derived event by event they
//! equal the facts of the whole log; figures from them equal figures from the full logs; a
//! store of the previous schema is upgraded on open and reports the same; `verify` finds a
//! changed facts record.

mod common;

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use common::{date, genban, ledger, ok, raw_store, sample_store};
use genban::domain::event::{Channel, Event, EventKind, Outcome, TicketRecord, VoidTarget};
use genban::domain::figures::ReportBuilder;
use genban::domain::live_report::LiveReport;
use genban::domain::review::{ReviewBuilder, Thresholds};
use genban::domain::ticket_facts::TicketFacts;
use genban::domain::time::{Period, DEFAULT_TZ};
use proptest::prelude::*;

fn t(minutes: i64) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 10, 1, 9, 0, 0)
        .unwrap()
        + Duration::minutes(minutes)
}

/// One step of a generated log: an event of some kind at some minute (voids pick a target
/// among the events appended before them).
#[derive(Debug, Clone)]
enum Step {
    Record(i64, String),
    Dispatch(i64, String),
    Sign(i64, i64),
    Contact(i64, bool),
    Note(i64),
    Meeting(i64, usize),
    Void(i64, usize),
}

fn step() -> impl Strategy<Value = Step> {
    let m = 0i64..20_000;
    prop_oneof![
        (m.clone(), "[甲乙丙]{1,2}").prop_map(|(a, u)| Step::Record(a, u)),
        (m.clone(), "[甲乙]").prop_map(|(a, u)| Step::Dispatch(a, u)),
        (m.clone(), 0i64..60).prop_map(|(a, d)| Step::Sign(a, d)),
        (m.clone(), any::<bool>()).prop_map(|(a, r)| Step::Contact(a, r)),
        m.clone().prop_map(Step::Note),
        (m.clone(), 1usize..4).prop_map(|(a, n)| Step::Meeting(a, n)),
        (m, any::<usize>()).prop_map(|(a, i)| Step::Void(a, i)),
    ]
}

/// The log the steps make, in append order: every event recorded at its own instant, so a
/// void's target is never ambiguous; a void is dated at or after its target.
fn log_of(steps: &[Step]) -> Vec<Event> {
    let mut log: Vec<Event> = Vec::new();
    let mut voided: Vec<bool> = Vec::new();
    for (n, s) in steps.iter().enumerate() {
        let mk = |a: i64, kind: EventKind| {
            let mut e = Event::new("P1", t(a), kind);
            e.recorded_at = Some(t(30_000 + n as i64));
            e.note = Some(format!("备注{n}"));
            e.operator = Some("王".into());
            e
        };
        let e = match s {
            Step::Record(a, u) => mk(
                *a,
                EventKind::Ticket(Box::new(TicketRecord {
                    unit: Some(u.clone()),
                    content: Some("很长的诉求内容".repeat(20)),
                    phone: Some("13800000001".into()),
                    ..Default::default()
                })),
            ),
            Step::Dispatch(a, u) => mk(*a, EventKind::Dispatch { unit: u.clone() }),
            Step::Sign(a, d) => mk(
                *a,
                EventKind::Sign {
                    unit: "甲".into(),
                    deadline: t(*a).date_naive() + Duration::days(*d),
                    plan: Some("计划".into()),
                },
            ),
            Step::Contact(a, r) => mk(
                *a,
                EventKind::Contact {
                    channel: Channel::Phone,
                    outcome: if *r {
                        Outcome::Reached
                    } else {
                        Outcome::Unreached
                    },
                    contact_person: None,
                },
            ),
            Step::Note(a) => mk(*a, EventKind::Note),
            Step::Meeting(a, n) => mk(
                *a,
                EventKind::Meeting {
                    participants: ["居民代表", "物业公司", "专家"][..*n]
                        .iter()
                        .map(|p| p.to_string())
                        .collect(),
                    decision: "加装路灯".into(),
                    plan: (*n > 1).then(|| "月底前".into()),
                },
            ),
            Step::Void(a, i) => {
                let open: Vec<usize> = (0..log.len())
                    .filter(|j| {
                        !voided[*j]
                            && !matches!(
                                log[*j].kind,
                                EventKind::Ticket(_) | EventKind::Void { .. }
                            )
                    })
                    .collect();
                if open.is_empty() {
                    continue;
                }
                let j = open[i % open.len()];
                voided[j] = true;
                let target = VoidTarget::of(&log[j]);
                let at = (*a).max((log[j].at - t(0)).num_minutes());
                mk(
                    at,
                    EventKind::Void {
                        target,
                        reason: "填错".into(),
                    },
                )
            }
        };
        log.push(e);
        voided.push(false);
    }
    log
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn facts_pushed_event_by_event_equal_the_facts_of_the_whole_log(steps in proptest::collection::vec(step(), 0..40)) {
        let log = log_of(&steps);
        let mut f = TicketFacts::default();
        for e in &log {
            f.push(e);
        }
        let whole = TicketFacts::derive(&log);
        prop_assert_eq!(&f, &whole);
        // And they read back as they were written.
        let back = TicketFacts::decode("P1", &whole.encode()).unwrap();
        prop_assert_eq!(back, whole.clone().with_id("P1"));
        // No voided event and no free text is left.
        prop_assert!(whole.events.iter().all(|e| e.note.is_none()));
        let bare = |e: &Event| match &e.kind {
            EventKind::Meeting { participants, decision, plan } =>
                participants.is_empty() && decision.is_empty() && plan.is_none(),
            _ => true,
        };
        prop_assert!(whole.events.iter().all(bare), "a meeting kept its text");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The app's header kept ticket by ticket: after each event of a generated log (voids
    /// included), the kept report equals a report built from scratch over the same facts.
    #[test]
    fn a_live_report_kept_event_by_event_equals_a_report_built_again(steps in proptest::collection::vec(step(), 0..30)) {
        let log = log_of(&steps);
        let october = Period::month_of(t(0).date_naive());
        let as_of = t(0).date_naive() + Duration::days(20);
        let mut live = LiveReport::new(DEFAULT_TZ, october, as_of);
        // Another ticket beside it, whole from the start (same phone: repeats between them).
        let other = TicketFacts::derive(&log_of(&[
            Step::Record(5, "甲".into()),
            Step::Dispatch(10, "甲".into()),
            Step::Sign(20, 9),
        ])).with_id("P0");
        live.set("P0", &other.events);
        let mut facts = TicketFacts::default();
        for e in &log {
            facts.push(e);
            live.set("P1", &facts.events);
            let mut b = ReportBuilder::new(DEFAULT_TZ, october, as_of);
            b.add("P0", &other.events);
            b.add("P1", &facts.events);
            prop_assert_eq!(live.report(), b.finish());
        }
    }
}

/// On a real store: the live report read from every ticket, then brought up to date by the
/// tickets a batch of writes touched, equals the report read again.
#[test]
fn a_live_report_brought_up_to_date_equals_the_report_read_again() {
    let (_d, l) = ledger("2026-11-29");
    let out = genban::demo::generate(&l, 800, 5).unwrap();
    assert!(out.refused.is_empty());
    let (period, as_of) = (Period::month_of(date("2026-11-01")), date("2026-11-29"));
    let mut live = l.live_report(period, as_of).unwrap();
    assert_eq!(live.report(), l.report(period, as_of).unwrap());
    // Contacts and resolutions on tickets in progress, and a void of each contact on some.
    let open = l
        .pane(genban::domain::pane::Pane::InProgress, as_of)
        .unwrap();
    assert!(open.len() > 40);
    let mut lines = Vec::new();
    let mut touched = Vec::new();
    for (n, r) in open.iter().take(40).enumerate() {
        let id = &r.ticket().id;
        let at = format!("2026-11-28T{:02}:{:02}:00+08:00", 8 + n % 10, n);
        lines.push(format!(r#"{{"ticket":"{id}","type":"contact","at":"{at}","channel":"phone","outcome":"reached","note":"已告知进度"}}"#));
        if n % 3 == 0 {
            lines.push(format!(r#"{{"ticket":"{id}","type":"resolve","at":"2026-11-29T09:{n:02}:00+08:00","note":"已解决"}}"#));
        }
        if n % 5 == 1 {
            lines.push(format!(r#"{{"ticket":"{id}","type":"void","at":"2026-11-29T10:{n:02}:00+08:00","target":{{"type":"contact","at":"{at}"}},"reason":"录错了"}}"#));
        }
        touched.push(id.clone());
    }
    common::load(&l, &lines);
    let again = l.report(period, as_of).unwrap();
    assert_ne!(live.report(), again, "the writes change the figures");
    for id in &touched {
        live.set(id, &l.facts(id).unwrap().unwrap().events);
    }
    assert_eq!(live.report(), again);
}

#[test]
fn figures_from_the_facts_equal_figures_from_the_full_logs() {
    let (_d, l) = ledger("2026-11-29");
    let out = genban::demo::generate(&l, 1_500, 11).unwrap();
    assert!(out.refused.is_empty());
    let tz = DEFAULT_TZ;
    for (period, as_of) in [
        (Period::month_of(date("2026-11-01")), date("2026-11-29")),
        (Period::month_of(date("2026-10-01")), date("2026-10-31")),
        (
            Period {
                from: date("2026-10-01"),
                to: date("2026-11-30"),
            },
            date("2026-11-29"),
        ),
    ] {
        let mut report = ReportBuilder::new(tz, period, as_of);
        let mut review = ReviewBuilder::new(tz, period, as_of, Thresholds::default());
        l.for_each(&mut |id, events| {
            report.add(id, &events);
            review.add(id, &events);
            Ok(())
        })
        .unwrap();
        assert_eq!(l.report(period, as_of).unwrap(), report.finish());
        assert_eq!(
            l.review(period, as_of, Thresholds::default()).unwrap(),
            review.finish()
        );
    }
}

#[test]
fn the_dashboards_months_from_the_facts_equal_each_report_from_the_full_logs() {
    let (_d, l) = ledger("2026-11-29");
    let out = genban::demo::generate(&l, 1_500, 13).unwrap();
    assert!(out.refused.is_empty());
    let periods = genban::domain::dashboard::Dashboard::periods(date("2026-11-29"));
    let mut builders: Vec<ReportBuilder> = periods
        .iter()
        .map(|(p, a)| ReportBuilder::new(DEFAULT_TZ, *p, *a))
        .collect();
    l.for_each(&mut |id, events| {
        for b in builders.iter_mut() {
            b.add(id, &events);
        }
        Ok(())
    })
    .unwrap();
    let got = l
        .reports(&periods, genban::ledger::Visit::Events(&mut |_, _| {}))
        .unwrap();
    let mut settled_months = 0;
    for ((p, a), (got, want)) in periods.iter().zip(got.iter().zip(builders)) {
        let want = want.finish();
        settled_months += usize::from(want.counts.resolved > 0);
        assert_eq!(got, &want, "{p:?} as of {a}");
    }
    assert!(settled_months > 10, "the months hold resolved tickets");
}

/// Turns a store of this schema into one of schema 2: no facts, no search text, no kept
/// count, summaries without a category, lookup keys without categories.
fn downgrade_to_schema_2(db: &std::path::Path) {
    let raw = raw_store(db);
    raw.drop_tree("facts").unwrap();
    raw.drop_tree("text").unwrap();
    let meta = raw.open_tree("meta").unwrap();
    meta.remove("ticket_count").unwrap();
    meta.insert("schema", "2").unwrap();
    let tickets = raw.open_tree("tickets").unwrap();
    for item in tickets.iter() {
        let (k, v) = item.unwrap();
        let mut s: serde_json::Value = serde_json::from_slice(&v).unwrap();
        s["summary"].as_object_mut().unwrap().remove("category");
        tickets.insert(k, serde_json::to_vec(&s).unwrap()).unwrap();
    }
    let idx = raw.open_tree("idx").unwrap();
    for k in idx.scan_prefix("c/").keys() {
        idx.remove(k.unwrap()).unwrap();
    }
    raw.flush().unwrap();
}

#[test]
fn a_store_of_the_previous_schema_is_upgraded_on_open_and_reports_the_same() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let args = ["--today", "2026-11-29", "report", "--format", "json"];
    let before = ok(&genban(&db, &args));
    let panes = ok(&genban(
        &db,
        &["--today", "2026-11-29", "list", "in-progress"],
    ));
    downgrade_to_schema_2(&db);
    {
        let raw = raw_store(&db);
        assert!(raw.open_tree("facts").unwrap().is_empty());
    }
    assert_eq!(ok(&genban(&db, &args)), before);
    assert_eq!(
        ok(&genban(
            &db,
            &["--today", "2026-11-29", "list", "in-progress"]
        )),
        panes
    );
    let v = genban(&db, &["verify"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    let raw = raw_store(&db);
    let meta = raw.open_tree("meta").unwrap();
    assert_eq!(
        meta.get("schema").unwrap().unwrap().as_ref(),
        genban::store::SCHEMA_VERSION.to_string().as_bytes()
    );
    assert!(!raw.open_tree("facts").unwrap().is_empty());
}

#[test]
fn verify_finds_a_changed_facts_record() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let id = {
        let raw = raw_store(&db);
        let facts = raw.open_tree("facts").unwrap();
        // A ticket with more than its record: drop its latest fact behind the program's back.
        let (k, v) = facts
            .iter()
            .map(Result::unwrap)
            .find(|(_, v)| v.len() > 200)
            .unwrap();
        let id = String::from_utf8(k.to_vec()).unwrap();
        let mut f = TicketFacts::decode(&id, &v).unwrap();
        f.events.pop();
        facts.insert(k, f.encode()).unwrap();
        raw.flush().unwrap();
        id
    };
    let o = genban(&db, &["verify"]);
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&id) && out.contains("facts"), "{out}");
}
