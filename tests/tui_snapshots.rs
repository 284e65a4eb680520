//! Snapshots of every screen at 80x24 and 120x40 with Chinese data (ratatui TestBackend).

mod common;
use common::*;
use crossterm::event::KeyCode;
use genban::i18n::Lang;
use genban::tui::app::App;
use genban::tui::ui;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The screen as text; every screen is also checked for a double-width character whose second
/// half something else covers (a pop-up's edge cutting Chinese text in half).
fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    // The frame as drawn (the backend's copy only gets what the diff sends, which is exactly
    // what loses a border hidden behind half a wide character).
    let covered = ui::covered_wide_cells(t.draw(|f| ui::render(f, app)).unwrap().buffer);
    assert!(
        covered.is_empty(),
        "wide characters cut at {covered:?}:\n{}",
        t.backend()
    );
    t.backend().to_string()
}

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(app, w, h));
    }
}

fn started() -> (tempfile::TempDir, App) {
    let (d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    (d, app)
}

#[test]
fn month_start_screen() {
    let (_d, app) = demo_app(120, Lang::Zh);
    snap("month_tasks", &app);
}

#[test]
fn every_pane() {
    let (_d, mut app) = started();
    for (k, name) in [
        ('1', "pane_awaiting_sign"),
        ('2', "pane_in_progress"),
        ('3', "pane_awaiting_contact"),
        ('4', "pane_overdue"),
        ('5', "pane_resolved"),
        ('6', "pane_all"),
    ] {
        keys(&mut app, &k.to_string());
        snap(name, &app);
    }
}

#[test]
fn detail_view_masks_the_phone_until_asked() {
    let (_d, mut app) = started();
    keys(&mut app, "2");
    press(&mut app, KeyCode::Enter);
    snap("detail", &app);
    let masked = screen(&app, 120, 40);
    keys(&mut app, "p");
    let shown = screen(&app, 120, 40);
    let phone = app
        .detail
        .as_ref()
        .unwrap()
        .0
        .ticket()
        .record
        .phone
        .clone()
        .unwrap();
    assert!(!masked.contains(&phone) && masked.contains(&genban::text::mask_phone(&phone)));
    assert!(shown.contains(&phone));
}

#[test]
fn every_dialog() {
    let (_d, mut app) = started();
    // Each dialog on a ticket whose state allows it (the others are refused at the key).
    for (pane, k, name) in [
        ('1', 's', "dialog_sign"),
        ('1', 'b', "dialog_return"),
        ('1', 'd', "dialog_dispatch"),
        ('2', 'c', "dialog_contact"),
        ('2', 'e', "dialog_extend"),
        ('2', 'r', "dialog_resolve"),
        ('5', 'v', "dialog_revisit"),
        ('5', 'o', "dialog_reopen"),
        ('2', 'n', "dialog_note"),
        ('2', 'M', "dialog_meeting"),
    ] {
        keys(&mut app, &pane.to_string());
        let awaiting = app
            .rows
            .iter()
            .position(|r| r.ticket().state == Some(genban::domain::ticket::State::AwaitingSign));
        if pane == '1' && k != 'd' {
            app.selected = awaiting.expect("a ticket awaiting sign");
        }
        press(&mut app, KeyCode::Enter);
        keys(&mut app, &k.to_string());
        assert!(app.popups.last().is_some(), "{name} opens");
        snap(name, &app);
        press(&mut app, KeyCode::Esc);
        assert!(app.popups.is_empty(), "{name} closes on Esc");
        press(&mut app, KeyCode::Esc);
    }
}

#[test]
fn a_refusal_and_a_discard_question_in_a_dialog() {
    let (_d, mut app) = started();
    keys(&mut app, "2e2020-01-01");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "等待审批");
    press(&mut app, KeyCode::Enter);
    snap("dialog_refused", &app);
    press(&mut app, KeyCode::Esc);
    snap("dialog_discard", &app);
}

#[test]
fn help_overlay_is_generated_from_the_key_map() {
    let (_d, mut app) = started();
    keys(&mut app, "?");
    snap("help_list", &app);
    let text = screen(&app, 120, 40);
    for (action, keys) in app.keys.help(genban::tui::keymap::KeyContext::List) {
        assert!(
            text.contains(action.describe(Lang::Zh)),
            "{action:?} missing from help"
        );
        assert!(
            text.contains(&keys[0].label()),
            "{action:?} key missing from help"
        );
    }
}

#[test]
fn welcome_screen_on_an_empty_store() {
    let (_d, app) = demo_app(0, Lang::Zh);
    let text = screen(&app, 80, 24);
    assert!(text.contains("genban import"));
    assert!(text.contains("genban demo"));
    // The store path differs per run: snapshot with it blanked.
    let store = app.ledger.store().location();
    for (w, h) in SIZES {
        insta::assert_snapshot!(
            format!("welcome_{w}x{h}"),
            screen(&app, w, h).replace(&store, "<store>")
        );
    }
}

