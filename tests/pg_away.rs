//! The server gone while the app runs (issue 16, item 6), on a real PostgreSQL: the headless
//! app over the database as a workstation's role says so in a banner (in the interface
//! language), refuses a save with the reason and keeps the dialog as typed; when the server
//! takes it again it comes back by itself: the banner goes, the panes are read again (a write
//! made elsewhere meanwhile shows), and the same dialog saves.

mod common;
mod pg_common;
use common::*;
use crossterm::event::KeyCode;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::i18n::Lang;
use genban::ledger::{Ledger, Pane};
use genban::tui::app::{App, Popup, View};
use genban::tui::keymap::KeyMap;
use std::time::{Duration, Instant};

/// How long the app may take to notice (the watcher tries again each second).
const NOTICE: Duration = Duration::from_secs(10);

/// A login role for the workstation, with the office's rights on the database (dropped last).
struct Role {
    admin: String,
    name: String,
}

impl Role {
    fn make(admin: &str, db: &pg_common::TestDb) -> Role {
        let name = format!("away_{}", db.name);
        let mut c = postgres::Client::connect(admin, postgres::NoTls).unwrap();
        c.batch_execute(&format!(
            "DROP ROLE IF EXISTS {name}; CREATE ROLE {name} LOGIN"
        ))
        .unwrap();
        Role {
            admin: admin.to_string(),
            name,
        }
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name));
        }
    }
}

/// The role may no longer connect to the database, and its sessions there are ended (the
/// server's owner still may: it writes meanwhile).
fn shut_out(admin: &str, db: &str, role: &str) {
    let mut c = postgres::Client::connect(admin, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "REVOKE CONNECT ON DATABASE {db} FROM PUBLIC; REVOKE CONNECT ON DATABASE {db} FROM {role}"
    ))
    .unwrap();
    c.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = $2",
        &[&db, &role],
    )
    .unwrap();
}

fn let_in(admin: &str, db: &str) {
    let mut c = postgres::Client::connect(admin, postgres::NoTls).unwrap();
    c.batch_execute(&format!("GRANT CONNECT ON DATABASE {db} TO PUBLIC"))
        .unwrap();
}

/// Polls the app (as its event loop does) until `done` holds; false after `limit`.
fn poll_until(app: &mut App, limit: Duration, done: impl Fn(&App) -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        app.poll();
        if done(app) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The first line of the screen as drawn at 100x30.
fn header(app: &App) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    t.draw(|f| genban::tui::ui::render(f, app)).unwrap();
    let buf = t.backend().buffer();
    // A wide character's second cell is not a character of its own.
    let mut line = String::new();
    let mut x = 0;
    while x < buf.area.width {
        let sym = buf[(x, 0)].symbol();
        line += sym;
        x += genban::text::width(sym).max(1) as u16;
    }
    line
}

/// The open dialog's error and the value of its field `key`.
fn dialog(app: &App, key: &str) -> (Option<String>, String) {
    match app.popups.last() {
        Some(Popup::Dialog(d)) => (d.error.clone(), d.form.get(key)),
        other => panic!("no dialog open: {other:?}"),
    }
}

fn received(id: &str) -> [String; 2] {
    [
        format!(
            r#"{{"ticket":"{id}","type":"ticket","at":"2026-11-01T09:00:00+08:00","received_at":"2026-11-01T09:00:00+08:00","unit":"新金社区","title":"停电期间新增"}}"#
        ),
        format!(
            r#"{{"ticket":"{id}","type":"dispatch","at":"2026-11-01T10:00:00+08:00","unit":"新金社区"}}"#
        ),
    ]
}

/// The app on `url` as of the fixture day, following other writers, on the first ticket in
/// progress with the contact dialog open and what was said typed; returns it and the ticket.
fn app_typing(url: &str, lang: Lang, said: &str) -> (App, String) {
    let l = Ledger::new(
        genban::store::open(std::path::Path::new(url), DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date(TUI_DAY)),
    );
    l.set_operator(Some("王雨婷".into()));
    assert!(l.follow_other_writers().unwrap());
    let mut app = App::new(l, lang, KeyMap::defaults(), false).unwrap();
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let id = app.rows[0].ticket().id.clone();
    press(&mut app, KeyCode::Enter);
    assert!(matches!(&app.view, View::Detail { id: shown, .. } if *shown == id));
    keys(&mut app, "c");
    // Enter with nothing said: the cursor goes to 沟通内容.
    press(&mut app, KeyCode::Enter);
    keys(&mut app, said);
    assert_eq!(dialog(&app, "note").1, said);
    (app, id)
}

