//! Figure 7, 吹哨满意率 (whistle satisfaction rate), at its boundaries on the real store: the
//! whistles of the period judged by the first revisit strictly after them, up to the as-of
//! cut-off; in the JSON report, `--explain`, the text report, the dashboard and the workbook.

mod common;
use common::*;
use genban::domain::figures::{FigureKind, Report};
use genban::domain::time::Period;
use genban::ledger::Ledger;

fn line(id: &str, rest: &str) -> String {
    format!(r#"{{"ticket":"{id}",{rest}}}"#)
}

/// A ticket received, dispatched, signed and resolved by 2026-10-20 (ready for a revisit).
fn resolved(id: &str) -> Vec<String> {
    vec![
        line(
            id,
            r#""type":"ticket","at":"2026-09-01T09:00:00+08:00","received_at":"2026-09-01T09:00:00+08:00","unit":"新金社区""#,
        ),
        line(
            id,
            r#""type":"dispatch","at":"2026-09-02T09:00:00+08:00","unit":"新金社区""#,
        ),
        line(
            id,
            r#""type":"sign","at":"2026-09-03T09:00:00+08:00","unit":"新金社区","deadline":"2027-03-01""#,
        ),
        line(id, r#""type":"resolve","at":"2026-10-20T09:00:00+08:00""#),
    ]
}

fn whistle(id: &str, at: &str) -> String {
    line(
        id,
        &format!(r#""type":"whistle","at":"{at}","departments":["区城管局"]"#),
    )
}

fn revisit(id: &str, at: &str, satisfaction: &str) -> String {
    let deadline = if satisfaction == "unsatisfied" {
        r#","deadline":"2027-01-31""#
    } else {
        ""
    };
    line(
        id,
        &format!(r#""type":"revisit","at":"{at}","satisfaction":"{satisfaction}"{deadline}"#),
    )
}

fn period(from: &str, to: &str) -> Period {
    Period {
        from: date(from),
        to: date(to),
    }
}

fn report(l: &Ledger, from: &str, to: &str, as_of: &str) -> Report {
    l.report(period(from, to), date(as_of)).unwrap()
}

fn fig7(r: &Report) -> (u64, u64) {
    let f = r.whistle_satisfaction_rate;
    (f.numerator, f.denominator)
}

fn loaded(lines: &[String]) -> (tempfile::TempDir, Ledger) {
    let (d, l) = ledger("2026-11-30");
    load(&l, lines);
    (d, l)
}

#[test]
fn a_revisit_at_the_whistles_instant_does_not_count() {
    let mut lines = Vec::new();
    // S1: the only revisit is at the whistle's instant (written in UTC, after it in the file).
    lines.extend(resolved("S1"));
    lines.push(whistle("S1", "2026-11-05T10:00:00+08:00"));
    lines.push(revisit("S1", "2026-11-05T02:00:00Z", "satisfied"));
    // S2: a satisfied revisit at the whistle's instant, before it in the file, then an
    // unsatisfied one a second later: the later one judges the whistle (a miss).
    lines.extend(resolved("S2"));
    lines.push(revisit("S2", "2026-11-06T10:00:00+08:00", "satisfied"));
    lines.push(whistle("S2", "2026-11-06T10:00:00+08:00"));
    lines.push(revisit("S2", "2026-11-06T10:00:01+08:00", "unsatisfied"));
    let (_d, l) = loaded(&lines);
    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    assert_eq!(fig7(&r), (0, 1));
    assert_eq!(r.whistle_satisfaction_rate.rate, Some(0.0));
    assert_eq!(r.counts.whistles_in_period, 2);
}

#[test]
fn a_revisit_after_the_as_of_cut_off_does_not_count() {
    let mut lines = Vec::new();
    // A1: revisited at the first instant after the end of Nov 29 (local).
    lines.extend(resolved("A1"));
    lines.push(whistle("A1", "2026-11-28T10:00:00+08:00"));
    lines.push(revisit("A1", "2026-11-29T16:00:00Z", "satisfied"));
    // A2: revisited at the last second of Nov 29: counts as of the 29th.
    lines.extend(resolved("A2"));
    lines.push(whistle("A2", "2026-11-28T11:00:00+08:00"));
    lines.push(revisit(
        "A2",
        "2026-11-29T23:59:59+08:00",
        "basically_satisfied",
    ));
    let (_d, l) = loaded(&lines);
    let on_29th = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    assert_eq!(fig7(&on_29th), (1, 1));
    assert_eq!(on_29th.whistle_satisfaction_rate.rate, Some(1.0));
    // Before either revisit the cohort is empty: the rate is null, not 0.
    let on_28th = report(&l, "2026-11-01", "2026-11-30", "2026-11-28");
    assert_eq!(fig7(&on_28th), (0, 0));
    assert_eq!(on_28th.whistle_satisfaction_rate.rate, None);
    assert_eq!(on_28th.counts.whistles_in_period, 2);
    let on_30th = report(&l, "2026-11-01", "2026-11-30", "2026-11-30");
    assert_eq!(fig7(&on_30th), (2, 2));
}

#[test]
fn two_whistles_before_one_revisit_both_count_it() {
    let mut lines = Vec::new();
    lines.extend(resolved("B1"));
    lines.push(whistle("B1", "2026-11-02T10:00:00+08:00"));
    lines.push(whistle("B1", "2026-11-03T10:00:00+08:00"));
    lines.push(revisit("B1", "2026-11-04T10:00:00+08:00", "satisfied"));
    // B2: two whistles, then an unsatisfied revisit: both are misses, whatever follows.
    lines.extend(resolved("B2"));
    lines.push(whistle("B2", "2026-11-02T10:00:00+08:00"));
    lines.push(whistle("B2", "2026-11-03T10:00:00+08:00"));
    lines.push(revisit("B2", "2026-11-04T10:00:00+08:00", "unsatisfied"));
    lines.push(line(
        "B2",
        r#""type":"resolve","at":"2026-11-10T10:00:00+08:00""#,
    ));
    lines.push(revisit("B2", "2026-11-11T10:00:00+08:00", "satisfied"));
    let (_d, l) = loaded(&lines);
    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    assert_eq!(fig7(&r), (2, 4));
    assert_eq!(r.whistle_satisfaction_rate.rate, Some(0.5));
    assert_eq!(r.counts.whistles_in_period, 4);
}

#[test]
fn the_whistles_local_date_places_it_and_the_revisit_may_come_later() {
    let mut lines = Vec::new();
    // P1: whistled on Oct 31 local, revisited in November: it counts for October.
    lines.extend(resolved("P1"));
    lines.push(whistle("P1", "2026-10-31T23:30:00+08:00"));
    lines.push(revisit("P1", "2026-11-03T10:00:00+08:00", "satisfied"));
    // P2: whistled at 00:30 local on Nov 1, written in UTC on Oct 31: it counts for November.
    lines.extend(resolved("P2"));
    lines.push(whistle("P2", "2026-10-31T16:30:00Z"));
    lines.push(revisit("P2", "2026-11-03T10:00:00+08:00", "unsatisfied"));
    let (_d, l) = loaded(&lines);
    let oct = report(&l, "2026-10-01", "2026-10-31", "2026-11-29");
    assert_eq!(fig7(&oct), (1, 1));
    // As of Oct 31 the revisit has not happened: October's whistle is not judged yet.
    let oct_then = report(&l, "2026-10-01", "2026-10-31", "2026-10-31");
    assert_eq!(fig7(&oct_then), (0, 0));
    let nov = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    assert_eq!(fig7(&nov), (0, 1));
}

#[test]
fn a_voided_revisit_or_whistle_counts_nowhere() {
    let mut lines = Vec::new();
    // V1: the satisfied revisit was recorded by mistake and voided; the unsatisfied one judges.
    lines.extend(resolved("V1"));
    lines.push(whistle("V1", "2026-11-02T10:00:00+08:00"));
    lines.push(revisit("V1", "2026-11-03T10:00:00+08:00", "satisfied"));
    lines.push(line(
        "V1",
        r#""type":"void","at":"2026-11-03T11:00:00+08:00","target":{"type":"revisit","at":"2026-11-03T10:00:00+08:00"},"reason":"录错工单""#,
    ));
    lines.push(revisit("V1", "2026-11-04T10:00:00+08:00", "unsatisfied"));
    // V2: the whistle itself was voided: no whistle, no cohort.
    lines.extend(resolved("V2"));
    lines.push(whistle("V2", "2026-11-02T10:00:00+08:00"));
    lines.push(line(
        "V2",
        r#""type":"void","at":"2026-11-02T11:00:00+08:00","target":{"type":"whistle","at":"2026-11-02T10:00:00+08:00"},"reason":"误操作""#,
    ));
    lines.push(revisit("V2", "2026-11-04T10:00:00+08:00", "satisfied"));
    let (_d, l) = loaded(&lines);
    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    assert_eq!(fig7(&r), (0, 1));
    assert_eq!(r.counts.whistles_in_period, 1);
}

#[test]
fn figure_7_is_street_wide_and_follows_the_whistle_resolution_rate() {
    let mut lines = resolved("K1");
    lines.push(whistle("K1", "2026-11-02T10:00:00+08:00"));
    lines.push(revisit("K1", "2026-11-04T10:00:00+08:00", "satisfied"));
    let (_d, l) = loaded(&lines);
    let r = report(&l, "2026-11-01", "2026-11-30", "2026-11-29");
    let v = serde_json::to_value(&r).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    let at = |k: &str| keys.iter().position(|x| *x == k).unwrap();
    assert_eq!(
        at("whistle_satisfaction_rate"),
        at("whistle_resolution_rate") + 1
    );
    assert_eq!(
        v["whistle_satisfaction_rate"],
        serde_json::json!({"numerator": 1, "denominator": 1, "rate": 1.0})
    );
    let unit = &v["by_unit"][0];
    assert_eq!(unit["unit"], "新金社区");
    assert!(unit.get("whistle_satisfaction_rate").is_none(), "{unit}");
    assert_eq!(
        FigureKind::WhistleSatisfactionRate.of(&r),
        &r.whistle_satisfaction_rate
    );
    assert!(FigureKind::WhistleSatisfactionRate
        .of_unit(&r.by_unit[0])
        .is_none());
}

#[test]
fn explain_lists_each_whistle_misses_first() {
    let mut lines = Vec::new();
    for (id, s) in [("E1", "satisfied"), ("E2", "unsatisfied")] {
        lines.extend(resolved(id));
        lines.push(whistle(id, "2026-11-02T10:00:00+08:00"));
        lines.push(whistle(id, "2026-11-03T10:00:00+08:00"));
        lines.push(revisit(id, "2026-11-04T10:00:00+08:00", s));
    }
    let (_d, l) = loaded(&lines);
    assert_eq!(
        FigureKind::parse("whistle_satisfaction"),
        Some(FigureKind::WhistleSatisfactionRate)
    );
    assert_eq!(
        FigureKind::parse("whistle_satisfaction_rate"),
        Some(FigureKind::WhistleSatisfactionRate)
    );
    let (r, cohort) = l
        .explain(
            period("2026-11-01", "2026-11-30"),
            date("2026-11-29"),
            FigureKind::WhistleSatisfactionRate,
        )
        .unwrap();
    assert_eq!(fig7(&r), (2, 4));
    let got: Vec<(&str, bool)> = cohort.iter().map(|c| (c.ticket.as_str(), c.hit)).collect();
    assert_eq!(
        got,
        [("E2", false), ("E2", false), ("E1", true), ("E1", true)]
    );
    let text = genban::output::report::explain_text(
        &r,
        FigureKind::WhistleSatisfactionRate,
        &cohort,
        genban::i18n::Lang::Zh,
    );
    assert!(
        text.contains("吹哨满意率") && text.contains("50.00%"),
        "{text}"
    );
}

#[test]
fn the_binary_shows_figure_7_in_text_json_explain_dashboard_and_workbook() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let log = d.path().join("log.jsonl");
    let mut lines = resolved("C1");
    lines.push(whistle("C1", "2026-11-02T10:00:00+08:00"));
    lines.push(revisit(
        "C1",
        "2026-11-04T10:00:00+08:00",
        "basically_satisfied",
    ));
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    ok(&genban(&db, &["import", log.to_str().unwrap()]));
    let month = ["--month", "2026-11"];
    // Text: right after the whistle resolution rate.
    let text = ok(&genban(&db, &[&["report"][..], &month].concat()));
    let rows: Vec<&str> = text.lines().collect();
    let res = rows.iter().position(|l| l.contains("吹哨解决率")).unwrap();
    assert!(rows[res + 1].contains("吹哨满意率"), "{text}");
    assert!(rows[res + 1].contains("100.00%") && rows[res + 1].contains("(1 / 1)"));
    let en = ok(&genban(
        &db,
        &[&["--lang", "en", "report"][..], &month].concat(),
    ));
    assert!(en.contains("Whistle satisfaction"), "{en}");
    let json: serde_json::Value = serde_json::from_str(&ok(&genban(
        &db,
        &[&["report", "--format", "json"][..], &month].concat(),
    )))
    .unwrap();
    assert_eq!(json["whistle_satisfaction_rate"]["rate"], 1.0);
    let x: serde_json::Value = serde_json::from_str(&ok(&genban(
        &db,
        &[
            &[
                "report",
                "--explain",
                "whistle_satisfaction",
                "--format",
                "json",
            ][..],
            &month,
        ]
        .concat(),
    )))
    .unwrap();
    assert_eq!(x["cohort"].as_array().unwrap().len(), 1, "{x}");
    let explained = ok(&genban(
        &db,
        &[&["report", "--explain", "whistle_satisfaction"][..], &month].concat(),
    ));
    assert!(explained.contains("吹哨满意率"), "{explained}");
    // The dashboard (as of 2026-11-29): beside the other whistle figures.
    let dash = ok(&genban(&db, &["dashboard"]));
    let wline = dash.lines().find(|l| l.contains("本月吹哨")).unwrap();
    assert!(wline.ends_with("满意 100.00% (1/1)"), "{dash}");
    // The workbook's summary, right after the whistle resolution rate.
    let xlsx = d.path().join("r.xlsx");
    ok(&genban(
        &db,
        &[
            &["report", "--format", "xlsx", "-o", xlsx.to_str().unwrap()][..],
            &month,
        ]
        .concat(),
    ));
    use calamine::{Data, Reader};
    let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
    let sum = wb.worksheet_range("汇总").unwrap();
    let names: Vec<String> = sum.rows().map(|r| r[0].to_string()).collect();
    let i = names.iter().position(|n| n == "吹哨解决率").unwrap();
    assert_eq!(names[i + 1], "吹哨满意率");
    let row = sum.rows().nth(i + 1).unwrap();
    assert_eq!(row[1], Data::Float(1.0));
    assert_eq!((&row[2], &row[3]), (&Data::Float(1.0), &Data::Float(1.0)));
}
