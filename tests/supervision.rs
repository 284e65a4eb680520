//! Supervision from the command line, on a real store: hand-added tickets, whistles and their
//! responses, escalations, the figures' cohorts, the sorted unit table and the dashboard.

mod common;

use common::{err, genban, ok, sample_store};
use serde_json::Value;

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(&ok(o)).expect("JSON on stdout")
}

fn export(db: &std::path::Path, dir: &std::path::Path) -> String {
    let out = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&out);
    ok(&genban(
        db,
        &["export", "--format", "jsonl", "-o", out.to_str().unwrap()],
    ));
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn a_ticket_added_by_hand_gets_an_l_id_and_is_tracked_like_any_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_store(dir.path());
    let add = |title: &str, extra: &[&str]| {
        let mut a = vec![
            "new",
            "--title",
            title,
            "--unit",
            "新金社区",
            "--at",
            "2026-11-28 09:30",
        ];
        a.extend_from_slice(extra);
        genban(&db, &a)
    };
    // A unit no ticket has is refused unless said to be new; a phone that is not one too.
    let before = export(&db, dir.path());
    let e = err(&add("楼道灯不亮", &["--phone", "13800001111"]));
    assert!(e.contains("--new-unit") && e.contains("新金社区"), "{e}");
    let e = err(&add("楼道灯不亮", &["--new-unit", "--phone", "abc123"]));
    assert!(e.contains("--phone") && e.contains("只能含数字"), "{e}");
    let long_street = "街".repeat(101);
    let e = err(&add(
        "楼道灯不亮",
        &["--new-unit", "--street", &long_street],
    ));
    assert!(e.contains("--street") && e.contains("101"), "{e}");
    assert_eq!(export(&db, dir.path()), before, "refused: nothing written");
    assert_eq!(
        ok(&add(
            "楼道灯不亮",
            &[
                "--new-unit",
                "--phone",
                "+86 138-0000 1111",
                "--street",
                "江浦街道",
                "--community",
                "新金社区"
            ]
        ))
        .trim(),
        "L20261128001"
    );
    assert_eq!(
        ok(&add(
            "井盖松动",
            &["--source", "proactive", "--no-dispatch"]
        ))
        .trim(),
        "L20261128002"
    );
    // Blank text is refused and nothing is written.
    let before = export(&db, dir.path());
    assert!(err(&add(" ", &[])).contains("--title"));
    assert_eq!(export(&db, dir.path()), before);
    assert!(before.contains(r#""source":"walk_in""#));
    assert!(before.contains(r#""source":"proactive""#));
    // The dispatched one waits for signing like a hotline ticket; the other has no state.
    let waiting = json(&genban(&db, &["list", "awaiting-sign", "--format", "json"]));
    let ids: Vec<&str> = waiting
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"L20261128001"), "{ids:?}");
    assert!(!ids.contains(&"L20261128002"), "{ids:?}");
    ok(&genban(
        &db,
        &[
            "sign",
            "L20261128001",
            "--deadline",
            "2026-12-20",
            "--at",
            "2026-11-28 15:00",
        ],
    ));
    let shown = ok(&genban(&db, &["show", "L20261128001"]));
    assert!(
        shown.contains("社区工作站") && shown.contains("办理中"),
        "{shown}"
    );
    // The dashboard counts tickets by source.
    let d = ok(&genban(&db, &["dashboard"]));
    assert!(
        d.contains("社区工作站 1") && d.contains("未诉先办 1"),
        "{d}"
    );
}

#[test]
fn a_whistle_summons_departments_and_their_answers_make_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_store(dir.path());
    let id = "2026110400114";
    let figure = |key: &str| {
        let r = json(&genban(&db, &["report", "--format", "json"]));
        (
            r[key]["numerator"].as_u64().unwrap(),
            r[key]["denominator"].as_u64().unwrap(),
        )
    };
    let (n0, d0) = figure("whistle_response_rate");
    ok(&genban(
        &db,
        &[
            "whistle",
            id,
            "--department",
            "区城管局",
            "--department",
            " 区住建局 ",
            "--department",
            "区城管局",
            "--at",
            "2026-11-20 10:00",
        ],
    ));
    // Exactly 24 hours later counts as in time; the other department never answers.
    ok(&genban(
        &db,
        &[
            "respond",
            id,
            "--department",
            "区城管局",
            "--resolved",
            "--at",
            "2026-11-21 10:00",
        ],
    ));
    let e = err(&genban(
        &db,
        &[
            "respond",
            id,
            "--department",
            "区水务局",
            "--at",
            "2026-11-21 11:00",
        ],
    ));
    assert!(e.contains("区水务局"), "{e}");
    assert_eq!(figure("whistle_response_rate"), (n0 + 1, d0 + 2));
    let (r, rd) = figure("whistle_resolution_rate");
    assert_eq!(rd, d0 + 2);
    assert!(r >= 1);
    let shown = ok(&genban(&db, &["show", id]));
    assert!(shown.contains("区住建局"), "{shown}");
    // The whistle view: the one not answered waits, the answered one is gone.
    let open = ok(&genban(&db, &["whistles"]));
    let mine: Vec<&str> = open.lines().filter(|l| l.starts_with(id)).collect();
    assert_eq!(mine.len(), 1, "{open}");
    assert!(
        mine[0].contains("区住建局") && mine[0].contains('⚠'),
        "{open}"
    );
    // Escalated to a monthly topic.
    ok(&genban(
        &db,
        &[
            "escalate",
            id,
            "--topic",
            "老旧小区绿化",
            "--at",
            "2026-11-22 09:00",
        ],
    ));
    assert!(err(&genban(&db, &["escalate", id, "--topic", "  "])).contains("--topic"));
    assert!(ok(&genban(&db, &["show", id])).contains("老旧小区绿化"));
    let topics = ok(&genban(&db, &["topics"]));
    let at = topics.find("■ 老旧小区绿化").expect("the topic is listed");
    assert!(
        topics[at..].lines().nth(1).unwrap().contains(id),
        "{topics}"
    );
    let spots = ok(&genban(&db, &["hotspots"]));
    let first = spots.lines().nth(1).unwrap();
    assert!(first.starts_with("物业管理 · 大顶山社区"), "{spots}");
}

