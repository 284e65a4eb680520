//! The demo generator writes only events the rules accept, and gives every pane something.

mod common;
use common::*;
use genban::ledger::Pane;

#[test]
fn demo_histories_obey_the_rules_for_many_seeds_and_dates() {
    for (day, seed) in [
        ("2026-11-20", 1),
        ("2026-03-01", 2),
        ("2027-01-31", 3),
        ("2026-11-29", 7),
    ] {
        let (_d, l) = ledger(day);
        let out = genban::demo::generate(&l, 200, seed).unwrap();
        assert!(
            out.refused.is_empty(),
            "{day} seed {seed}: {:?}",
            &out.refused[..out.refused.len().min(3)]
        );
        assert!(out.added > 800, "{day}: {}", out.added);
        for p in [Pane::InProgress, Pane::AwaitingContact, Pane::Resolved] {
            assert!(
                !l.pane(p, date(day)).unwrap().is_empty(),
                "{day}: {p:?} is empty"
            );
        }
    }
}
