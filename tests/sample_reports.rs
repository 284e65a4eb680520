//! The shared sample must produce its expected reports exactly.

mod common;
use common::*;
use genban::domain::time::Period;
use genban::import::{import_file, ImportOptions};

fn check(ledger: &genban::ledger::Ledger, expected: &str, from: &str, to: &str, as_of: &str) {
    // The v2 file has every key the report prints; the older one the first of them.
    let v1: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample(expected)).unwrap()).unwrap();
    let expected = expected.replace(".json", ".v2.json");
    let expected = expected.as_str();
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample(expected)).unwrap()).unwrap();
    let report = ledger
        .report(
            Period {
                from: date(from),
                to: date(to),
            },
            date(as_of),
        )
        .unwrap();
    let got = serde_json::to_value(&report).unwrap();
    assert!(
        contains(&got, &v1),
        "{expected}: the older file's keys differ"
    );
    if got != want {
        let g = serde_json::to_string_pretty(&got).unwrap();
        let w = serde_json::to_string_pretty(&want).unwrap();
        for (i, (a, b)) in g.lines().zip(w.lines()).enumerate() {
            if a != b {
                panic!("{expected} differs at line {}: got {a} want {b}", i + 1);
            }
        }
        panic!("{expected} differs in length");
    }
}

#[test]
fn the_sample_log_reproduces_both_expected_reports() {
    let (_dir, ledger) = ledger("2026-11-29");
    let rep = import_file(&ledger, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    assert_eq!(rep.outcome.added, 1466);
    assert_eq!(rep.outcome.duplicates, 8);
    assert!(rep.outcome.refused.is_empty());
    check(
        &ledger,
        "report-2026-10.json",
        "2026-10-01",
        "2026-10-31",
        "2026-10-31",
    );
    check(
        &ledger,
        "report-2026-11-29.json",
        "2026-11-01",
        "2026-11-30",
        "2026-11-29",
    );
}

#[test]
fn importing_the_sample_twice_changes_nothing() {
    let (_dir, ledger) = ledger("2026-11-29");
    import_file(&ledger, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    let again = import_file(&ledger, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    assert_eq!(again.outcome.added, 0);
    assert_eq!(again.outcome.duplicates, 1474);
}
