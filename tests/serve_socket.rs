//! The app's socket: commands ask it before opening the store, a silent client holds up no
//! other, and neither side talks to another user.

mod common;

use common::*;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::Ledger;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// Far longer than any answer takes: only a command that hangs hits it.
const PATIENCE: Duration = Duration::from_secs(20);

/// A store with one ticket, N1, imported by the binary.
fn store_with_a_ticket(dir: &Path, name: &str) -> PathBuf {
    let db = dir.join(name);
    let csv = dir.join(format!("{name}.csv"));
    std::fs::write(
        &csv,
        "工单编号,受理时间,派发时间,承办单位,满意度,是否合理诉求\nN1,2026-11-20 09:00,2026-11-20 10:00,新金社区,不满意,是\n",
    )
    .unwrap();
    ok(&genban(&db, &["import", csv.to_str().unwrap()]));
    db
}

/// The app's side: the store held by this process.
fn hold(db: &Path) -> Ledger {
    Ledger::new(
        genban::store::open(db, DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date("2026-11-29")),
    )
}

/// Runs the binary on `db`, failing the test if it has not finished within `PATIENCE`.
fn genban_within(db: &Path, args: &[&str]) -> Output {
    let child = bin()
        .arg("--db")
        .arg(db)
        .args(args)
        .env("GENBAN_CONFIG_DIR", db.with_extension("config"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(PATIENCE) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            // SAFETY: `pid` is the child spawned above, not yet reaped (its waiter is blocked).
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("genban {args:?} did not finish within {PATIENCE:?}");
        }
    }
}

fn english(db: &Path) -> genban::cli::Context {
    genban::cli::Context {
        db: db.to_path_buf(),
        clock: Clock::fixed(DEFAULT_TZ, date("2026-11-29")),
        lang: genban::i18n::Lang::En,
        operator: None,
    }
}

#[test]
fn a_silent_client_does_not_hold_up_other_commands() {
    let d = tempfile::tempdir().unwrap();
    let db = store_with_a_ticket(d.path(), "db");
    let l = hold(&db);
    let _server = genban::serve::start(&l, &db).expect("the socket is made");
    let mut silent = UnixStream::connect(genban::serve::socket_path(&db)).unwrap();
    // Two commands while the silent client is connected, both answered by the app.
    for _ in 0..2 {
        let started = Instant::now();
        let show = ok(&genban_within(&db, &["show", "N1", "--format", "json"]));
        assert!(show.contains("N1"), "{show}");
        eprintln!("answered in {:?}", started.elapsed());
    }
    // The silent client is dropped after a while, without an answer.
    silent.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut got = Vec::new();
    match silent.read_to_end(&mut got) {
        Ok(_) => assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got)),
        Err(e) => assert_ne!(e.kind(), std::io::ErrorKind::WouldBlock, "not dropped: {e}"),
    }
}

#[test]
fn a_command_asks_the_app_before_opening_the_store() {
    let d = tempfile::tempdir().unwrap();
    // An app over the store `held` that serves on the socket of the store `free`, which it
    // does not hold: a command on `free` that asks the socket first is answered from `held`;
    // one that opened `free` first would find no N1 there.
    let held = store_with_a_ticket(d.path(), "held");
    let free = d.path().join("free");
    drop(genban::store::open(&free, DEFAULT_TZ).unwrap());
    let l = hold(&held);
    let server = genban::serve::start(&l, &free).expect("the socket is made");
    let show = ok(&genban_within(&free, &["show", "N1", "--format", "json"]));
    assert!(show.contains("N1"), "{show}");
    // Without the app the command opens the store itself, as it always did.
    drop(server);
    let e = err(&genban_within(&free, &["show", "N1"]));
    assert!(e.contains("N1"), "{e}");
}

