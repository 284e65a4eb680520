//! The clear-to-zero look-back, rule by rule, on hand-made histories in the real store.

mod common;
use common::*;
use genban::domain::review::{Review, RULES};
use genban::domain::time::Period;

fn open_ticket(id: &str, phone: &str, deadline: &str) -> Vec<String> {
    vec![
        format!(
            r#"{{"ticket":"{id}","type":"ticket","at":"2026-09-01T09:00:00+08:00","received_at":"2026-09-01T09:00:00+08:00","unit":"新金社区","phone":"{phone}","category":"路灯照明"}}"#
        ),
        format!(
            r#"{{"ticket":"{id}","type":"dispatch","at":"2026-09-02T09:00:00+08:00","unit":"新金社区"}}"#
        ),
        format!(
            r#"{{"ticket":"{id}","type":"sign","at":"2026-09-03T09:00:00+08:00","unit":"新金社区","deadline":"{deadline}"}}"#
        ),
    ]
}

fn contact(id: &str, at: &str, extra: &str) -> String {
    format!(
        r#"{{"ticket":"{id}","type":"contact","at":"{at}","channel":"phone","outcome":"reached"{extra}}}"#
    )
}

fn ids(r: &Review, rule: &str) -> Vec<String> {
    r.rules[rule].iter().map(|f| f.ticket.clone()).collect()
}

#[test]
fn each_rule_flags_what_domain_md_says() {
    let (_d, l) = ledger("2026-11-29");
    let mut lines = Vec::new();
    // A: a contact entered four days after it happened; one at 07:59:59; one at 21:00:00.
    lines.extend(open_ticket("A", "13800000001", "2027-03-01"));
    lines.push(contact(
        "A",
        "2026-11-03T10:00:00+08:00",
        r#","recorded_at":"2026-11-07T10:00:01+08:00""#,
    ));
    lines.push(contact("A", "2026-11-04T07:59:59+08:00", ""));
    lines.push(contact("A", "2026-11-04T13:00:00Z", "")); // 21:00:00 local
                                                          // B: 20:59:59 local and exactly 72 hours late: not flagged.
    lines.extend(open_ticket("B", "13800000002", "2027-03-01"));
    lines.push(contact(
        "B",
        "2026-11-04T20:59:59+08:00",
        r#","recorded_at":"2026-11-07T20:59:59+08:00""#,
    ));
    // C..G: five contacts by one operator recorded within 120 seconds.
    for (i, id) in ["C", "D", "E", "F", "G"].iter().enumerate() {
        lines.extend(open_ticket(id, &format!("1390000000{i}"), "2027-03-01"));
        lines.push(contact(
            id,
            "2026-11-10T10:00:00+08:00",
            &format!(
                r#","operator":"王雨婷","recorded_at":"2026-11-10T10:0{}:00+08:00""#,
                i / 2
            ),
        ));
    }
    // H: resolved after its deadline in November; I: open past its deadline.
    lines.extend(open_ticket("H", "13700000001", "2026-11-05"));
    lines.push(r#"{"ticket":"H","type":"resolve","at":"2026-11-06T10:00:00+08:00"}"#.into());
    lines.extend(open_ticket("I", "13700000002", "2026-11-20"));
    // J: extended twice; K: reopened in the period.
    lines.extend(open_ticket("J", "13700000003", "2026-12-01"));
    lines.push(r#"{"ticket":"J","type":"extend","at":"2026-10-01T10:00:00+08:00","deadline":"2026-12-15","reason":"r"}"#.into());
    lines.push(r#"{"ticket":"J","type":"extend","at":"2026-11-02T10:00:00+08:00","deadline":"2027-01-15","reason":"r"}"#.into());
    lines.extend(open_ticket("K", "13700000004", "2026-10-20"));
    lines.push(r#"{"ticket":"K","type":"resolve","at":"2026-10-10T10:00:00+08:00"}"#.into());
    lines.push(r#"{"ticket":"K","type":"revisit","at":"2026-11-12T10:00:00+08:00","satisfaction":"unsatisfied","deadline":"2027-01-31"}"#.into());
    // L: a reached contact, then the same citizen complains again about the same thing (M).
    lines.extend(open_ticket("L", "13600000001", "2027-03-01"));
    lines.push(contact("L", "2026-11-02T10:00:00+08:00", ""));
    lines.push(r#"{"ticket":"M","type":"ticket","at":"2026-11-15T09:00:00+08:00","received_at":"2026-11-15T09:00:00+08:00","unit":"新金社区","phone":"+86 136 0000 0001","category":"路灯照明"}"#.into());
    load(&l, &lines);

    let r = l
        .review(
            Period::parse_month("2026-11").unwrap(),
            date("2026-11-29"),
            Default::default(),
        )
        .unwrap();
    assert_eq!(ids(&r, "late_recorded_contact"), ["A"]);
    assert_eq!(ids(&r, "contact_outside_hours"), ["A"]);
    assert_eq!(ids(&r, "bulk_recorded_contacts"), ["C", "D", "E", "F", "G"]);
    assert_eq!(ids(&r, "late_resolution"), ["H"]);
    assert_eq!(ids(&r, "open_past_deadline"), ["I"]);
    assert_eq!(ids(&r, "extended_more_than_once"), ["J"]);
    assert_eq!(ids(&r, "reopened"), ["K"]);
    assert_eq!(ids(&r, "repeat_complaint"), ["M"]);
    assert_eq!(ids(&r, "contact_then_repeat"), ["L"]);
    let v = serde_json::to_value(&r).unwrap();
    for rule in RULES {
        assert!(v["rules"][rule].is_array(), "{rule}");
    }
    // As of Nov 10, I is not yet overdue; the bulk entry already shows.
    let early = l
        .review(
            Period::parse_month("2026-11").unwrap(),
            date("2026-11-10"),
            Default::default(),
        )
        .unwrap();
    assert!(ids(&early, "open_past_deadline").is_empty());
    assert!(ids(&early, "bulk_recorded_contacts").len() == 5);
}
