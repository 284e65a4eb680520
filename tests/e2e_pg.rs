//! End to end on PostgreSQL (issue 16): the real binary in tmux on a real database. Two apps on
//! one database: a contact saved in one, keys pressed as a user does, is on the other's screen
//! within a second. The server gone while an app is open: a banner says so, a save is refused
//! with the reason and what was typed stays; when the server takes connections again the
//! banner goes by itself and the same save goes through.
//!
//! Skipped (saying so) without GENBAN_TEST_PG or without tmux; under GENBAN_REQUIRE_PG=1 or
//! GENBAN_REQUIRE_TMUX=1 (CI) a missing one is a failure.

mod pg_common;
#[path = "common/tmux.rs"]
mod tmux;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tmux::{have_tmux, open_first_in_progress, start_on, Tmux};

/// The day the apps run as.
const DAY: &str = "2026-11-20";

/// The binary on `url` as of DAY with its config in `cfg`; its stdout, which must succeed.
fn genban(url: &str, cfg: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_genban"))
        .args(["--db", url])
        .args(args)
        .env("GENBAN_TODAY", DAY)
        .env("GENBAN_CONFIG_DIR", cfg)
        .env_remove("GENBAN_LANG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A database with a demo of 40 tickets (None: skipped).
fn demo_db(test: &str) -> Option<(pg_common::TestDb, tempfile::TempDir)> {
    if !have_tmux(test) {
        return None;
    }
    let db = pg_common::test_db(test)?;
    let dir = tempfile::tempdir().unwrap();
    genban(
        &db.url,
        &dir.path().join("demo.config"),
        &["demo", "--tickets", "40"],
    );
    Some((db, dir))
}

/// The app in tmux on `url`, in its own directory under `dir` (`name`: its config and the
/// operator's name; `en`: in English), past the operator prompt and the month's tasks, on the
/// panes.
fn open_app(dir: &Path, url: &str, name: &str, en: bool) -> Tmux {
    let home = dir.join(name);
    std::fs::create_dir_all(&home).unwrap();
    let lang = if en {
        "GENBAN_LANG=en "
    } else {
        "unset GENBAN_LANG; "
    };
    let t = start_on(
        &home,
        &format!("{lang}GENBAN_TODAY={DAY} "),
        url,
        &home.join("config"),
        (100, 30),
    );
    t.wait_for(if en { "Your name" } else { "操作员姓名" });
    t.type_text(name);
    t.keys(&["Enter"]);
    // The month's tasks show once a month for the whole database: at the first app only.
    let (tasks, panes) = if en {
        ("This month's tasks 2026-11", "1 To sign")
    } else {
        ("本月任务 2026-11", "1 待签收")
    };
    if wait_any(&t, &[tasks, panes]).contains(tasks) {
        t.keys(&["Escape"]);
        t.wait_gone(tasks);
    }
    t.wait_for(panes);
    t
}

/// Polls the screen until it holds one of `what`.
fn wait_any(t: &Tmux, what: &[&str]) -> String {
    let start = Instant::now();
    loop {
        let s = t.screen();
        if what.iter().any(|w| s.contains(w)) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for one of {what:?}; the screen was:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An admin connection to the server (to shut the database and let it in again).
fn admin(test: &str) -> postgres::Client {
    let url = pg_common::server(test).unwrap();
    postgres::Client::connect(&url, postgres::NoTls).unwrap()
}

/// Events of `id` in the database whose line holds `text`.
fn saved(db: &pg_common::TestDb, id: &str, text: &str) -> i64 {
    db.client()
        .query_one(
            "SELECT count(*) FROM genban_events WHERE ticket = $1 AND strpos(line, $2) > 0",
            &[&id, &text],
        )
        .unwrap()
        .get(0)
}

#[test]
fn a_contact_saved_in_one_app_is_on_the_others_screen_within_a_second() {
    let test = "a_contact_saved_in_one_app_is_on_the_others_screen_within_a_second";
    let Some((db, dir)) = demo_db(test) else {
        return;
    };
    let a = open_app(dir.path(), &db.url, "甲", false);
    let b = open_app(dir.path(), &db.url, "乙", false);
    let id = open_first_in_progress(&a);
    // The other opens the same ticket by its id.
    b.keys(&[":"]);
    b.type_text(&id);
    b.keys(&["Enter"]);
    b.wait_for("办理记录");
    let said = "两台同步联系";
    assert!(!b.screen().contains(said));
    a.keys(&["c"]);
    a.wait_for("记录联系");
    // Enter with nothing said: the cursor goes to 沟通内容.
    a.keys(&["Enter"]);
    a.wait_for("请填写「沟通内容」");
    a.type_text(said);
    // From the key press that saves (and from the first's saying it saved) to the moment the
    // other shows it.
    let start = Instant::now();
    a.run(&["send-keys", "-t", "e2e", "Enter"]);
    let (mut at_saved, mut at_seen) = (None, None);
    while (at_saved.is_none() || at_seen.is_none()) && start.elapsed() < Duration::from_secs(20) {
        if at_saved.is_none() && a.screen().contains(&format!("已保存 {id}")) {
            at_saved = Some(Instant::now());
        }
        if at_seen.is_none() && b.screen().contains(said) {
            at_seen = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (Some(saved_at), Some(seen_at)) = (at_saved, at_seen) else {
        panic!(
            "saved {at_saved:?}, seen {at_seen:?}; the other screen:\n{}",
            b.screen()
        );
    };
    let late = seen_at.saturating_duration_since(start);
    eprintln!(
        "{test}: on the other screen {} ms after Enter was pressed in the first ({} ms after the first said it saved)",
        late.as_millis(),
        seen_at.saturating_duration_since(saved_at).as_millis()
    );
    assert!(
        late < Duration::from_secs(1),
        "the other app showed the contact {late:?} after Enter was pressed in the first"
    );
    assert_eq!(saved(&db, &id, said), 1);
}

#[test]
fn the_server_gone_a_banner_a_save_refused_and_kept_then_back_by_itself() {
    let test = "the_server_gone_a_banner_a_save_refused_and_kept_then_back_by_itself";
    let Some((db, dir)) = demo_db(test) else {
        return;
    };
    let t = open_app(dir.path(), &db.url, "甲", false);
    let id = open_first_in_progress(&t);
    t.keys(&["c"]);
    t.wait_for("记录联系");
    t.keys(&["Enter"]);
    t.wait_for("请填写「沟通内容」");
    let said = "断线时输入的话";
    t.type_text(said);
    t.wait_for(said);
    // Every connection to the database ended, and no new one taken for now.
    let mut sql = admin(test);
    sql.batch_execute(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS false",
        db.name
    ))
    .unwrap();
    sql.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        &[&db.name],
    )
    .unwrap();
    let gone = Instant::now();
    t.wait_for("现为只读");
    eprintln!(
        "{test}: the banner {} ms after the server dropped the app",
        gone.elapsed().as_millis()
    );
    let s = t.screen();
    assert!(s.contains("连不上数据库服务器"), "{s}");
    // The save is refused with the reason; the dialog stays with what was typed.
    t.keys(&["Enter"]);
    let s = t.wait_for("这次没有写入");
    assert!(s.contains(said) && s.contains("记录联系"), "{s}");
    // Back: the banner goes by itself, and the same save goes through.
    sql.batch_execute(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS true",
        db.name
    ))
    .unwrap();
    let back = Instant::now();
    t.wait_for("已重新连上");
    t.wait_gone("现为只读");
    eprintln!(
        "{test}: the banner gone {} ms after the server took connections again",
        back.elapsed().as_millis()
    );
    t.keys(&["Enter"]);
    t.wait_for(&format!("已保存 {id}"));
    assert_eq!(saved(&db, &id, said), 1);
    t.keys(&["q"]);
}

#[test]
fn in_english_the_banner_is_english() {
    let test = "in_english_the_banner_is_english";
    let Some((db, dir)) = demo_db(test) else {
        return;
    };
    let t = open_app(dir.path(), &db.url, "op", true);
    let mut sql = admin(test);
    sql.batch_execute(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS false",
        db.name
    ))
    .unwrap();
    sql.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        &[&db.name],
    )
    .unwrap();
    t.wait_for("cannot reach the database server: read-only");
    sql.batch_execute(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS true",
        db.name
    ))
    .unwrap();
    t.wait_for("the database server is back");
    t.wait_gone("cannot reach the database server: read-only");
    t.keys(&["q"]);
}
