//! The store trait's contract, run against every backend alike: sled in a temp dir, and
//! PostgreSQL in a database of its own (`GENBAN_TEST_PG`; skipped with a printed line without
//! it, failed under `GENBAN_REQUIRE_PG=1`). Each check is written once, below; the macro at the
//! end runs it on both.

mod pg_common;
use chrono::NaiveDate;
use genban::domain::event::Event;
use genban::domain::search::Query;
use genban::domain::summary::derive;
use genban::domain::ticket::State;
use genban::domain::time::DEFAULT_TZ;
use genban::store::{EventStore, Find, StoreError, TicketChange};

/// What keeps a store's place alive for the test.
#[allow(dead_code)]
enum Guard {
    Dir(tempfile::TempDir),
    Pg(pg_common::TestDb),
}

fn sled() -> (Guard, Box<dyn EventStore>) {
    let dir = tempfile::tempdir().unwrap();
    let s = genban::store::open(&dir.path().join("db"), DEFAULT_TZ).unwrap();
    (Guard::Dir(dir), s)
}

fn pg(test: &str) -> Option<(Guard, Box<dyn EventStore>)> {
    let db = pg_common::test_db(test)?;
    let s = genban::store::open(&db.path(), DEFAULT_TZ).unwrap();
    Some((Guard::Pg(db), s))
}

fn ev(s: &str) -> Event {
    Event::from_json_str(s).unwrap()
}

/// A ticket received and dispatched to `unit` on October `day`, category `cat`.
fn received(id: &str, unit: &str, day: u32, cat: &str) -> Vec<Event> {
    vec![
        ev(&format!(
            r#"{{"ticket":"{id}","type":"ticket","at":"2026-10-{day:02}T09:00:00+08:00","unit":"{unit}","category":"{cat}","content":"路灯不亮 {id}"}}"#
        )),
        ev(&format!(
            r#"{{"ticket":"{id}","type":"dispatch","at":"2026-10-{day:02}T10:00:00+08:00","unit":"{unit}"}}"#
        )),
    ]
}

fn sign(id: &str, unit: &str, day: u32, deadline: &str) -> Event {
    ev(&format!(
        r#"{{"ticket":"{id}","type":"sign","at":"2026-10-{day:02}T11:00:00+08:00","unit":"{unit}","deadline":"{deadline}"}}"#
    ))
}

fn resolve(id: &str, day: u32) -> Event {
    ev(&format!(
        r#"{{"ticket":"{id}","type":"resolve","at":"2026-10-{day:02}T15:00:00+08:00","result":"已修复"}}"#
    ))
}

/// A change appending `new` to a ticket that holds `old`.
fn change(id: &str, old: &[Event], new: Vec<Event>) -> TicketChange {
    let mut all = old.to_vec();
    all.extend(new.iter().cloned());
    TicketChange {
        id: id.to_string(),
        expected_events: old.len(),
        derived: derive(id, &all, DEFAULT_TZ),
        new_events: new,
        chain_at: Vec::new(),
    }
}