#[test]
fn commands_are_forwarded_while_the_app_holds_the_store() {
    let d = tempfile::tempdir().unwrap();
    let db = store_with_a_ticket(d.path(), "db");
    let l = hold(&db);
    let _server = genban::serve::start(&l, &db).expect("the socket is made");
    let g0 = l.generation();
    ok(&genban_within(
        &db,
        &["note", "N1", "从命令行", "--at", "2026-11-28 10:00"],
    ));
    assert!(l.generation() > g0);
    assert!(l
        .events("N1")
        .unwrap()
        .iter()
        .any(|e| e.note.as_deref() == Some("从命令行")));
    // The app does not open itself again.
    let e = err(&genban_within(&db, &["demo"]));
    assert!(e.contains("已有工单") || e.contains("已经"), "{e}");
}

/// Gives `path` to the user nobody; false (with a note) when this process may not.
fn give_away(path: &Path) -> bool {
    match std::os::unix::fs::chown(path, Some(65534), Some(65534)) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("skipped: cannot give a file to another user here ({e})");
            false
        }
    }
}

#[test]
fn a_socket_of_another_user_is_never_sent_a_command() {
    let d = tempfile::tempdir().unwrap();
    let db = store_with_a_ticket(d.path(), "db");
    let _held = hold(&db);
    let sock = genban::serve::socket_path(&db);
    let listener = UnixListener::bind(&sock).unwrap();
    listener.set_nonblocking(true).unwrap();
    if !give_away(&sock) {
        return;
    }
    let e = err(&genban_within(&db, &["list", "overdue"]));
    assert!(e.contains("属于另一个用户"), "{e}");
    assert!(e.contains(sock.to_str().unwrap()), "{e}");
    // Through the library too, in English.
    let ctx = english(&db);
    let (mut out, mut errs) = (Vec::new(), Vec::new());
    let mut io = genban::cli::Io {
        out: &mut out,
        err: &mut errs,
        progress: false,
    };
    assert!(genban::serve::try_forward(&db, &ctx, &mut io).is_none());
    let e = genban::serve::forward(&db, &ctx, &mut io).unwrap_err();
    assert!(e.to_string().contains("belongs to another user"), "{e}");
    // Nobody ever connected.
    assert_eq!(
        listener.accept().unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
    // A store nobody holds is opened as always, whoever's socket lies beside it.
    let other = store_with_a_ticket(d.path(), "other");
    let sock = genban::serve::socket_path(&other);
    let _listener = UnixListener::bind(&sock).unwrap();
    assert!(give_away(&sock));
    let show = ok(&genban_within(&other, &["show", "N1", "--format", "json"]));
    assert!(show.contains("N1"), "{show}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_app_answers_no_other_user() {
    let d = tempfile::tempdir().unwrap();
    let db = store_with_a_ticket(d.path(), "db");
    let l = hold(&db);
    let _server = genban::serve::start(&l, &db).expect("the socket is made");
    let sock = genban::serve::socket_path(&db);
    // Let another user reach the socket, so that only the app's own check keeps them out.
    for dir in [d.path(), db.as_path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o711)).unwrap();
    }
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o666)).unwrap();
    let request = |stream: &mut UnixStream| -> String {
        let line = r#"{"args":["list","overdue"],"cwd":"/","today":null,"tz":"Asia/Shanghai","lang":"en","operator":null}"#;
        let _ = writeln!(stream, "{line}");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut got = String::new();
        let _ = stream.read_to_string(&mut got);
        got
    };
    let mine = request(&mut UnixStream::connect(&sock).unwrap());
    assert!(mine.contains("\"error\":null"), "{mine}");
    let theirs = std::thread::spawn(move || {
        // This thread alone becomes the user nobody (the raw call, unlike libc's setresuid,
        // changes the calling thread only; the thread ends right after).
        // SAFETY: a system call with plain integer arguments.
        let rc = unsafe { libc::syscall(libc::SYS_setresuid, -1i64, 65534i64, -1i64) };
        if rc != 0 {
            return None;
        }
        Some(UnixStream::connect(&sock).map(|mut s| request(&mut s)))
    })
    .join()
    .unwrap();
    match theirs {
        None => eprintln!("skipped: cannot act as another user here"),
        Some(Ok(got)) => assert!(got.is_empty(), "another user was answered: {got}"),
        Some(Err(e)) => panic!("another user could not even connect: {e}"),
    }
}
