//! The real binary in tmux: keys typed with send-keys, the screen read with capture-pane,
//! polled (never a blind sleep). Without tmux a test says it was skipped and why, unless
//! GENBAN_REQUIRE_TMUX=1 (set by .ci/run), where a missing tmux is a failure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub sock: PathBuf,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .args(["-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-S", "-", "-t", "e2e"])
    }
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }
    /// Types text literally (Chinese included).
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", text]);
        std::thread::sleep(Duration::from_millis(60));
    }
    /// Polls the screen until it no longer contains `what`.
    pub fn wait_gone(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if !s.contains(what) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {what:?} to go; the screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    /// Polls the screen until it contains `what`.
    pub fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {what:?}; the screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .arg("kill-server")
            .output();
    }
}

/// Whether tmux is here; without it a test skips (saying so), unless GENBAN_REQUIRE_TMUX=1.
pub fn have_tmux(test: &str) -> bool {
    let here = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if here {
        return true;
    }
    if std::env::var("GENBAN_REQUIRE_TMUX").as_deref() == Ok("1") {
        panic!("tmux is required here (GENBAN_REQUIRE_TMUX=1) but is not installed");
    }
    eprintln!("SKIPPED {test}: tmux is not installed (apt-get install tmux)");
    false
}

/// The day the tests run as: 2026-11-20, or the real clock's day when `REAL` (for entries whose
/// seconds matter: on a fixed day an entry left at "now" is dated noon).
pub const DAY: Option<&str> = Some("2026-11-20");
pub const REAL: Option<&str> = None;

/// The binary on `db` as of 2026-11-20 (its config beside it); its stdout, which must succeed.
pub fn genban(db: &Path, args: &[&str]) -> String {
    genban_on(DAY, db, args)
}

/// The binary on `db` as of `day`; its stdout, which must succeed.
pub fn genban_on(day: Option<&str>, db: &Path, args: &[&str]) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_genban"));
    c.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("GENBAN_TODAY")
        .env("GENBAN_CONFIG_DIR", db.with_extension("config"));
    if let Some(d) = day {
        c.env("GENBAN_TODAY", d);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A demo store of 80 tickets and the app open on it in tmux (100x30) as of `day`, the
/// operator named and the month's tasks closed.
pub fn open_app(dir: &Path, day: Option<&str>) -> (PathBuf, Tmux) {
    let db = dir.join("db");
    genban_on(day, &db, &["demo", "--tickets", "80"]);
    let today = day
        .map(|d| format!("GENBAN_TODAY={d} "))
        .unwrap_or_default();
    let t = start(dir, &format!("unset GENBAN_TODAY; {today}"), &db, (100, 30));
    t.wait_for("操作员姓名");
    t.type_text("测试员");
    t.keys(&["Enter"]);
    t.wait_for("本月任务 20");
    t.keys(&["Escape"]);
    t.wait_for("1 待签收");
    (db, t)
}

/// The app open in tmux on `db` (`env`: shell assignments before the command), its config
/// beside the store, in a `size` window kept on exit (so `EXIT=` can be read).
pub fn start(dir: &Path, env: &str, db: &Path, size: (u16, u16)) -> Tmux {
    start_on(
        dir,
        env,
        &db.display().to_string(),
        &db.with_extension("config"),
        size,
    )
}

/// The app open in tmux on the store `db` names (a directory or a database's address), its
/// config in `config` (`env`, `size`: as `start`).
pub fn start_on(dir: &Path, env: &str, db: &str, config: &Path, size: (u16, u16)) -> Tmux {
    let t = Tmux {
        sock: dir.join("tmux.sock"),
    };
    let cmd = format!(
        "{env}GENBAN_CONFIG_DIR={} {} --db '{db}'; echo EXIT=$?",
        config.display(),
        env!("CARGO_BIN_EXE_genban"),
    );
    let (w, h) = (size.0.to_string(), size.1.to_string());
    t.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        &w,
        "-y",
        &h,
        "-e",
        "TERM=xterm-256color",
        "-e",
        "LANG=C.UTF-8",
        &cmd,
    ]);
    t.run(&["set-option", "-t", "e2e", "remain-on-exit", "on"]);
    t
}

/// Opens the first ticket of the in-progress pane; returns its id (from the detail's title).
pub fn open_first_in_progress(t: &Tmux) -> String {
    t.keys(&["2"]);
    t.wait_for("办理中 1/");
    t.keys(&["Enter"]);
    let s = t.wait_for("办理记录");
    s.lines()
        .find_map(|l| {
            l.split("工单 ")
                .nth(1)
                .map(|r| r.split_whitespace().next().unwrap_or("").to_string())
        })
        .expect("the detail title names the ticket")
}

/// The events of a ticket as `show --format json` gives them.
pub fn events(db: &Path, id: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_str(&genban_on(REAL, db, &["show", id, "--format", "json"])).unwrap();
    v["events"].as_array().unwrap().clone()
}