/// Writes four tickets: A in progress (due 10-20), B awaiting sign, C resolved on 10-09, D in
/// progress (due 10-15), E resolved on 10-12.
fn fill(s: &dyn EventStore) {
    let mut a = received("A", "新金社区", 1, "市政设施");
    a.push(sign("A", "新金社区", 1, "2026-10-20"));
    let b = received("B", "同心社区", 2, "环境卫生");
    let mut c = received("C", "新金社区", 3, "市政设施");
    c.extend([sign("C", "新金社区", 3, "2026-10-30"), resolve("C", 9)]);
    let mut d = received("D", "城管科", 4, "");
    d.push(sign("D", "城管科", 4, "2026-10-15"));
    let mut e = received("E", "同心社区", 5, "噪音扰民");
    e.extend([sign("E", "同心社区", 5, "2026-10-30"), resolve("E", 12)]);
    let changes: Vec<TicketChange> = [("A", a), ("B", b), ("C", c), ("D", d), ("E", e)]
        .into_iter()
        .map(|(id, evs)| change(id, &[], evs))
        .collect();
    s.commit(&changes).unwrap();
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn an_empty_store_answers_nothing(s: Box<dyn EventStore>) {
    assert!(s.events("A").unwrap().is_empty());
    assert_eq!(s.ticket_count().unwrap(), 0);
    assert_eq!(s.chain_head().unwrap(), None);
    assert_eq!(s.latest_at().unwrap(), None);
    assert!(s.find(Find::InState(State::InProgress)).unwrap().is_empty());
    assert!(s.count_by_state().unwrap().iter().all(|(_, n)| *n == 0));
    assert!(s.units().unwrap().is_empty());
    assert!(s.categories().unwrap().is_empty());
    assert!(s.audit_log().unwrap().is_empty());
    assert_eq!(s.meta("anything").unwrap(), None);
    let mut visited = 0;
    s.for_each_raw(&mut |_, _| {
        visited += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(visited, 0);
    // An empty commit writes nothing.
    s.commit(&[]).unwrap();
    assert_eq!(s.chain_head().unwrap(), None);
}

fn a_commit_reads_back_in_append_order(s: Box<dyn EventStore>) {
    fill(s.as_ref());
    assert_eq!(s.ticket_count().unwrap(), 5);
    let a = s.events("A").unwrap();
    assert_eq!(
        a.iter().map(|e| e.kind.type_name()).collect::<Vec<_>>(),
        ["ticket", "dispatch", "sign"]
    );
    // The chain: 16 events, numbered in the order they were appended, A first.
    let head = s.chain_head().unwrap().unwrap();
    assert_eq!(head.seq, 16);
    let mut raw: Vec<(String, Vec<String>)> = Vec::new();
    s.for_each_raw(&mut |id, lines| {
        raw.push((id.to_string(), lines));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        raw.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["A", "B", "C", "D", "E"]
    );
    let link = genban::domain::chain::link_of(&raw[0].1[0]).unwrap();
    assert_eq!(
        (link.seq, link.prev.as_str()),
        (1, genban::domain::chain::GENESIS)
    );
    assert_eq!(
        genban::domain::chain::link_of(&raw[4].1[3]).unwrap().seq,
        16
    );
    assert_eq!(
        s.latest_at().unwrap().unwrap().to_rfc3339(),
        "2026-10-12T07:00:00+00:00"
    );
    let mut tickets = Vec::new();
    s.for_each_ticket(&mut |id, events| {
        tickets.push((id.to_string(), events.len()));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        tickets,
        [("A", 3), ("B", 2), ("C", 4), ("D", 3), ("E", 4)]
            .map(|(i, n)| (i.to_string(), n))
            .to_vec()
    );
}

fn lookups_answer_from_the_summaries(s: Box<dyn EventStore>) {
    fill(s.as_ref());
    assert_eq!(
        s.find(Find::InState(State::InProgress)).unwrap(),
        ids(&["A", "D"])
    );
    assert_eq!(
        s.find(Find::InState(State::AwaitingSign)).unwrap(),
        ids(&["B"])
    );
    // Due before a day: in deadline order (D is due first).
    assert_eq!(
        s.find(Find::DueBefore(day("2026-10-21"))).unwrap(),
        ids(&["D", "A"])
    );
    assert_eq!(
        s.find(Find::DueBefore(day("2026-10-20"))).unwrap(),
        ids(&["D"])
    );
    assert!(s.find(Find::DueBefore(NaiveDate::MIN)).unwrap().is_empty());
    // The newest resolution first, paged.
    let newest = |offset, limit| s.find(Find::NewestResolved { offset, limit }).unwrap();
    assert_eq!(newest(0, 10), ids(&["E", "C"]));
    assert_eq!(newest(1, 10), ids(&["C"]));
    assert_eq!(newest(0, 1), ids(&["E"]));
    assert!(newest(2, 10).is_empty());
    let counts = s.count_by_state().unwrap();
    assert_eq!(
        counts,
        vec![
            (State::AwaitingSign, 1),
            (State::Returned, 0),
            (State::InProgress, 2),
            (State::Resolved, 2)
        ]
    );
    assert_eq!(s.units().unwrap(), ids(&["同心社区", "城管科", "新金社区"]));
    assert_eq!(
        s.categories().unwrap(),
        ids(&["噪音扰民", "市政设施", "环境卫生"])
    );
    assert_eq!(s.search(&Query::new("路灯不亮 c")).unwrap(), ids(&["C"]));
    assert_eq!(s.search(&Query::new("路灯")).unwrap().len(), 5);
    assert!(s.search(&Query::new("没有这个词")).unwrap().is_empty());
}

fn facts_come_back_as_written(s: Box<dyn EventStore>) {
    fill(s.as_ref());
    let want = |id: &str| derive(id, &s.events(id).unwrap(), DEFAULT_TZ).facts;
    // In the order asked, unknown ids left out.
    let got = s.facts_of(&ids(&["E", "nope", "A"])).unwrap();
    assert_eq!(
        got.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["E", "A"]
    );
    assert_eq!(got[0].1, want("E"));
    let mut seen = Vec::new();
    s.for_each_facts_encoded(&mut |id, bytes| {
        assert_eq!(bytes, want(id).encode().as_slice(), "{id}");
        seen.push(id.to_string());
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, ids(&["A", "B", "C", "D", "E"]));
    // A visitor may ask the store again while it walks.
    let mut n = 0;
    s.for_each_facts(&mut |id, f| {
        assert_eq!(f, want(id));
        assert!(!s.events(id)?.is_empty());
        n += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 5);
    // A visitor's error ends the walk and is returned.
    let mut calls = 0;
    let err = s.for_each_facts(&mut |_, _| {
        calls += 1;
        Err(StoreError::Backend("stop".into()))
    });
    assert!(matches!(err, Err(StoreError::Backend(m)) if m == "stop"));
    assert_eq!(calls, 1);
}

fn a_stale_commit_is_refused_and_writes_nothing(s: Box<dyn EventStore>) {
    fill(s.as_ref());
    let head = s.chain_head().unwrap();
    let b = s.events("B").unwrap();
    let a = s.events("A").unwrap();
    // B's writer read one event fewer than B holds; A's change is good: neither is written.
    let stale = change("B", &b[..1], vec![sign("B", "同心社区", 6, "2026-10-30")]);
    let good = change("A", &a, vec![resolve("A", 7)]);
    let err = s.commit(&[good, stale]).unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(id) if id == "B"),
        "{err}"
    );
    assert_eq!(s.events("A").unwrap().len(), 3);
    assert_eq!(s.events("B").unwrap().len(), 2);
    assert_eq!(s.chain_head().unwrap(), head);
    assert_eq!(
        s.find(Find::InState(State::InProgress)).unwrap(),
        ids(&["A", "D"])
    );
    // A ticket written as new when it exists already.
    let again = change("C", &[], received("C", "新金社区", 3, "市政设施"));
    assert!(matches!(s.commit(&[again]), Err(StoreError::Conflict(id)) if id == "C"));
    assert_eq!(s.ticket_count().unwrap(), 5);
    // The same change with the right count is written, and the chain goes on from the head.
    let ok = change("B", &b, vec![sign("B", "同心社区", 6, "2026-10-30")]);
    s.commit(&[ok]).unwrap();
    assert_eq!(s.events("B").unwrap().len(), 3);
    assert_eq!(s.chain_head().unwrap().unwrap().seq, 17);
    assert_eq!(s.ticket_count().unwrap(), 5);
    assert_eq!(
        s.find(Find::InState(State::InProgress)).unwrap(),
        ids(&["A", "B", "D"])
    );
    assert!(s
        .find(Find::InState(State::AwaitingSign))
        .unwrap()
        .is_empty());
}

fn settings_and_the_audit_trail(s: Box<dyn EventStore>) {
    s.set_meta("operator", "王雨婷").unwrap();
    s.set_meta("operator", "李明").unwrap();
    s.set_meta("other", "").unwrap();
    assert_eq!(s.meta("operator").unwrap().as_deref(), Some("李明"));
    assert_eq!(s.meta("other").unwrap().as_deref(), Some(""));
    assert_eq!(s.meta("none").unwrap(), None);
    for r in ["first 第一", "second", "third"] {
        s.append_audit(r).unwrap();
    }
    assert_eq!(s.audit_log().unwrap(), ["first 第一", "second", "third"]);
    // Settings are not tickets.
    assert_eq!(s.ticket_count().unwrap(), 0);
}

fn stored_derivations_are_checked(s: Box<dyn EventStore>) {
    fill(s.as_ref());
    let mut all = std::collections::HashMap::new();
    let mut expected = Vec::new();
    for id in ["A", "B", "C", "D", "E"] {
        let d = derive(id, &s.events(id).unwrap(), DEFAULT_TZ);
        all.insert(id.to_string(), d.summary.clone());
        expected.push((id.to_string(), d));
    }
    assert_eq!(s.check_derived(&expected).unwrap(), Vec::<String>::new());
    assert_eq!(s.check_summaries(&all).unwrap(), Vec::<String>::new());
    // What the log of another ticket derives is not what A's row holds.
    let wrong = vec![("A".to_string(), expected[1].1.clone())];
    let problems = s.check_derived(&wrong).unwrap();
    assert!(
        problems.iter().any(|p| p.contains("facts differ")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("search text differs")),
        "{problems:?}"
    );
    let mut summaries = all.clone();
    summaries.insert("A".into(), all["B"].clone());
    summaries.remove("E");
    let problems = s.check_summaries(&summaries).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("ticket A: stored summary differs")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("ticket count kept is 5")),
        "{problems:?}"
    );
}

fn tolerant_mode_skips_nothing_readable(s: Box<dyn EventStore>) {
    fill(s.as_ref());
    s.set_tolerant(true);
    assert_eq!(s.events("C").unwrap().len(), 4);
    s.set_tolerant(false);
    assert_eq!(s.events("C").unwrap().len(), 4);
    assert!(s.warnings().is_empty());
    assert!(!s.location().is_empty());
}

fn a_chain_kept_as_it_came_starts_an_empty_store(s: Box<dyn EventStore>) {
    // Two tickets whose events came interleaved: A1 B1 A2 (chain numbers 1, 2, 3).
    let a = received("A", "新金社区", 1, "市政设施");
    let b = received("B", "同心社区", 2, "环境卫生");
    let mut head = genban::domain::chain::Head::default();
    for e in [&a[0], &b[0], &a[1]] {
        head.append(e);
    }
    let mut ca = change("A", &[], a);
    ca.chain_at = vec![1, 3];
    let mut cb = change("B", &[], vec![b[0].clone()]);
    cb.chain_at = vec![2];
    // Numbers that are not 1..n are refused, and nothing is written.
    let mut bad = cb.clone();
    bad.chain_at = vec![7];
    assert!(matches!(
        s.commit(&[ca.clone(), bad]),
        Err(StoreError::Backend(_))
    ));
    assert_eq!(s.chain_head().unwrap(), None);
    s.commit(&[ca, cb.clone()]).unwrap();
    assert_eq!(s.chain_head().unwrap(), Some(head));
    let mut links = Vec::new();
    s.for_each_raw(&mut |_, lines| {
        for l in lines {
            links.push(genban::domain::chain::link_of(&l).unwrap().seq);
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(links, [1, 3, 2]);
    // Into a store that holds events: refused.
    let mut again = change("C", &[], received("C", "新金社区", 3, "市政设施"));
    again.chain_at = vec![1, 2];
    assert!(matches!(s.commit(&[again]), Err(StoreError::Conflict(_))));
    assert_eq!(s.ticket_count().unwrap(), 2);
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod on_sled {
            $( #[test] fn $name() { let (_g, s) = super::sled(); super::$name(s); } )*
        }
        mod on_postgres {
            $(
                #[test]
                fn $name() {
                    if let Some((_g, s)) = super::pg(stringify!($name)) {
                        super::$name(s);
                    }
                }
            )*
        }
    };
}

contract!(
    an_empty_store_answers_nothing,
    a_commit_reads_back_in_append_order,
    lookups_answer_from_the_summaries,
    facts_come_back_as_written,
    a_stale_commit_is_refused_and_writes_nothing,
    settings_and_the_audit_trail,
    stored_derivations_are_checked,
    tolerant_mode_skips_nothing_readable,
    a_chain_kept_as_it_came_starts_an_empty_store,
);
