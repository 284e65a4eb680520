//! Papers: `export --format csv|xlsx` carries every field of the record with the state in the
//! interface language and imports back unchanged; `-o -` writes to standard output; the
//! workbooks are set up to be read and printed (widths, frozen header, real dates and numbers,
//! `calls.xlsx` on A4 landscape one page wide with its header repeated, the report's 趋势 sheet
//! with its charts). Every check runs the real binary on a real store and reads the files back.

mod common;
use calamine::{Data, Reader, Xlsx};
use common::{err, genban, ok};
use std::io::Read;
use std::path::Path;

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("db");
    ok(&genban(&db, &["demo", "--tickets", "80"]));
    db
}

fn jsonl(db: &Path, dir: &Path, name: &str) -> String {
    let f = dir.join(name);
    ok(&genban(
        db,
        &["export", "--format", "jsonl", "-o", f.to_str().unwrap()],
    ));
    std::fs::read_to_string(f).unwrap()
}

/// Every event of the log without its chain, sorted (the chain grows with any write).
fn events(log: &str) -> Vec<String> {
    let mut v: Vec<String> = log
        .lines()
        .map(|l| match l.rfind(",\"_chain\":") {
            Some(i) => format!("{}}}", &l[..i]),
            None => l.to_string(),
        })
        .collect();
    v.sort();
    v
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

fn column(headers: &[String], name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {headers:?}"))
}

#[test]
fn the_csv_export_carries_every_field_in_the_interface_language_and_imports_back_unchanged() {
    let d = tempfile::tempdir().unwrap();
    let db = demo(d.path());
    let before = jsonl(&db, d.path(), "before.jsonl");
    for (lang, state_col, states) in [
        (
            "zh",
            "状态",
            &["待签收", "已退回", "办理中", "已解决", "未派发"][..],
        ),
        (
            "en",
            "state",
            &[
                "to sign",
                "returned",
                "in progress",
                "resolved",
                "not dispatched",
            ][..],
        ),
    ] {
        // Masked phones (the default) and revealed ones both import back as they were.
        for reveal in [false, true] {
            let f = d.path().join(format!("t-{lang}-{reveal}.csv"));
            let mut args = vec!["--lang", lang, "export", "--format", "csv", "-o"];
            args.push(f.to_str().unwrap());
            if reveal {
                args.push("--reveal");
            }
            ok(&genban(&db, &args));
            let (headers, rows) = read_csv(&f);
            assert_eq!(rows.len(), 80);
            let s = column(&headers, state_col);
            for row in &rows {
                assert!(
                    states.contains(&row[s].as_str()),
                    "state {:?} of {}",
                    row[s],
                    row[0]
                );
            }
            let (content, reply, closed) = match lang {
                "zh" => ("诉求内容", "答复内容", "办结时间"),
                _ => ("content", "reply", "closed_at"),
            };
            for c in [content, reply, closed] {
                let i = column(&headers, c);
                assert!(rows.iter().any(|r| !r[i].is_empty()), "{c} empty");
            }
            let out = ok(&genban(&db, &["import", f.to_str().unwrap()]));
            assert!(out.contains("新增事件 0"), "{out}");
            assert_eq!(
                events(&jsonl(&db, d.path(), "after.jsonl")),
                events(&before),
                "{lang} reveal={reveal}: the re-import changed the log"
            );
        }
    }
}

#[test]
fn a_csv_export_fills_an_empty_store_with_the_same_records() {
    let d = tempfile::tempdir().unwrap();
    let db = demo(d.path());
    let f = d.path().join("t.csv");
    ok(&genban(
        &db,
        &[
            "export",
            "--format",
            "csv",
            "-o",
            f.to_str().unwrap(),
            "--reveal",
        ],
    ));
    let fresh = d.path().join("fresh");
    ok(&genban(&fresh, &["import", f.to_str().unwrap()]));
    let g = d.path().join("again.csv");
    ok(&genban(
        &fresh,
        &[
            "export",
            "--format",
            "csv",
            "-o",
            g.to_str().unwrap(),
            "--reveal",
        ],
    ));
    let (h1, a) = read_csv(&f);
    let (h2, b) = read_csv(&g);
    assert_eq!(h1, h2);
    assert_eq!(a.len(), b.len());
    // The record's columns (all but the state and what the follow-up adds) are the same.
    let record: Vec<usize> = [
        "工单编号",
        "受理时间",
        "诉求人",
        "联系电话",
        "诉求地址",
        "所属街道",
        "所属社区",
        "诉求分类",
        "诉求标题",
        "诉求内容",
        "承办单位",
        "办结时间",
        "答复内容",
        "满意度",
        "是否合理诉求",
    ]
    .iter()
    .map(|c| column(&h1, c))
    .collect();
    for (x, y) in a.iter().zip(&b) {
        for &i in &record {
            assert_eq!(x[i], y[i], "{} column {}", x[0], h1[i]);
        }
    }
}

#[test]
fn export_to_standard_output() {
    let d = tempfile::tempdir().unwrap();
    let db = demo(d.path());
    let cwd = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        common::bin()
            .current_dir(cwd.path())
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("GENBAN_CONFIG_DIR", db.with_extension("config"))
            .output()
            .unwrap()
    };
    let o = run(&["export", "--format", "csv", "-o", "-"]);
    let text = ok(&o);
    assert!(
        text.starts_with("\u{feff}工单编号,状态,"),
        "{}",
        &text[..40]
    );
    assert_eq!(text.lines().count(), 81);
    assert!(String::from_utf8_lossy(&o.stderr).contains("标准输出"));
    let o = run(&["export", "--format", "jsonl", "-o", "-"]);
    let log = ok(&o);
    assert_eq!(events(&log), events(&jsonl(&db, d.path(), "x.jsonl")));
    let e = err(&run(&["export", "--format", "xlsx", "-o", "-"]));
    assert!(e.contains("-o 文件名.xlsx"), "{e}");
    assert!(
        std::fs::read_dir(cwd.path()).unwrap().next().is_none(),
        "no file named - (or any other) was made"
    );
}