#[test]
fn the_app_is_read_only_while_the_server_is_away_and_comes_back_by_itself() {
    let test = "the_app_is_read_only_while_the_server_is_away_and_comes_back_by_itself";
    let Some(db) = pg_common::test_db(test) else {
        return;
    };
    let admin = pg_common::server(test).unwrap();
    let role = Role::make(&admin, &db);
    let office = Ledger::new(
        genban::store::open(&db.path(), DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date(TUI_DAY)),
    );
    let out = genban::demo::generate(&office, 40, 7).unwrap();
    assert!(out.refused.is_empty());
    let cfg = tempfile::tempdir().unwrap();
    ok(&bin()
        .args(["--db", &db.url, "admin", "grant-district", &role.name])
        .env("GENBAN_CONFIG_DIR", cfg.path())
        .output()
        .unwrap());
    let url = db
        .url
        .replacen("://postgres@", &format!("://{}@", role.name), 1);
    let said = "停电时说的话";
    let (mut app, id) = app_typing(&url, Lang::Zh, said);
    let n = app.ledger.events(&id).unwrap().len();
    let all = app.count(Pane::All);
    assert!(!header(&app).contains("连不上"));

    shut_out(&admin, &db.name, &role.name);
    assert!(
        poll_until(&mut app, NOTICE, |a| a.away),
        "no word of the server's going within {NOTICE:?}"
    );
    let top = header(&app);
    assert!(
        top.contains("连不上数据库服务器") && top.contains("只读"),
        "{top}"
    );
    // A save is refused with the reason; the dialog stays, as typed.
    press(&mut app, KeyCode::Enter);
    let (error, note) = dialog(&app, "note");
    let error = error.expect("the refusal is said in the dialog");
    assert!(error.contains("这次没有写入"), "{error}");
    assert_eq!(note, said);
    // Meanwhile another workstation writes (the owner may still connect).
    load(&office, &received("AWAY1"));

    let_in(&admin, &db.name);
    assert!(
        poll_until(&mut app, NOTICE, |a| !a.away
            && a.count(Pane::All) == all + 1),
        "the app did not come back with the write made meanwhile: away {}, {} tickets",
        app.away,
        app.count(Pane::All)
    );
    assert!(!header(&app).contains("连不上"), "{}", header(&app));
    assert!(app
        .message
        .as_ref()
        .is_some_and(|(m, _)| m.contains("重新连上")));
    // The same dialog saves now.
    press(&mut app, KeyCode::Enter);
    assert!(
        app.popups.is_empty(),
        "{:?}",
        app.popups.last().map(|_| &app.message)
    );
    let events = office.events(&id).unwrap();
    assert_eq!(events.len(), n + 1);
    assert!(events
        .iter()
        .any(|e| e.to_value()["note"] == serde_json::json!(said)));
}

#[test]
fn in_english_the_banner_and_the_refusal_are_english() {
    let test = "in_english_the_banner_and_the_refusal_are_english";
    let Some(db) = pg_common::test_db(test) else {
        return;
    };
    let admin = pg_common::server(test).unwrap();
    let office = Ledger::new(
        genban::store::open(&db.path(), DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date(TUI_DAY)),
    );
    genban::demo::generate(&office, 30, 7).unwrap();
    drop(office);
    let (mut app, _id) = app_typing(&db.url, Lang::En, "said while away");
    // Every connection to the database ended, and no new one taken.
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS false",
        db.name
    ))
    .unwrap();
    c.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        &[&db.name],
    )
    .unwrap();
    assert!(poll_until(&mut app, NOTICE, |a| a.away));
    let top = header(&app);
    assert!(top.contains("cannot reach the database server"), "{top}");
    press(&mut app, KeyCode::Enter);
    let (error, note) = dialog(&app, "note");
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("nothing was written")),
        "{error:?}"
    );
    assert_eq!(note, "said while away");
    c.batch_execute(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS true",
        db.name
    ))
    .unwrap();
    assert!(poll_until(&mut app, NOTICE, |a| !a.away));
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
}

#[test]
fn while_away_a_ticket_that_cannot_be_read_is_said_in_chinese_and_the_list_stays() {
    let test = "while_away_a_ticket_that_cannot_be_read_is_said_in_chinese_and_the_list_stays";
    let Some(db) = pg_common::test_db(test) else {
        return;
    };
    let admin = pg_common::server(test).unwrap();
    let l = Ledger::new(
        genban::store::open(&db.path(), DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date(TUI_DAY)),
    );
    genban::demo::generate(&l, 30, 7).unwrap();
    l.set_operator(Some("王雨婷".into()));
    assert!(l.follow_other_writers().unwrap());
    let mut app = App::new(l, Lang::Zh, KeyMap::defaults(), false).unwrap();
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    assert!(app.applies(genban::tui::keymap::Action::NewTicket));
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS false",
        db.name
    ))
    .unwrap();
    c.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        &[&db.name],
    )
    .unwrap();
    assert!(poll_until(&mut app, NOTICE, |a| a.away));
    // Nothing new is offered while away.
    assert!(!app.applies(genban::tui::keymap::Action::NewTicket));
    assert!(!app.applies(genban::tui::keymap::Action::Undo));
    // Opening a ticket cannot read it: said in Chinese, and the list stays.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view, View::List);
    let (said, error) = app.message.clone().expect("the failure is said");
    assert!(error && said.contains("连不上数据库服务器"), "{said}");
    keys(&mut app, "a");
    assert!(app.popups.is_empty());
    assert!(app
        .message
        .as_ref()
        .is_some_and(|(m, _)| m.contains("这次没有写入")));
    c.batch_execute(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS true",
        db.name
    ))
    .unwrap();
    assert!(poll_until(&mut app, NOTICE, |a| !a.away));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.view, View::Detail { .. }), "{:?}", app.message);
}
