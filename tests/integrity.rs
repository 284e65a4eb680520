//! Tamper evidence: edits behind the program's back (in the sled store itself, or in an
//! exported log) are found and named by `verify` and by import.

mod common;
use common::*;
use std::path::Path;
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Rewrites one ticket's stored lines with `f`.
fn edit(db: &Path, id: &str, f: impl FnOnce(&mut Vec<String>)) {
    let r = raw_store(db);
    let t = r.open_tree("events").unwrap();
    let v = t.get(id).unwrap().expect("the ticket is stored");
    let mut lines: Vec<String> = String::from_utf8(v.to_vec())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    f(&mut lines);
    if lines.is_empty() {
        t.remove(id).unwrap();
    } else {
        t.insert(id, (lines.join("\n") + "\n").into_bytes())
            .unwrap();
    }
    r.flush().unwrap();
}

fn ids(db: &Path) -> Vec<String> {
    let r = raw_store(db);
    let t = r.open_tree("events").unwrap();
    t.iter()
        .map(|i| String::from_utf8(i.unwrap().0.to_vec()).unwrap())
        .collect()
}

fn verify_fails_with(db: &Path, want: &[&str]) -> String {
    let o = genban(db, &["verify"]);
    assert!(!o.status.success(), "verify passed a tampered store");
    let out = stdout(&o);
    for w in want {
        assert!(out.contains(w), "{w:?} not in:\n{out}");
    }
    out
}

#[test]
fn an_honest_store_verifies() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let o = genban(&db, &["verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn a_changed_event_is_named() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let id = ids(&db)[10].clone();
    edit(&db, &id, |lines| {
        let l = lines
            .iter_mut()
            .find(|l| l.contains("\"dispatch\""))
            .unwrap();
        // Same bytes length, another unit: the chain field is left as it was.
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let unit = v["unit"].as_str().unwrap().to_string();
        *l = l.replace(&unit, "篡改单位");
    });
    let out = verify_fails_with(&db, &[&id, "改动"]);
    assert_eq!(
        out.lines().filter(|l| l.contains("改动")).count(),
        1,
        "{out}"
    );
}

#[test]
fn a_removed_event_a_removed_ticket_and_an_inserted_event_are_named() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let all = ids(&db);
    let (a, b, c) = (all[3].clone(), all[50].clone(), all[100].clone());
    edit(&db, &a, |lines| {
        lines.remove(1);
    });
    edit(&db, &b, |lines| lines.clear());
    edit(&db, &c, |lines| {
        lines.push(
            serde_json::json!({"ticket": c, "type": "note", "at": "2026-11-20T10:00:00+08:00", "note": "补记"})
                .to_string(),
        )
    });
    let out = verify_fails_with(&db, &["缺失", &c, "不在校验链中"]);
    assert!(
        out.lines().filter(|l| l.contains("缺失")).count() >= 2,
        "{out}"
    );
    // The removed ticket leaves its summary behind: the indexes disagree too.
    assert!(out.contains(&b), "{out}");
}

#[test]
fn removing_the_last_events_is_found_by_the_head() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let o = genban(
        &db,
        &["note", &ids(&db)[0], "最后一条", "--at", "2026-11-28 10:00"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    edit(&db, &ids(&db)[0], |lines| {
        lines.pop();
    });
    verify_fails_with(&db, &["最后的记录被删除"]);
}

#[test]
fn an_index_that_disagrees_with_the_log_is_named() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    {
        let r = raw_store(&db);
        let idx = r.open_tree("idx").unwrap();
        let k = idx.iter().next().unwrap().unwrap().0;
        idx.remove(k).unwrap();
        r.flush().unwrap();
    }
    verify_fails_with(&db, &["索引与记录不一致"]);
}

#[test]
fn an_export_carries_the_chain_and_a_tampered_export_is_refused_at_its_line() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let out = d.path().join("backup.jsonl");
    assert!(genban(
        &db,
        &["export", "--format", "jsonl", "-o", out.to_str().unwrap()]
    )
    .status
    .success());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().all(|l| l.contains("\"_chain\"")));
    // Change one line's content: refused, naming that line; nothing written.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines
        .iter()
        .position(|l| l.contains("\"type\":\"contact\""))
        .unwrap();
    lines[n] = lines[n].replace("\"reached\"", "\"unreached\"");
    let bad = d.path().join("bad.jsonl");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let fresh = d.path().join("fresh");
    let o = genban(&fresh, &["import", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains(&format!("第 {} 行:", n + 1)) && e.contains("防篡改链"),
        "{e}"
    );
    // Remove a line: refused too.
    let mut cut: Vec<String> = text.lines().map(str::to_string).collect();
    cut.remove(5);
    std::fs::write(&bad, cut.join("\n") + "\n").unwrap();
    assert!(!genban(&fresh, &["import", bad.to_str().unwrap()])
        .status
        .success());
    // The honest export imports; the same log without chain fields (another system's) too.
    assert!(genban(&fresh, &["import", out.to_str().unwrap()])
        .status
        .success());
    let plain = d.path().join("plain.jsonl");
    let stripped: Vec<String> = text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("_chain");
            v.to_string()
        })
        .collect();
    std::fs::write(&plain, stripped.join("\n") + "\n").unwrap();
    let other = d.path().join("other");
    assert!(genban(&other, &["import", plain.to_str().unwrap()])
        .status
        .success());
    assert!(genban(&other, &["verify"]).status.success());
}

#[test]
fn a_store_from_before_the_chain_gets_one_on_open() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    for id in ids(&db) {
        edit(&db, &id, |lines| {
            for l in lines.iter_mut() {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("_chain");
                *l = v.to_string();
            }
        });
    }
    {
        let r = raw_store(&db);
        let meta = r.open_tree("meta").unwrap();
        meta.remove("chain_head").unwrap();
        meta.insert("schema", "1").unwrap();
        r.flush().unwrap();
    }
    let o = genban(&db, &["verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let r = raw_store(&db);
    assert_eq!(
        r.open_tree("meta")
            .unwrap()
            .get("schema")
            .unwrap()
            .unwrap()
            .as_ref(),
        genban::store::SCHEMA_VERSION.to_string().as_bytes()
    );
}
