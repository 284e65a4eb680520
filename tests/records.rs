//! Records that cannot break the store (issue: one gate, voids, damaged stores, the CLI while
//! the app is open, quiet failures), through the real binary and the real sled store.

mod common;
use common::*;
use genban::domain::event::Event;
use proptest::prelude::*;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A store with the shared sample, and one in-progress and one resolved ticket of it.
fn sample_store(d: &Path) -> (PathBuf, String, String) {
    let db = d.join("db");
    ok(&genban(
        &db,
        &["import", sample("events.jsonl").to_str().unwrap()],
    ));
    let ids = |pane: &str| -> String {
        let v: serde_json::Value =
            serde_json::from_str(&ok(&genban(&db, &["list", pane, "--format", "json"]))).unwrap();
        v[0]["id"].as_str().unwrap().to_string()
    };
    let open = ids("in-progress");
    let done = ids("resolved");
    (db, open, done)
}

fn export(db: &Path) -> String {
    let out = db.with_extension("dump.jsonl");
    ok(&genban(
        db,
        &["export", "--format", "jsonl", "-o", out.to_str().unwrap()],
    ));
    std::fs::read_to_string(out).unwrap()
}

/// Every recording command, with `{V}` where a text argument goes.
fn actions(open: &str, done: &str) -> Vec<Vec<String>> {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        v(&["dispatch", open, "--unit", "{V}"]),
        v(&["sign", open, "--deadline", "2027-06-30", "--unit", "{V}"]),
        v(&["return", open, "--reason", "{V}"]),
        v(&["contact", open, "--note", "告知进度", "--person", "{V}"]),
        v(&["contact", open, "--note", "{V}"]),
        v(&[
            "extend",
            open,
            "--deadline",
            "2027-06-30",
            "--reason",
            "{V}",
        ]),
        v(&["resolve", open, "--note", "{V}"]),
        v(&[
            "reopen",
            done,
            "--deadline",
            "2027-06-30",
            "--reason",
            "{V}",
        ]),
        v(&[
            "revisit",
            done,
            "--satisfaction",
            "satisfied",
            "--note",
            "{V}",
        ]),
        v(&["note", open, "{V}"]),
        v(&[
            "meeting",
            open,
            "--participant",
            "{V}",
            "--decision",
            "加装路灯",
        ]),
        v(&[
            "meeting",
            open,
            "--participant",
            "居民代表",
            "--decision",
            "{V}",
        ]),
        v(&[
            "void",
            open,
            "--type",
            "contact",
            "--at",
            "2026-11-01 10:00",
            "--reason",
            "{V}",
        ]),
        v(&["contact", "{V}"]),
        v(&["contact", open, "--note", "告知进度", "--at", "{V}"]),
        v(&["extend", open, "--reason", "材料", "--deadline", "{V}"]),
    ]
}

/// Blank, white space, control characters, very long: each refused with a message.
const BAD: [&str; 7] = [
    "",
    " ",
    "\u{3000}\u{a0}\t",
    "\u{1b}[2J\u{1b}[31m红",
    "a\nb",
    "x\u{7}y",
    "\u{202e}",
];

