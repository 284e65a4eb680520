//! End to end, issue 14's entries in the real binary in tmux: a reached contact needs what was
//! said and a time of day; a whistle answered in the same minute counts; a resident meeting
//! (居民议事) lands in the timeline and on the board.

#[path = "common/tmux.rs"]
mod tmux;
use tmux::{events, genban_on, have_tmux, open_app, open_first_in_progress, DAY, REAL};

#[test]
fn a_reached_contact_needs_what_was_said_and_a_time_of_day() {
    if !have_tmux("a_reached_contact_needs_what_was_said_and_a_time_of_day") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, t) = open_app(dir.path(), DAY);
    let id = open_first_in_progress(&t);
    let before = events(&db, &id).len();
    // c then Enter: refused, the cursor on 沟通内容.
    t.keys(&["c"]);
    t.wait_for("记录联系");
    t.keys(&["Enter"]);
    t.wait_for("请填写「沟通内容」");
    t.type_text("e2e告知维修安排");
    // The time as a bare date: refused with the hint.
    t.keys(&["Tab", "C-u"]);
    t.type_text("2026-11-19");
    t.keys(&["Enter"]);
    t.wait_for("只有日期");
    t.type_text(" 10:30");
    t.keys(&["Enter"]);
    t.wait_for(&format!("已保存 {id}"));
    let ev = events(&db, &id);
    assert_eq!(ev.len(), before + 1);
    let c = ev.iter().find(|e| e["note"] == "e2e告知维修安排").unwrap();
    assert_eq!(c["type"], "contact");
    assert_eq!(c["at"], "2026-11-19T10:30:00+08:00");
    t.keys(&["Escape"]);
}

#[test]
fn a_whistle_answered_in_the_same_minute_counts_and_a_meeting_is_recorded() {
    if !have_tmux("a_whistle_answered_in_the_same_minute_counts_and_a_meeting_is_recorded") {
        return;
    }
    use chrono::Timelike;
    let dir = tempfile::tempdir().unwrap();
    let (db, t) = open_app(dir.path(), REAL);
    let id = open_first_in_progress(&t);
    // Not near the end of a minute, so that both entries fall in one.
    let s = chrono::Utc::now().second();
    if s >= 45 {
        std::thread::sleep(std::time::Duration::from_secs(u64::from(61 - s)));
    }
    t.keys(&["w"]);
    t.wait_for("召集部门");
    t.type_text("e2e燃气公司");
    t.keys(&["Space"]);
    t.wait_for("✓ e2e燃气公司");
    t.keys(&["Enter"]);
    t.wait_for(&format!("已保存 {id}"));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // W proposes the department that has not answered.
    t.keys(&["W"]);
    let s = t.wait_for("部门响应");
    assert!(s.contains("e2e燃气公司"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for(&format!("已保存 {id}"));
    let ev = events(&db, &id);
    let at = |ty: &str| {
        let e = ev.iter().rev().find(|e| e["type"] == ty).unwrap();
        chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap()
    };
    let (w, r) = (at("whistle"), at("whistle_response"));
    assert_eq!(
        w.timestamp() / 60,
        r.timestamp() / 60,
        "one minute: {w} {r}"
    );
    assert!(r > w, "{w} then {r}");
    // The summons is answered: `genban whistles` no longer lists it.
    let open = genban_on(REAL, &db, &["whistles"]);
    assert!(!open.contains("e2e燃气公司"), "{open}");
    // M: a meeting with two of the usual parties and a decision.
    let meetings_before = meetings(&db);
    t.keys(&["M"]);
    t.wait_for("居民议事");
    t.type_text("居民代表");
    t.keys(&["Space"]);
    t.type_text("物业");
    t.keys(&["Space"]);
    t.keys(&["Tab"]);
    t.type_text("e2e加装声控灯");
    t.keys(&["Enter"]);
    let s = t.wait_for(&format!("已保存 {id}"));
    assert!(s.contains("e2e加装声控灯"), "the timeline shows it: {s}");
    let ev = events(&db, &id);
    let m = ev.iter().find(|e| e["type"] == "meeting").unwrap();
    assert_eq!(m["decision"], "e2e加装声控灯");
    assert_eq!(
        m["participants"],
        serde_json::json!(["居民代表", "物业公司"])
    );
    assert_eq!(m["operator"], "测试员");
    // The board counts this month's meetings: one more.
    assert_eq!(meetings(&db), meetings_before + 1);
    t.keys(&["Escape"]);
}

/// This month's meetings as the dashboard counts them.
fn meetings(db: &std::path::Path) -> u64 {
    let d = genban_on(REAL, db, &["dashboard"]);
    let line = d.lines().find(|l| l.contains("本月议事")).unwrap();
    let after = line.split("本月议事").nth(1).unwrap();
    after.split_whitespace().next().unwrap().parse().unwrap()
}

/// A contact saved from the shell while the board is open: the board's contact figure moves
/// without Ctrl-r (issue 15, item 5).
#[test]
fn the_board_follows_a_write_from_the_shell() {
    if !have_tmux("the_board_follows_a_write_from_the_shell") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, t) = open_app(dir.path(), DAY);
    t.keys(&["D"]);
    let before = contact_line(&t.wait_for("单位排名"));
    let list: serde_json::Value = serde_json::from_str(&genban_on(
        DAY,
        &db,
        &["list", "awaiting-contact", "--format", "json"],
    ))
    .unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    genban_on(
        DAY,
        &db,
        &[
            "contact",
            &id,
            "--at",
            "2026-11-20 09:30",
            "--note",
            "e2e告知进度",
        ],
    );
    // The board is read again by itself: wait until its contact line differs.
    let start = std::time::Instant::now();
    loop {
        let now = contact_line(&t.screen());
        if now != before {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "the board still says {before}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    t.keys(&["Escape"]);
}

/// The board's line of the monthly contact rate (its figures as shown), inside its frame (not
/// the header's, which follows writes on its own).
fn contact_line(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.starts_with('│') && l.contains("按月联系率") && l.contains('%'))
        .unwrap_or_else(|| panic!("no contact line:\n{screen}"))
        .to_string()
}
