//! End to end: the real binary in tmux, keys typed with send-keys, the screen read with
//! capture-pane. Without tmux the test says it was skipped and why, unless
//! GENBAN_REQUIRE_TMUX=1 (set by .ci/run), where a missing tmux is a failure.

#[path = "common/tmux.rs"]
mod tmux;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tmux::{genban, have_tmux, open_first_in_progress, Tmux, DAY};

/// A demo store of 80 tickets and the app open on it as of 2026-11-20.
fn open_app(dir: &Path) -> (PathBuf, Tmux) {
    tmux::open_app(dir, DAY)
}

/// The count of a pane in the tab line, e.g. "3 待联系 8" → 8.
fn tab_count(screen: &str, pane: &str) -> usize {
    let line = screen.lines().find(|l| l.contains("1 待签收")).unwrap();
    let after = line.split(pane).nth(1).unwrap();
    after.split_whitespace().next().unwrap().parse().unwrap()
}

fn quit(t: &Tmux) {
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(200));
    t.keys(&["q"]);
    let end = t.wait_for("EXIT=");
    assert!(end.contains("EXIT=0"), "{end}");
}

#[test]
fn record_a_contact_in_the_real_binary() {
    if !have_tmux("record_a_contact_in_the_real_binary") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, t) = open_app(dir.path());
    // The in-progress pane, the first ticket's detail.
    let id = open_first_in_progress(&t);
    // Record a contact: channel phone, reached, a note.
    t.keys(&["c"]);
    t.wait_for("记录联系");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.run(&["send-keys", "-t", "e2e", "-l", "e2e告知进展"]);
    t.keys(&["Enter"]);
    let saved = t.wait_for(&format!("已保存 {id}"));
    // The header names who is at the keyboard (asked at the first start, kept in the config).
    assert!(saved.contains("操作员 测试员"), "{saved}");
    let config = std::fs::read_to_string(db.with_extension("config").join("config.toml")).unwrap();
    assert!(config.contains("operator = \"测试员\""), "{config}");
    // Resize: the app redraws for the new size.
    t.run(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    t.wait_for("e2e告知进展");
    // `u` shows what it would void, Enter voids it; the timeline marks it.
    t.keys(&["u"]);
    let asked = t.wait_for("撤销上一条录入");
    assert!(asked.contains("e2e告知进展"), "{asked}");
    t.keys(&["Enter"]);
    t.wait_for(&format!("已撤销 {id}"));
    t.wait_for("的「联系」:");
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
    assert_eq!(last["operator"], "测试员");
    let undo = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "void")
        .expect("the undo was stored");
    assert_eq!(undo["reason"], "录入错误,撤销");
    assert_eq!(undo["target"]["type"], "contact");
    assert_eq!(undo["operator"], "测试员");
}

#[test]
fn commands_from_the_shell_while_the_app_is_open() {
    if !have_tmux("commands_from_the_shell_while_the_app_is_open") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, t) = open_app(dir.path());
    let s = t.screen();
    let (to_sign, to_contact) = (tab_count(&s, "待签收"), tab_count(&s, "待联系"));
    // import from another directory, with a relative path
    std::fs::write(
        dir.path().join("new.csv"),
        "工单编号,受理时间,派发时间,承办单位,满意度,是否合理诉求\nT9,2026-11-19 09:00,2026-11-19 10:00,新金社区,不满意,是\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_genban"))
        .current_dir(dir.path())
        .args(["--db", db.to_str().unwrap(), "import", "new.csv"])
        .env("GENBAN_TODAY", "2026-11-20")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    t.wait_for(&format!("1 待签收 {}", to_sign + 1));
    // a contact on the first ticket awaiting one
    let list: serde_json::Value = serde_json::from_str(&genban(
        &db,
        &["list", "awaiting-contact", "--format", "json"],
    ))
    .unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    genban(
        &db,
        &[
            "contact",
            &id,
            "--at",
            "2026-11-20 09:30",
            "--note",
            "告知进度",
        ],
    );
    t.wait_for(&format!("3 待联系 {}", to_contact - 1));
    let report = genban(&db, &["report", "--format", "json"]);
    assert!(report.contains("monthly_contact_rate"));
    quit(&t);
}

#[test]
fn the_unit_picker_in_the_real_binary() {
    if !have_tmux("the_unit_picker_in_the_real_binary") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, t) = open_app(dir.path());
    t.keys(&["1"]);
    t.wait_for("待签收 1/");
    let list: serde_json::Value =
        serde_json::from_str(&genban(&db, &["list", "awaiting-sign", "--format", "json"])).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    t.keys(&["d"]);
    t.wait_for("派发至");
    t.run(&["send-keys", "-t", "e2e", "-l", "社区"]);
    t.keys(&["Down"]);
    let s = t.wait_for("候选 2/");
    let picked = s
        .lines()
        .find_map(|l| l.split('[').nth(1).and_then(|r| r.split(']').next()))
        .expect("the highlighted candidate")
        .to_string();
    t.keys(&["Enter"]);
    t.wait_for(&format!("已保存 {id}"));
    let show: serde_json::Value =
        serde_json::from_str(&genban(&db, &["show", &id, "--format", "json"])).unwrap();
    assert_eq!(show["unit"], picked.as_str());
    quit(&t);
}

