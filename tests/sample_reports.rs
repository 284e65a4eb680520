//! The shared sample must produce its expected reports exactly.

mod common;
use common::*;
use genban::domain::time::Period;
use genban::import::{import_file, ImportOptions};

fn check(ledger: &genban::ledger::Ledger, expected: &str, from: &str, to: &str, as_of: &str) {
    // The v3 file has every key the report prints; the older ones the first of them.
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(sample(name)).unwrap()).unwrap()
    };
    let v1 = read(expected);
    let v2 = read(&expected.replace(".json", ".v2.json"));
    let expected = expected.replace(".json", ".v3.json");
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
        "{expected}: the oldest file's keys differ"
    );
    assert!(
        contains(&got, &v2),
        "{expected}: the keys before figure 7 differ"
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

#[test]
fn the_dashboards_reports_in_one_parallel_pass_equal_each_report_alone() {
    let (_d, ledger) = ledger("2026-11-29");
    import_file(&ledger, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    let periods = genban::domain::dashboard::Dashboard::periods(date("2026-11-29"));
    let mut seen = 0;
    let all = ledger
        .reports(
            &periods,
            genban::ledger::Visit::Events(&mut |_, _| seen += 1),
        )
        .unwrap();
    assert_eq!(seen, ledger.ticket_count().unwrap());
    assert_eq!(all.len(), periods.len());
    let mut nonempty = 0;
    for ((p, a), got) in periods.iter().zip(&all) {
        let alone = ledger.report(*p, *a).unwrap();
        assert_eq!(got, &alone, "{p:?} as of {a}");
        nonempty += usize::from(alone.monthly_contact_rate.denominator > 0);
    }
    assert!(nonempty >= 2, "the sample spans months");
    // The v3 file for November, as the dashboard's last month holds it.
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sample("report-2026-11-29.v3.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(serde_json::to_value(&all[12]).unwrap(), want);
}

#[test]
fn two_builders_absorbed_give_the_report_of_one() {
    use genban::domain::figures::ReportBuilder;
    let (_d, ledger) = ledger("2026-11-29");
    import_file(&ledger, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    let nov = Period::month_of(date("2026-11-01"));
    let tz = ledger.tz();
    let (mut a, mut b) = (
        ReportBuilder::new(tz, nov, date("2026-11-29")),
        ReportBuilder::new(tz, nov, date("2026-11-29")),
    );
    let mut i = 0;
    ledger
        .for_each(&mut |id, evs| {
            if i % 2 == 0 {
                a.add(id, &evs);
            } else {
                b.add(id, &evs);
            }
            i += 1;
            Ok(())
        })
        .unwrap();
    a.absorb(b);
    assert_eq!(a.finish(), ledger.report(nov, date("2026-11-29")).unwrap());
}

#[test]
fn the_boards_one_pass_equals_the_dashboard_and_the_supervision_lists_apart() {
    let (_d, ledger) = ledger("2026-11-29");
    import_file(&ledger, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    let today = date("2026-11-29");
    let (d, s) = ledger.board(today).unwrap();
    let alone = ledger.dashboard(today).unwrap();
    assert_eq!(d.tally, alone.tally);
    for (a, b) in d.months.iter().zip(&alone.months) {
        assert_eq!((&a.now, &a.year_ago), (&b.now, &b.year_ago));
    }
    let sup = ledger.supervision(today).unwrap();
    assert_eq!(s.summons, sup.summons);
    assert_eq!(s.hotspots, sup.hotspots);
    assert_eq!(s.topics, sup.topics);
    assert!(!s.hotspots.is_empty());
}
