//! Citizens' data: a private store, phones masked unless asked, every reveal audited, and a
//! backup that can be restored while the app may be running.

mod common;
use common::*;
use crossterm::event::KeyCode;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(p) = todo.pop() {
        let m = std::fs::metadata(&p).unwrap();
        out.push((p.clone(), m.permissions().mode() & 0o777));
        if m.is_dir() {
            todo.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        }
    }
    out
}

#[test]
fn the_store_is_its_owners_only_and_a_loose_one_is_tightened_with_a_warning() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    for (p, m) in modes(&db) {
        assert_eq!(m & 0o077, 0, "{} is {m:o}", p.display());
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(db.join("conf"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = genban(&db, &["list", "overdue"]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("其他用户也能读取"));
    for (p, m) in modes(&db) {
        assert_eq!(m & 0o077, 0, "{} is {m:o}", p.display());
    }
    // Told once: the next run is quiet.
    assert!(genban(&db, &["list", "overdue"]).stderr.is_empty());
}

/// A sample store, its JSONL export and every phone in the log, in full.
fn store_and_phones(d: &std::path::Path) -> (PathBuf, PathBuf, Vec<String>) {
    let db = sample_store(d);
    let before = d.join("before.jsonl");
    ok(&genban(
        &db,
        &[
            "export",
            "--format",
            "jsonl",
            "-o",
            before.to_str().unwrap(),
        ],
    ));
    let phones: Vec<String> = std::fs::read_to_string(&before)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["phone"].as_str().map(str::to_string)
        })
        .collect();
    assert!(phones.len() > 100);
    (db, before, phones)
}

fn a_ticket(db: &Path) -> String {
    let v: serde_json::Value = serde_json::from_str(&ok(&genban(
        db,
        &["list", "in-progress", "--format", "json"],
    )))
    .unwrap();
    v[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn phones_are_masked_everywhere_unless_revealed() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let (db, _, phones) = store_and_phones(p);
    let has_full = |text: &str| phones.iter().any(|ph| text.contains(ph.as_str()));
    // Masked by default: list, show (text and JSON), CSV, XLSX, reports.
    let csv = p.join("t.csv");
    ok(&genban(
        &db,
        &["export", "--format", "csv", "-o", csv.to_str().unwrap()],
    ));
    assert!(!has_full(&std::fs::read_to_string(&csv).unwrap()));
    assert!(std::fs::read_to_string(&csv).unwrap().contains("****"));
    let xlsx = p.join("t.xlsx");
    ok(&genban(
        &db,
        &["export", "--format", "xlsx", "-o", xlsx.to_str().unwrap()],
    ));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    use calamine::Reader;
    let range = wb.worksheet_range("工单").unwrap();
    let cells: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(!has_full(&cells.join(" ")));
    for pane in ["awaiting-sign", "in-progress", "resolved"] {
        for fmt in ["text", "json"] {
            assert!(!has_full(&ok(&genban(
                &db,
                &["list", pane, "--format", fmt]
            ))));
        }
    }
    let id = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    for fmt in ["text", "json"] {
        assert!(!has_full(&ok(&genban(
            &db,
            &["show", &id, "--format", fmt]
        ))));
    }
    assert!(!has_full(&ok(&genban(
        &db,
        &["report", "--format", "json"]
    ))));
    assert!(!has_full(&ok(&genban(
        &db,
        &["review", "--format", "json"]
    ))));
    assert!(!has_full(&ok(&genban(&db, &["remind"]))));
    // Nothing was revealed.
    assert!(ok(&genban(&db, &["audit"])).is_empty());
}

#[test]
fn each_reveal_is_audited_apart_from_the_log() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let (db, before, phones) = store_and_phones(p);
    let has_full = |text: &str| phones.iter().any(|ph| text.contains(ph.as_str()));
    let id = a_ticket(&db);
    // Revealed on request, and audited: who, which ticket, where.
    let o = genban(&db, &["--operator", "刘星晨", "show", &id, "--reveal"]);
    assert!(has_full(&ok(&o)));
    let csv2 = p.join("full.csv");
    ok(&genban(
        &db,
        &[
            "--operator",
            "王敏",
            "export",
            "--format",
            "csv",
            "--reveal",
            "-o",
            csv2.to_str().unwrap(),
        ],
    ));
    assert!(has_full(&std::fs::read_to_string(&csv2).unwrap()));
    let audit = ok(&genban(&db, &["audit"]));
    let lines: Vec<&str> = audit.lines().collect();
    assert_eq!(lines.len(), 2, "{audit}");
    assert!(lines[0].contains("刘星晨") && lines[0].contains(&id) && lines[0].contains("show"));
    assert!(
        lines[1].contains("王敏")
            && lines[1].contains("全部工单")
            && lines[1].contains("export-csv")
    );
    // The audit is apart from the ticket log; the JSONL backup keeps the phones.
    let after = p.join("after.jsonl");
    ok(&genban(
        &db,
        &["export", "--format", "jsonl", "-o", after.to_str().unwrap()],
    ));
    assert_eq!(
        std::fs::read_to_string(&before).unwrap(),
        std::fs::read_to_string(&after).unwrap()
    );
    assert!(has_full(&std::fs::read_to_string(&after).unwrap()));
}

