//! A restored store is the store that was backed up (issue 14, item 6): a whole chained log
//! into an empty store keeps its chain (numbers, links, head), so backup → restore → backup
//! gives the same head and export → import → export the same bytes; into a store that holds
//! events, or unchained, a log is chained on.

mod common;
use common::*;
use genban::domain::chain::{self, Head};
use genban::domain::event::Event;
use genban::import::{import_file, ImportOptions};
use std::path::{Path, PathBuf};

/// Runs the binary; it must succeed. Returns what it said on stderr (its messages).
fn said(db: &Path, args: &[&str]) -> String {
    let o = genban(db, args);
    ok(&o);
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The head a backup's manifest records.
fn manifest_head(dir: &Path) -> Head {
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    serde_json::from_value(m["head"].clone()).unwrap()
}

/// The head a store holds (opened after the process that wrote it has ended).
fn store_head(db: &Path) -> Head {
    let store = (0..40)
        .find_map(|_| {
            genban::store::open(db, genban::domain::time::DEFAULT_TZ)
                .ok()
                .or_else(|| {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    None
                })
        })
        .expect("the store opens");
    store.chain_head().unwrap().unwrap_or_default()
}

/// A demo store, then entries made one at a time across tickets, each dated a minute after
/// its ticket's first event (before others already there): the chain runs across tickets and
/// against each ticket's time order.
fn demo_store(dir: &Path) -> PathBuf {
    let db = dir.join("demo");
    said(&db, &["demo", "--tickets", "60"]);
    let firsts = first_events(&db);
    let (a, b) = (&firsts[3], &firsts[17]);
    for (t, text, minutes) in [
        (a, "回访前再次核实", 1),
        (b, "已转交物业", 2),
        (a, "居民来电补充材料", 3),
    ] {
        let at = (t.1 + chrono::Duration::minutes(minutes))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        said(
            &db,
            &["--operator", "王雨婷", "note", &t.0, text, "--at", &at],
        );
    }
    db
}

/// Each ticket's id and the time of its first event (in the export's order), of the tickets
/// with more than two events.
fn first_events(db: &Path) -> Vec<(String, chrono::DateTime<chrono::FixedOffset>)> {
    let mut by: Vec<(String, chrono::DateTime<chrono::FixedOffset>, usize)> = Vec::new();
    for l in dir_export(db).lines() {
        let e = Event::from_json_str(l).unwrap();
        match by.last_mut() {
            Some(last) if last.0 == e.ticket => last.2 += 1,
            _ => by.push((e.ticket.clone(), e.at, 1)),
        }
    }
    by.into_iter()
        .filter(|t| t.2 > 2)
        .map(|t| (t.0, t.1))
        .collect()
}

fn ticket_ids(db: &Path) -> Vec<String> {
    let mut ids: Vec<String> = dir_export(db)
        .lines()
        .map(|l| Event::from_json_str(l).unwrap().ticket)
        .collect();
    ids.dedup();
    ids
}

fn dir_export(db: &Path) -> String {
    let f = db.with_extension("peek.jsonl");
    said(db, &["export", "--format", "jsonl", "-o", s(&f)]);
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::remove_file(&f).unwrap();
    text
}

/// A store from the shared log with voids, then a void and a note entered on the CLI.
fn voids_store(dir: &Path) -> PathBuf {
    let db = dir.join("voids");
    let log = shared().join("data/sample-voids/events.jsonl");
    said(&db, &["import", s(&log)]);
    let ids = ticket_ids(&db);
    said(
        &db,
        &[
            "--operator",
            "刘星晨",
            "note",
            &ids[5],
            "补记",
            "--at",
            "2026-02-01 10:00:00",
        ],
    );
    said(
        &db,
        &[
            "--operator",
            "刘星晨",
            "void",
            &ids[5],
            "--type",
            "note",
            "--at",
            "2026-02-01 10:00:00",
            "--reason",
            "测试撤销",
        ],
    );
    db
}

/// backup → restore into an empty store → backup: the same head (the manifest's and the
/// store's), the same log bytes, and `verify` clean.
fn backup_restore_backup(db: &Path, dir: &Path) {
    let b1 = dir.join("b1");
    let said1 = said(db, &["backup", s(&b1)]);
    let h1 = manifest_head(&b1);
    assert!(h1.seq > 0);
    assert!(said1.contains(&h1.hash[..16]), "{said1}");
    let restored = dir.join("restored");
    let r = said(&restored, &["restore", s(&b1)]);
    assert!(r.contains(&h1.hash[..16]) && r.contains("校验通过"), "{r}");
    assert!(!r.contains("注意"), "{r}");
    assert_eq!(store_head(&restored), h1);
    let b2 = dir.join("b2");
    let said2 = said(&restored, &["backup", s(&b2)]);
    assert_eq!(manifest_head(&b2), h1, "{said2}");
    assert!(said2.contains(&h1.hash[..16]), "{said2}");
    assert_eq!(
        std::fs::read(b1.join("events.jsonl")).unwrap(),
        std::fs::read(b2.join("events.jsonl")).unwrap()
    );
    let v = said(&restored, &["verify"]);
    assert!(v.contains("数据库完好"), "{v}");
}

/// export → import into an empty store → export: the same bytes, and the same head.
fn export_import_export(db: &Path, dir: &Path) {
    let e1 = dir.join("e1.jsonl");
    said(db, &["export", "--format", "jsonl", "-o", s(&e1)]);
    let copy = dir.join("copy");
    let out = ok(&genban(&copy, &["import", s(&e1)]));
    assert!(out.contains("0 条已存在(跳过)"), "{out}");
    let e2 = dir.join("e2.jsonl");
    said(&copy, &["export", "--format", "jsonl", "-o", s(&e2)]);
    let (a, b) = (std::fs::read(&e1).unwrap(), std::fs::read(&e2).unwrap());
    assert_eq!(a.len(), b.len());
    assert!(a == b, "export → import → export differs");
    assert_eq!(store_head(&copy), store_head(db));
    // The file lists a ticket's events by time, the chain runs otherwise: the check is real.
    let text = String::from_utf8(a).unwrap();
    let seqs: Vec<u64> = text
        .lines()
        .map(|l| chain::link_of(l).unwrap().seq)
        .collect();
    assert!(
        seqs.windows(2).any(|w| w[0] > w[1]),
        "the chain is in file order"
    );
}

#[test]
fn the_demo_store_restores_to_the_head_it_was_backed_up_with() {
    let d = tempfile::tempdir().unwrap();
    let db = demo_store(d.path());
    backup_restore_backup(&db, d.path());
}

#[test]
fn the_demo_store_exports_imports_and_exports_the_same_bytes() {
    let d = tempfile::tempdir().unwrap();
    let db = demo_store(d.path());
    export_import_export(&db, d.path());
}

#[test]
fn a_log_with_voids_restores_and_round_trips() {
    let d = tempfile::tempdir().unwrap();
    let db = voids_store(d.path());
    let e = dir_export(&db);
    assert!(e.contains("\"type\":\"void\""));
    assert!(e.contains("测试撤销"));
    let b = d.path().join("round");
    std::fs::create_dir(&b).unwrap();
    backup_restore_backup(&db, &b);
    export_import_export(&db, d.path());
}

#[test]
fn a_chained_log_into_a_store_with_events_is_chained_on() {
    let d = tempfile::tempdir().unwrap();
    let demo = demo_store(d.path());
    let e1 = d.path().join("demo.jsonl");
    said(&demo, &["export", "--format", "jsonl", "-o", s(&e1)]);
    let demo_head = store_head(&demo);
    // A store that already holds the shared sample (its own chain), then the demo's log.
    let db = sample_store(d.path());
    let before = store_head(&db);
    assert!(before.seq > 0);
    let out = ok(&genban(&db, &["import", s(&e1)]));
    assert!(
        out.contains(&format!("新增事件 {}", demo_head.seq)),
        "{out}"
    );
    let after = store_head(&db);
    assert_eq!(after.seq, before.seq + demo_head.seq);
    assert_ne!(after.hash, demo_head.hash);
    let v = said(&db, &["verify"]);
    assert!(v.contains("数据库完好"), "{v}");
    // Its events follow the sample's in the chain: none carries a number it had in the file.
    let text = dir_export(&db);
    let demo_ids: std::collections::HashSet<String> = std::fs::read_to_string(&e1)
        .unwrap()
        .lines()
        .map(|l| Event::from_json_str(l).unwrap().ticket)
        .collect();
    for l in text.lines() {
        if demo_ids.contains(&Event::from_json_str(l).unwrap().ticket) {
            assert!(chain::link_of(l).unwrap().seq > before.seq, "{l}");
        }
    }
    // A backup of it restores to its head too.
    let b = d.path().join("again");
    std::fs::create_dir(&b).unwrap();
    backup_restore_backup(&db, &b);
}

#[test]
fn an_unchained_log_is_chained_in_order() {
    let d = tempfile::tempdir().unwrap();
    let demo = demo_store(d.path());
    let text = dir_export(&demo);
    let head = store_head(&demo);
    // Without its chain fields: chained as read, ticket by ticket; it verifies.
    let plain: String = text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().shift_remove("_chain");
            v.to_string() + "\n"
        })
        .collect();
    let f = d.path().join("plain.jsonl");
    std::fs::write(&f, plain).unwrap();
    let db = d.path().join("plain");
    ok(&genban(&db, &["import", s(&f)]));
    let h = store_head(&db);
    assert_eq!(h.seq, head.seq);
    assert_ne!(h.hash, head.hash);
    assert!(said(&db, &["verify"]).contains("数据库完好"));
}