#[test]
fn english_on_request() {
    let (_d, mut app) = demo_app(120, Lang::En);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    snap("english_in_progress", &app);
}

#[test]
fn search_results() {
    let (_d, mut app) = started();
    keys(&mut app, "/");
    keys(&mut app, "路灯");
    press(&mut app, KeyCode::Enter);
    snap("search", &app);
}

#[test]
fn control_characters_in_ticket_text_never_reach_the_terminal() {
    let (_d, l) = ledger(TUI_DAY);
    let nasty = "路灯\u{1b}[2J\u{1b}]0;pwned\u{7}坏了\r\n第二行\u{202e}";
    let e = genban::domain::event::Event::from_value(&serde_json::json!({
        "ticket": "ESC1", "type": "ticket", "at": "2026-11-01T09:00:00+08:00",
        "unit": "新金社区", "title": nasty, "content": nasty
    }))
    .unwrap();
    l.record(e).unwrap();
    for (ty, extra) in [("dispatch", ""), ("sign", r#","deadline":"2026-12-31""#)] {
        let line = format!(
            r#"{{"ticket":"ESC1","type":"{ty}","at":"2026-11-0{}T09:00:00+08:00","unit":"新金社区"{extra}}}"#,
            if ty == "sign" { 3 } else { 2 }
        );
        l.record(genban::domain::event::Event::from_json_str(&line).unwrap())
            .unwrap();
    }
    let mut app = App::new(l, Lang::Zh, genban::tui::keymap::KeyMap::defaults(), false).unwrap();
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let list = screen(&app, 120, 40);
    press(&mut app, KeyCode::Enter);
    let detail = screen(&app, 120, 40);
    for s in [&list, &detail] {
        assert!(
            !s.chars().any(|c| c.is_control() && c != '\n'),
            "a control character was drawn"
        );
        assert!(s.contains("路灯␛[2J"), "{s}");
    }
}

#[test]
fn tiny_and_odd_terminal_sizes_never_panic() {
    let (_d, mut app) = demo_app(60, Lang::Zh);
    let sizes = [(1, 1), (5, 3), (20, 6), (40, 10), (79, 23), (200, 60)];
    let mut screens = 0;
    for step in [
        "", "\u{1b}", "2", "\n", "c", "\u{1b}", "?", "\u{1b}", "\u{1b}", "/", "路", "\n", "5",
    ] {
        match step {
            "" => {}
            "\u{1b}" => press(&mut app, KeyCode::Esc),
            "\n" => press(&mut app, KeyCode::Enter),
            s => keys(&mut app, s),
        }
        for (w, h) in sizes {
            screen(&app, w, h);
            screens += 1;
        }
    }
    assert_eq!(screens, 13 * sizes.len());
}

#[test]
fn look_back_overlay() {
    let (_d, mut app) = started();
    keys(&mut app, "R");
    assert!(matches!(
        app.popups.last(),
        Some(genban::tui::app::Popup::Review(..))
    ));
    snap("review", &app);
    let text = screen(&app, 120, 40);
    assert!(text.contains("回头看 2026-10-01 — 2026-11-30"), "{text}");
    assert!(text.contains("超期未解决"));
}

#[test]
fn the_board_and_its_tabs() {
    let (_d, mut app) = started();
    keys(&mut app, "D");
    assert_eq!(app.view, genban::tui::app::View::Board);
    for name in [
        "board_dashboard",
        "board_whistles",
        "board_hotspots",
        "board_topics",
    ] {
        snap(name, &app);
        press(&mut app, KeyCode::Tab);
    }
    // Enter on the contact rate lists its cohort.
    keys(&mut app, "j");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.popups.last(),
        Some(genban::tui::app::Popup::Tickets(..))
    ));
    snap("board_cohort", &app);
    let text = screen(&app, 120, 40);
    assert!(
        text.contains("按月联系率") && text.contains("需处理"),
        "{text}"
    );
}

#[test]
fn supervision_dialogs() {
    let (_d, mut app) = started();
    // A whistle with one department taken, on an in-progress ticket.
    keys(&mut app, "2w区");
    press(&mut app, KeyCode::Char(' '));
    snap("dialog_whistle", &app);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "y");
    keys(&mut app, "E");
    snap("dialog_escalate", &app);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "a");
    snap("dialog_new_ticket", &app);
}

#[test]
fn a_long_cohort_scrolled_to_its_end() {
    let (_d, mut app) = demo_app(400, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "Dj");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "G");
    snap("board_cohort_end", &app);
    let n = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh).len();
    assert!(n > 40, "{n}");
    assert!(screen(&app, 80, 24).contains(&format!("{n}/{n}")));
}

#[test]
fn an_event_shown_whole_in_chinese() {
    let (_d, mut app) = started();
    keys(&mut app, "2");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "G");
    press(&mut app, KeyCode::Enter);
    snap("event_record", &app);
    let text = screen(&app, 120, 40);
    assert!(
        text.contains("受理时间") && !text.contains("received_at"),
        "{text}"
    );
}
