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

#[test]
fn demo_contacts_are_in_working_hours_never_later_than_now_over_thirteen_months() {
    use chrono::Timelike;
    for (day, seed) in [("2026-11-20", 7), ("2026-06-30", 4)] {
        let (_d, l) = ledger(day);
        genban::demo::generate(&l, 300, seed).unwrap();
        let now = l.now();
        let tz = l.tz();
        let mut contacts = 0;
        let mut earliest = date(day);
        l.for_each(&mut |_, events| {
            for e in &events {
                assert!(e.instant() <= now, "{} is after now", e.at);
                if let genban::domain::event::EventKind::Ticket(r) = &e.kind {
                    if let Some(t) = r.received_at {
                        earliest = earliest.min(t.with_timezone(&tz).date_naive());
                    }
                }
                if e.kind.type_name() == "contact" {
                    contacts += 1;
                    let h = e.at.with_timezone(&tz).hour();
                    assert!((8..21).contains(&h), "a contact at {}", e.at);
                }
            }
            Ok(())
        })
        .unwrap();
        assert!(contacts > 200, "{contacts}");
        let span = (date(day) - earliest).num_days();
        assert!(span > 365, "history reaches back {span} days only");
    }
}