/// More tickets than one transaction holds, into an empty store (the plain ordered writes),
/// with entries across tickets after the import: the chain is kept there too.
#[test]
fn a_large_chained_log_keeps_its_chain_through_the_plain_writes() {
    let (d, l) = ledger("2026-11-29");
    let mut lines = Vec::new();
    for i in 0..2_100 {
        let id = format!("B{i:05}");
        for l in [
            format!(
                r#"{{"ticket":"{id}","type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"新金社区"}}"#
            ),
            format!(
                r#"{{"ticket":"{id}","type":"dispatch","at":"2026-10-02T09:00:00+08:00","unit":"新金社区"}}"#
            ),
        ] {
            lines.push((lines.len() + 1, Event::from_json_str(&l).unwrap()));
        }
    }
    assert_eq!(l.apply(lines, false, false).unwrap().added, 4_200);
    for (id, at) in [
        ("B00007", "2026-10-01T10:00:00+08:00"),
        ("B02000", "2026-10-03T10:00:00+08:00"),
        ("B00007", "2026-10-01T09:30:00+08:00"),
    ] {
        let e = format!(r#"{{"ticket":"{id}","type":"note","at":"{at}","note":"补记"}}"#);
        l.record(Event::from_json_str(&e).unwrap()).unwrap();
    }
    let e1 = d.path().join("e1.jsonl");
    genban::output::export::jsonl(&l, &e1).unwrap();
    let (d2, l2) = ledger("2026-11-29");
    let opts = ImportOptions::default();
    let report = import_file(&l2, &e1, &opts).unwrap();
    assert_eq!(report.outcome.added, 4_203);
    assert_eq!(l2.chain_head().unwrap(), l.chain_head().unwrap());
    assert_eq!(l2.verify().unwrap(), Vec::new());
    let e2 = d2.path().join("e2.jsonl");
    genban::output::export::jsonl(&l2, &e2).unwrap();
    assert!(std::fs::read(&e1).unwrap() == std::fs::read(&e2).unwrap());
    // A dry run of it into another empty store makes nothing.
    let (_d3, l3) = ledger("2026-11-29");
    let dry = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    assert_eq!(import_file(&l3, &e1, &dry).unwrap().outcome.added, 4_203);
    assert_eq!(l3.chain_head().unwrap(), None);
    assert_eq!(l3.ticket_count().unwrap(), 0);
}
