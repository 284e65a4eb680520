//! The real binary: reports to stdout, errors to stderr with a non-zero exit, the JSONL round
//! trip, and clear messages for a locked or newer store.

mod common;
use common::*;
use std::path::Path;

#[test]
fn the_binary_reproduces_the_sample_reports() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    ok(&genban(
        &db,
        &["import", sample("events.jsonl").to_str().unwrap()],
    ));
    for (file, from, to, as_of) in [
        (
            "report-2026-10.json",
            "2026-10-01",
            "2026-10-31",
            "2026-10-31",
        ),
        (
            "report-2026-11-29.json",
            "2026-11-01",
            "2026-11-30",
            "2026-11-29",
        ),
    ] {
        let out = ok(&genban(
            &db,
            &[
                "report", "--from", from, "--to", to, "--as-of", as_of, "--format", "json",
            ],
        ));
        let got: serde_json::Value = serde_json::from_str(&out).unwrap();
        // The v3 file holds every key (figures 5, 6 and 7 too): equal exactly, in key order.
        let v3 = sample(&file.replace(".json", ".v3.json"));
        let want = std::fs::read_to_string(v3).unwrap();
        let want: serde_json::Value = serde_json::from_str(&want).unwrap();
        assert_eq!(
            serde_json::to_string_pretty(&got).unwrap(),
            serde_json::to_string_pretty(&want).unwrap(),
            "{file}"
        );
        // The older file holds the first keys: each of them equal.
        let v1: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(sample(file)).unwrap()).unwrap();
        assert!(common::contains(&got, &v1), "{file}");
    }
    // --month is the same period; the text report is Chinese by default.
    let text = ok(&genban(&db, &["report", "--month", "2026-11"]));
    assert!(
        text.contains("签收准确率") && text.contains("91.67%"),
        "{text}"
    );
    let xlsx = d.path().join("r.xlsx");
    ok(&genban(
        &db,
        &["report", "--format", "xlsx", "-o", xlsx.to_str().unwrap()],
    ));
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["汇总", "按单位", "超期工单", "待联系工单", "回头看", "趋势"]
    );
    let units = wb.worksheet_range("按单位").unwrap();
    assert_eq!(units.height(), 1 + 50);
}

#[test]
fn export_then_import_into_an_empty_store_then_export_gives_the_same_log() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    ok(&genban(
        &a,
        &["import", sample("events.jsonl").to_str().unwrap()],
    ));
    let (e1, e2) = (d.path().join("1.jsonl"), d.path().join("2.jsonl"));
    ok(&genban(
        &a,
        &["export", "--format", "jsonl", "-o", e1.to_str().unwrap()],
    ));
    ok(&genban(&b, &["import", e1.to_str().unwrap()]));
    ok(&genban(
        &b,
        &["export", "--format", "jsonl", "-o", e2.to_str().unwrap()],
    ));
    let (t1, t2) = (
        std::fs::read_to_string(&e1).unwrap(),
        std::fs::read_to_string(&e2).unwrap(),
    );
    assert_eq!(t1.lines().count(), 1466);
    // The events are the same, line for line; each store keeps its own chain (`_chain`).
    let events = |t: &str| -> Vec<serde_json::Value> {
        t.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                assert!(v["_chain"]["seq"].is_u64(), "{l}");
                v.as_object_mut().unwrap().remove("_chain");
                v
            })
            .collect()
    };
    assert_eq!(events(&t1), events(&t2));
    // And the restored store gives the same report.
    let r = |db: &Path| {
        ok(&genban(
            db,
            &[
                "report",
                "--month",
                "2026-10",
                "--as-of",
                "2026-10-31",
                "--format",
                "json",
            ],
        ))
    };
    assert_eq!(r(&a), r(&b));
    // CSV and XLSX: one row per ticket.
    let csv = d.path().join("t.csv");
    ok(&genban(
        &a,
        &["export", "--format", "csv", "-o", csv.to_str().unwrap()],
    ));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}工单编号,状态,受理时间"));
    assert_eq!(csv::Reader::from_path(&csv).unwrap().records().count(), 300);
}

