//! 居民议事 (the `meeting` event, issue 14 item 9): refused before the ticket has a record and
//! with a blank decision or no participant (the store unchanged), accepted otherwise and shown
//! in the timeline, counted on the dashboard for this month only, searchable by its decision,
//! voidable like a note, and carried through export and import.

mod common;
use common::*;
use genban::domain::event::{Event, EventKind};
use std::path::{Path, PathBuf};

/// A store with two tickets, Z1 dispatched and signed, Z2 only on record (not dispatched).
fn store(d: &Path) -> PathBuf {
    std::fs::create_dir_all(d).unwrap();
    let db = d.join("db");
    let csv = d.join("t.csv");
    std::fs::write(
        &csv,
        "工单编号,受理时间,派发时间,承办单位,满意度,是否合理诉求,诉求标题\n\
         Z1,2026-10-01 09:00,2026-10-01 10:00,新金社区,不满意,是,楼道无照明\n\
         Z2,2026-10-02 09:00,,东门社区,满意,否,小区停车难\n",
    )
    .unwrap();
    ok(&genban(&db, &["import", csv.to_str().unwrap()]));
    ok(&genban(
        &db,
        &[
            "sign",
            "Z1",
            "--deadline",
            "2026-12-31",
            "--at",
            "2026-10-02 10:00",
        ],
    ));
    db
}

fn export(db: &Path) -> String {
    let out = db.with_extension("dump.jsonl");
    ok(&genban(
        db,
        &["export", "--format", "jsonl", "-o", out.to_str().unwrap()],
    ));
    std::fs::read_to_string(out).unwrap()
}

fn meeting(db: &Path, id: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["meeting", id];
    args.extend_from_slice(extra);
    genban(db, &args)
}

#[test]
fn a_meeting_is_refused_before_the_ticket_has_a_record_or_without_a_decision_or_participant() {
    let d = tempfile::tempdir().unwrap();
    let db = store(d.path());
    let before = export(&db);
    let good = [
        "--participant",
        "居民代表",
        "--decision",
        "加装楼道灯",
        "--at",
        "2026-11-20 19:30",
    ];
    // No record of the ticket: refused with the rule's reason.
    let e = err(&meeting(&db, "NOPE", &good));
    assert!(e.contains("没有该工单的记录"), "{e}");
    // A blank decision, a blank participant, none at all, a date without a time of day.
    let cases: [(&[&str], &str); 5] = [
        (
            &["--participant", "居民代表", "--decision", " \u{3000} "],
            "--decision",
        ),
        (
            &["--participant", " ", "--decision", "加装楼道灯"],
            "--participant",
        ),
        (
            &[
                "--participant",
                "居民代表",
                "--participant",
                "",
                "--decision",
                "x",
            ],
            "--participant",
        ),
        (&["--decision", "加装楼道灯"], "--participant"),
        (
            &[
                "--participant",
                "居民代表",
                "--decision",
                "加装楼道灯",
                "--at",
                "2026-11-20",
            ],
            "2026-11-20 09:30",
        ),
    ];
    for (args, want) in cases {
        let o = meeting(&db, "Z1", args);
        let e = err(&o);
        assert!(e.contains(want), "{args:?}: {e}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    // Control characters in a participant are refused too, and never echoed raw.
    let e = err(&meeting(
        &db,
        "Z1",
        &["--participant", "\u{1b}[31m红", "--decision", "x"],
    ));
    assert!(e.contains("--participant") && !e.contains('\u{1b}'), "{e}");
    assert_eq!(before, export(&db), "a refused meeting changed the store");
}

#[test]
fn a_meeting_is_recorded_on_any_ticket_with_a_record_and_shown_in_its_timeline() {
    let d = tempfile::tempdir().unwrap();
    let db = store(d.path());
    let o = meeting(
        &db,
        "Z1",
        &[
            "--participant",
            " 居民代表 ",
            "--participant",
            "物业公司",
            "--participant",
            "居民代表",
            "--decision",
            "加装楼道灯两盏",
            "--plan",
            "物业月底前完成",
            "--at",
            "2026-11-20 19:30",
            "--note",
            "社区会议室",
        ],
    );
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("居民议事"));
    // Allowed once there is a record, dispatched or not.
    ok(&meeting(
        &db,
        "Z2",
        &["--participant", "专家", "--decision", "划设临时车位"],
    ));
    let shown = ok(&genban(&db, &["show", "Z1"]));
    let line = shown
        .lines()
        .find(|l| l.contains("居民议事"))
        .unwrap_or_else(|| panic!("no meeting in the timeline:\n{shown}"));
    for want in [
        "19:30",
        "居民代表、物业公司",
        "加装楼道灯两盏",
        "物业月底前完成",
        "社区会议室",
    ] {
        assert!(line.contains(want), "{want} missing: {line}");
    }
    let en = ok(&genban(&db, &["--lang", "en", "show", "Z1"]));
    assert!(
        en.contains("resident meeting (居民代表, 物业公司): 加装楼道灯两盏; plan: 物业月底前完成"),
        "{en}"
    );
    // Stored as entered: names trimmed, repeats dropped, the time of day kept.
    let v: serde_json::Value =
        serde_json::from_str(&ok(&genban(&db, &["show", "Z1", "--format", "json"]))).unwrap();
    let m = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "meeting")
        .unwrap_or_else(|| panic!("{v}"))
        .clone();
    assert_eq!(
        m["participants"],
        serde_json::json!(["居民代表", "物业公司"])
    );
    assert_eq!(m["decision"], "加装楼道灯两盏");
    assert_eq!(m["plan"], "物业月底前完成");
    assert!(m["at"].as_str().unwrap().starts_with("2026-11-20T19:30"));
    // The state is what it was: a meeting changes no state.
    assert!(ok(&genban(&db, &["list", "in-progress"])).contains("Z1"));
    ok(&genban(&db, &["verify"]));
}

