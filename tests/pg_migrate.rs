//! `genban migrate`: a sled store moved into PostgreSQL and back, with a chain whose tickets
//! interleave, its audit trail and settings; the same head, the same export byte for byte, the
//! same figures, verified; an occupied target or a missing source refused.

mod common;
mod pg_common;
use common::*;
use genban::domain::event::Event;
use genban::domain::ticket::State;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::import::{import_file, ImportOptions};
use genban::ledger::Ledger;
use genban::store::Find;
use std::path::Path;
use std::process::Output;

fn run(cfg: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .env("GENBAN_CONFIG_DIR", cfg)
        .output()
        .unwrap()
}

fn open(db: &Path) -> Ledger {
    Ledger::new(
        genban::store::open(db, DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date("2026-11-29")),
    )
}

/// A sled store holding the sample, then contacts on three tickets taken in turn (so the
/// chain's tickets interleave), phones revealed and settings kept.
fn filled(db: &Path) {
    let l = open(db);
    import_file(&l, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    let open_ids = l.store().find(Find::InState(State::InProgress)).unwrap();
    for round in 0..3 {
        for id in open_ids.iter().take(3) {
            let e = Event::from_json_str(&format!(
                r#"{{"ticket":"{id}","type":"contact","at":"2026-11-2{round}T10:00:00+08:00","channel":"phone","outcome":"unreached","note":"第{round}次"}}"#
            ))
            .unwrap();
            l.record(e).unwrap();
        }
    }
    l.record_reveal(&open_ids[0], "calls").unwrap();
    l.record_reveal(&open_ids[1], "show").unwrap();
    l.set_setting("operator/ws1", "王雨婷").unwrap();
    l.set_setting("topic", "路灯").unwrap();
}

/// What must be the same after a move: the chain head, the audit trail, the settings, the
/// whole log as exported, and a month's figures.
#[derive(Debug, PartialEq)]
struct Kept {
    head: String,
    audit: Vec<String>,
    settings: Vec<(String, String)>,
    export: Vec<u8>,
    report: String,
}

fn state(db: &Path, cfg: &Path, out: &Path) -> Kept {
    let (head, audit, settings) = {
        let l = open(db);
        let s = l.store();
        (
            format!("{:?}", s.chain_head().unwrap()),
            s.audit_log().unwrap(),
            s.settings().unwrap(),
        )
    };
    let db = db.to_str().unwrap();
    ok(&run(
        cfg,
        &[
            "--db",
            db,
            "export",
            "--format",
            "jsonl",
            "-o",
            out.to_str().unwrap(),
        ],
    ));
    let report = ok(&run(cfg, &["--db", db, "report", "--format", "json"]));
    Kept {
        head,
        audit,
        settings,
        export: std::fs::read(out).unwrap(),
        report,
    }
}

#[test]
fn a_store_moves_into_postgres_and_back_unchanged() {
    let Some(db) = pg_common::test_db("a_store_moves_into_postgres_and_back_unchanged") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    let sled = dir.path().join("db");
    filled(&sled);
    let before = state(&sled, &cfg, &dir.path().join("a.jsonl"));
    assert_eq!(before.audit.len(), 2);
    // Ours, and what the ledger keeps of the last entry (for undo).
    assert!(
        before
            .settings
            .contains(&("topic".to_string(), "路灯".to_string())),
        "{:?}",
        before.settings
    );
    assert!(before.settings.len() >= 2);
    let said = ok(&run(
        &cfg,
        &["migrate", "--from", sled.to_str().unwrap(), "--to", &db.url],
    ));
    let want = format!(
        "已迁移 300 件工单、1475 条事件、2 条查看记录、{} 项设置",
        before.settings.len()
    );
    assert!(said.contains(&want), "{said}");
    assert!(said.contains("校验通过"), "{said}");
    let on_pg = state(&db.path(), &cfg, &dir.path().join("b.jsonl"));
    assert!(
        on_pg == before,
        "the store on PostgreSQL differs from the sled store"
    );
    // And back into a new sled store.
    let back = dir.path().join("back");
    ok(&run(
        &cfg,
        &[
            "--lang",
            "en",
            "migrate",
            "--from",
            &db.url,
            "--to",
            back.to_str().unwrap(),
        ],
    ));
    let again = state(&back, &cfg, &dir.path().join("c.jsonl"));
    assert!(again == before, "the store moved back differs");
}

#[test]
fn an_occupied_target_or_a_missing_source_is_refused() {
    let Some(db) = pg_common::test_db("an_occupied_target_or_a_missing_source_is_refused") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    let sled = dir.path().join("db");
    filled(&sled);
    let sled = sled.to_str().unwrap();
    ok(&run(&cfg, &["migrate", "--from", sled, "--to", &db.url]));
    let head = open(&db.path()).store().chain_head().unwrap();
    // Twice into the same database: refused, nothing added.
    let e = err(&run(&cfg, &["migrate", "--from", sled, "--to", &db.url]));
    assert!(e.contains("不是空的"), "{e}");
    assert_eq!(open(&db.path()).store().chain_head().unwrap(), head);
    // From a directory that holds no store: refused, and none is made there.
    let nowhere = dir.path().join("nowhere");
    let e = err(&run(
        &cfg,
        &[
            "migrate",
            "--from",
            nowhere.to_str().unwrap(),
            "--to",
            &db.url,
        ],
    ));
    assert!(e.contains("没有数据库"), "{e}");
    assert!(!nowhere.exists());
    let e = err(&run(
        &cfg,
        &["migrate", "--from", sled, "--to", "mysql://x/y"],
    ));
    assert!(e.contains("不支持 mysql://"), "{e}");
}

#[test]
fn a_chained_export_and_a_backup_keep_their_chain_on_postgres() {
    let Some(db) = pg_common::test_db("a_chained_export_and_a_backup_keep_their_chain_on_postgres")
    else {
        return;
    };
    let Some(db2) =
        pg_common::test_db("a_chained_export_and_a_backup_keep_their_chain_on_postgres (2)")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    let sled = dir.path().join("db");
    filled(&sled);
    let head = format!("{:?}", open(&sled).store().chain_head().unwrap());
    let file = dir.path().join("all.jsonl");
    let sled_s = sled.to_str().unwrap();
    ok(&run(
        &cfg,
        &[
            "--db",
            sled_s,
            "export",
            "--format",
            "jsonl",
            "-o",
            file.to_str().unwrap(),
        ],
    ));
    // The whole chained log into an empty database: the same chain, link for link.
    ok(&run(
        &cfg,
        &["--db", &db.url, "import", file.to_str().unwrap()],
    ));
    assert_eq!(
        format!("{:?}", open(&db.path()).store().chain_head().unwrap()),
        head
    );
    assert!(open(&db.path()).verify().unwrap().is_empty());
    // A backup of the database restored into another: the same chain again.
    let backup = dir.path().join("backup");
    ok(&run(
        &cfg,
        &["--db", &db.url, "backup", backup.to_str().unwrap()],
    ));
    ok(&run(
        &cfg,
        &["--db", &db2.url, "restore", backup.to_str().unwrap()],
    ));
    assert_eq!(
        format!("{:?}", open(&db2.path()).store().chain_head().unwrap()),
        head
    );
}
