//! End to end: the real binary in tmux, keys typed with send-keys, the screen read with
//! capture-pane. Without tmux the test says it was skipped and why, unless
//! GENBAN_REQUIRE_TMUX=1 (set by .ci/run), where a missing tmux is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    sock: PathBuf,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .args(["-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-S", "-", "-t", "e2e"])
    }
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }
    /// Polls the screen until it contains `what` (never sleeps blindly).
    fn wait_for(&self, what: &str) -> String {
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

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn genban(db: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_genban"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("GENBAN_TODAY", "2026-11-20")
        .env("GENBAN_CONFIG_DIR", db.with_extension("config"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn record_a_contact_in_the_real_binary() {
    if !tmux_available() {
        if std::env::var("GENBAN_REQUIRE_TMUX").as_deref() == Ok("1") {
            panic!("tmux is required here (GENBAN_REQUIRE_TMUX=1) but is not installed");
        }
        eprintln!("SKIPPED record_a_contact_in_the_real_binary: tmux is not installed (apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    genban(&db, &["demo", "--tickets", "80"]);
    let t = Tmux {
        sock: dir.path().join("tmux.sock"),
    };
    let cmd = format!(
        "GENBAN_TODAY=2026-11-20 GENBAN_CONFIG_DIR={} {} --db {}; echo EXIT=$?",
        db.with_extension("config").display(),
        env!("CARGO_BIN_EXE_genban"),
        db.display()
    );
    t.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "100",
        "-y",
        "30",
        "-e",
        "TERM=xterm-256color",
        "-e",
        "LANG=C.UTF-8",
        &cmd,
    ]);
    t.run(&["set-option", "-t", "e2e", "remain-on-exit", "on"]);
    // The month's tasks greet the first start of the month.
    t.wait_for("本月任务 2026-11");
    t.keys(&["Enter"]);
    t.wait_for("1 待签收");
    // The in-progress pane, the first ticket's detail.
    t.keys(&["2"]);
    t.wait_for("办理中 (");
    t.keys(&["Enter"]);
    let s = t.wait_for("办理记录");
    let id = s
        .lines()
        .find_map(|l| {
            l.split("工单 ")
                .nth(1)
                .map(|r| r.split_whitespace().next().unwrap_or("").to_string())
        })
        .expect("the detail title names the ticket");
    // Record a contact: channel phone, reached, a note.
    t.keys(&["c"]);
    t.wait_for("记录联系");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.run(&["send-keys", "-t", "e2e", "-l", "e2e告知进展"]);
    t.keys(&["Enter"]);
    t.wait_for(&format!("已保存 {id}"));
    // Resize: the app redraws for the new size.
    t.run(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    t.wait_for("e2e告知进展");
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(200));
    t.keys(&["q"]);
    let end = t.wait_for("EXIT=");
    assert!(end.contains("EXIT=0"), "{end}");
    // The terminal is back to normal and the event is in the store.
    let show = genban(&db, &["show", &id, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    let last = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["note"] == "e2e告知进展")
        .expect("the contact was stored")
        .clone();
    assert_eq!(last["type"], "contact");
    assert_eq!(last["outcome"], "reached");
    assert!(last["recorded_at"].is_string());
}