#[test]
fn actions_write_one_event_each_and_refusals_exit_non_zero() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let csv = d.path().join("t.csv");
    std::fs::write(
        &csv,
        "工单编号,受理时间,承办单位,诉求标题,满意度,是否合理诉求,派发时间\nX1,2026-11-01 09:00,新金社区,路灯,不满意,是,2026-11-02 09:00\n",
    )
    .unwrap();
    ok(&genban(&db, &["import", csv.to_str().unwrap()]));
    let e = err(&genban(&db, &["resolve", "X1"]));
    assert!(e.contains("不能解决"), "{e}");
    let e = err(&genban(
        &db,
        &[
            "sign",
            "X1",
            "--deadline",
            "2026-10-01",
            "--at",
            "2026-11-03 10:00",
        ],
    ));
    assert!(e.contains("早于签收日期"), "{e}");
    ok(&genban(
        &db,
        &[
            "sign",
            "X1",
            "--deadline",
            "2026-12-31",
            "--plan",
            "更换灯具",
            "--at",
            "2026-11-03 10:00",
        ],
    ));
    ok(&genban(
        &db,
        &[
            "contact",
            "X1",
            "--channel",
            "visit",
            "--note",
            "现场查看",
            "--at",
            "2026-11-10 15:00",
        ],
    ));
    let list: serde_json::Value = serde_json::from_str(&ok(&genban(
        &db,
        &["list", "in-progress", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(list[0]["id"], "X1");
    assert_eq!(list[0]["deadline"], "2026-12-31");
    assert_eq!(list[0]["last_contact"], "2026-11-10T15:00:00+08:00");
    let show: serde_json::Value =
        serde_json::from_str(&ok(&genban(&db, &["show", "X1", "--format", "json"]))).unwrap();
    assert_eq!(show["events"].as_array().unwrap().len(), 4);
    assert!(show["events"][3]["recorded_at"].is_string());
    let remind = ok(&genban(&db, &["remind", "--format", "json"]));
    let remind: serde_json::Value = serde_json::from_str(&remind).unwrap();
    assert_eq!(remind["month"], "2026-11");
    let e = err(&genban(&db, &["show", "NOPE"]));
    assert!(e.contains("NOPE"));
    let e = err(&genban(&db, &["report", "--month", "2026-13"]));
    assert!(e.contains("不是月份"), "{e}");
}

#[test]
fn a_second_process_and_a_newer_store_get_clear_messages() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    {
        let _held = genban::store::open(&db, genban::domain::time::DEFAULT_TZ).unwrap();
        let e = err(&genban(&db, &["list", "overdue"]));
        assert!(e.contains("正被另一个 genban 进程使用"), "{e}");
        assert!(!e.contains("panicked"));
    }
    {
        let raw = (0..40)
            .find_map(|_| {
                sled::open(&db).ok().or_else(|| {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    None
                })
            })
            .expect("the store opens once the other handle is gone");
        raw.open_tree("meta")
            .unwrap()
            .insert("schema", "99")
            .unwrap();
        raw.flush().unwrap();
    }
    let e = err(&genban(&db, &["list", "overdue"]));
    assert!(e.contains("由更新版本的 genban 写入(格式 99"), "{e}");
}

#[test]
fn demo_fills_a_store_when_output_is_not_a_terminal() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("demo");
    let out = ok(&genban(&db, &["demo", "--tickets", "60"]));
    assert!(out.contains(db.to_str().unwrap()));
    assert!(out.contains("按月联系率"));
    let n: serde_json::Value = serde_json::from_str(&ok(&genban(
        &db,
        &["list", "in-progress", "--format", "json"],
    )))
    .unwrap();
    assert!(!n.as_array().unwrap().is_empty());
    let e = err(&genban(&db, &["demo"]));
    assert!(e.contains("已有工单"), "{e}");
}

#[test]
fn the_config_file_sets_language_operator_and_zone() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let config = db.with_extension("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "lang = \"en\"\noperator = \"刘星晨\"\ntz = \"Asia/Shanghai\"\n",
    )
    .unwrap();
    let csv = d.path().join("t.csv");
    std::fs::write(
        &csv,
        "工单编号,受理时间,承办单位,满意度,是否合理诉求\nY1,2026-11-01 09:00,新金社区,不满意,是\n",
    )
    .unwrap();
    ok(&genban(&db, &["import", csv.to_str().unwrap()]));
    ok(&genban(&db, &["sign", "Y1", "--deadline", "2026-12-31"]));
    let text = ok(&genban(&db, &["report"]));
    assert!(text.contains("Signing accuracy"), "{text}");
    let show: serde_json::Value =
        serde_json::from_str(&ok(&genban(&db, &["show", "Y1", "--format", "json"]))).unwrap();
    assert_eq!(show["events"][2]["operator"], "刘星晨");
    // A broken config is named, not ignored.
    std::fs::write(config.join("config.toml"), "lang = \"fr\"\n").unwrap();
    let e = err(&genban(&db, &["report"]));
    assert!(e.contains("config.toml"), "{e}");
}

/// The number of events of ticket `id`.
fn event_count(db: &Path, id: &str) -> usize {
    let v: serde_json::Value =
        serde_json::from_str(&ok(&genban(db, &["show", id, "--format", "json"]))).unwrap();
    v["events"].as_array().unwrap().len()
}

#[test]
fn a_contact_needs_a_time_of_day_and_a_reached_one_what_was_said() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let id = "2026110400114";
    let n = event_count(&db, id);
    for args in [
        vec!["contact", id, "--note", "告知进度", "--at", "2026-11-28"],
        vec!["resolve", id, "--at", "2026/11/28"],
    ] {
        let e = err(&genban(&db, &args));
        assert!(e.contains("--at") && e.contains("时刻"), "{args:?}: {e}");
    }
    let e = err(&genban(&db, &["contact", id, "--at", "2026-11-28 10:00"]));
    assert!(e.contains("--note") && e.contains("沟通内容"), "{e}");
    assert_eq!(event_count(&db, id), n, "nothing was written");
    ok(&genban(
        &db,
        &["contact", id, "--unreached", "--at", "2026-11-28 10:00"],
    ));
    ok(&genban(
        &db,
        &[
            "contact",
            id,
            "--note",
            "告知进度",
            "--at",
            "2026-11-28 10:05",
        ],
    ));
    assert_eq!(event_count(&db, id), n + 2);
}

#[test]
fn an_answer_in_the_whistles_second_is_refused_with_its_time() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let id = "2026110400114";
    // The binary's clock is fixed (GENBAN_TODAY): "now" is the same instant for both.
    ok(&genban(&db, &["whistle", id, "--department", "区水务局"]));
    let n = event_count(&db, id);
    let e = err(&genban(&db, &["respond", id, "--department", "区水务局"]));
    assert!(
        e.contains("区水务局") && e.contains("2026-11-29 12:00:00"),
        "{e}"
    );
    assert_eq!(event_count(&db, id), n, "nothing was written");
    ok(&genban(
        &db,
        &[
            "respond",
            id,
            "--department",
            "区水务局",
            "--at",
            "2026-11-29 12:00:01",
        ],
    ));
    assert_eq!(event_count(&db, id), n + 1);
}