#[test]
fn every_figure_explains_itself_with_its_cohort_misses_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_store(dir.path());
    let report = json(&genban(&db, &["report", "--format", "json"]));
    for key in [
        "signing_accuracy",
        "monthly_contact_rate",
        "on_time_resolution_rate",
        "repeat_complaint_rate",
        "revisit_satisfaction_rate",
        "whistle_response_rate",
        "whistle_resolution_rate",
    ] {
        let x = json(&genban(
            &db,
            &["report", "--explain", key, "--format", "json"],
        ));
        let cohort = x["cohort"].as_array().unwrap();
        let hits = cohort.iter().filter(|c| c["hit"] == true).count() as u64;
        assert_eq!(
            cohort.len() as u64,
            report[key]["denominator"].as_u64().unwrap(),
            "{key}"
        );
        assert_eq!(hits, report[key]["numerator"].as_u64().unwrap(), "{key}");
        // The ones to act on come first.
        let bad = key != "repeat_complaint_rate";
        let flags: Vec<bool> = cohort.iter().map(|c| c["hit"] == bad).collect();
        assert!(flags.windows(2).all(|w| w[0] <= w[1]), "{key}: {flags:?}");
    }
    let text = ok(&genban(&db, &["report", "--explain", "contact"]));
    assert!(
        text.contains("本月未联系上") || text.contains("需处理(未达标) 0"),
        "{text}"
    );
    let e = err(&genban(&db, &["report", "--explain", "speed"]));
    assert!(e.contains("signing") && e.contains("on_time"), "{e}");
}

#[test]
fn the_unit_table_sorts_worst_first_and_the_dashboard_lists_every_unit() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_store(dir.path());
    let r = json(&genban(
        &db,
        &["report", "--format", "json", "--sort", "contact"],
    ));
    let rates: Vec<Option<f64>> = r["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["monthly_contact_rate"]["rate"].as_f64())
        .collect();
    let known = rates.iter().take_while(|x| x.is_some()).count();
    assert!(rates[known..].iter().all(Option::is_none), "{rates:?}");
    assert!(rates[..known].windows(2).all(|w| w[0] <= w[1]), "{rates:?}");
    let e = err(&genban(&db, &["report", "--sort", "repeat"]));
    assert!(e.contains("repeat") && e.contains("不能按单位排序"), "{e}");
    let d = ok(&genban(&db, &["dashboard"]));
    assert!(d.contains("今日派发") && d.contains("2026-11"), "{d}");
    for u in r["by_unit"].as_array().unwrap() {
        assert!(d.contains(u["unit"].as_str().unwrap()), "{d}");
    }
    let d = ok(&genban(
        &db,
        &["--lang", "en", "dashboard", "--sort", "overdue"],
    ));
    assert!(
        d.contains("Unit league") && d.contains("Dispatched today"),
        "{d}"
    );
}