#[test]
fn void_a_contact_in_the_real_binary() {
    if !have_tmux("void_a_contact_in_the_real_binary") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, t) = open_app(dir.path());
    let id = open_first_in_progress(&t);
    let show: serde_json::Value =
        serde_json::from_str(&genban(&db, &["show", &id, "--format", "json"])).unwrap();
    let events = show["events"].as_array().unwrap().clone();
    let row = events
        .iter()
        .rev()
        .position(|e| e["type"] == "contact")
        .expect("the ticket has a contact");
    for _ in 0..row {
        t.keys(&["j"]);
    }
    t.keys(&["x"]);
    t.wait_for("撤销原因");
    t.run(&["send-keys", "-t", "e2e", "-l", "联系记错了"]);
    t.keys(&["Enter"]);
    t.wait_for(&format!("已保存 {id}"));
    t.wait_for("的「联系」:");
    let show: serde_json::Value =
        serde_json::from_str(&genban(&db, &["show", &id, "--format", "json"])).unwrap();
    let void = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "void")
        .expect("the void was stored")
        .clone();
    assert_eq!(void["reason"], "联系记错了");
    assert_eq!(void["target"]["type"], "contact");
    quit(&t);
}

/// Display columns of each character of a line, as a terminal shows them.
fn cols(l: &str) -> Vec<(usize, char)> {
    let mut c = 0;
    l.chars()
        .map(|ch| {
            let at = c;
            c += genban::text::width(&ch.to_string());
            (at, ch)
        })
        .collect()
}

fn char_at(l: &str, col: usize) -> Option<char> {
    cols(l)
        .into_iter()
        .find(|(c, _)| *c == col)
        .map(|(_, ch)| ch)
}

/// The pop-up showing `title` (on its top border or on its first line): checks that its left
/// and right borders stand on every row.
fn assert_popup_whole(screen: &str, title: &str) {
    let lines: Vec<&str> = screen.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains(title))
        .unwrap_or_else(|| panic!("no pop-up showing {title:?}:\n{screen}"));
    let before = lines[i].split(title).next().unwrap();
    let left = cols(before)
        .into_iter()
        .rev()
        .find(|(_, ch)| matches!(ch, '┌' | '│'))
        .map(|(c, _)| c)
        .unwrap_or_else(|| panic!("no border left of {title:?}: {}", lines[i]));
    let top = (0..=i)
        .rev()
        .find(|&k| char_at(lines[k], left) == Some('┌'))
        .unwrap_or_else(|| panic!("no top corner above {title:?}\n{screen}"));
    let right = cols(lines[top])
        .into_iter()
        .find(|(c, ch)| *c > left && *ch == '┐')
        .map(|(c, _)| c)
        .unwrap_or_else(|| panic!("no right corner: {}", lines[top]));
    for l in &lines[top + 1..] {
        match (char_at(l, left), char_at(l, right)) {
            (Some('└'), Some('┘')) => return,
            (Some('│'), Some('│')) => {}
            other => panic!("{title:?}: border broken at {other:?} in {l:?}\n{screen}"),
        }
    }
    panic!("{title:?}: no bottom border\n{screen}");
}