/// A part of an xlsx file (its XML) as text.
fn part(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn parts(path: &Path) -> Vec<String> {
    let z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    z.file_names().map(|n| n.unwrap().into_owned()).collect()
}

#[test]
fn the_xlsx_export_has_widths_a_frozen_header_real_dates_and_imports_back_unchanged() {
    let d = tempfile::tempdir().unwrap();
    let db = demo(d.path());
    let before = jsonl(&db, d.path(), "before.jsonl");
    let f = d.path().join("t.xlsx");
    ok(&genban(
        &db,
        &["export", "--format", "xlsx", "-o", f.to_str().unwrap()],
    ));
    let sheet = part(&f, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\""), "frozen header");
    let covered: Vec<u32> = sheet
        .split("<col ")
        .skip(1)
        .flat_map(|c| {
            let attr = |k: &str| -> u32 {
                let v = c.split(&format!("{k}=\"")).nth(1).unwrap();
                v[..v.find('"').unwrap()].parse().unwrap()
            };
            assert!(c.contains("customWidth=\"1\""), "{c}");
            attr("min")..=attr("max")
        })
        .collect();
    assert_eq!(
        covered,
        (1..=23).collect::<Vec<u32>>(),
        "a width per column"
    );
    assert!(sheet.contains("<autoFilter"));
    let mut wb: Xlsx<_> = calamine::open_workbook(&f).unwrap();
    let range = wb.worksheet_range("工单").unwrap();
    let headers: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let received = column(&headers, "受理时间");
    let deadline = column(&headers, "当前承诺时限");
    let state = column(&headers, "状态");
    let mut dates = 0;
    for row in range.rows().skip(1) {
        assert!(
            matches!(row[received], Data::DateTime(_)),
            "{:?}",
            row[received]
        );
        if !matches!(row[deadline], Data::Empty) {
            assert!(
                matches!(row[deadline], Data::DateTime(_)),
                "{:?}",
                row[deadline]
            );
            dates += 1;
        }
        assert!(!row[state].to_string().is_ascii(), "{:?}", row[state]);
    }
    assert!(dates > 0);
    let out = ok(&genban(&db, &["import", f.to_str().unwrap()]));
    assert!(out.contains("新增事件 0"), "{out}");
    assert_eq!(
        events(&jsonl(&db, d.path(), "after.jsonl")),
        events(&before)
    );
}

#[test]
fn calls_xlsx_prints_on_a4_landscape_one_page_wide_with_its_header_on_every_page() {
    let d = tempfile::tempdir().unwrap();
    let db = demo(d.path());
    let f = d.path().join("calls.xlsx");
    ok(&genban(
        &db,
        &["calls", "--format", "xlsx", "-o", f.to_str().unwrap()],
    ));
    let sheet = part(&f, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("paperSize=\"9\""), "A4");
    assert!(sheet.contains("orientation=\"landscape\""));
    assert!(sheet.contains("fitToPage=\"1\""), "fit to pages");
    assert!(
        sheet.contains("fitToHeight=\"0\""),
        "one page wide, as long as needed"
    );
    assert!(sheet.contains("state=\"frozen\""));
    let book = part(&f, "xl/workbook.xml");
    assert!(book.contains("_xlnm.Print_Titles"), "header repeated");
    assert!(book.contains("!$1:$1"), "{book}");
    let mut wb: Xlsx<_> = calamine::open_workbook(&f).unwrap();
    let range = wb.worksheet_range("今日联系清单").unwrap();
    let numbers: Vec<f64> = range
        .rows()
        .skip(1)
        .map(|r| match r[0] {
            Data::Float(x) => x,
            ref other => panic!("序号 {other:?} is not a number"),
        })
        .collect();
    assert!(!numbers.is_empty());
    assert_eq!(
        numbers,
        (1..=numbers.len()).map(|i| i as f64).collect::<Vec<_>>()
    );
}

#[test]
fn the_report_workbook_has_a_trend_sheet_with_a_chart_per_figure() {
    let d = tempfile::tempdir().unwrap();
    let db = demo(d.path());
    let f = d.path().join("r.xlsx");
    ok(&genban(
        &db,
        &["report", "--format", "xlsx", "-o", f.to_str().unwrap()],
    ));
    let charts = parts(&f)
        .iter()
        .filter(|n| n.starts_with("xl/charts/chart"))
        .count();
    assert_eq!(charts, 7, "five figures and two volumes");
    let mut wb: Xlsx<_> = calamine::open_workbook(&f).unwrap();
    assert!(wb.sheet_names().contains(&"趋势".to_string()));
    let range = wb.worksheet_range("趋势").unwrap();
    let rows: Vec<_> = range.rows().collect();
    assert_eq!(rows.len(), 14, "a header and 13 months");
    assert_eq!(rows[13][0].to_string(), "2026-11");
    assert_eq!(rows[1][0].to_string(), "2025-11");
    // This month's signing accuracy is the report's.
    let report: serde_json::Value =
        serde_json::from_str(&ok(&genban(&db, &["report", "--format", "json"]))).unwrap();
    let rate = report["signing_accuracy"]["rate"].as_f64();
    let cell = match rows[13][1] {
        Data::Float(x) => Some(x),
        Data::Empty => None,
        ref other => panic!("{other:?}"),
    };
    assert_eq!(cell, rate);
    assert_eq!(rows[0][1].to_string(), "签收准确率");
}