#[test]
fn the_dashboard_counts_this_months_meetings_not_last_months_nor_voided_ones() {
    let d = tempfile::tempdir().unwrap();
    let db = store(d.path());
    let count = |db: &Path| -> u64 {
        let text = ok(&genban(db, &["dashboard"]));
        let at = text.find("本月议事 ").unwrap_or_else(|| panic!("{text}"));
        text[at + "本月议事 ".len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(count(&db), 0);
    // The tests run as of 2026-11-29: October's last evening is last month.
    for (id, at) in [
        ("Z1", "2026-10-31 23:30"),
        ("Z1", "2026-11-01 00:10"),
        ("Z2", "2026-11-28 20:00"),
        ("Z2", "2026-11-29 09:00"),
    ] {
        ok(&meeting(
            &db,
            id,
            &[
                "--participant",
                "居民代表",
                "--decision",
                "议定",
                "--at",
                at,
            ],
        ));
    }
    assert_eq!(count(&db), 3);
    // A voided meeting is as if never held.
    ok(&genban(
        &db,
        &[
            "void",
            "Z2",
            "--type",
            "meeting",
            "--at",
            "2026-11-28 20:00",
            "--reason",
            "录错工单",
        ],
    ));
    assert_eq!(count(&db), 2);
    let shown = ok(&genban(&db, &["show", "Z2"]));
    assert!(
        shown.contains("〔已撤销〕") && shown.contains("录错工单"),
        "{shown}"
    );
    // As of the end of October, only October's.
    let oct = ok(&genban(&db, &["--today", "2026-10-31", "dashboard"]));
    assert!(oct.contains("本月议事 1"), "{oct}");
    // No other figure moves: the report is the same as without the meetings.
    let plain = store(&d.path().join("plain"));
    let report = |db: &Path| ok(&genban(db, &["report", "--format", "json"]));
    assert_eq!(report(&db), report(&plain));
}

#[test]
fn a_meetings_decision_and_plan_are_searchable_until_it_is_voided() {
    let (_d, l) = ledger("2026-11-29");
    let today = date("2026-11-29");
    load(
        &l,
        &[
            r#"{"ticket":"S1","type":"ticket","at":"2026-11-01T09:00:00+08:00","unit":"新金社区","title":"路灯"}"#.into(),
            r#"{"ticket":"S1","type":"meeting","at":"2026-11-05T19:00:00+08:00","participants":["居民代表","专家"],"decision":"改用太阳能路灯","plan":"Phase One"}"#.into(),
        ],
    );
    let found = |q: &str| -> Vec<String> {
        l.search(q, today)
            .unwrap()
            .into_iter()
            .map(|r| r.ticket().id.clone())
            .collect()
    };
    assert_eq!(found("太阳能"), ["S1"]);
    assert_eq!(found("phase one"), ["S1"]);
    let void = r#"{"ticket":"S1","type":"void","at":"2026-11-06T09:00:00+08:00","reason":"填错","target":{"type":"meeting","at":"2026-11-05T19:00:00+08:00"}}"#;
    load(&l, &[void.into()]);
    assert!(found("太阳能").is_empty());
    let findings = l.verify().unwrap();
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn a_meeting_in_a_log_before_the_record_or_malformed_is_refused_by_import() {
    let (_d, l) = ledger("2026-11-29");
    let line = |s: &str| Event::from_json_str(s);
    let early = line(r#"{"ticket":"T9","type":"meeting","at":"2026-11-01T08:00:00+08:00","participants":["居民代表"],"decision":"d"}"#).unwrap();
    let record = line(
        r#"{"ticket":"T9","type":"ticket","at":"2026-11-01T09:00:00+08:00","unit":"新金社区"}"#,
    )
    .unwrap();
    let out = l
        .apply(vec![(1, early.clone()), (2, record.clone())], false, false)
        .unwrap();
    assert_eq!(out.refused.len(), 1, "{:?}", out.refused);
    assert_eq!(out.refused[0].line, 1);
    assert!(
        l.events("T9").unwrap().is_empty(),
        "nothing of the file applied"
    );
    for (bad, why) in [
        (
            r#""participants":[],"decision":"d""#,
            "field `participants` is empty",
        ),
        (r#""decision":"d""#, "missing field `participants`"),
        (
            r#""participants":["a","　"],"decision":"d""#,
            "a name is empty",
        ),
        (
            r#""participants":["a",1],"decision":"d""#,
            "must list names",
        ),
        (
            r#""participants":"a","decision":"d""#,
            "missing field `participants`",
        ),
        (
            r#""participants":["a"],"decision":" \u3000""#,
            "field `decision` is empty",
        ),
        (r#""participants":["a"]"#, "missing field `decision`"),
    ] {
        let s =
            format!(r#"{{"ticket":"T9","type":"meeting","at":"2026-11-02T08:00:00+08:00",{bad}}}"#);
        let e = line(&s).unwrap_err();
        assert!(e.0.en.contains(why), "{s}: {e}");
    }
}

#[test]
fn export_and_import_carry_a_meeting_whole() {
    let d = tempfile::tempdir().unwrap();
    let db = store(d.path());
    ok(&meeting(
        &db,
        "Z1",
        &[
            "--participant",
            "居民代表",
            "--participant",
            "区住建局",
            "--decision",
            "屋面整体翻修",
            "--plan",
            "列入明年计划",
            "--at",
            "2026-11-20 19:30",
        ],
    ));
    let dump = export(&db);
    let meeting_line = dump
        .lines()
        .find(|l| l.contains(r#""type":"meeting""#))
        .expect("the export has the meeting");
    assert!(
        meeting_line.contains(r#""participants":["居民代表","区住建局"]"#)
            && meeting_line.contains(r#""decision":"屋面整体翻修""#)
            && meeting_line.contains(r#""plan":"列入明年计划""#),
        "{meeting_line}"
    );
    let file = d.path().join("dump.jsonl");
    std::fs::write(&file, &dump).unwrap();
    let other = d.path().join("other");
    ok(&genban(&other, &["import", file.to_str().unwrap()]));
    let keys = |text: &str| {
        let mut k: Vec<String> = text
            .lines()
            .map(|l| Event::from_json_str(l).unwrap().normalized_key())
            .collect();
        k.sort();
        k
    };
    let again = export(&other);
    assert_eq!(keys(&dump), keys(&again));
    assert!(again.lines().any(|l| matches!(
        Event::from_json_str(l).unwrap().kind,
        EventKind::Meeting { .. }
    )));
    assert_eq!(
        ok(&genban(&db, &["show", "Z1"])),
        ok(&genban(&other, &["show", "Z1"]))
    );
    // Importing the same file again changes nothing.
    ok(&genban(&other, &["import", file.to_str().unwrap()]));
    assert_eq!(keys(&again), keys(&export(&other)));
}

#[test]
fn a_meeting_imported_with_escapes_never_reaches_the_terminal_raw() {
    let d = tempfile::tempdir().unwrap();
    let db = store(d.path());
    let log = d.path().join("m.jsonl");
    std::fs::write(
        &log,
        r#"{"ticket":"Z1","type":"meeting","at":"2026-11-20T19:30:00+08:00","participants":["居民\u001b[2J"],"decision":"决定\u001b]0;pwned\u0007","plan":"\u202e方案"}"#,
    )
    .unwrap();
    ok(&genban(&db, &["import", log.to_str().unwrap()]));
    for args in [vec!["show", "Z1"], vec!["dashboard"]] {
        let out = ok(&genban(&db, &args));
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
            "{args:?}: {out:?}"
        );
    }
    assert!(ok(&genban(&db, &["show", "Z1"])).contains("居民议事"));
}
