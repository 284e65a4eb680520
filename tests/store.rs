//! The sled store on its own terms: large commits, rollback of a cut-short one, indexes.

mod common;
use common::*;
use genban::domain::event::Event;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::{Ledger, Pane};
use genban::store::SledStore;

fn lines(n: usize) -> Vec<(usize, Event)> {
    let mut out = Vec::new();
    for i in 0..n {
        let id = format!("B{i:05}");
        for (k, l) in [
            format!(r#"{{"ticket":"{id}","type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"新金社区"}}"#),
            format!(r#"{{"ticket":"{id}","type":"dispatch","at":"2026-10-02T09:00:00+08:00","unit":"新金社区"}}"#),
        ]
        .iter()
        .enumerate()
        {
            out.push((i * 2 + k + 1, Event::from_json_str(l).unwrap()));
        }
    }
    out
}

#[test]
fn a_large_import_lands_whole_and_leaves_no_journal() {
    let (d, l) = ledger("2026-11-29");
    // More tickets than one transaction takes: written as a journaled sequence.
    let out = l.apply(lines(4_500), false, false).unwrap();
    assert_eq!(out.added, 9_000);
    assert_eq!(l.store().ticket_count().unwrap(), 4_500);
    assert_eq!(
        l.pane(Pane::AwaitingSign, date("2026-11-29"))
            .unwrap()
            .len(),
        4_500
    );
    drop(l);
    let raw = open_raw(&d.path().join("db"));
    assert!(raw.open_tree("journal").unwrap().is_empty());
    assert!(raw
        .open_tree("meta")
        .unwrap()
        .get("pending_commit")
        .unwrap()
        .is_none());
}

#[test]
fn a_commit_cut_short_is_rolled_back_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let today = date("2026-11-29");
    {
        let l = Ledger::new(
            Box::new(SledStore::open(&path).unwrap()),
            Clock::fixed(DEFAULT_TZ, today),
        );
        l.apply(lines(1), false, false).unwrap();
    }
    // What a large commit leaves when the process dies after writing a chunk: the marker,
    // and a journal of what the keys it wrote held before.
    {
        let raw = open_raw(&path);
        let journal = raw.open_tree("journal").unwrap();
        // The ticket's events did not exist before (0), nor did the ticket.
        journal.insert(b"eB00000", &[0u8]).unwrap();
        journal.insert(b"tB00000", &[]).unwrap();
        raw.open_tree("meta")
            .unwrap()
            .insert("pending_commit", "1")
            .unwrap();
        raw.flush().unwrap();
    }
    let l = Ledger::new(
        Box::new(SledStore::open(&path).unwrap()),
        Clock::fixed(DEFAULT_TZ, today),
    );
    assert_eq!(
        l.store().ticket_count().unwrap(),
        0,
        "the half-written import was rolled back"
    );
    assert!(l.events("B00000").unwrap().is_empty());
    assert!(l.pane(Pane::AwaitingSign, today).unwrap().is_empty());
    // And the store works on.
    assert_eq!(l.apply(lines(1), false, false).unwrap().added, 2);
}

#[test]
fn indexes_follow_each_ticket_through_its_states() {
    let (_d, l) = ledger("2026-11-29");
    let today = date("2026-11-29");
    load(&l, &[
        r#"{"ticket":"X","type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"新金社区"}"#.into(),
        r#"{"ticket":"X","type":"dispatch","at":"2026-10-02T09:00:00+08:00","unit":"新金社区"}"#.into(),
    ]);
    let ids = |p: &str| l.store().index(p, None, None).unwrap();
    assert_eq!(ids("s/"), [("awaiting_sign".to_string(), "X".to_string())]);
    load(&l, &[r#"{"ticket":"X","type":"sign","at":"2026-10-03T09:00:00+08:00","unit":"新金社区","deadline":"2026-11-01"}"#.into()]);
    assert_eq!(ids("s/"), [("in_progress".to_string(), "X".to_string())]);
    assert_eq!(ids("d/"), [("2026-11-01".to_string(), "X".to_string())]);
    assert_eq!(l.pane(Pane::Overdue, today).unwrap().len(), 1);
    load(
        &l,
        &[r#"{"ticket":"X","type":"resolve","at":"2026-11-05T09:00:00+08:00"}"#.into()],
    );
    assert_eq!(ids("s/"), [("resolved".to_string(), "X".to_string())]);
    assert!(
        ids("d/").is_empty(),
        "a resolved ticket leaves the deadline index"
    );
    assert_eq!(ids("r/"), [("2026-11-05".to_string(), "X".to_string())]);
    assert_eq!(ids("u/"), [("新金社区".to_string(), "X".to_string())]);
    // A back-dated view (today before the resolve) reads every ticket instead of the indexes.
    assert_eq!(l.pane(Pane::Overdue, date("2026-11-03")).unwrap().len(), 1);
    assert!(l.pane(Pane::Overdue, today).unwrap().is_empty());
}

/// Opens the store with sled itself, waiting for a just-closed handle to let go of the lock.
fn open_raw(path: &std::path::Path) -> sled::Db {
    for _ in 0..40 {
        if let Ok(db) = sled::open(path) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    sled::open(path).unwrap()
}