#[test]
fn revealing_in_the_app_is_audited() {
    let (_d, mut app) = demo_app(60, genban::i18n::Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    press(&mut app, KeyCode::Enter);
    let id = match &app.view {
        genban::tui::app::View::Detail { id, .. } => id.clone(),
        _ => panic!("the detail is open"),
    };
    assert!(app.ledger.reveals().unwrap().is_empty());
    keys(&mut app, "p");
    keys(&mut app, "p");
    let r = app.ledger.reveals().unwrap();
    assert_eq!(r.len(), 1, "hiding again is no reveal");
    assert_eq!(r[0].ticket, id);
    assert_eq!(r[0].place, "app");
}

#[test]
fn a_backup_is_consistent_verified_and_restores_into_an_empty_store() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    // The app holds the store and serves the command.
    let store = genban::store::open(&db, genban::domain::time::DEFAULT_TZ).unwrap();
    let l = genban::ledger::Ledger::new(
        store,
        genban::domain::time::Clock::fixed(genban::domain::time::DEFAULT_TZ, date("2026-11-29")),
    );
    let _server = genban::serve::start(&l, &db).unwrap();
    let bk = d.path().join("bk");
    let o = genban(&db, &["backup", bk.to_str().unwrap()]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("已备份并校验 1466"));
    assert_eq!(
        std::fs::metadata(&bk).unwrap().permissions().mode() & 0o777,
        0o700
    );
    // A second backup into the same directory is refused.
    assert!(!genban(&db, &["backup", bk.to_str().unwrap()])
        .status
        .success());
    let fresh = d.path().join("fresh");
    let o = genban(&fresh, &["restore", bk.to_str().unwrap()]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("校验通过"));
    ok(&genban(&fresh, &["verify"]));
    let report = |db: &Path| {
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
    assert_eq!(report(&db), report(&fresh));
    // Not into a store with tickets; not from a changed backup.
    assert!(!genban(&fresh, &["restore", bk.to_str().unwrap()])
        .status
        .success());
    let log = bk.join("events.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("reached", "unreached", 1)).unwrap();
    let o = genban(&d.path().join("other"), &["restore", bk.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("SHA-256"));
}

#[test]
fn a_directory_that_holds_other_files_is_never_made_a_store_nor_touched() {
    let d = tempfile::tempdir().unwrap();
    let home = d.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let notes = home.join("notes.txt");
    std::fs::write(&notes, "mine").unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = err(&genban(&home, &["list", "overdue"]));
    assert!(e.contains("没有数据库"), "{e}");
    let e = err(&genban(
        &home,
        &["import", sample("events.jsonl").to_str().unwrap()],
    ));
    assert!(e.contains("不是跟办数据库"), "{e}");
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 1);
    for (p, m) in [(&home, 0o755), (&notes, 0o644)] {
        assert_eq!(
            std::fs::metadata(p).unwrap().permissions().mode() & 0o777,
            m
        );
    }
    // An empty directory is fine, made private without a warning.
    let empty = d.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = genban(
        &empty,
        &["import", sample("events.jsonl").to_str().unwrap()],
    );
    ok(&o);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("警告"));
    assert_eq!(
        std::fs::metadata(&empty).unwrap().permissions().mode() & 0o777,
        0o700
    );
}