#[test]
fn every_pop_up_keeps_its_border_over_chinese_text() {
    if !have_tmux("every_pop_up_keeps_its_border_over_chinese_text") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_db, t) = open_app(dir.path());
    // (pane, key, title) — each dialog where its action applies, the rest anywhere.
    // (The awaiting-sign pane lists returned tickets first: `G` goes to one awaiting sign.)
    let cases: [(&str, &str, &str); 18] = [
        ("1 G", "s", "签收 ·"),
        ("1 G", "b", "退回 ·"),
        ("1", "d", "派发 ·"),
        ("2", "c", "记录联系 ·"),
        ("2", "e", "延期 ·"),
        ("2", "r", "解决 ·"),
        ("2", "n", "备注 ·"),
        ("5", "v", "回访评价 ·"),
        ("5", "o", "重新办理 ·"),
        ("2", "/", "搜索"),
        ("2", "U", "承办单位"),
        ("2", "C", "诉求分类"),
        ("2", "?", "按键帮助"),
        ("2", "m", "本月任务"),
        ("2", "R", "回头看"),
        ("2", "w", "吹哨 · 一哨联办 ·"),
        ("2", "E", "每月一办 ·"),
        ("2", "a", "新增工单"),
    ];
    for (w, h) in [(100, 30), (80, 24)] {
        t.run(&[
            "resize-window",
            "-t",
            "e2e",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
        for (pane, key, title) in cases {
            t.keys(&pane.split(' ').collect::<Vec<_>>());
            std::thread::sleep(Duration::from_millis(100));
            t.keys(&[key]);
            let s = t.wait_for(title);
            assert_popup_whole(&s, title);
            t.keys(&["Escape"]);
            std::thread::sleep(Duration::from_millis(150));
            // A dialog with something typed asks first; nothing is typed here.
        }
    }
    quit(&t);
}

#[test]
fn the_board_in_the_real_binary_whistle_then_open_summons() {
    if !have_tmux("the_board_in_the_real_binary_whistle_then_open_summons") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, t) = open_app(dir.path());
    // Summon two departments on an in-progress ticket (one typed as a new name).
    let id = open_first_in_progress(&t);
    t.keys(&["w"]);
    t.wait_for("召集部门");
    t.run(&["send-keys", "-t", "e2e", "-l", "区水务"]);
    t.keys(&["Space"]);
    t.run(&["send-keys", "-t", "e2e", "-l", "e2e燃气"]);
    t.keys(&["Space"]);
    t.wait_for("✓ 区水务局、e2e燃气");
    t.keys(&["Enter"]);
    t.wait_for(&format!("已保存 {id}"));
    // The board: dashboard first, the open summons one Tab away, both departments waiting.
    t.keys(&["Escape"]);
    t.wait_for("1 待签收");
    t.keys(&["D"]);
    let s = t.wait_for("单位排名");
    assert!(s.contains("【仪表盘】") && s.contains("按月联系率"), "{s}");
    t.keys(&["Tab"]);
    let s = t.wait_for("【吹哨未响应");
    let mine: Vec<&str> = s.lines().filter(|l| l.contains(id.as_str())).collect();
    assert!(
        mine.iter().any(|l| l.contains("区水务局")) && mine.iter().any(|l| l.contains("e2e燃气")),
        "{s}"
    );
    // Enter opens the ticket; Esc comes back to the board.
    t.keys(&["Enter"]);
    t.wait_for(&format!("工单 {id}"));
    t.keys(&["Escape"]);
    t.wait_for("【吹哨未响应");
    t.keys(&["Escape"]);
    quit(&t);
    let open = genban(&db, &["whistles"]);
    assert!(open.contains(&id) && open.contains("e2e燃气"), "{open}");
}

/// The ticket of the real portal messages with the longest reply, and the last row of its
/// record as the app wraps it in 80 columns (read from the store before the app opens it).
fn longest_reply(db: &Path) -> (String, String, usize) {
    let tz = genban::domain::time::DEFAULT_TZ;
    let store = genban::store::open(db, tz).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let l = genban::ledger::Ledger::new(store, genban::domain::time::Clock::fixed(tz, day));
    let mut best: Option<(usize, String, genban::domain::event::TicketRecord)> = None;
    for row in l.pane(genban::ledger::Pane::All, day).unwrap() {
        let id = row.ticket().id.clone();
        let (full, _) = l.ticket(&id, day).unwrap().unwrap();
        let rec = full.ticket().record.clone();
        let n = rec.reply.as_deref().map_or(0, |r| r.chars().count());
        if best.as_ref().is_none_or(|(m, _, _)| n > *m) {
            best = Some((n, id, rec));
        }
    }
    let (n, id, rec) = best.unwrap();
    let lines = genban::tui::event_text::record_text(&rec, tz, genban::i18n::Lang::Zh, false);
    let rows = genban::tui::text_view::TextView::new("", lines).rows(80);
    (id, rows.last().unwrap().trim().to_string(), n)
}

#[test]
fn the_longest_real_reply_scrolls_to_its_end_in_the_real_binary() {
    if !have_tmux("the_longest_real_reply_scrolls_to_its_end_in_the_real_binary") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real/cn_gov_messages/messages_with_replies.xlsx");
    genban(
        &db,
        &[
            "import",
            file.to_str().unwrap(),
            "--profile",
            "cn-gov-messages",
        ],
    );
    let (id, last_row, chars) = longest_reply(&db);
    assert!(chars > 7000, "{chars}");
    let t = tmux::start(
        dir.path(),
        "GENBAN_TODAY=2026-11-20 GENBAN_OPERATOR=测试员 ",
        &db,
        (80, 24),
    );
    t.wait_for("本月任务");
    t.keys(&["Escape"]);
    // Every imported record is in 全部; the search finds the ticket as typed.
    t.keys(&["6"]);
    t.wait_for("全部 1/2816");
    t.keys(&["/"]);
    t.run(&["send-keys", "-t", "e2e", "-l", &id]);
    t.wait_for("搜索结果 1/1");
    t.keys(&["Enter", "Enter"]);
    let detail = t.wait_for("t 看全文");
    assert!(!detail.contains(&last_row), "{detail}");
    // The record whole, to its end.
    t.keys(&["t"]);
    t.wait_for("工单记录全文");
    t.keys(&["G"]);
    let end = t.wait_for(&last_row);
    assert!(!end.contains("↓还有"), "{end}");
    // Esc closes the text, q goes back from the detail, q quits from the list.
    t.keys(&["Escape"]);
    t.wait_for("办理记录 1/");
    t.keys(&["q"]);
    t.wait_for("搜索结果 1/1");
    t.keys(&["q"]);
    let end = t.wait_for("EXIT=");
    assert!(end.contains("EXIT=0"), "{end}");
}