#[test]
fn the_report_workbook_reads_back_sheet_by_sheet() {
    use calamine::{open_workbook, DataType, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let db = sample_store(dir.path());
    let out = dir.path().join("报表.xlsx");
    ok(&genban(
        &db,
        &[
            "report",
            "--format",
            "xlsx",
            "--sort",
            "contact",
            "-o",
            out.to_str().unwrap(),
        ],
    ));
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["汇总", "按单位", "超期工单", "待联系工单", "回头看", "趋势"]
    );
    let header = |wb: &mut Xlsx<_>, name: &str| -> Vec<String> {
        let r = wb.worksheet_range(name).unwrap();
        r.rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect()
    };
    assert_eq!(header(&mut wb, "汇总")[..2], ["项目", "数值"]);
    assert_eq!(
        header(&mut wb, "按单位")[..3],
        ["承办单位", "失分", "签收准确率"]
    );
    assert_eq!(header(&mut wb, "超期工单")[0], "工单编号");
    assert_eq!(header(&mut wb, "回头看")[..2], ["规则", "工单编号"]);
    // One row per overdue ticket, the same ones `list overdue` gives.
    let listed = json(&genban(&db, &["list", "overdue", "--format", "json"]));
    let mut want: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let range = wb.worksheet_range("超期工单").unwrap();
    let mut got: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).collect();
    want.sort();
    got.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    // The summary's contact rate is a number (a percentage format), equal to the report's.
    let report = json(&genban(&db, &["report", "--format", "json"]));
    let summary = wb.worksheet_range("汇总").unwrap();
    let row = summary.rows().find(|r| r[0] == "按月联系率").unwrap();
    let rate = report["monthly_contact_rate"]["rate"].as_f64().unwrap();
    assert_eq!(row[1].get_float(), Some(rate));
    // The unit sheet follows --sort: contact rates worst first.
    let units = wb.worksheet_range("按单位").unwrap();
    let rates: Vec<Option<f64>> = units.rows().skip(1).map(|r| r[3].get_float()).collect();
    let known = rates.iter().take_while(|r| r.is_some()).count();
    assert!(
        known > 1 && rates[..known].windows(2).all(|w| w[0] <= w[1]),
        "{rates:?}"
    );
}

#[test]
fn the_call_list_and_one_units_tasks() {
    use calamine::{open_workbook, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let db = sample_store(dir.path());
    let due = json(&genban(
        &db,
        &["list", "awaiting-contact", "--format", "json"],
    ));
    let due: Vec<&Value> = due.as_array().unwrap().iter().collect();
    assert!(!due.is_empty());
    // Text: one block per ticket due a call, phones masked, the last call quoted.
    let page = ok(&genban(&db, &["calls"]));
    for r in &due {
        assert!(page.contains(r["id"].as_str().unwrap()), "{page}");
    }
    assert!(page.contains("****") && page.contains("上次"), "{page}");
    assert!(ok(&genban(&db, &["audit"]))
        .lines()
        .all(|l| !l.contains("calls")));
    // XLSX with --reveal: full phones, each reveal in the audit trail.
    let out = dir.path().join("calls.xlsx");
    ok(&genban(
        &db,
        &[
            "calls",
            "--format",
            "xlsx",
            "--reveal",
            "-o",
            out.to_str().unwrap(),
        ],
    ));
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let sheet = wb.worksheet_range("今日联系清单").unwrap();
    assert_eq!(sheet.height(), 1 + due.len());
    assert!(sheet
        .rows()
        .skip(1)
        .all(|r| !r[3].to_string().contains('*')));
    let audit = ok(&genban(&db, &["audit"]));
    assert_eq!(
        audit.lines().filter(|l| l.ends_with("calls")).count(),
        due.len()
    );
    // CSV needs a file; one unit's calls only.
    assert!(err(&genban(&db, &["calls", "--format", "csv"])).contains("-o"));
    let unit = due[0]["unit"].as_str().unwrap();
    let mine = ok(&genban(&db, &["calls", "--unit", unit]));
    let n = due.iter().filter(|r| r["unit"] == unit).count();
    assert!(
        mine.starts_with("今日联系清单") && mine.contains(&format!("{n} 件")),
        "{mine}"
    );
    // remind --unit: that unit's rows only; an unknown unit is refused with the near ones.
    let tasks = json(&genban(
        &db,
        &["remind", "--unit", unit, "--format", "json"],
    ));
    for list in [
        "awaiting_contact",
        "deadlines_in_month",
        "overdue",
        "awaiting_sign",
    ] {
        assert!(
            tasks[list]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["unit"] == unit),
            "{list}"
        );
    }
    let short: String = unit.chars().take(2).collect();
    let e = err(&genban(&db, &["remind", "--unit", &short]));
    assert!(e.contains("没有单位") && e.contains(unit), "{e}");
}
