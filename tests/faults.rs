//! Environment faults: a full disk, a read-only file system, a store whose holder died, a
//! stale socket. Each: a clear message, a non-zero exit, nothing corrupted, the next run fine.
//! The disk faults use a small tmpfs (mounting needs root; without it they say they skip).

mod common;
use common::*;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A tmpfs of `size` mounted on a fresh directory (kept by the guard), unmounted when dropped.
struct Tmpfs(PathBuf, #[allow(dead_code)] tempfile::TempDir);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let d = tempfile::tempdir().unwrap();
        let at = d.path().join("mnt");
        std::fs::create_dir(&at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Tmpfs(at, d))
    }
    fn remount(&self, opts: &str) {
        assert!(Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_and_a_read_only_file_system() {
    let Some(fs) = Tmpfs::mount("1m") else {
        eprintln!("SKIPPED a_full_disk_and_a_read_only_file_system: cannot mount a tmpfs here (needs root)");
        return;
    };
    let db = fs.0.join("db");
    // Full: the import is refused with a clear message and writes nothing.
    let o = genban(&db, &["import", sample("events.jsonl").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("disk is full") || stderr(&o).contains("磁盘已满"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"));
    // With room again: the store is whole (nothing of the file), and the import goes through.
    fs.remount("size=64m");
    let o = genban(&db, &["verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let o = genban(&db, &["list", "resolved", "--format", "json"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[]");
    assert!(
        genban(&db, &["import", sample("events.jsonl").to_str().unwrap()])
            .status
            .success()
    );
    // Read-only: every command says so and exits non-zero; nothing breaks.
    fs.remount("ro");
    for args in [vec!["list", "overdue"], vec!["note", "2026110400114", "x"]] {
        let o = genban(&db, &args);
        assert!(!o.status.success(), "{args:?}");
        assert!(stderr(&o).contains("只读"), "{args:?}: {}", stderr(&o));
    }
    fs.remount("rw");
    assert!(genban(&db, &["verify"]).status.success());
}

#[test]
fn a_store_whose_holder_died_and_a_stale_socket_are_fine_next_time() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    assert!(
        genban(&db, &["import", sample("events.jsonl").to_str().unwrap()])
            .status
            .success()
    );
    // A holder killed while it had the store open.
    let mut child = Command::new(env!("CARGO_BIN_EXE_genban"))
        .arg("--db")
        .arg(&db)
        .args(["import", sample("events.jsonl").to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let _ = child.kill();
    let _ = child.wait();
    // A socket left by an app that died.
    let sock = genban::serve::socket_path(&db);
    drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
    assert!(sock.exists());
    let o = genban(&db, &["list", "overdue"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(genban(&db, &["verify"]).status.success());
    // The next app start takes the socket over.
    let store = genban::store::open(&db, genban::domain::time::DEFAULT_TZ).unwrap();
    let l = genban::ledger::Ledger::new(
        store,
        genban::domain::time::Clock::fixed(genban::domain::time::DEFAULT_TZ, date("2026-11-29")),
    );
    let _server = genban::serve::start(&l, &db).expect("a stale socket is replaced");
    let o = genban(&db, &["list", "overdue"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
