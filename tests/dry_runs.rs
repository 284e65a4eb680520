//! What checks only makes nothing: `import --dry-run` on a new `--db`, `restore` of a folder
//! that is not a backup.

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