#[test]
fn every_action_with_a_bad_argument_is_refused_and_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let (db, open, done) = sample_store(d.path());
    let before = export(&db);
    let long = "长".repeat(20_000);
    let mut bad: Vec<&str> = BAD.to_vec();
    bad.push(&long);
    let mut runs = 0;
    for action in actions(&open, &done) {
        for v in &bad {
            let args: Vec<String> = action.iter().map(|a| a.replace("{V}", v)).collect();
            let o = genban(&db, &args);
            assert!(!o.status.success(), "{args:?} was accepted");
            let e = err(&o);
            assert!(!e.trim().is_empty(), "{args:?}: no message");
            assert!(
                !e.contains('\u{1b}'),
                "{args:?}: escape in the message: {e}"
            );
            assert!(o.stdout.is_empty(), "{args:?}");
            runs += 1;
        }
        // Not UTF-8 at all.
        let args: Vec<OsString> = action
            .iter()
            .map(|a| {
                if a == "{V}" {
                    OsString::from_vec(vec![0xff, 0xfe, b'x'])
                } else {
                    OsString::from(a)
                }
            })
            .collect();
        err(&genban(&db, &args));
        runs += 1;
    }
    assert_eq!(runs, 16 * 9);
    assert_eq!(before, export(&db), "the store changed");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Random white space and control characters around (or instead of) a reason: either
    /// refused with the store unchanged, or stored and read back trimmed.
    #[test]
    fn random_reasons_never_break_the_store(
        pre in "[ \u{3000}\u{a0}\t\r\n\u{1b}\u{7f}]{0,3}",
        core in "[a-z\u{4e00}-\u{4e20}]{0,3}",
        post in "[ \u{3000}\u{a0}\t\r\n\u{1b}]{0,3}",
    ) {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("db");
        let csv = d.path().join("t.csv");
        std::fs::write(&csv, "工单编号,受理时间,派发时间,承办单位,满意度,是否合理诉求\nZ1,2026-11-01 09:00,2026-11-01 10:00,新金社区,不满意,是\n").unwrap();
        ok(&genban(&db, &["import", csv.to_str().unwrap()]));
        ok(&genban(&db, &["sign", "Z1", "--deadline", "2026-12-31", "--at", "2026-11-02 10:00"]));
        let reason = format!("{pre}{core}{post}");
        let o = genban(&db, &["extend", "Z1", "--deadline", "2027-01-31", "--reason", &reason]);
        let clean = !reason.trim().chars().any(char::is_control) && !reason.trim().is_empty();
        prop_assert_eq!(o.status.success(), clean, "{:?}", String::from_utf8_lossy(&o.stderr));
        // Whatever happened, every command still reads the store.
        let dump = export(&db);
        let events: Vec<Event> = dump.lines().map(|l| Event::from_json_str(l).unwrap()).collect();
        prop_assert_eq!(events.len(), if clean { 4 } else { 3 });
        if clean {
            let want = format!("\"reason\":\"{}\"", reason.trim());
            prop_assert!(dump.contains(&want), "{}", want);
        }
    }

    /// Every event the ledger accepts is read back equal to what passed the gate.
    #[test]
    fn accepted_events_read_back_equal(
        unit in "[ \u{3000}]{0,2}[社区街道局]{1,4}[ \u{3000}]{0,2}",
        person in proptest::option::of("[ \u{3000}]{0,1}[\u{4e00}-\u{4e20}a-z]{0,4}[\u{1b}\n]{0,1}"),
        note in proptest::option::of("[\u{4e00}-\u{4e20} \t\r\n\u{1b}]{0,6}"),
        reached in any::<bool>(),
    ) {
        let (_d, l) = ledger("2026-11-29");
        let line = |s: String| Event::from_json_str(&s).unwrap();
        let mut lines = vec![
            line(format!(r#"{{"ticket":"P1","type":"ticket","at":"2026-11-01T09:00:00+08:00","unit":{}}}"#, serde_json::to_string(&unit).unwrap())),
            line(format!(r#"{{"ticket":"P1","type":"dispatch","at":"2026-11-01T10:00:00+08:00","unit":{}}}"#, serde_json::to_string(&unit).unwrap())),
            line(format!(r#"{{"ticket":"P1","type":"sign","at":"2026-11-02T10:00:00+08:00","deadline":"2026-12-31","unit":{}}}"#, serde_json::to_string(&unit.trim()).unwrap())),
        ];
        let mut contact = serde_json::json!({"ticket":"P1","type":"contact","at":"2026-11-03T10:00:00+08:00","channel":"phone","outcome": if reached {"reached"} else {"unreached"}});
        if let Some(p) = &person { contact["contact_person"] = p.clone().into(); }
        if let Some(n) = &note { contact["note"] = n.clone().into(); }
        lines.push(Event::from_value(&contact).unwrap());
        let gated: Vec<Event> = lines.iter().map(|e| e.through_gate().unwrap()).collect();
        let out = l.apply(lines.into_iter().enumerate().collect(), false, false).unwrap();
        prop_assert!(out.refused.is_empty(), "{:?}", out.refused);
        let back = l.events("P1").unwrap();
        prop_assert_eq!(back, gated);
    }
}

#[test]
fn a_void_on_the_command_line_annuls_a_contact_and_it_can_be_recorded_again() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let csv = d.path().join("t.csv");
    std::fs::write(
        &csv,
        "工单编号,受理时间,派发时间,承办单位,满意度,是否合理诉求\nV1,2026-10-01 09:00,2026-10-01 10:00,新金社区,不满意,是\n",
    )
    .unwrap();
    ok(&genban(&db, &["import", csv.to_str().unwrap()]));
    ok(&genban(
        &db,
        &[
            "sign",
            "V1",
            "--deadline",
            "2026-12-31",
            "--at",
            "2026-10-02 10:00",
        ],
    ));
    let at = ["--at", "2026-11-10 15:00"];
    ok(&genban(
        &db,
        &["contact", "V1", "--unreached", at[0], at[1]],
    ));
    let awaiting = |db: &Path| {
        ok(&genban(
            db,
            &["list", "awaiting-contact", "--format", "json"],
        ))
    };
    assert!(awaiting(&db).contains("V1"));
    // The wrong outcome: void it, record the right one at the same time.
    let e = err(&genban(
        &db,
        &[
            "void",
            "V1",
            "--type",
            "sign",
            "--at",
            "2026-10-02 10:00",
            "--reason",
            "签错",
        ],
    ));
    assert!(e.contains("联系") && e.contains("先撤销"), "{e}");
    ok(&genban(
        &db,
        &[
            "void",
            "V1",
            "--type",
            "contact",
            "--at",
            "2026-11-10 15:00",
            "--reason",
            "联系结果填错",
        ],
    ));
    ok(&genban(
        &db,
        &["contact", "V1", "--note", "告知办理进度", at[0], at[1]],
    ));
    assert!(!awaiting(&db).contains("V1"));
    let e = err(&genban(
        &db,
        &[
            "void",
            "V1",
            "--type",
            "contact",
            "--at",
            "2026-11-10 15:00",
            "--reason",
            "再撤",
        ],
    ));
    assert!(e.contains("2 条记录") || e.contains("已被撤销"), "{e}");
    let show = ok(&genban(&db, &["show", "V1", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    let void = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "void")
        .unwrap();
    assert!(void["target"]["recorded_at"].is_string(), "{void}");
    let text = ok(&genban(&db, &["show", "V1"]));
    assert!(
        text.contains("已撤销") && text.contains("联系结果填错"),
        "{text}"
    );
    let review = ok(&genban(
        &db,
        &["review", "--month", "2026-11", "--format", "json"],
    ));
    assert!(
        review.contains("\"voided_record\"") && review.contains("V1"),
        "{review}"
    );
}

#[test]
fn quiet_failures_not_panics() {
    let d = tempfile::tempdir().unwrap();
    let (db, open, _) = sample_store(d.path());
    // A closed pipe.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "GENBAN_TODAY=2026-11-29 {} --db {} list resolved | head -1 >/dev/null",
            env!("CARGO_BIN_EXE_genban"),
            db.display()
        ))
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    // No terminal: a message, exit 1, nothing on stdout.
    let o = bin().arg("--db").arg(&db).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("终端"));
    // A --db that does not exist is not created.
    let nope = d.path().join("nope");
    let e = err(&genban(&nope, &["list", "overdue"]));
    assert!(e.contains("没有数据库"), "{e}");
    assert!(!nope.exists());
    // Phones masked in JSON unless revealed.
    let masked = ok(&genban(&db, &["show", &open, "--format", "json"]));
    let revealed = ok(&genban(
        &db,
        &["show", &open, "--format", "json", "--reveal"],
    ));
    let phone = |s: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        v["record"]["phone"].as_str().unwrap().to_string()
    };
    assert!(phone(&masked).contains("****"));
    assert!(!phone(&revealed).contains('*'));
    assert!(!masked.contains(&phone(&revealed)));
    // Ids pasted with spaces or full-width digits.
    let spaced = format!(" {} {} ", &open[..4], &open[4..]);
    let wide: String = open
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xff10).unwrap())
        .collect();
    for id in [spaced, wide] {
        assert!(ok(&genban(&db, &["show", &id])).contains(&open));
    }
    // A time before the ticket's history says so.
    let e = err(&genban(
        &db,
        &["note", &open, "早", "--at", "2020-01-01 10:00"],
    ));
    assert!(e.contains("早于该工单的第一条记录"), "{e}");
    // A future time is refused; --today does not make it look entered then.
    let e = err(&genban(
        &db,
        &["resolve", &open, "--at", "2099-05-01 10:00"],
    ));
    assert!(e.contains("不能录入尚未发生的事"), "{e}");
    let o = bin()
        .arg("--db")
        .arg(&db)
        .args(["--today", "2099-01-01", "note", &open, "明天的备注"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("不能录入尚未发生的事"));
}

/// Appends an unreadable line to one ticket's stored events, behind the program's back.
fn damage(db: &Path, id: &str) {
    let raw = raw_store(db);
    let events = raw.open_tree("events").unwrap();
    let mut v = events.get(id).unwrap().unwrap().to_vec();
    if v.last() != Some(&b'\n') {
        v.push(b'\n');
    }
    v.extend_from_slice(b"{\"ticket\":\"broken\",\"type\":\"contact\"");
    events.insert(id, v).unwrap();
    raw.flush().unwrap();
}

#[test]
fn a_damaged_store_never_locks_the_user_out() {
    let d = tempfile::tempdir().unwrap();
    let (db, open, _) = sample_store(d.path());
    let n_before = export(&db).lines().count();
    damage(&db, &open);
    // The lists read the tickets' facts, which the damage did not touch: they still work.
    ok(&genban(&db, &["list", "in-progress"]));
    // Reading that ticket's log says what is wrong and what to run.
    let e = err(&genban(&db, &["show", &open]));
    assert!(e.contains("genban verify"), "{e}");
    let e = err(&genban(&db, &["verify"]));
    let out = String::from_utf8_lossy(&genban(&db, &["verify"]).stdout).into_owned();
    assert!(
        out.contains(&open) && out.contains("无法读取"),
        "{out} / {e}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    // Export saves every readable event, and the unreadable one beside it.
    let dump = d.path().join("rescue.jsonl");
    let o = genban(
        &db,
        &["export", "--format", "jsonl", "-o", dump.to_str().unwrap()],
    );
    ok(&o);
    assert_eq!(
        std::fs::read_to_string(&dump).unwrap().lines().count(),
        n_before
    );
    let side = std::fs::read_to_string(d.path().join("rescue.jsonl.unreadable.jsonl")).unwrap();
    assert!(side.contains("broken") && side.contains(&open), "{side}");
    // The app opens read-only over it, with a banner; saving is refused.
    let store = genban::store::open(&db, genban::domain::time::DEFAULT_TZ).unwrap();
    let l = genban::ledger::Ledger::new(
        store,
        genban::domain::time::Clock::fixed(genban::domain::time::DEFAULT_TZ, date("2026-11-29")),
    );
    let keys = genban::tui::keymap::KeyMap::defaults();
    // A write to the damaged ticket is refused, naming the damage.
    let e = l
        .record(
            Event::from_json_str(&format!(
                r#"{{"ticket":"{open}","type":"note","at":"2026-11-20T10:00:00+08:00","note":"x"}}"#
            ))
            .unwrap(),
        )
        .unwrap_err();
    assert!(
        e.message(genban::i18n::Lang::Zh).contains("genban verify"),
        "{e}"
    );
    l.set_read_only("损坏".into());
    let app = genban::tui::app::App::new(
        l.sharing(l.clock, None),
        genban::i18n::Lang::Zh,
        keys,
        false,
    )
    .unwrap();
    let backend = ratatui::backend::TestBackend::new(100, 20);
    let mut t = ratatui::Terminal::new(backend).unwrap();
    t.draw(|f| genban::tui::ui::render(f, &app)).unwrap();
    assert!(format!("{}", t.backend()).contains("损坏"));
    let e = l
        .record(
            Event::from_json_str(&format!(
                r#"{{"ticket":"{open}","type":"note","at":"2026-11-20T10:00:00+08:00","note":"x"}}"#
            ))
            .unwrap(),
        )
        .unwrap_err();
    assert!(e.message(genban::i18n::Lang::Zh).contains("只读"));
}

#[test]
fn commands_run_while_the_app_holds_the_store() {
    let d = tempfile::tempdir().unwrap();
    let (db, open, _) = sample_store(d.path());
    // The app's side: the store held, the server started.
    let store = genban::store::open(&db, genban::domain::time::DEFAULT_TZ).unwrap();
    let l = genban::ledger::Ledger::new(
        store,
        genban::domain::time::Clock::fixed(genban::domain::time::DEFAULT_TZ, date("2026-11-29")),
    );
    let server = genban::serve::start(&l, &db).expect("the socket is made");
    let g0 = l.generation();
    ok(&genban(
        &db,
        &[
            "contact",
            &open,
            "--at",
            "2026-11-28 10:00",
            "--note",
            "从命令行",
        ],
    ));
    assert!(l.generation() > g0);
    assert!(l
        .events(&open)
        .unwrap()
        .iter()
        .any(|e| e.note.as_deref() == Some("从命令行")));
    let report: serde_json::Value = serde_json::from_str(&ok(&genban(
        &db,
        &["report", "--format", "json", "--month", "2026-11"],
    )))
    .unwrap();
    assert!(
        report["monthly_contact_rate"]["denominator"]
            .as_u64()
            .unwrap()
            > 0
    );
    // A relative path is the caller's.
    let csv = d.path().join("new.csv");
    std::fs::write(&csv, "工单编号,受理时间,派发时间,承办单位,满意度,是否合理诉求\nN1,2026-11-20 09:00,2026-11-20 10:00,新金社区,不满意,是\n").unwrap();
    let o = bin()
        .current_dir(d.path())
        .arg("--db")
        .arg(&db)
        .args(["import", "new.csv"])
        .output()
        .unwrap();
    ok(&o);
    assert!(!l.events("N1").unwrap().is_empty());
    let e = err(&genban(
        &db,
        &["extend", &open, "--deadline", "2027-01-01", "--reason", " "],
    ));
    assert!(e.contains("不能为空"), "{e}");
    let e = err(&genban(&db, &["demo"]));
    assert!(e.contains("已有工单") || e.contains("已经"), "{e}");
    // Once the app is gone but the store is still held, the message says so.
    drop(server);
    let e = err(&genban(&db, &["list", "overdue"]));
    assert!(e.contains("正被另一个 genban 进程使用"), "{e}");
}

/// `show` numbers the timeline and prints seconds and the entry time; `void --event N` annuls
/// the N-th event as `show` numbered it (issue 14, item 8).
#[test]
fn a_void_names_the_event_by_its_number_in_show() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let csv = d.path().join("t.csv");
    std::fs::write(
        &csv,
        "工单编号,受理时间,派发时间,承办单位,满意度,是否合理诉求\nN1,2026-10-01 09:00,2026-10-01 10:00,新金社区,不满意,是\n",
    )
    .unwrap();
    ok(&genban(&db, &["import", csv.to_str().unwrap()]));
    ok(&genban(
        &db,
        &[
            "sign",
            "N1",
            "--deadline",
            "2026-12-31",
            "--at",
            "2026-10-02 10:00",
        ],
    ));
    ok(&genban(
        &db,
        &[
            "contact",
            "N1",
            "--unreached",
            "--at",
            "2026-11-10 15:00:37",
        ],
    ));
    let text = ok(&genban(&db, &["show", "N1"]));
    // record, dispatch, sign, contact: the contact is #4, to the second, entered later.
    let line = text.lines().find(|l| l.contains("#4")).unwrap_or_default();
    assert!(
        line.contains("2026-11-10 15:00:37") && line.contains("录入于"),
        "{text}"
    );
    assert!(text.contains("#1") && !text.contains("#5"), "{text}");
    let before = export(&db);
    let e = err(&genban(
        &db,
        &["void", "N1", "--event", "5", "--reason", "错"],
    ));
    assert!(
        e.contains("4 条事件") && e.contains("genban show N1"),
        "{e}"
    );
    let e = err(&genban(
        &db,
        &[
            "void", "N1", "--event", "4", "--type", "contact", "--reason", "错",
        ],
    ));
    assert!(e.contains("--event") && e.contains("--type"), "{e}");
    assert_eq!(export(&db), before, "a refused void changes nothing");
    ok(&genban(
        &db,
        &["void", "N1", "--event", "4", "--reason", "联系结果填错"],
    ));
    let text = ok(&genban(&db, &["show", "N1"]));
    let voided = text.lines().find(|l| l.contains("#4")).unwrap_or_default();
    assert!(
        voided.contains("已撤销") && voided.contains("联系结果填错"),
        "{text}"
    );
    assert!(text.contains("#5"), "{text}");
}

/// `genban undo` shows what it would void, `--yes` voids it; the operator's own last entry
/// only; the CLI says once when no operator is set (issue 14, items 4 and 5).
#[test]
fn undo_on_the_command_line_and_the_operator_hint() {
    let d = tempfile::tempdir().unwrap();
    let (db, open, _) = sample_store(d.path());
    let note = |op: Option<&str>, text: &str| {
        let mut args: Vec<&str> = Vec::new();
        if let Some(op) = op {
            args.extend(["--operator", op]);
        }
        args.extend(["note", &open, text]);
        genban(&db, &args)
    };
    let first = note(None, "无名备注");
    assert!(first.status.success());
    let hint = String::from_utf8_lossy(&first.stderr).into_owned();
    assert!(
        hint.contains("未设操作员") && hint.contains("--operator"),
        "{hint}"
    );
    let second = String::from_utf8_lossy(&note(None, "再一条").stderr).into_owned();
    assert!(!second.contains("未设操作员"), "said once: {second}");
    // 张三's note; 李四 has nothing to undo here.
    assert!(note(Some("张三"), "张三的备注").status.success());
    let e = err(&genban(&db, &["--operator", "李四", "undo"]));
    assert!(e.contains("没有您录入的记录"), "{e}");
    let before = export(&db);
    let shown = ok(&genban(&db, &["--operator", "张三", "undo"]));
    assert!(
        shown.contains("张三的备注") && shown.contains("--yes"),
        "{shown}"
    );
    assert_eq!(export(&db), before, "without --yes nothing is written");
    ok(&genban(&db, &["--operator", "张三", "undo", "--yes"]));
    let v: serde_json::Value =
        serde_json::from_str(&ok(&genban(&db, &["show", &open, "--format", "json"]))).unwrap();
    let void = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["type"] == "void")
        .unwrap()
        .clone();
    assert_eq!(void["reason"], "录入错误,撤销");
    assert_eq!(void["operator"], "张三");
    assert_eq!(void["target"]["type"], "note");
    let e = err(&genban(&db, &["--operator", "张三", "undo", "--yes"]));
    assert!(e.contains("就是撤销"), "{e}");
}
