//! The sled store on its own terms: large commits, rollback of a cut-short one, indexes.

mod common;
use common::*;
use genban::domain::event::Event;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::{Ledger, Pane};

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
    // More tickets than one transaction takes, into an empty store: plain ordered writes.
    let out = l.apply(lines(4_500), false, false).unwrap();
    assert_eq!(out.added, 9_000);
    assert_eq!(l.store().ticket_count().unwrap(), 4_500);
    assert_eq!(
        l.pane(Pane::AwaitingSign, date("2026-11-29"))
            .unwrap()
            .len(),
        4_500
    );
    assert_eq!(l.verify().unwrap(), Vec::new());
    // Into a store that holds tickets: a journaled sequence of transactions.
    let more: Vec<(usize, Event)> = lines(9_000).into_iter().skip(9_000).collect();
    assert_eq!(l.apply(more, false, false).unwrap().added, 9_000);
    assert_eq!(l.store().ticket_count().unwrap(), 9_000);
    assert_eq!(l.verify().unwrap(), Vec::new());
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
            genban::store::open(&path, DEFAULT_TZ).unwrap(),
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
        for tree in [b'e', b't', b'f', b'x'] {
            let mut k = vec![tree];
            k.extend_from_slice(b"B00000");
            journal.insert(k, &[0u8]).unwrap();
        }
        // The ticket count before: none.
        journal.insert(b"n", &b"\x010"[..]).unwrap();
        raw.open_tree("meta")
            .unwrap()
            .insert("pending_commit", "1")
            .unwrap();
        raw.flush().unwrap();
    }
    let l = Ledger::new(
        genban::store::open(&path, DEFAULT_TZ).unwrap(),
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
fn lookups_follow_each_ticket_through_its_states() {
    use genban::domain::ticket::State;
    use genban::store::Find;
    let (_d, l) = ledger("2026-11-29");
    let today = date("2026-11-29");
    load(&l, &[
        r#"{"ticket":"X","type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"新金社区","category":"路灯"}"#.into(),
        r#"{"ticket":"X","type":"dispatch","at":"2026-10-02T09:00:00+08:00","unit":"新金社区"}"#.into(),
    ]);
    let find = |f: Find| l.store().find(f).unwrap();
    let count = |s: State| {
        l.store()
            .count_by_state()
            .unwrap()
            .into_iter()
            .find(|(x, _)| *x == s)
            .unwrap()
            .1
    };
    assert_eq!(find(Find::InState(State::AwaitingSign)), ["X"]);
    assert_eq!(count(State::AwaitingSign), 1);
    load(&l, &[r#"{"ticket":"X","type":"sign","at":"2026-10-03T09:00:00+08:00","unit":"新金社区","deadline":"2026-11-01"}"#.into()]);
    assert!(find(Find::InState(State::AwaitingSign)).is_empty());
    assert_eq!(find(Find::InState(State::InProgress)), ["X"]);
    assert_eq!(find(Find::DueBefore(today)), ["X"]);
    assert!(
        find(Find::DueBefore(date("2026-11-01"))).is_empty(),
        "due on the 1st: not overdue on it"
    );
    assert_eq!(l.pane(Pane::Overdue, today).unwrap().len(), 1);
    load(
        &l,
        &[r#"{"ticket":"X","type":"resolve","at":"2026-11-05T09:00:00+08:00"}"#.into()],
    );
    assert_eq!(find(Find::InState(State::Resolved)), ["X"]);
    assert_eq!(count(State::InProgress), 0);
    assert!(
        find(Find::DueBefore(today)).is_empty(),
        "a resolved ticket is due no more"
    );
    assert_eq!(
        find(Find::NewestResolved {
            offset: 0,
            limit: 5
        }),
        ["X"]
    );
    assert!(find(Find::NewestResolved {
        offset: 1,
        limit: 5
    })
    .is_empty());
    assert_eq!(l.units().unwrap(), ["新金社区"]);
    assert_eq!(l.categories().unwrap(), ["路灯"]);
    assert_eq!(l.store().ticket_count().unwrap(), 1);
    // A back-dated view (today before the resolve) reads every ticket's facts instead.
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

#[test]
fn a_large_import_into_an_empty_store_cut_short_leaves_it_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let today = date("2026-11-29");
    {
        let l = Ledger::new(
            genban::store::open(&path, DEFAULT_TZ).unwrap(),
            Clock::fixed(DEFAULT_TZ, today),
        );
        l.set_setting("seen", "2026-11").unwrap();
        // More tickets than one transaction holds: written in chunks, nothing journaled.
        let out = genban::demo::generate(&l, 2_500, 5).unwrap();
        assert!(out.tickets_touched > 2_000);
    }
    // What the process leaves when it dies before the commit point: the marker.
    {
        let raw = open_raw(&path);
        let meta = raw.open_tree("meta").unwrap();
        assert!(meta.get("pending_commit").unwrap().is_none());
        meta.insert("pending_commit", "into_empty").unwrap();
        assert!(raw.open_tree("journal").unwrap().is_empty());
        raw.flush().unwrap();
    }
    let l = Ledger::new(
        genban::store::open(&path, DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, today),
    );
    assert_eq!(l.ticket_count().unwrap(), 0);
    assert!(l.units().unwrap().is_empty());
    assert!(l.pane(Pane::InProgress, today).unwrap().is_empty());
    assert_eq!(l.chain_head().unwrap(), None);
    assert_eq!(l.setting("seen").unwrap().as_deref(), Some("2026-11"));
    assert!(l.verify().unwrap().is_empty());
    // And the store works on.
    assert_eq!(l.apply(lines(1), false, false).unwrap().added, 2);
}
