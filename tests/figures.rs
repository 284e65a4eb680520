//! Each figure of DOMAIN.md on small hand-made cases, on the real store: month boundaries at
//! 23:30+08:00, events written in UTC, empty cohorts, the by-unit rules.

mod common;
use common::*;
use genban::domain::figures::Report;
use genban::domain::time::Period;
use genban::ledger::{Ledger, Pane};

/// A ticket received, dispatched to `unit` and signed at `sign_at` with `deadline`.
fn signed(id: &str, unit: &str, sign_at: &str, deadline: &str) -> Vec<String> {
    vec![
        format!(
            r#"{{"ticket":"{id}","type":"ticket","at":"2026-09-01T09:00:00+08:00","received_at":"2026-09-01T09:00:00+08:00","unit":"{unit}"}}"#
        ),
        format!(
            r#"{{"ticket":"{id}","type":"dispatch","at":"2026-09-02T09:00:00+08:00","unit":"{unit}"}}"#
        ),
        format!(
            r#"{{"ticket":"{id}","type":"sign","at":"{sign_at}","unit":"{unit}","deadline":"{deadline}"}}"#
        ),
    ]
}

fn line(id: &str, rest: &str) -> String {
    format!(r#"{{"ticket":"{id}",{rest}}}"#)
}

fn report(l: &Ledger, from: &str, to: &str, as_of: &str) -> Report {
    l.report(
        Period {
            from: date(from),
            to: date(to),
        },
        date(as_of),
    )
    .unwrap()
}

#[test]
fn monthly_contact_rate_at_the_month_boundary() {
    let (_d, l) = ledger("2026-11-29");
    let mut lines = Vec::new();
    // Signed 23:30 local on Oct 31, written in +09:00 on Nov 1: due in November.
    lines.extend(signed(
        "A",
        "新金社区",
        "2026-11-01T00:30:00+09:00",
        "2027-03-01",
    ));
    // Signed 00:30 local on Nov 1, written in UTC on Oct 31: not due in November.
    lines.extend(signed(
        "B",
        "新金社区",
        "2026-10-31T16:30:00Z",
        "2027-03-01",
    ));
    // Signed exactly at the first instant of November: not due (state strictly before it).
    lines.extend(signed(
        "C",
        "同心社区",
        "2026-11-01T00:00:00+08:00",
        "2027-03-01",
    ));
    // Due, and reached at 00:10 local on Nov 1 written in UTC: counts for November.
    lines.extend(signed(
        "D",
        "同心社区",
        "2026-10-10T09:00:00+08:00",
        "2027-03-01",
    ));
    lines.push(line(
        "D",
        r#""type":"contact","at":"2026-10-31T16:10:00Z","channel":"phone","outcome":"reached""#,
    ));
    // Due, reached at 23:30 local on Oct 31 written in +09:00: counts for October, not November.
    lines.extend(signed(
        "E",
        "同心社区",
        "2026-10-10T09:00:00+08:00",
        "2027-03-01",
    ));
    lines.push(line("E", r#""type":"contact","at":"2026-11-01T00:30:00+09:00","channel":"phone","outcome":"reached""#));
    // Due, only an unreached contact in November.
    lines.extend(signed(
        "F",
        "同心社区",
        "2026-10-10T09:00:00+08:00",
        "2027-03-01",
    ));
    lines.push(line("F", r#""type":"contact","at":"2026-11-05T10:00:00+08:00","channel":"phone","outcome":"unreached""#));
    // Due, resolved in November with no contact: lowers the rate but is not awaiting contact.
    lines.extend(signed(
        "G",
        "同心社区",
        "2026-10-10T09:00:00+08:00",
        "2027-03-01",
    ));
    lines.push(line(
        "G",
        r#""type":"resolve","at":"2026-11-03T10:00:00+08:00""#,
    ));
    // Due, reached on Nov 30: after the as-of date of the 29th, so not counted then.
    lines.extend(signed(
        "H",
        "同心社区",
        "2026-10-10T09:00:00+08:00",
        "2027-03-01",
    ));
    lines.push(line("H", r#""type":"contact","at":"2026-11-30T10:00:00+08:00","channel":"visit","outcome":"reached""#));
    load(&l, &lines);

    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    // Due: A D E F G H = 6; met: D only.
    assert_eq!(
        (
            r.monthly_contact_rate.numerator,
            r.monthly_contact_rate.denominator
        ),
        (1, 6)
    );
    assert_eq!(r.monthly_contact_rate.rate, Some(0.1667));
    // Awaiting contact on the 29th: A E F H (G is resolved, B C not due, D met).
    assert_eq!(r.counts.awaiting_contact, 4);
    let pane: Vec<String> = l
        .pane(Pane::AwaitingContact, date("2026-11-29"))
        .unwrap()
        .iter()
        .map(|r| r.ticket().id.clone())
        .collect();
    let mut sorted = pane.clone();
    sorted.sort();
    assert_eq!(sorted, ["A", "E", "F", "H"]);
    // As of the 30th, H is met.
    let r30 = report(&l, "2026-11-01", "2026-11-30", "2026-11-30");
    assert_eq!(r30.monthly_contact_rate.numerator, 2);
    // October: A is not yet signed before Oct 1; D E F G H are not either (signed Oct 10).
    let oct = report(&l, "2026-10-01", "2026-10-31", "2026-10-31");
    assert_eq!(oct.monthly_contact_rate.denominator, 0);
    assert_eq!(oct.monthly_contact_rate.rate, None);
}

#[test]
fn on_time_resolution_uses_local_dates_and_the_latest_deadline() {
    let (_d, l) = ledger("2026-11-29");
    let mut lines = Vec::new();
    // Resolved 23:30 local on the deadline: on time.
    lines.extend(signed(
        "A",
        "新金社区",
        "2026-10-01T09:00:00+08:00",
        "2026-11-10",
    ));
    lines.push(line(
        "A",
        r#""type":"resolve","at":"2026-11-10T23:30:00+08:00""#,
    ));
    // Resolved 00:30 local the day after, written in UTC on the deadline: late.
    lines.extend(signed(
        "B",
        "新金社区",
        "2026-10-01T09:00:00+08:00",
        "2026-11-10",
    ));
    lines.push(line("B", r#""type":"resolve","at":"2026-11-10T16:30:00Z""#));
    // Extended to an earlier date: that one counts, and it is overdue.
    lines.extend(signed(
        "C",
        "同心社区",
        "2026-10-01T09:00:00+08:00",
        "2026-12-31",
    ));
    lines.push(line(
        "C",
        r#""type":"extend","at":"2026-10-20T09:00:00+08:00","deadline":"2026-11-20","reason":"r""#,
    ));
    // Deadline equal to the as-of date: not overdue, not in the cohort.
    lines.extend(signed(
        "D",
        "同心社区",
        "2026-10-01T09:00:00+08:00",
        "2026-11-29",
    ));
    // Deadline next month: outside the period.
    lines.extend(signed(
        "E",
        "同心社区",
        "2026-10-01T09:00:00+08:00",
        "2026-12-05",
    ));
    load(&l, &lines);
    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    assert_eq!(
        (
            r.on_time_resolution_rate.numerator,
            r.on_time_resolution_rate.denominator
        ),
        (1, 3)
    );
    assert_eq!(r.counts.overdue, 1);
    assert_eq!(r.counts.resolved_in_period, 2);
    assert_eq!(r.counts.extensions_in_period, 0);
    let overdue = l.pane(Pane::Overdue, date("2026-11-29")).unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].ticket().id, "C");
    // As of the deadline day of A and B (Nov 10), B's resolve (Nov 11 local) is not yet known:
    // B's deadline is not before A = Nov 10, so B is not in the cohort.
    let r10 = report(&l, "2026-11-01", "2026-11-30", "2026-11-10");
    assert_eq!(
        (
            r10.on_time_resolution_rate.numerator,
            r10.on_time_resolution_rate.denominator
        ),
        (1, 1)
    );
}

#[test]
fn signing_accuracy_counts_for_the_first_unit() {
    let (_d, l) = ledger("2026-11-29");
    let t = |id: &str| {
        line(
            id,
            r#""type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"新金社区""#,
        )
    };
    let lines = vec![
        // Signed by the first unit: accurate.
        t("A"),
        line(
            "A",
            r#""type":"dispatch","at":"2026-10-31T23:45:00+08:00","unit":"新金社区""#,
        ),
        line(
            "A",
            r#""type":"sign","at":"2026-11-01T09:00:00+08:00","unit":"新金社区","deadline":"2026-12-01""#,
        ),
        // Re-routed before the unit answered, then signed by the second: not accurate, and for 新金社区.
        t("B"),
        line(
            "B",
            r#""type":"dispatch","at":"2026-10-20T09:00:00+08:00","unit":"新金社区""#,
        ),
        line(
            "B",
            r#""type":"dispatch","at":"2026-10-21T09:00:00+08:00","unit":"同心社区""#,
        ),
        line(
            "B",
            r#""type":"sign","at":"2026-10-22T09:00:00+08:00","unit":"同心社区","deadline":"2026-12-01""#,
        ),
        // Returned first: not accurate.
        t("C"),
        line(
            "C",
            r#""type":"dispatch","at":"2026-10-20T09:00:00+08:00","unit":"新金社区""#,
        ),
        line(
            "C",
            r#""type":"return","at":"2026-10-21T09:00:00+08:00","unit":"新金社区","reason":"r""#,
        ),
        // Not answered yet: outside the cohort.
        t("D"),
        line(
            "D",
            r#""type":"dispatch","at":"2026-10-25T09:00:00+08:00","unit":"同心社区""#,
        ),
    ];
    load(&l, &lines);
    let oct = report(&l, "2026-10-01", "2026-10-31", "2026-11-29");
    assert_eq!(
        (
            oct.signing_accuracy.numerator,
            oct.signing_accuracy.denominator
        ),
        (1, 3)
    );
    assert_eq!(oct.counts.dispatched_in_period, 4);
    let units: Vec<(&str, u64, u64)> = oct
        .by_unit
        .iter()
        .map(|u| {
            (
                u.unit.as_str(),
                u.signing_accuracy.numerator,
                u.signing_accuracy.denominator,
            )
        })
        .collect();
    // Code point order: 同 (U+540C) before 新 (U+65B0). B counts for 新金社区 in accuracy but
    // for 同心社区 (its latest dispatch) in counts.
    assert_eq!(units, [("同心社区", 0, 0), ("新金社区", 1, 3)]);
    let tongxin = &oct.by_unit[0];
    assert_eq!(tongxin.counts.in_progress, 1);
    assert_eq!(tongxin.counts.awaiting_sign, 1);
    assert_eq!(tongxin.signing_accuracy.rate, None);
    // As of Oct 31, A's sign (Nov 1) is not known yet.
    let early = report(&l, "2026-10-01", "2026-10-31", "2026-10-31");
    assert_eq!(early.signing_accuracy.denominator, 2);
    assert_eq!(early.counts.returned, 1);
}

#[test]
fn repeat_complaints_compare_normalised_phones_within_ninety_local_days() {
    let (_d, l) = ledger("2026-11-29");
    let rec = |id: &str, at: &str, phone: &str, cat: &str, addr: &str| {
        line(
            id,
            &format!(
                r#""type":"ticket","at":"{at}","received_at":"{at}","unit":"u","phone":"{phone}","category":"{cat}","address":"{addr}""#
            ),
        )
    };
    let lines = vec![
        rec(
            "A",
            "2026-08-15T10:00:00+08:00",
            "138 0000 1111",
            "路灯照明",
            "甲小区",
        ),
        // 90 local days later, same phone written another way, same category: a repeat.
        rec(
            "B",
            "2026-11-13T10:00:00+08:00",
            "+86 13800001111",
            "路灯照明",
            "乙小区",
        ),
        // Same address in another category, full-width digits: a repeat of B.
        rec(
            "C",
            "2026-11-20T10:00:00+08:00",
            "１３８００００１１１１",
            "物业管理",
            " 乙小区\u{3000}",
        ),
        // Same phone, neither category nor address: not a repeat.
        rec(
            "D",
            "2026-11-21T10:00:00+08:00",
            "13800001111",
            "噪音扰民",
            "丙小区",
        ),
        // 91 local days after A but only 90 UTC days: not a repeat of A (received 00:30 local on Nov 14).
        rec("E", "2026-11-13T16:30:00Z", "13900002222", "供水", "丁"),
        rec(
            "F",
            "2026-08-15T10:00:00+08:00",
            "13900002222",
            "供水",
            "戊",
        ),
    ];
    load(&l, &lines);
    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    assert_eq!(
        (
            r.repeat_complaint_rate.numerator,
            r.repeat_complaint_rate.denominator
        ),
        (2, 4)
    );
    assert_eq!(r.repeat_complaint_rate.rate, Some(0.5));
    // Records that were never dispatched count in no state and list no unit.
    assert!(r.by_unit.is_empty());
}

#[test]
fn rates_are_null_for_empty_cohorts() {
    let (_d, l) = ledger("2026-11-29");
    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    let v = serde_json::to_value(&r).unwrap();
    for k in [
        "signing_accuracy",
        "monthly_contact_rate",
        "on_time_resolution_rate",
        "repeat_complaint_rate",
        "revisit_satisfaction_rate",
        "whistle_response_rate",
        "whistle_resolution_rate",
        "whistle_satisfaction_rate",
    ] {
        assert!(v[k]["rate"].is_null(), "{k}");
    }
    assert_eq!(v["by_unit"], serde_json::json!([]));
}

#[test]
fn whistle_figures_at_their_boundaries() {
    let (_d, l) = ledger("2026-11-29");
    let mut lines = Vec::new();
    for id in ["W1", "W2", "W3"] {
        lines.push(line(
            id,
            r#""type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"新金社区""#,
        ));
    }
    // W1: two departments (one named twice) at 10:00 on Nov 2. A answers exactly 24 h later
    // (in time) and resolves; B answers one second past 24 h (responded, not in time).
    lines.push(line("W1", r#""type":"whistle","at":"2026-11-02T10:00:00+08:00","departments":["区城管局"," 区住建局","区城管局"]"#));
    lines.push(line("W1", r#""type":"whistle_response","at":"2026-11-03T10:00:00+08:00","department":"区城管局","resolved":true"#));
    lines.push(line(
        "W1",
        r#""type":"whistle_response","at":"2026-11-03T10:00:01+08:00","department":"区住建局""#,
    ));
    // W2: summoned twice; the answer exactly at the second whistle counts for the first only.
    lines.push(line(
        "W2",
        r#""type":"whistle","at":"2026-11-05T10:00:00+08:00","departments":["区水务局"]"#,
    ));
    lines.push(line(
        "W2",
        r#""type":"whistle","at":"2026-11-05T12:00:00+08:00","departments":["区水务局"]"#,
    ));
    lines.push(line(
        "W2",
        r#""type":"whistle_response","at":"2026-11-05T12:00:00+08:00","department":"区水务局""#,
    ));
    // W3: a whistle in October does not count for November; one after the as-of date neither.
    lines.push(line(
        "W3",
        r#""type":"whistle","at":"2026-10-30T10:00:00+08:00","departments":["区水务局"]"#,
    ));
    lines.push(line(
        "W3",
        r#""type":"whistle","at":"2026-11-29T23:59:59+08:00","departments":["区交通局"]"#,
    ));
    lines.push(line(
        "W3",
        r#""type":"whistle","at":"2026-11-30T00:00:00+08:00","departments":["区交通局"]"#,
    ));
    load(&l, &lines);
    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    // Summons: W1 two, W2 two, W3 one (the 23:59:59 one).
    assert_eq!(r.counts.whistles_in_period, 4);
    assert_eq!(
        (
            r.whistle_response_rate.numerator,
            r.whistle_response_rate.denominator
        ),
        (2, 5)
    );
    assert_eq!(
        (
            r.whistle_resolution_rate.numerator,
            r.whistle_resolution_rate.denominator
        ),
        (1, 5)
    );
    assert_eq!(r.whistle_resolution_rate.rate, Some(0.2));
}

#[test]
fn revisit_satisfaction_is_decided_by_the_latest_revisit_in_the_period() {
    let (_d, l) = ledger("2026-11-29");
    let mut lines = Vec::new();
    for (id, unit) in [("V1", "新金社区"), ("V2", "同心社区")] {
        lines.extend(signed(id, unit, "2026-09-03T09:00:00+08:00", "2027-03-01"));
        lines.push(line(
            id,
            r#""type":"resolve","at":"2026-10-20T09:00:00+08:00""#,
        ));
    }
    // V1: unsatisfied, reopened by it, resolved again, then satisfied: the latest decides.
    lines.push(line("V1", r#""type":"revisit","at":"2026-11-02T09:00:00+08:00","satisfaction":"unsatisfied","deadline":"2026-12-31""#));
    lines.push(line(
        "V1",
        r#""type":"resolve","at":"2026-11-10T09:00:00+08:00""#,
    ));
    lines.push(line(
        "V1",
        r#""type":"revisit","at":"2026-11-12T09:00:00+08:00","satisfaction":"basically_satisfied""#,
    ));
    // V2: satisfied in October, unsatisfied in November: November's decides November.
    lines.push(line(
        "V2",
        r#""type":"revisit","at":"2026-10-25T09:00:00+08:00","satisfaction":"satisfied""#,
    ));
    lines.push(line("V2", r#""type":"reopen","at":"2026-10-26T09:00:00+08:00","deadline":"2026-12-31","reason":"复发""#));
    lines.push(line(
        "V2",
        r#""type":"resolve","at":"2026-11-03T09:00:00+08:00""#,
    ));
    lines.push(line("V2", r#""type":"revisit","at":"2026-11-04T09:00:00+08:00","satisfaction":"unsatisfied","deadline":"2026-12-31""#));
    load(&l, &lines);
    let nov = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    assert_eq!(
        (
            nov.revisit_satisfaction_rate.numerator,
            nov.revisit_satisfaction_rate.denominator
        ),
        (1, 2)
    );
    let unit = |u: &str| {
        nov.by_unit
            .iter()
            .find(|x| x.unit == u)
            .unwrap()
            .revisit_satisfaction_rate
    };
    assert_eq!(unit("新金社区").rate, Some(1.0));
    assert_eq!(unit("同心社区").rate, Some(0.0));
    // As of Nov 11 the V1 revisit of the 12th is not counted yet: its unsatisfied one decides.
    let early = report(&l, "2026-11-01", "2026-11-30", "2026-11-11");
    assert_eq!(early.revisit_satisfaction_rate.numerator, 0);
    let oct = report(&l, "2026-10-01", "2026-10-31", "2026-10-31");
    assert_eq!(oct.revisit_satisfaction_rate.rate, Some(1.0));
}
