//! Many writers, one truth, on a real PostgreSQL: writers with connections of their own
//! append to the same tickets at once; every acknowledged event is stored exactly once, none
//! that was refused is, the chain is one unbroken line and `verify` finds nothing.

mod common;
mod pg_common;
use common::*;
use genban::domain::event::Event;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::{Ledger, LedgerError};
use genban::store::StoreError;
use std::collections::HashMap;
use std::sync::{Arc, Barrier};

const WRITERS: usize = 4;
const WRITES: usize = 200;
const TICKETS: usize = 8;

/// A ledger on its own connection to the database.
fn ledger_on(url: &str) -> Ledger {
    let l = Ledger::new(
        genban::store::open(std::path::Path::new(url), DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date("2026-11-29")),
    );
    l.set_operator(Some("并发测试".into()));
    l
}

fn received(id: &str) -> Vec<String> {
    vec![
        format!(
            r#"{{"ticket":"{id}","type":"ticket","at":"2026-10-01T09:00:00+08:00","received_at":"2026-10-01T09:00:00+08:00","unit":"新金社区"}}"#
        ),
        format!(
            r#"{{"ticket":"{id}","type":"dispatch","at":"2026-10-01T10:00:00+08:00","unit":"新金社区"}}"#
        ),
    ]
}

fn sign(id: &str, deadline: &str) -> String {
    format!(
        r#"{{"ticket":"{id}","type":"sign","at":"2026-10-02T09:00:00+08:00","unit":"新金社区","deadline":"{deadline}"}}"#
    )
}

/// Writer `w`'s `i`-th contact, on a ticket shared with the other writers.
fn contact(w: usize, i: usize) -> Event {
    let id = format!("T{}", (w * 3 + i) % TICKETS);
    let n = w * WRITES + i;
    let (h, m, s) = (9 + n / 3600, (n / 60) % 60, n % 60);
    Event::from_json_str(&format!(
        r#"{{"ticket":"{id}","type":"contact","at":"2026-10-10T{h:02}:{m:02}:{s:02}+08:00","channel":"phone","outcome":"unreached","note":"w{w}-{i}"}}"#
    ))
    .unwrap()
}

/// Records `e`, reading the ticket again while another writer got there first. Returns how
/// many times it had to.
fn record_retrying(l: &Ledger, e: &Event) -> usize {
    for tries in 0..200 {
        match l.record(e.clone()) {
            Ok(()) => return tries,
            Err(LedgerError::Store(StoreError::Conflict(_))) => {}
            Err(other) => panic!("{}: {other}", e.ticket),
        }
    }
    panic!("{}: still in conflict after 200 tries", e.ticket);
}

#[test]
fn four_writers_on_shared_tickets_lose_and_double_nothing() {
    let Some(db) = pg_common::test_db("four_writers_on_shared_tickets_lose_and_double_nothing")
    else {
        return;
    };
    let setup = ledger_on(&db.url);
    let mut lines = Vec::new();
    for t in 0..TICKETS {
        let id = format!("T{t}");
        lines.extend(received(&id));
        lines.push(sign(&id, "2026-12-31"));
    }
    load(&setup, &lines);
    let start = Arc::new(Barrier::new(WRITERS));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (url, start) = (db.url.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let l = ledger_on(&url);
                start.wait();
                let mut acknowledged = Vec::new();
                let mut retries = 0;
                for i in 0..WRITES {
                    let e = contact(w, i);
                    retries += record_retrying(&l, &e);
                    acknowledged.push((e.ticket.clone(), e.note.clone().unwrap()));
                }
                (acknowledged, retries)
            })
        })
        .collect();
    let mut acknowledged: HashMap<(String, String), usize> = HashMap::new();
    let mut retries = 0;
    for w in writers {
        let (acks, r) = w.join().unwrap();
        retries += r;
        for a in acks {
            *acknowledged.entry(a).or_default() += 1;
        }
    }
    assert_eq!(acknowledged.len(), WRITERS * WRITES);
    // Every acknowledged contact is stored once, on its ticket; nothing else was added.
    let check = ledger_on(&db.url);
    let mut stored: HashMap<(String, String), usize> = HashMap::new();
    for t in 0..TICKETS {
        let id = format!("T{t}");
        for e in check.events(&id).unwrap() {
            if let Some(note) = e.note.filter(|n| n.starts_with('w')) {
                *stored.entry((id.clone(), note)).or_default() += 1;
            }
        }
    }
    assert_eq!(stored, acknowledged);
    let head = check.store().chain_head().unwrap().unwrap();
    assert_eq!(head.seq as usize, TICKETS * 3 + WRITERS * WRITES);
    assert_eq!(check.verify().unwrap(), Vec::new());
    eprintln!(
        "{} writes, {retries} read again after a conflict",
        WRITERS * WRITES
    );
}

#[test]
fn two_specialists_signing_at_once_one_is_saved_the_other_told() {
    let Some(db) =
        pg_common::test_db("two_specialists_signing_at_once_one_is_saved_the_other_told")
    else {
        return;
    };
    const ROUNDS: usize = 10;
    let setup = ledger_on(&db.url);
    let lines: Vec<String> = (0..ROUNDS)
        .flat_map(|r| received(&format!("S{r}")))
        .collect();
    load(&setup, &lines);
    let start = Arc::new(Barrier::new(2));
    // The two commit to different deadlines: the same sign twice would be one event.
    let specialists: Vec<_> = ["2026-12-20", "2026-12-25"]
        .into_iter()
        .map(|deadline| {
            let (url, start) = (db.url.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let l = ledger_on(&url);
                let mut saved = Vec::new();
                for r in 0..ROUNDS {
                    let e = Event::from_json_str(&sign(&format!("S{r}"), deadline)).unwrap();
                    start.wait();
                    // A conflict is read again once: then the ticket is signed already.
                    let outcome = match l.record(e.clone()) {
                        Err(LedgerError::Store(StoreError::Conflict(_))) => l.record(e),
                        other => other,
                    };
                    match outcome {
                        Ok(()) => saved.push(r),
                        Err(LedgerError::Refused(why)) => {
                            let text = why.message(genban::i18n::Lang::Zh);
                            assert!(text.contains("不能签收"), "{text}");
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
                saved
            })
        })
        .collect();
    let mut saved: Vec<usize> = specialists
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    saved.sort();
    // Each ticket signed by exactly one of the two.
    assert_eq!(saved, (0..ROUNDS).collect::<Vec<_>>());
    let check = ledger_on(&db.url);
    for r in 0..ROUNDS {
        let signs = check
            .events(&format!("S{r}"))
            .unwrap()
            .iter()
            .filter(|e| e.kind.type_name() == "sign")
            .count();
        assert_eq!(signs, 1, "S{r}");
    }
    assert_eq!(check.verify().unwrap(), Vec::new());
}
