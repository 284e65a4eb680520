//! The shared log with corrections (`../shared/data/sample-voids/`) must reproduce its expected
//! reports and look-back exactly, and its refusals file must be refused line by line.

mod common;
use common::*;
use genban::domain::time::Period;
use genban::import::{import_file, ImportOptions};
use std::path::PathBuf;

fn voids(name: &str) -> PathBuf {
    shared().join("data/sample-voids").join(name)
}

fn json(path: PathBuf) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn period(from: &str, to: &str) -> Period {
    Period {
        from: date(from),
        to: date(to),
    }
}

fn loaded() -> (tempfile::TempDir, genban::ledger::Ledger) {
    let (dir, ledger) = ledger("2026-11-30");
    let rep = import_file(&ledger, &voids("events.jsonl"), &ImportOptions::default()).unwrap();
    assert!(rep.outcome.refused.is_empty(), "{:?}", rep.outcome.refused);
    assert!(rep.outcome.added > 2000, "{}", rep.outcome.added);
    (dir, ledger)
}

#[test]
fn the_log_with_voids_reproduces_both_expected_reports() {
    let (_d, ledger) = loaded();
    for (file, from, to, as_of) in [
        (
            "report-2026-10-01_2026-10-31_asof-2026-10-31.json",
            "2026-10-01",
            "2026-10-31",
            "2026-10-31",
        ),
        (
            "report-2026-11-01_2026-11-30_asof-2026-11-15.json",
            "2026-11-01",
            "2026-11-30",
            "2026-11-15",
        ),
    ] {
        let got =
            serde_json::to_value(ledger.report(period(from, to), date(as_of)).unwrap()).unwrap();
        // The older files' keys are all there and equal; the v3 file is equal exactly.
        assert!(
            contains(&got, &json(voids(file))),
            "{file}: the oldest keys"
        );
        let v2 = file.replace(".json", ".v2.json");
        assert!(
            contains(&got, &json(voids(&v2))),
            "{v2}: the keys before figure 7"
        );
        let want = json(voids(&file.replace(".json", ".v3.json")));
        assert_eq!(
            serde_json::to_string_pretty(&got).unwrap(),
            serde_json::to_string_pretty(&want).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn the_log_with_voids_reproduces_the_expected_review() {
    let (_d, ledger) = loaded();
    let want = json(voids("expected-review.json"));
    let p = &want["_period"];
    let review = ledger
        .review(
            period(p["from"].as_str().unwrap(), p["to"].as_str().unwrap()),
            date(p["as_of"].as_str().unwrap()),
            Default::default(),
        )
        .unwrap();
    let mut rules = 0;
    for (rule, ids) in want.as_object().unwrap() {
        if rule.starts_with('_') {
            continue;
        }
        rules += 1;
        let want_ids: Vec<&str> = ids
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let got: Vec<&str> = review.rules[rule.as_str()]
            .iter()
            .map(|f| f.ticket.as_str())
            .collect();
        assert_eq!(got, want_ids, "rule {rule}");
    }
    assert_eq!(rules, 10);
    assert_eq!(review.rules.len(), 10);
}

#[test]
fn the_refusals_file_is_refused_line_by_line_and_changes_nothing() {
    let (_d, ledger) = loaded();
    let dump = |name: &str| {
        let path = _d.path().join(name);
        genban::output::export::jsonl(&ledger, &path).unwrap();
        std::fs::read_to_string(path).unwrap()
    };
    let before = dump("before.jsonl");
    let err = import_file(
        &ledger,
        &voids("refusals-void.jsonl"),
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    let expected = std::fs::read_to_string(voids("refusals-void-expected.txt")).unwrap();
    let mut refused = 0;
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let n: usize = line.split('\t').next().unwrap().parse().unwrap();
        refused += 1;
        assert!(
            err.contains(&format!("第 {n} 行:")),
            "line {n} ({line}) not named in:\n{err}"
        );
    }
    assert_eq!(refused, 17);
    assert!(!err.contains("第 6 行:"), "line 6 is a duplicate:\n{err}");
    assert_eq!(before, dump("after.jsonl"));
}
