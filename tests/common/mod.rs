//! Helpers shared by the integration tests: a real sled store in a temp dir, the shared sample.
#![allow(dead_code)]

use chrono::NaiveDate;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::Ledger;
use std::path::PathBuf;

pub fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

pub fn sample(name: &str) -> PathBuf {
    shared().join("data/sample").join(name)
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A ledger over a fresh sled store in a temp dir (kept alive by the returned guard).
pub fn ledger(today: &str) -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let store =
        genban::store::open(&dir.path().join("db"), genban::domain::time::DEFAULT_TZ).unwrap();
    (
        dir,
        Ledger::new(store, Clock::fixed(DEFAULT_TZ, date(today))),
    )
}

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use genban::i18n::Lang;
use genban::tui::app::App;
use genban::tui::keymap::KeyMap;

/// The day the TUI fixtures are evaluated on (not the real date, so "now" is noon of it and
/// every screen is the same on every run).
pub const TUI_DAY: &str = "2026-11-20";

/// An app over a demo store of `n` tickets, with the month's tasks still to be shown.
pub fn demo_app(n: usize, lang: Lang) -> (tempfile::TempDir, App) {
    let (d, l) = ledger(TUI_DAY);
    if n > 0 {
        let out = genban::demo::generate(&l, n, 7).unwrap();
        assert!(out.refused.is_empty(), "{:?}", out.refused);
    }
    // Who is at the keyboard (the app asks at its first start; the header shows it).
    l.set_operator(Some("王雨婷".into()));
    let app = App::new(l, lang, KeyMap::defaults(), false).unwrap();
    (d, app)
}

pub fn press(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Applies JSON lines as one import; every line must be accepted.
pub fn load(l: &Ledger, lines: &[String]) {
    let events = lines
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                i + 1,
                genban::domain::event::Event::from_json_str(s).unwrap(),
            )
        })
        .collect();
    let out = l.apply(events, false, false).unwrap();
    assert!(out.refused.is_empty(), "{:?}", out.refused);
}

/// Whether `big` holds every key of `small` with the same value (lists element by element).
pub fn contains(big: &serde_json::Value, small: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (big, small) {
        (Value::Object(b), Value::Object(s)) => s
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|bv| contains(bv, v))),
        (Value::Array(b), Value::Array(s)) => {
            b.len() == s.len() && b.iter().zip(s).all(|(x, y)| contains(x, y))
        }
        _ => big == small,
    }
}

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The real binary, as of 2026-11-29, in Chinese, reading no terminal and no GENBAN_DB.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_genban"));
    c.env("GENBAN_TODAY", "2026-11-29")
        .env_remove("GENBAN_LANG")
        .env_remove("GENBAN_DB")
        .stdin(Stdio::null());
    c
}

/// Runs the binary on the store `db` (its config directory beside it).
pub fn genban<S: AsRef<OsStr>>(db: &Path, args: &[S]) -> Output {
    bin()
        .arg("--db")
        .arg(db)
        .args(args)
        .env("GENBAN_CONFIG_DIR", db.with_extension("config"))
        .output()
        .unwrap()
}

/// The output of a run that must succeed.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The message of a run that must fail, without a panic.
pub fn err(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected failure, stdout: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!e.contains("panicked"), "{e}");
    e
}

/// A store in `dir` holding the shared sample, imported by the binary.
pub fn sample_store(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    ok(&genban(
        &db,
        &["import", sample("events.jsonl").to_str().unwrap()],
    ));
    db
}

/// The raw sled store, opened behind the program's back (retrying while a genban that just
/// exited still holds it).
pub fn raw_store(db: &Path) -> sled::Db {
    (0..40)
        .find_map(|_| {
            sled::open(db).ok().or_else(|| {
                std::thread::sleep(std::time::Duration::from_millis(50));
                None
            })
        })
        .expect("the store opens once the other handle is gone")
}
