//! What checks only makes nothing: `import --dry-run` on a new `--db`, `restore` of a folder
//! that is not a backup; and the files a store makes stay its owner's.

mod common;
use common::*;

#[test]
fn a_dry_run_import_on_a_new_store_makes_no_store() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("new");
    let out = ok(&genban(
        &db,
        &[
            "import",
            "--dry-run",
            sample("events.jsonl").to_str().unwrap(),
        ],
    ));
    assert!(out.contains("1466") && out.contains("试运行"), "{out}");
    assert!(!db.exists(), "a dry run made {}", db.display());
    // On an existing store it checks against what is there, and writes nothing.
    let db = sample_store(d.path());
    let out = ok(&genban(
        &db,
        &[
            "import",
            "--dry-run",
            sample("events.jsonl").to_str().unwrap(),
        ],
    ));
    assert!(out.contains("新增事件 0"), "{out}");
}

#[test]
fn restoring_a_folder_that_is_not_a_backup_makes_no_store() {
    let d = tempfile::tempdir().unwrap();
    let folder = d.path().join("not-a-backup");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("notes.txt"), "x").unwrap();
    let db = d.path().join("new");
    let e = err(&genban(&db, &["restore", folder.to_str().unwrap()]));
    assert!(e.contains("manifest.json"), "{e}");
    assert!(!db.exists(), "a refused restore made {}", db.display());
}

#[test]
fn every_file_made_once_a_store_is_open_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let (d, _l) = ledger("2026-11-29");
    // What sled makes later on its own threads (snapshots) is made under this process's mask.
    let later = d.path().join("db").join("snap.test");
    std::fs::write(&later, "x").unwrap();
    let mode = std::fs::metadata(&later).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    for entry in std::fs::read_dir(d.path().join("db")).unwrap() {
        let m = entry.unwrap().metadata().unwrap().permissions().mode() & 0o077;
        assert_eq!(m, 0, "readable by others");
    }
}
