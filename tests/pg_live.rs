//! Live on PostgreSQL: a save on one workstation (its own connection) reaches another's ledger
//! within a second, naming the ticket, the way the app's refresh reads it; its own saves are not
//! news to it; a sled store has no such feed.

mod common;
mod pg_common;
use common::*;
use genban::domain::event::Event;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::Ledger;
use std::time::{Duration, Instant};

fn ledger_on(path: &std::path::Path) -> Ledger {
    Ledger::new(
        genban::store::open(path, DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date("2026-11-29")),
    )
}

fn received(id: &str) -> [String; 2] {
    [
        format!(
            r#"{{"ticket":"{id}","type":"ticket","at":"2026-10-01T09:00:00+08:00","received_at":"2026-10-01T09:00:00+08:00","unit":"新金社区"}}"#
        ),
        format!(
            r#"{{"ticket":"{id}","type":"dispatch","at":"2026-10-01T10:00:00+08:00","unit":"新金社区"}}"#
        ),
    ]
}

/// Waits up to `limit` for `l`'s generation to pass `since`.
fn changed_within(l: &Ledger, since: u64, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if l.generation() > since {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn a_save_elsewhere_is_seen_within_a_second() {
    let Some(db) = pg_common::test_db("a_save_elsewhere_is_seen_within_a_second") else {
        return;
    };
    let office = ledger_on(&db.path());
    let street = ledger_on(&db.path());
    assert!(office.follow_other_writers().unwrap());
    let g0 = office.generation();
    load(&street, &received("A001"));
    assert!(
        changed_within(&office, g0, Duration::from_secs(1)),
        "no word of the other workstation's save within a second"
    );
    assert_eq!(office.touched_since(g0), Some(vec!["A001".to_string()]));
    assert_eq!(office.events("A001").unwrap().len(), 2);
    // A sign on the street's side: the office hears of it too.
    let g1 = office.generation();
    street
        .record(
            Event::from_json_str(
                r#"{"ticket":"A001","type":"sign","at":"2026-10-02T09:00:00+08:00","unit":"新金社区","deadline":"2026-12-31"}"#,
            )
            .unwrap(),
        )
        .unwrap();
    assert!(changed_within(&office, g1, Duration::from_secs(1)));
    assert_eq!(office.touched_since(g1), Some(vec!["A001".to_string()]));
    // The office's own save counts once (its commit), not again when its notice comes back.
    let g2 = office.generation();
    load(&office, &received("B002"));
    assert_eq!(office.generation(), g2 + 1);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(office.generation(), g2 + 1);
}

#[test]
fn a_sled_store_has_no_feed() {
    let (_d, l) = ledger("2026-11-29");
    assert!(!l.follow_other_writers().unwrap());
}
