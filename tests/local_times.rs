//! Times for people: refusals, the look-back and the summons list say local times a person
//! reads (`2027-01-01 10:00:00`), never RFC 3339; waits over 48 hours are said in days; `show`
//! says when an event was entered only when that was an hour or more after it.

mod common;
use common::{err, genban, ok, sample};

/// Whether `s` holds an RFC 3339 time (`2026-11-13T10:37:00+08:00`).
fn has_rfc3339(s: &str) -> bool {
    s.as_bytes().windows(19).any(|w| {
        w[4] == b'-'
            && w[7] == b'-'
            && w[10] == b'T'
            && w[13] == b':'
            && w[16] == b':'
            && w[..4].iter().all(u8::is_ascii_digit)
    })
}

fn store(d: &std::path::Path) -> (std::path::PathBuf, String) {
    let db = d.join("db");
    ok(&genban(
        &db,
        &["import", sample("events.jsonl").to_str().unwrap()],
    ));
    let v: serde_json::Value = serde_json::from_str(&ok(&genban(
        &db,
        &["list", "in-progress", "--format", "json"],
    )))
    .unwrap();
    (db, v[0]["id"].as_str().unwrap().to_string())
}

#[test]
fn a_refusal_says_local_times_to_the_second() {
    let d = tempfile::tempdir().unwrap();
    let (db, id) = store(d.path());
    // Dated after the real clock: refused, both times readable.
    let e = err(&genban(
        &db,
        &[
            "contact",
            &id,
            "--note",
            "告知进度",
            "--at",
            "2999-01-01 10:00:00",
        ],
    ));
    assert!(e.contains("2999-01-01 10:00:00"), "{e}");
    assert!(!has_rfc3339(&e), "{e}");
}

#[test]
fn the_look_back_and_the_summons_say_dates_and_days() {
    let d = tempfile::tempdir().unwrap();
    let (db, id) = store(d.path());
    for month in ["2026-10", "2026-11"] {
        let text = ok(&genban(&db, &["review", "--month", month]));
        assert!(!has_rfc3339(&text), "{text}");
    }
    // A contact out of hours is flagged with its date and time.
    ok(&genban(
        &db,
        &[
            "contact",
            &id,
            "--note",
            "夜间回电",
            "--at",
            "2026-11-20 23:10:05",
        ],
    ));
    let text = ok(&genban(&db, &["review", "--month", "2026-11"]));
    assert!(text.contains("2026-11-20 23:10:05"), "{text}");
    // A whistle answered by nobody for days: waiting in days.
    ok(&genban(
        &db,
        &[
            "whistle",
            &id,
            "--department",
            "区水务局",
            "--at",
            "2026-11-10 09:00",
        ],
    ));
    let w = ok(&genban(&db, &["whistles"]));
    assert!(w.contains("天 ⚠"), "{w}");
    assert!(!w.contains("h ⚠"), "{w}");
}

#[test]
fn show_says_the_entry_time_only_an_hour_or_more_after_the_event() {
    let d = tempfile::tempdir().unwrap();
    let (db, id) = store(d.path());
    let now = chrono::Local::now().with_timezone(&chrono_tz::Asia::Shanghai);
    let at = |mins: i64| {
        (now - chrono::Duration::minutes(mins))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    ok(&genban(&db, &["note", &id, "刚才的备注", "--at", &at(5)]));
    ok(&genban(
        &db,
        &["note", &id, "两小时前的备注", "--at", &at(120)],
    ));
    let s = ok(&bin_show(&db, &id));
    let line = |needle: &str| s.lines().find(|l| l.contains(needle)).unwrap().to_string();
    assert!(!line("刚才的备注").contains("录入于"), "{s}");
    assert!(line("两小时前的备注").contains("录入于"), "{s}");
}

/// `show` on the real clock (the notes above are dated today).
fn bin_show(db: &std::path::Path, id: &str) -> std::process::Output {
    common::bin()
        .env_remove("GENBAN_TODAY")
        .arg("--db")
        .arg(db)
        .args(["show", id])
        .env("GENBAN_CONFIG_DIR", db.with_extension("config"))
        .output()
        .unwrap()
}
