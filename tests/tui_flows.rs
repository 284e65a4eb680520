//! The headless app driven with key sequences, checked against the store afterwards.

mod common;
use common::*;
use crossterm::event::KeyCode;
use genban::domain::ticket::State;
use genban::i18n::Lang;
use genban::ledger::Pane;
use genban::tui::app::{Popup, View};

fn today() -> chrono::NaiveDate {
    date(TUI_DAY)
}

fn state_of(app: &genban::tui::app::App, id: &str) -> Option<State> {
    app.ledger
        .ticket(id, today())
        .unwrap()
        .unwrap()
        .0
        .ticket()
        .state
}

fn event_count(app: &genban::tui::app::App, id: &str) -> usize {
    app.ledger.events(id).unwrap().len()
}

#[test]
fn the_month_tasks_show_once_a_month() {
    let (d, mut app) = demo_app(60, Lang::Zh);
    assert!(matches!(app.popups.last(), Some(Popup::MonthTasks(..))));
    // Enter opens the selected task's ticket; Esc comes back to the list where it was.
    let first = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh)[1].clone();
    keys(&mut app, "j");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(&app.view, View::Detail { id, .. } if *id == first));
    assert!(app.popups.is_empty());
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.popups.last(), Some(Popup::MonthTasks(_, s)) if s.selected == 1));
    press(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty());
    // Reopening the same store in the same month does not show it again.
    drop(app);
    let store =
        genban::store::open(&d.path().join("db"), genban::domain::time::DEFAULT_TZ).unwrap();
    let l = genban::ledger::Ledger::new(
        store,
        genban::domain::time::Clock::fixed(genban::domain::time::DEFAULT_TZ, today()),
    );
    let again =
        genban::tui::app::App::new(l, Lang::Zh, genban::tui::keymap::KeyMap::defaults(), false)
            .unwrap();
    assert!(again.popups.is_empty());
}

#[test]
fn signing_from_the_awaiting_sign_pane() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "1");
    assert_eq!(app.pane, Pane::AwaitingSign);
    let id = app
        .rows
        .iter()
        .find(|r| r.ticket().state == Some(State::AwaitingSign))
        .expect("the demo has a ticket awaiting sign")
        .ticket()
        .id
        .clone();
    let before_count = app.count(Pane::AwaitingSign);
    app.selected = app.rows.iter().position(|r| r.ticket().id == id).unwrap();
    keys(&mut app, "s");
    // The cursor starts on the first required field left blank (the unit is pre-filled).
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!("the sign dialog is open")
    };
    assert_eq!(d.form.fields[d.form.focus].key, "deadline");
    // Back to the preset: pick +3 months, then type a plan.
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "列入年度民生实事");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "the dialog closed after saving");
    assert_eq!(state_of(&app, &id), Some(State::InProgress));
    let (row, events) = app.ledger.ticket(&id, today()).unwrap().unwrap();
    assert_eq!(row.ticket().deadline, Some(date("2027-02-20")));
    let sign = events.last().unwrap().to_value();
    assert_eq!(sign["plan"], "列入年度民生实事");
    assert!(sign["recorded_at"].is_string());
    // The pane and its count updated at once.
    assert_eq!(app.count(Pane::AwaitingSign), before_count - 1);
    assert!(!app.rows.iter().any(|r| r.ticket().id == id));
}

#[test]
fn recording_a_contact_and_a_resolution_from_the_detail_view() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "3");
    assert_eq!(app.pane, Pane::AwaitingContact);
    let waiting = app.count(Pane::AwaitingContact);
    assert!(waiting > 0);
    let id = app.rows[0].ticket().id.clone();
    press(&mut app, KeyCode::Enter);
    assert!(matches!(&app.view, View::Detail { id: shown, .. } if *shown == id));
    let n = event_count(&app, &id);
    keys(&mut app, "c");
    // Channel: visit; reached (default); a note.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "本人");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "告知进展");
    press(&mut app, KeyCode::Enter);
    assert_eq!(event_count(&app, &id), n + 1);
    let e = app
        .ledger
        .events(&id)
        .unwrap()
        .into_iter()
        .max_by_key(|e| e.recorded_at)
        .unwrap()
        .to_value();
    assert_eq!(e["channel"], "visit");
    assert_eq!(e["outcome"], "reached");
    assert_eq!(e["contact_person"], "本人");
    assert_eq!(app.count(Pane::AwaitingContact), waiting - 1);
    // Resolve: by default the call that tells the citizen is recorded with it.
    keys(&mut app, "r");
    keys(&mut app, "已修复");
    press(&mut app, KeyCode::Enter);
    assert_eq!(state_of(&app, &id), Some(State::Resolved));
    assert_eq!(event_count(&app, &id), n + 3);
    let (_, events) = app.ledger.ticket(&id, today()).unwrap().unwrap();
    let types: Vec<&str> = events
        .iter()
        .rev()
        .take(2)
        .map(|e| e.kind.type_name())
        .collect();
    assert_eq!(types, ["contact", "resolve"]);
    let detail = app.detail.as_ref().unwrap();
    assert_eq!(detail.1.len(), n + 3, "the detail view refreshed");
}

#[test]
fn a_refused_event_shows_why_in_the_dialog_and_writes_nothing() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let id = app.rows[0].ticket().id.clone();
    let n = event_count(&app, &id);
    // An extension to a date before the signing: refused in the dialog, nothing written.
    keys(&mut app, "e");
    keys(&mut app, "2020-01-01");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "等待审批");
    press(&mut app, KeyCode::Enter);
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!("the dialog stays open")
    };
    assert!(
        d.error
            .as_deref()
            .unwrap()
            .starts_with("承诺时限 2020-01-01 早于签收日期"),
        "{:?}",
        d.error
    );
    assert_eq!(event_count(&app, &id), n);
    // A missing required field is named too.
    press(&mut app, KeyCode::BackTab);
    for _ in 0..12 {
        press(&mut app, KeyCode::Backspace);
    }
    press(&mut app, KeyCode::Enter);
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!()
    };
    assert_eq!(d.error.as_deref(), Some("请填写「新时限」"));
    // Esc on a filled dialog asks first; n keeps it, y discards it.
    press(&mut app, KeyCode::Esc);
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!()
    };
    assert!(d.confirm_discard);
    keys(&mut app, "n");
    assert!(matches!(app.popups.last(), Some(Popup::Dialog(d)) if !d.confirm_discard));
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "y");
    assert!(app.popups.is_empty());
    assert_eq!(event_count(&app, &id), n);
}

#[test]
fn esc_on_an_untouched_dialog_closes_it_at_once() {
    let (_d, mut app) = demo_app(60, Lang::En);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2n");
    assert!(matches!(app.popups.last(), Some(Popup::Dialog(_))));
    press(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty());
}

#[test]
fn search_and_filters_narrow_the_list() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    let some = app.ledger.pane(Pane::InProgress, today()).unwrap()[0]
        .ticket()
        .clone();
    keys(&mut app, "/");
    keys(&mut app, &some.id);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.filter.query.as_deref(), Some(some.id.as_str()));
    assert_eq!(app.rows.len(), 1);
    // Search by the last digits of the phone.
    keys(&mut app, "x");
    assert!(app.filter.is_empty());
    let phone = some.record.phone.clone().unwrap();
    keys(&mut app, "/");
    keys(&mut app, &phone[3..]);
    press(&mut app, KeyCode::Enter);
    assert!(app.rows.iter().any(|r| r.ticket().id == some.id));
    keys(&mut app, "x2U");
    keys(&mut app, some.unit());
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.filter.unit.as_deref(), Some(some.unit()));
    assert!(!app.rows.is_empty());
    assert!(app.rows.iter().all(|r| r.ticket().unit() == some.unit()));
}

#[test]
fn navigation_keys_move_the_selection_and_switch_panes() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    assert!(app.rows.len() > 3);
    keys(&mut app, "jj");
    assert_eq!(app.selected, 2);
    press(&mut app, KeyCode::Up);
    assert_eq!(app.selected, 1);
    keys(&mut app, "G");
    assert_eq!(app.selected, app.rows.len() - 1);
    keys(&mut app, "g");
    assert_eq!(app.selected, 0);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.pane, Pane::AwaitingContact);
    keys(&mut app, "h");
    assert_eq!(app.pane, Pane::InProgress);
    keys(&mut app, "?");
    assert!(matches!(app.popups.last(), Some(Popup::Help)));
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "q");
    assert!(app.quit);
}

/// A ticket of the awaiting-sign pane that may be dispatched again (returned or awaiting).
fn dispatchable(app: &mut genban::tui::app::App) -> String {
    keys(app, "1");
    let id = app.rows[0].ticket().id.clone();
    app.selected = 0;
    id
}

fn latest_dispatch(app: &genban::tui::app::App, id: &str) -> String {
    app.ledger
        .ticket(id, today())
        .unwrap()
        .unwrap()
        .0
        .ticket()
        .latest_dispatch_unit
        .clone()
        .unwrap()
}

#[test]
fn the_unit_picker_saves_the_highlighted_candidate() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    let id = dispatchable(&mut app);
    let matches: Vec<String> = app
        .units
        .iter()
        .filter(|u| u.contains("社区"))
        .cloned()
        .collect();
    assert!(matches.len() >= 3, "{matches:?}");
    keys(&mut app, "d");
    keys(&mut app, "社区");
    // ↓ and → move the highlight; ← back; Enter takes the highlighted one, not the text.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.popups.last());
    assert_eq!(latest_dispatch(&app, &id), matches[1]);
}

#[test]
fn a_unit_nobody_knows_needs_a_confirmation() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    let id = dispatchable(&mut app);
    let n = event_count(&app, &id);
    keys(&mut app, "d");
    keys(&mut app, "东门街道新设办");
    press(&mut app, KeyCode::Enter);
    match app.popups.last() {
        Some(Popup::Dialog(d)) => {
            assert!(d
                .error
                .as_deref()
                .unwrap()
                .contains("新单位「东门街道新设办」"))
        }
        other => panic!("the dialog should ask: {other:?}"),
    }
    assert_eq!(
        event_count(&app, &id),
        n,
        "nothing written before the answer"
    );
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    assert_eq!(latest_dispatch(&app, &id), "东门街道新设办");
    // In the unit filter a name nobody has is not applied.
    keys(&mut app, "U");
    keys(&mut app, "没有这个单位");
    press(&mut app, KeyCode::Enter);
    assert!(app.filter.unit.is_none());
    assert!(app
        .message
        .as_ref()
        .unwrap()
        .0
        .contains("没有「没有这个单位」"));
}

#[test]
fn a_timeline_event_is_shown_whole_and_voided_from_the_detail_view() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let id = app
        .rows
        .iter()
        .find(|r| r.ticket().last_contact.is_some())
        .expect("a contacted ticket")
        .ticket()
        .id
        .clone();
    app.selected = app.rows.iter().position(|r| r.ticket().id == id).unwrap();
    press(&mut app, KeyCode::Enter);
    let events = app.detail.as_ref().unwrap().1.clone();
    // Move to the newest contact (rows are newest first).
    let row = events
        .iter()
        .rev()
        .position(|e| e.kind.type_name() == "contact")
        .unwrap();
    for _ in 0..row {
        keys(&mut app, "j");
    }
    assert_eq!(app.selected_event().unwrap().1.kind.type_name(), "contact");
    let target = app.selected_event().unwrap().1.clone();
    // Enter shows it whole; Esc comes back.
    press(&mut app, KeyCode::Enter);
    match app.popups.last() {
        Some(Popup::Event(v)) => {
            // Named as the labels module names them, not by the log's keys.
            assert!(v.lines.iter().any(|l| l.starts_with("发生时间: ")));
            assert!(v.lines.iter().any(|l| l.starts_with("联系方式: ")));
            assert!(!v
                .lines
                .iter()
                .any(|l| l.starts_with("type:") || l.starts_with("at:")));
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, KeyCode::Esc);
    // x asks for the reason; Enter with none is refused in the dialog.
    keys(&mut app, "x");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.popups.last(), Some(Popup::Dialog(d)) if d.error.is_some()));
    keys(&mut app, "联系对象记错");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.popups.last());
    let after = app.ledger.events(&id).unwrap();
    assert_eq!(after.len(), events.len() + 1);
    let void = after.iter().find(|e| e.kind.type_name() == "void").unwrap();
    match &void.kind {
        genban::domain::event::EventKind::Void { target: t, reason } => {
            assert!(t.matches(&target));
            assert!(t.recorded_at.is_some());
            assert_eq!(reason, "联系对象记错");
        }
        _ => unreachable!(),
    }
    // The timeline keeps it, marked; voiding it again is refused at the key.
    let marks = genban::output::tickets::timeline(&after, Lang::Zh);
    assert!(marks
        .iter()
        .any(|(t, v)| *v && t.contains("〔已撤销〕") && t.contains("联系对象记错")));
    let pos = after.iter().rev().position(|e| e.same_as(&target)).unwrap();
    keys(&mut app, "g");
    for _ in 0..pos {
        keys(&mut app, "j");
    }
    keys(&mut app, "x");
    assert!(app.popups.is_empty());
    assert!(app.message.as_ref().unwrap().0.contains("已被撤销"));
}

#[test]
fn keys_follow_the_tickets_state_and_a_disallowed_one_is_refused_at_the_key() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "5");
    press(&mut app, KeyCode::Enter);
    use genban::tui::keymap::Action;
    assert!(app.applies(Action::Revisit) && app.applies(Action::Reopen));
    for a in [
        Action::Sign,
        Action::Resolve,
        Action::Extend,
        Action::Dispatch,
    ] {
        assert!(!app.applies(a), "{a:?} shown on a resolved ticket");
    }
    keys(&mut app, "s");
    assert!(app.popups.is_empty(), "no dialog for a refused action");
    let (msg, error) = app.message.clone().unwrap();
    assert!(error && msg.contains("已解决"), "{msg}");
    // The key bar shows only what applies.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| genban::tui::ui::render(f, &app)).unwrap();
    let bottom = format!("{}", t.backend())
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(
        bottom.contains("回访") && !bottom.contains("签收"),
        "{bottom}"
    );
}

#[test]
fn the_welcome_screens_keys_work_as_shown() {
    let (_d, mut app) = demo_app(0, Lang::Zh);
    assert!(matches!(app.popups.last(), Some(Popup::Welcome)));
    keys(&mut app, "?");
    assert!(matches!(app.popups.last(), Some(Popup::Help)));
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.popups.last(), Some(Popup::Welcome)));
    app.on_key(crossterm::event::KeyEvent::new(
        KeyCode::Char('c'),
        crossterm::event::KeyModifiers::CONTROL,
    ));
    assert!(app.quit);
}

#[test]
fn look_back_rows_open_their_ticket_and_panes_sort_and_say_where_you_are() {
    let (_d, mut app) = demo_app(200, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "R");
    let tickets = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh);
    assert!(tickets.len() > 2, "{tickets:?}");
    for _ in 0..(tickets.len() + 5) {
        keys(&mut app, "j");
    }
    // The selection stops at the last row; k moves back at once.
    keys(&mut app, "k");
    assert!(
        matches!(app.popups.last(), Some(Popup::Review(_, s)) if s.selected == tickets.len() - 2)
    );
    press(&mut app, KeyCode::Enter);
    assert!(matches!(&app.view, View::Detail { id, .. } if *id == tickets[tickets.len() - 2]));
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.popups.last(), Some(Popup::Review(..))));
    press(&mut app, KeyCode::Esc);
    // S cycles the order; the title says which and where the cursor is.
    keys(&mut app, "2");
    keys(&mut app, "S");
    assert_eq!(app.sort, genban::tui::app::SortOrder::Deadline);
    let deadlines: Vec<_> = app.rows.iter().map(|r| r.ticket().deadline).collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]));
    keys(&mut app, "SSS");
    let ids: Vec<_> = app.rows.iter().map(|r| r.ticket().id.clone()).collect();
    assert!(ids.windows(2).all(|w| w[0] <= w[1]));
    keys(&mut app, "jj");
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    t.draw(|f| genban::tui::ui::render(f, &app)).unwrap();
    let screen = format!("{}", t.backend());
    assert!(
        screen.contains(&format!("3/{}", app.rows.len())) && screen.contains("按编号"),
        "{screen}"
    );
    // / brings the old query back selected: typing replaces it.
    keys(&mut app, "/");
    keys(&mut app, &ids[0]);
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "/");
    keys(&mut app, &ids[1]);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.filter.query.as_deref(), Some(ids[1].as_str()));
}

#[test]
fn a_too_small_window_says_so() {
    let (_d, app) = demo_app(20, Lang::Zh);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(50, 10)).unwrap();
    t.draw(|f| genban::tui::ui::render(f, &app)).unwrap();
    assert!(format!("{}", t.backend()).contains("窗口太小"));
}

#[test]
fn the_to_contact_pane_marks_tickets_reached_by_no_one_this_month() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "3");
    let id = app.rows[0].ticket().id.clone();
    for _ in 0..2 {
        let e = genban::domain::event::Event::from_json_str(&format!(
            r#"{{"ticket":"{id}","type":"contact","at":"2026-11-20T09:00:00+08:00","channel":"phone","outcome":"unreached"}}"#
        ))
        .unwrap();
        app.ledger.record(e).unwrap();
        // Entered a moment apart: in one millisecond the two would be one event (the same
        // entry time), which the log keeps once.
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
    app.refresh().unwrap();
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| genban::tui::ui::render(f, &app)).unwrap();
    let screen = format!("{}", t.backend());
    let line = screen
        .lines()
        .find(|l| l.contains(&id))
        .unwrap()
        .to_string();
    assert!(line.contains("未联系上×2"), "{line}");
}

#[test]
fn text_fields_edit_with_the_usual_keys_and_scroll_around_the_cursor() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let id = app.rows[0].ticket().id.clone();
    keys(&mut app, "n");
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let alt = |k| KeyEvent::new(k, KeyModifiers::ALT);
    keys(&mut app, "已约物业 明天 现场会商");
    app.on_key(ctrl('w')); // 已约物业 明天
    app.on_key(alt(KeyCode::Left)); // before 明天
    app.on_key(ctrl('k')); // 已约物业
    keys(&mut app, "周五上午");
    app.on_key(ctrl('a'));
    keys(&mut app, "经协调,");
    app.on_key(ctrl('e'));
    keys(&mut app, &"很长的说明".repeat(30));
    // The field shows the end of the long text with the cursor inside the dialog.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| genban::tui::ui::render(f, &app)).unwrap();
    let pos = t.get_cursor_position().unwrap();
    assert!(pos.x < 78, "{pos:?}");
    assert!(format!("{}", t.backend()).contains("很长的说明"));
    press(&mut app, KeyCode::Enter);
    let note = app
        .ledger
        .events(&id)
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.kind.type_name() == "note")
        .unwrap()
        .note
        .unwrap();
    assert!(
        note.starts_with("经协调,已约物业 周五上午很长的说明"),
        "{note}"
    );
    // Ctrl-U clears what is before the cursor.
    keys(&mut app, "n");
    keys(&mut app, "abc");
    app.on_key(ctrl('u'));
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!()
    };
    assert_eq!(d.form.fields[0].value, "");
}

#[test]
fn the_list_scrolls_with_the_selection_and_is_clamped_in_the_app() {
    let (_d, mut app) = demo_app(200, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "5");
    app.resize(80, 24);
    let visible = app.table_rows();
    let n = app.rows.len();
    assert!(n > visible * 2, "{n} rows, {visible} visible");
    keys(&mut app, "G");
    assert_eq!((app.selected, app.offset), (n - 1, n - visible));
    // Past the end nothing moves; k moves at once.
    keys(&mut app, "jjj");
    assert_eq!(app.selected, n - 1);
    keys(&mut app, "k");
    assert_eq!(app.selected, n - 2);
    keys(&mut app, "g");
    assert_eq!((app.selected, app.offset), (0, 0));
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected, visible);
    assert_eq!(app.offset, 1);
    // A taller window shows more rows; the offset stays valid.
    app.resize(120, 40);
    assert!(app.table_rows() > visible);
    assert!(app.offset <= app.selected);
}

fn events_of_type(
    app: &genban::tui::app::App,
    id: &str,
    ty: &str,
) -> Vec<genban::domain::event::Event> {
    app.ledger
        .events(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind.type_name() == ty)
        .collect()
}

#[test]
fn the_board_filters_by_unit_and_opens_a_cohort_ticket_and_comes_back() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "D");
    assert_eq!(app.view, View::Board);
    // The contact rate's cohort, misses first; Enter opens one, Esc comes back to the list.
    keys(&mut app, "j");
    press(&mut app, KeyCode::Enter);
    let ids = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh);
    assert!(!ids.is_empty());
    press(&mut app, KeyCode::Enter);
    assert!(matches!(&app.view, View::Detail { id, .. } if *id == ids[0]));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view, View::Board);
    assert!(matches!(app.popups.last(), Some(Popup::Tickets(..))));
    press(&mut app, KeyCode::Esc);
    // The worst unit of the league: Enter shows its tickets only.
    keys(&mut app, "gjjjj");
    let unit = app.board.as_ref().unwrap().league[0].unit.clone();
    keys(&mut app, "j");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view, View::List);
    assert_eq!(app.filter.unit.as_deref(), Some(unit.as_str()));
    assert!(app.rows.iter().all(|r| r.ticket().unit() == unit));
    // S orders the league by the next column, worst first.
    keys(&mut app, "DS");
    let b = app.board.as_ref().unwrap();
    let rates: Vec<Option<f64>> = b.league.iter().map(|u| u.signing_accuracy.rate).collect();
    let known = rates.iter().take_while(|r| r.is_some()).count();
    assert!(rates[..known].windows(2).all(|w| w[0] <= w[1]), "{rates:?}");
}

#[test]
fn whistle_answer_and_monthly_topic_from_the_keys() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let id = app.rows[0].ticket().id.clone();
    let before = events_of_type(&app, &id, "whistle").len();
    // Two departments taken with Space (one typed new), then saved.
    keys(&mut app, "w区水务");
    press(&mut app, KeyCode::Char(' '));
    keys(&mut app, "燃气公司");
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let w = events_of_type(&app, &id, "whistle");
    assert_eq!(w.len(), before + 1);
    assert!(matches!(&w.last().unwrap().kind,
        genban::domain::event::EventKind::Whistle { departments } if departments.contains(&"区水务局".to_string()) && departments.contains(&"燃气公司".to_string())));
    // The answer of the first one, its part resolved, half a minute after the whistle (the
    // fixed clock gives both noon; an answer at the whistle's second would be refused).
    keys(&mut app, "W");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    keys(&mut app, ":30");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let r = events_of_type(&app, &id, "whistle_response");
    assert!(matches!(
        &r.last().unwrap().kind,
        genban::domain::event::EventKind::WhistleResponse {
            resolved: Some(true),
            ..
        }
    ));
    // A monthly topic nobody has yet: asked once, saved on the second Enter.
    let before = events_of_type(&app, &id, "escalate").len();
    keys(&mut app, "E老旧小区屋面专项");
    press(&mut app, KeyCode::Enter);
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!("the dialog asks first")
    };
    assert!(
        d.error.as_deref().is_some_and(|e| e.contains("新专题")),
        "{:?}",
        d.error
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(events_of_type(&app, &id, "escalate").len(), before + 1);
    // Another ticket: the topic is offered, typing part of it picks it without a question.
    keys(&mut app, "2");
    app.selected = 1;
    let other = app.rows[1].ticket().id.clone();
    keys(&mut app, "E屋面");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.popups.last());
    assert!(events_of_type(&app, &other, "escalate")
        .iter()
        .any(|e| matches!(&e.kind,
        genban::domain::event::EventKind::Escalate { topic } if topic == "老旧小区屋面专项")));
    // A ticket with no whistle: W is refused at the key.
    keys(&mut app, "1");
    let plain = app
        .rows
        .iter()
        .position(|r| r.ticket().summoned.is_empty())
        .expect("a ticket without a whistle");
    app.selected = plain;
    keys(&mut app, "W");
    assert!(app.popups.is_empty());
    assert!(
        app.message
            .as_ref()
            .is_some_and(|(m, e)| *e && m.contains("吹哨")),
        "{:?}",
        app.message
    );
}

#[test]
fn a_walk_in_ticket_is_added_from_the_form_and_a_hotspot_raised_to_a_topic() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "a公园路灯不亮");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "路灯管理所");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "王先生");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let View::Detail { id, .. } = &app.view else {
        panic!("the new ticket opens: {:?}", app.view)
    };
    let id = id.clone();
    assert!(
        id.starts_with(&format!("L{}", TUI_DAY.replace('-', ""))),
        "{id}"
    );
    assert_eq!(state_of(&app, &id), Some(State::AwaitingSign));
    // A blank title is refused in the form, nothing written.
    press(&mut app, KeyCode::Esc);
    let n = app.ledger.ticket_count().unwrap();
    keys(&mut app, "a");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.popups.last(), Some(Popup::Dialog(d)) if d.error.is_some()));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.ledger.ticket_count().unwrap(), n);
    // The largest hotspot raised to a topic: every ticket of it escalated.
    keys(&mut app, "D");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let group = app.board.as_ref().unwrap().sup.hotspots[0].tickets.clone();
    keys(&mut app, "E路灯专项");
    press(&mut app, KeyCode::Enter);
    // A new topic: asked once, then raised.
    let asked = app.message.clone().unwrap_or_default().0;
    assert!(asked.contains("新专题「路灯专项」"), "{asked}");
    press(&mut app, KeyCode::Enter);
    for t in &group {
        assert!(
            events_of_type(&app, t, "escalate")
                .iter()
                .any(|e| matches!(&e.kind,
                genban::domain::event::EventKind::Escalate { topic } if topic == "路灯专项")),
            "{t}"
        );
    }
    let topics = &app.board.as_ref().unwrap().sup.topics;
    assert!(topics
        .iter()
        .any(|t| t.name == "路灯专项" && t.tickets.len() == group.len()));
}

#[test]
fn a_long_reason_is_typed_edited_in_the_middle_and_stored_whole() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let id = app.rows[0].ticket().id.clone();
    keys(&mut app, "n");
    let long = "诉求人反映楼顶防水层老化,雨天渗漏严重,社区已联系物业与维修单位现场查看,维修基金申请材料已提交街道审核";
    keys(&mut app, long);
    // Home, a word in front, End, a word at the end: all in the one field.
    press(&mut app, KeyCode::Home);
    keys(&mut app, "【补记】");
    press(&mut app, KeyCode::End);
    keys(&mut app, "。");
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!("the note dialog is open")
    };
    let field = &d.form.fields[0];
    assert!(field.lines > 1, "a note is long text");
    let (rows, cursor) = field.rows(40);
    assert!(rows.len() > 2, "{rows:?}");
    assert_eq!(cursor.0, rows.len() - 1);
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let notes = events_of_type(&app, &id, "note");
    assert_eq!(
        notes.last().unwrap().note.as_deref(),
        Some(format!("【补记】{long}。").as_str())
    );
}

#[test]
fn the_board_is_read_on_a_thread_and_the_app_keeps_answering() {
    let (_d, l) = ledger(TUI_DAY);
    genban::demo::generate(&l, 120, 7).unwrap();
    let mut app =
        genban::tui::app::App::new(l, Lang::Zh, genban::tui::keymap::KeyMap::defaults(), true)
            .unwrap();
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "D");
    assert_eq!(app.view, View::Board);
    // Esc while it is read goes back at once; D again, and it arrives.
    if app.board.is_none() {
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.view, View::List);
        keys(&mut app, "D");
    }
    let start = std::time::Instant::now();
    while app.board.is_none() {
        assert!(start.elapsed().as_secs() < 30, "the board never came");
        app.poll();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!app.board.as_ref().unwrap().league.is_empty());
    assert!(!app.board_loading());
}

#[test]
fn another_process_writes_and_the_app_re_reads_only_what_it_touched() {
    let (_d, mut app) = demo_app(300, Lang::Zh);
    let other = app.ledger.sharing(app.ledger.clock, Some("街道".into()));
    let g = app.ledger.generation();
    assert_eq!(app.ledger.touched_since(g), Some(Vec::new()));
    // A ticket still to be signed, signed by another genban process (the socket's ledger).
    let before = app.count(Pane::AwaitingSign);
    let id = sign_elsewhere(&app, &other);
    assert_eq!(app.ledger.touched_since(g), Some(vec![id.clone()]));
    assert!(app.poll(), "the app sees the write");
    assert_eq!(app.count(Pane::AwaitingSign), before - 1);
    assert_eq!(state_of(&app, &id), Some(State::InProgress));
    // The same counts as reading every pane again.
    let counts: Vec<usize> = Pane::ALL.iter().map(|p| app.count(*p)).collect();
    app.refresh().unwrap();
    let again: Vec<usize> = Pane::ALL.iter().map(|p| app.count(*p)).collect();
    assert_eq!(counts, again);
    // A commit of many tickets is not remembered ticket by ticket: everything is read again.
    let g = app.ledger.generation();
    let out = genban::demo::generate(&other, 1_200, 3).unwrap();
    assert!(out.tickets_touched > 1_000);
    assert_eq!(app.ledger.touched_since(g), None);
}

/// The id of the first in-progress ticket, its detail open.
fn open_first_in_progress(app: &mut genban::tui::app::App) -> String {
    press(app, KeyCode::Esc);
    keys(app, "2");
    let id = app.rows[0].ticket().id.clone();
    press(app, KeyCode::Enter);
    assert!(matches!(&app.view, View::Detail { id: shown, .. } if *shown == id));
    id
}

/// The open dialog's error and the key of its focused field.
fn dialog_state(app: &genban::tui::app::App) -> (Option<String>, &'static str) {
    match app.popups.last() {
        Some(Popup::Dialog(d)) => (d.error.clone(), d.form.fields[d.form.focus].key),
        other => panic!("no dialog open: {other:?}"),
    }
}

#[test]
fn a_reached_contact_needs_what_was_said_and_a_time_of_day() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    let id = open_first_in_progress(&mut app);
    let n = event_count(&app, &id);
    // c then Enter: reached (the default) with no 沟通内容 is refused, the field focused.
    keys(&mut app, "c");
    press(&mut app, KeyCode::Enter);
    let (error, focus) = dialog_state(&app);
    assert!(
        error.as_deref().is_some_and(|e| e.contains("沟通内容")),
        "{error:?}"
    );
    assert_eq!(focus, "note");
    assert_eq!(event_count(&app, &id), n, "nothing was written");
    keys(&mut app, "告知办理进度");
    // A date alone is refused with a hint; the time field is focused.
    press(&mut app, KeyCode::Tab);
    for _ in 0.." 12:00".chars().count() {
        press(&mut app, KeyCode::Backspace);
    }
    press(&mut app, KeyCode::Enter);
    let (error, focus) = dialog_state(&app);
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("2026-11-20") && e.contains("时刻")),
        "{error:?}"
    );
    assert_eq!(focus, "at");
    assert_eq!(event_count(&app, &id), n, "nothing was written");
    // With its time of day it is saved at that time.
    keys(&mut app, " 09:30");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let c = events_of_type(&app, &id, "contact");
    let c = c.iter().max_by_key(|e| e.recorded_at).unwrap().to_value();
    assert_eq!(c["at"], "2026-11-20T09:30:00+08:00");
    assert_eq!(c["note"], "告知办理进度");
    // An unreached contact needs nothing more.
    keys(&mut app, "c");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    assert_eq!(event_count(&app, &id), n + 2);
}

#[test]
fn a_whistle_answer_left_at_now_in_the_same_minute_counts() {
    use chrono::Timelike;
    use genban::domain::time::{Clock, Period, DEFAULT_TZ};
    // The real clock (seconds and all); both entries in one minute.
    let s = chrono::Utc::now().second();
    if s >= 50 {
        std::thread::sleep(std::time::Duration::from_secs(u64::from(61 - s)));
    }
    let day = chrono::Utc::now().with_timezone(&DEFAULT_TZ).date_naive();
    let dir = tempfile::tempdir().unwrap();
    let store = genban::store::open(&dir.path().join("db"), DEFAULT_TZ).unwrap();
    let l = genban::ledger::Ledger::new(store, Clock::fixed(DEFAULT_TZ, day));
    assert!(genban::demo::generate(&l, 120, 7)
        .unwrap()
        .refused
        .is_empty());
    let mut app =
        genban::tui::app::App::new(l, Lang::Zh, genban::tui::keymap::KeyMap::defaults(), false)
            .unwrap();
    let id = open_first_in_progress(&mut app);
    let period = Period::month_of(day);
    let before = app
        .ledger
        .report(period, day)
        .unwrap()
        .whistle_response_rate;
    keys(&mut app, "w区水务");
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    keys(&mut app, "W");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let w = events_of_type(&app, &id, "whistle").pop().unwrap();
    let r = events_of_type(&app, &id, "whistle_response").pop().unwrap();
    assert_eq!(w.at.timestamp() / 60, r.at.timestamp() / 60, "one minute");
    assert!(r.at > w.at, "{} then {}", w.at, r.at);
    let after = app
        .ledger
        .report(period, day)
        .unwrap()
        .whistle_response_rate;
    assert_eq!(
        (after.numerator, after.denominator),
        (before.numerator + 1, before.denominator + 1),
        "the answer counts for figure 6"
    );
}

#[test]
fn an_answer_at_or_before_its_whistle_is_refused_with_the_whistles_second() {
    use genban::tui::dialog::{Dialog, DialogKind};
    let (_d, mut app) = demo_app(120, Lang::Zh);
    let id = open_first_in_progress(&mut app);
    keys(&mut app, "w区水务");
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let (row, log) = app.ledger.ticket(&id, today()).unwrap().unwrap();
    let tz = app.ledger.tz();
    let whistled = events_of_type(&app, &id, "whistle").pop().unwrap().at;
    let answer = |now: chrono::DateTime<chrono::FixedOffset>, lang: Lang| {
        let mut d = Dialog::new(
            DialogKind::Respond,
            row.ticket(),
            &[],
            now.with_timezone(&chrono::Utc),
            tz,
            lang,
        )
        .with_log(&log);
        d.events(tz, lang)
    };
    // The same second: refused, the whistle's time given to the second.
    let e = answer(whistled, Lang::Zh).unwrap_err();
    assert!(
        e.contains("区水务局") && e.contains("2026-11-20 12:00:00"),
        "{e}"
    );
    let e = answer(whistled - chrono::Duration::minutes(5), Lang::En).unwrap_err();
    assert!(
        e.contains("after the whistle at 2026-11-20 12:00:00"),
        "{e}"
    );
    // A second later: accepted, at that second.
    let later = whistled + chrono::Duration::seconds(1);
    let ev = answer(later, Lang::Zh).unwrap();
    assert_eq!(ev[0].at, later);
}

#[test]
fn a_time_left_as_shown_is_the_real_instant_and_an_edited_one_what_was_typed() {
    use genban::tui::dialog::{Dialog, DialogKind};
    let (_d, app) = demo_app(120, Lang::Zh);
    let tz = app.ledger.tz();
    let id = app.rows[0].ticket().id.clone();
    let (row, _) = app.ledger.ticket(&id, today()).unwrap().unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-20T12:34:56+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut d = Dialog::new(DialogKind::Note, row.ticket(), &[], now, tz, Lang::Zh);
    assert_eq!(d.form.get("at"), "2026-11-20 12:34", "shown to the minute");
    d.form.field_mut("note").unwrap().set("备注");
    assert_eq!(d.events(tz, Lang::Zh).unwrap()[0].instant(), now);
    d.form.field_mut("at").unwrap().set("2026-11-20 12:35");
    assert_eq!(
        d.events(tz, Lang::Zh).unwrap()[0].at.to_rfc3339(),
        "2026-11-20T12:35:00+08:00"
    );
}

#[test]
fn an_answer_in_the_whistles_second_is_refused_from_the_keys() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    let id = open_first_in_progress(&mut app);
    keys(&mut app, "w区水务");
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let n = event_count(&app, &id);
    // The fixed clock gives both noon: the answer left at now is at the whistle's second.
    keys(&mut app, "W");
    press(&mut app, KeyCode::Enter);
    let (error, focus) = dialog_state(&app);
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("区水务局") && e.contains("2026-11-20 12:00:00")),
        "{error:?}"
    );
    assert_eq!(focus, "department");
    assert_eq!(event_count(&app, &id), n, "nothing was written");
}

#[test]
fn a_return_dialog_starts_on_its_reason_not_its_pre_filled_unit() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "1");
    let id = app
        .rows
        .iter()
        .find(|r| r.ticket().state == Some(State::AwaitingSign))
        .expect("the demo has a ticket awaiting sign")
        .ticket()
        .id
        .clone();
    app.selected = app.rows.iter().position(|r| r.ticket().id == id).unwrap();
    let unit = app.rows[app.selected].ticket().unit().to_string();
    keys(&mut app, "b");
    keys(&mut app, "不属于本单位职责");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "saved: {:?}", app.message);
    let (_, events) = app.ledger.ticket(&id, today()).unwrap().unwrap();
    let ret = events.last().unwrap().to_value();
    assert_eq!(ret["type"], "return");
    assert_eq!(ret["reason"], "不属于本单位职责");
    assert_eq!(ret["unit"], unit.as_str());
}

/// `u` shows what it would void (the whole last action: a resolve and the call with it), Esc
/// keeps it, Enter voids it; a second `u` finds nothing more of one's own to undo.
#[test]
fn undo_voids_my_last_action_after_showing_it() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let id = app.rows[0].ticket().id.clone();
    press(&mut app, KeyCode::Enter);
    let n = event_count(&app, &id);
    keys(&mut app, "r");
    keys(&mut app, "已修复");
    press(&mut app, KeyCode::Enter);
    assert_eq!(state_of(&app, &id), Some(State::Resolved));
    assert_eq!(event_count(&app, &id), n + 2);
    // What it would void, then Esc: nothing written.
    keys(&mut app, "u");
    let Some(Popup::Undo(_, lines)) = app.popups.last() else {
        panic!("no undo pop-up: {:?}", app.message);
    };
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("已修复")), "{lines:?}");
    press(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty());
    assert_eq!(event_count(&app, &id), n + 2);
    // Enter voids both, with the reason, entered by the operator.
    keys(&mut app, "u");
    press(&mut app, KeyCode::Enter);
    assert_eq!(state_of(&app, &id), Some(State::InProgress));
    let events = app.ledger.events(&id).unwrap();
    let voids: Vec<_> = events
        .iter()
        .filter(|e| e.kind.type_name() == "void")
        .map(|e| e.to_value())
        .collect();
    assert_eq!(voids.len(), 2);
    for v in &voids {
        assert_eq!(v["reason"], "录入错误,撤销");
        assert_eq!(v["operator"], "王雨婷");
    }
    let msg = app.message.clone().unwrap().0;
    assert!(msg.contains("已撤销"), "{msg}");
    // Nothing more to undo: the last action was the undo.
    keys(&mut app, "u");
    assert!(app.popups.is_empty());
    let (msg, error) = app.message.clone().unwrap();
    assert!(error && msg.contains("就是撤销"), "{msg}");
    // Another operator at the same workstation has nothing of theirs to undo.
    app.ledger.set_operator(Some("李四".into()));
    keys(&mut app, "u");
    let msg = app.message.clone().unwrap().0;
    assert!(msg.contains("没有您录入的记录"), "{msg}");
}

/// `O` asks who is at the keyboard: an empty name is refused in place, and Esc keeps the old.
#[test]
fn the_operator_prompt_refuses_an_empty_name() {
    let (_d, mut app) = demo_app(30, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "O");
    assert!(matches!(
        app.popups.last(),
        Some(Popup::Prompt(genban::tui::app::PromptKind::Operator, _))
    ));
    // The present name comes selected: Backspace clears it.
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.popups.last(), Some(Popup::Prompt(..))),
        "the prompt stays"
    );
    let msg = app.message.clone().unwrap().0;
    assert!(msg.contains("请填写操作员姓名"), "{msg}");
    press(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty());
    assert_eq!(app.ledger.operator().as_deref(), Some("王雨婷"));
}

/// The department an answer dialog proposes.
fn proposed_department(app: &genban::tui::app::App) -> String {
    match app.popups.last() {
        Some(Popup::Dialog(d)) => d.form.get("department"),
        other => panic!("no dialog: {other:?} {:?}", app.message),
    }
}

/// `W` proposes the first department that has not answered the latest whistle, or the one
/// selected in the board's open summons; a second answer of one department asks first.
#[test]
fn an_answer_proposes_the_waiting_department_and_asks_before_a_second() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    let id = open_first_in_progress(&mut app);
    for name in ["区水务局", "燃气公司", "热力公司"] {
        if name == "区水务局" {
            keys(&mut app, "w");
        }
        keys(&mut app, name);
        press(&mut app, KeyCode::Char(' '));
    }
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let whistle = events_of_type(&app, &id, "whistle").pop().unwrap();
    let genban::domain::event::EventKind::Whistle { departments } = &whistle.kind else {
        unreachable!()
    };
    assert_eq!(departments.len(), 3, "{departments:?}");
    let (first, second, third) = (&departments[0], &departments[1], &departments[2]);
    // The first waiting one; answered 30 s after the whistle (the fixed clock says noon).
    let answer = |app: &mut genban::tui::app::App, seconds: &str| {
        for _ in 0..3 {
            press(app, KeyCode::Tab);
        }
        keys(app, seconds);
        press(app, KeyCode::Enter);
    };
    keys(&mut app, "W");
    assert_eq!(&proposed_department(&app), first);
    answer(&mut app, ":30");
    assert!(app.popups.is_empty(), "{:?}", app.message);
    // Now the second; choosing the first again asks before a second answer.
    keys(&mut app, "W");
    assert_eq!(&proposed_department(&app), second);
    while &proposed_department(&app) != first {
        press(&mut app, KeyCode::Right);
    }
    answer(&mut app, ":40");
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!("the dialog stays open to ask")
    };
    let asked = d.error.clone().unwrap_or_default();
    assert!(
        asked.contains(first.as_str()) && asked.contains("已于"),
        "{asked}"
    );
    assert_eq!(events_of_type(&app, &id, "whistle_response").len(), 1);
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    assert_eq!(events_of_type(&app, &id, "whistle_response").len(), 2);
    // From the board's open summons, the selected row's department (not the first waiting).
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "D");
    press(&mut app, KeyCode::Tab);
    let row = {
        let board = app.board.as_ref().unwrap();
        board
            .sup
            .summons
            .iter()
            .position(|s| s.ticket == id && &s.department == third)
            .expect("the third department's summons is open")
    };
    app.board.as_mut().unwrap().select(row);
    press(&mut app, KeyCode::Enter);
    assert!(matches!(&app.view, View::Detail { id: shown, .. } if *shown == id));
    keys(&mut app, "W");
    assert_eq!(&proposed_department(&app), third);
}

/// The new-ticket form checks what `genban new` checks (a phone that is one, name lengths),
/// focuses the field at fault, takes 街道 and 社区, and offers the known categories.
#[test]
fn the_new_ticket_form_checks_like_the_command_line() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    let n = app.ledger.ticket_count().unwrap();
    let focused = |app: &genban::tui::app::App| dialog_state(app).1;
    // title, unit (a known one), source, citizen, phone.
    keys(&mut app, "a井盖松动");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "路灯管理所");
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    keys(&mut app, "abc123");
    // street, community, then the category: typing filters the known ones.
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "江浦街道");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "新金社区");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!("the form is open")
    };
    let field = &d.form.fields[d.form.focus];
    assert_eq!(field.key, "category");
    let known = app.ledger.categories().unwrap();
    assert!(!known.is_empty());
    assert_eq!(
        field.matches().len(),
        known.len(),
        "every known category offered"
    );
    let first = known[0].clone();
    keys(&mut app, &first);
    // Enter: the phone is refused, the cursor on it, nothing written.
    press(&mut app, KeyCode::Enter);
    let (error, key) = dialog_state(&app);
    assert!(
        error.as_deref().is_some_and(|e| e.contains("联系电话")),
        "{error:?}"
    );
    assert_eq!(key, "phone");
    assert_eq!(app.ledger.ticket_count().unwrap(), n);
    // A phone as people write it: saved, with its street, community and category.
    let Some(Popup::Dialog(d)) = app.popups.last_mut() else {
        unreachable!()
    };
    d.form.fields[d.form.focus].value.clear();
    d.form.fields[d.form.focus].cursor = 0;
    keys(&mut app, "+86 139-0000 1234");
    assert_eq!(focused(&app), "phone");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.popups.last());
    let View::Detail { id, .. } = &app.view else {
        panic!("the new ticket opens")
    };
    let (row, _) = app.ledger.ticket(id, today()).unwrap().unwrap();
    let rec = &row.ticket().record;
    assert_eq!(rec.street.as_deref(), Some("江浦街道"));
    assert_eq!(rec.community.as_deref(), Some("新金社区"));
    assert_eq!(rec.category.as_deref(), Some(first.as_str()));
    assert_eq!(rec.phone.as_deref(), Some("+86 139-0000 1234"));
    // A unit of 101 characters: asked once as a new unit, then refused as too long.
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "a路面破损");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, &"单".repeat(101));
    press(&mut app, KeyCode::Enter);
    let (error, _) = dialog_state(&app);
    assert!(
        error.as_deref().is_some_and(|e| e.contains("新单位")),
        "{error:?}"
    );
    press(&mut app, KeyCode::Enter);
    let (error, key) = dialog_state(&app);
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("太长") && e.contains("101")),
        "{error:?}"
    );
    assert_eq!(key, "unit");
    assert_eq!(app.ledger.ticket_count().unwrap(), n + 1);
}

/// 居民议事 from the keys: M asks participants and a decision (refused blank, focus on the
/// field), saves the meeting with its plan, and the timeline shows it.
#[test]
fn a_meeting_from_the_keys_lands_in_the_timeline() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    let id = open_first_in_progress(&mut app);
    let n = event_count(&app, &id);
    assert!(app.applies(genban::tui::keymap::Action::Meeting));
    // M opens on the participants; Enter with nothing taken is refused there.
    keys(&mut app, "M");
    let (_, focus) = dialog_state(&app);
    assert_eq!(focus, "participants");
    press(&mut app, KeyCode::Enter);
    let (error, focus) = dialog_state(&app);
    assert!(
        error.as_deref().is_some_and(|e| e.contains("参与方")),
        "{error:?}"
    );
    assert_eq!(focus, "participants");
    // Two of the usual parties (one by a part of its name) and one typed new, then the
    // decision left blank: refused on the decision.
    keys(&mut app, "居民代表");
    press(&mut app, KeyCode::Char(' '));
    keys(&mut app, "物业");
    press(&mut app, KeyCode::Char(' '));
    keys(&mut app, "城建专家李工");
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    let (error, focus) = dialog_state(&app);
    assert!(
        error.as_deref().is_some_and(|e| e.contains("议定事项")),
        "{error:?}"
    );
    assert_eq!(focus, "decision");
    assert_eq!(event_count(&app, &id), n, "nothing was written");
    keys(&mut app, "加装楼道声控灯");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "物业两周内完成");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.message);
    let m = events_of_type(&app, &id, "meeting");
    assert_eq!(m.len(), 1);
    match &m[0].kind {
        genban::domain::event::EventKind::Meeting {
            participants,
            decision,
            plan,
        } => {
            assert_eq!(participants, &["居民代表", "物业公司", "城建专家李工"]);
            assert_eq!(decision, "加装楼道声控灯");
            assert_eq!(plan.as_deref(), Some("物业两周内完成"));
        }
        other => panic!("{other:?}"),
    }
    assert!(m[0].recorded_at.is_some());
    // The detail view's timeline shows it (newest first: at the top).
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| genban::tui::ui::render(f, &app)).unwrap();
    let screen = format!("{}", t.backend());
    assert!(
        screen.contains("居民议事(居民代表、物业公司、城建专家李工):加装楼道声控灯"),
        "{screen}"
    );
    // From the list too.
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "M");
    assert!(
        matches!(app.popups.last(), Some(Popup::Dialog(d)) if d.kind == genban::tui::dialog::DialogKind::Meeting)
    );
}

fn ctrl_key(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(KeyCode::Char(c), crossterm::event::KeyModifiers::CONTROL)
}

fn draw(app: &genban::tui::app::App, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| genban::tui::ui::render(f, app)).unwrap();
    format!("{}", t.backend())
}

/// Text without its white space (wrapping drops the spaces at a break).
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_longest_real_reply_is_read_to_its_last_character() {
    let (_d, l) = ledger(TUI_DAY);
    let file = shared().join("data/real/cn_gov_messages/messages_with_replies.xlsx");
    let opts = genban::import::ImportOptions {
        profile: Some("cn-gov-messages".into()),
        lang: Lang::Zh,
        ..Default::default()
    };
    let r = genban::import::import_file(&l, &file, &opts).unwrap();
    assert_eq!(r.records, 2816);
    l.set_operator(Some("王雨婷".into()));
    let mut app =
        genban::tui::app::App::new(l, Lang::Zh, genban::tui::keymap::KeyMap::defaults(), false)
            .unwrap();
    app.resize(80, 24);
    app.popups.clear();
    // Records never dispatched are in no triage pane, and all in 全部.
    assert_eq!(app.count(Pane::InProgress), 0);
    keys(&mut app, "6");
    assert_eq!(app.pane, Pane::All);
    assert_eq!((app.count(Pane::All), app.rows.len()), (2816, 2816));
    assert!(draw(&app, 80, 24).contains("未派发"));
    // The rows carry the facts; the texts are in each ticket's record.
    let (id, reply) = app
        .rows
        .iter()
        .filter_map(|r| {
            let (row, _) = app.ledger.ticket(&r.ticket().id, today()).unwrap()?;
            Some((r.ticket().id.clone(), row.ticket().record.reply.clone()?))
        })
        .max_by_key(|(_, reply)| reply.chars().count())
        .unwrap();
    assert!(reply.chars().count() > 7000, "{}", reply.chars().count());
    // Found as typed, opened: the detail cuts the reply and says how to read it all.
    keys(&mut app, "/");
    keys(&mut app, &id);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.rows.len(), 1);
    press(&mut app, KeyCode::Enter);
    let detail = draw(&app, 80, 24);
    assert!(detail.contains("… t 看全文"), "{detail}");
    assert!(!detail.contains('⏎') && !detail.contains('␍'), "{detail}");
    // A taller screen gives the long texts the rows it has (not eight and then blank).
    let tall = draw(&app, 120, 40);
    let lines: Vec<&str> = tall.lines().collect();
    let from = lines.iter().position(|l| l.contains("答复内容")).unwrap();
    let reply_end = lines.iter().rposition(|l| l.contains("t 看全文")).unwrap();
    assert!(reply_end >= from && reply_end - from >= 8, "{tall}");
    keys(&mut app, "t");
    let Some(Popup::Event(view)) = app.popups.last() else {
        panic!("the record is shown whole")
    };
    let rows = view.rows(80);
    assert!(rows.len() > 150, "{} rows", rows.len());
    // Every character of the reply is in the rows, in order.
    let want = squeezed(&genban::text::sanitize(&reply.replace(['\r', '\n'], "")));
    assert!(squeezed(&rows.concat()).contains(&want));
    let last_row = rows.last().unwrap().clone();
    assert!(!draw(&app, 80, 24).contains(last_row.trim()));
    // G shows the end, with where it is; PgUp, g, Ctrl-d, Space and j move by rows.
    keys(&mut app, "G");
    let end = draw(&app, 80, 24);
    assert!(end.contains(last_row.trim()), "{end}");
    assert!(end.contains(&format!("{0}/{0}", rows.len())), "{end}");
    let scroll = |app: &genban::tui::app::App| match app.popups.last() {
        Some(Popup::Event(v)) => v.scroll,
        _ => panic!(),
    };
    let max = scroll(&app);
    assert_eq!(
        max,
        rows.len() - genban::tui::text_view::TextView::visible(24)
    );
    press(&mut app, KeyCode::PageUp);
    assert!(scroll(&app) < max);
    keys(&mut app, "g");
    assert_eq!(scroll(&app), 0);
    app.on_key(ctrl_key('d'));
    let page = scroll(&app);
    assert!(page > 1);
    keys(&mut app, " j");
    assert_eq!(scroll(&app), 2 * page + 1);
    press(&mut app, KeyCode::End);
    assert_eq!(scroll(&app), max);
    keys(&mut app, "jjj");
    assert_eq!(scroll(&app), max);
}

#[test]
fn a_long_cohort_moves_like_a_pane_and_filters_as_you_type() {
    let (_d, mut app) = demo_app(400, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    app.resize(80, 24);
    keys(&mut app, "Dj");
    press(&mut app, KeyCode::Enter);
    let ids = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh);
    let n = ids.len();
    assert!(n > 40, "{n}");
    let selected = |app: &genban::tui::app::App| {
        genban::tui::app::list_state(app.popups.last().unwrap())
            .unwrap()
            .selected
    };
    for (key, want) in [
        (KeyCode::Char('G'), n - 1),
        (KeyCode::Char('g'), 0),
        (KeyCode::End, n - 1),
        (KeyCode::Home, 0),
    ] {
        press(&mut app, key);
        assert_eq!(selected(&app), want, "{key:?}");
    }
    press(&mut app, KeyCode::PageDown);
    let page = selected(&app);
    assert!(page > 5, "{page}");
    app.on_key(ctrl_key('d'));
    keys(&mut app, " ");
    assert_eq!(selected(&app), 3 * page);
    app.on_key(ctrl_key('u'));
    assert_eq!(selected(&app), 2 * page);
    keys(&mut app, "G");
    assert!(draw(&app, 80, 24).contains(&format!("{n}/{n}")));
    // `/` filters as it is typed: here by a unit of the list.
    let unit = app
        .ledger
        .ticket(&ids[n - 1], today())
        .unwrap()
        .unwrap()
        .0
        .ticket()
        .unit()
        .to_string();
    keys(&mut app, "/");
    keys(&mut app, &unit);
    let kept = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh);
    assert!(!kept.is_empty() && kept.len() < n, "{} of {n}", kept.len());
    for id in &kept {
        let row = app.ledger.ticket(id, today()).unwrap().unwrap().0;
        assert_eq!(row.ticket().unit(), unit);
    }
    let screen = draw(&app, 80, 24);
    assert!(screen.contains(&format!("1/{}", kept.len())), "{screen}");
    // Enter keeps the filter (the keys move again), Enter then opens the selected ticket.
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "j");
    assert_eq!(selected(&app), 1.min(kept.len() - 1));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(&app.view, View::Detail { id, .. } if *id == kept[1.min(kept.len() - 1)]));
    // Back to the filtered list; Esc while typing clears the filter.
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "/x");
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh).len(),
        n
    );
}

#[test]
fn the_month_tasks_and_the_look_back_take_the_same_keys() {
    let (_d, mut app) = demo_app(200, Lang::Zh);
    let n = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh).len();
    keys(&mut app, "G");
    assert!(matches!(app.popups.last(), Some(Popup::MonthTasks(_, s)) if s.selected == n - 1));
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "R");
    let n = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh).len();
    press(&mut app, KeyCode::End);
    assert!(matches!(app.popups.last(), Some(Popup::Review(_, s)) if s.selected == n - 1));
    let first = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh)[0].clone();
    keys(&mut app, "/");
    keys(&mut app, &first);
    let kept = genban::tui::app::popup_tickets(app.popups.last().unwrap(), Lang::Zh);
    assert!(kept.iter().all(|id| *id == first), "{kept:?}");
    assert!(matches!(app.popups.last(), Some(Popup::Review(_, s)) if s.selected == 0));
    // Each heading says how many of its rows the filter keeps.
    let screen = draw(&app, 120, 40);
    let counts: Vec<(usize, usize)> = screen
        .lines()
        .filter(|l| l.contains('■'))
        .filter_map(|l| {
            let last = l.split('■').nth(1)?.split_whitespace().nth(1)?;
            let (a, b) = last.split_once('/')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect();
    assert_eq!(
        counts.len(),
        genban::domain::review::RULES.len(),
        "{screen}"
    );
    assert!(counts.iter().any(|(a, b)| a < b), "{counts:?}");
}

#[test]
fn search_filters_as_you_type_reads_ids_as_pasted_and_shows_the_state() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let whole = app.rows.len();
    let some = app.rows[3].ticket().clone();
    keys(&mut app, "/");
    // Typed in parts, with spaces and full-width digits: the list follows each key.
    let (head, tail) = some.id.split_at(4);
    let wide: String = tail
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
        .collect();
    keys(&mut app, head);
    assert!(app.filter.query.is_some());
    keys(&mut app, " ");
    keys(&mut app, &wide);
    assert!(matches!(app.popups.last(), Some(Popup::Prompt(..))));
    assert_eq!(app.rows.len(), 1, "{:?}", app.filter.query);
    assert_eq!(app.rows[0].ticket().id, some.id);
    let screen = draw(&app, 120, 40);
    assert!(
        screen.contains("状态") && screen.contains("办理中"),
        "{screen}"
    );
    // Esc clears: the pane is whole again.
    press(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty());
    assert_eq!((app.filter.query.clone(), app.rows.len()), (None, whole));
    // Enter keeps what was typed.
    keys(&mut app, "/");
    keys(&mut app, &some.id);
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    assert_eq!(app.filter.query.as_deref(), Some(some.id.as_str()));
    assert_eq!(app.rows.len(), 1);
}

#[test]
fn the_all_pane_holds_every_ticket_newest_received_first() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "0");
    assert_eq!(app.pane, Pane::All);
    keys(&mut app, "1");
    keys(&mut app, "6");
    assert_eq!(app.pane, Pane::All);
    let total = app.ledger.ticket_count().unwrap();
    assert_eq!((app.count(Pane::All), app.rows.len()), (total, total));
    let received: Vec<_> = app
        .rows
        .iter()
        .map(|r| r.ticket().record.received_at.map(|t| t.to_utc()))
        .collect();
    assert!(received.windows(2).all(|w| w[0] >= w[1]));
    // Every state is there, and the table names it.
    let states: std::collections::BTreeSet<_> = app.rows.iter().map(|r| r.ticket().state).collect();
    assert!(states.len() >= 3, "{states:?}");
    let screen = draw(&app, 120, 40);
    assert!(
        screen.contains("6 全部") && screen.contains("状态"),
        "{screen}"
    );
    // A save moves a ticket between panes and keeps it in 全部.
    keys(&mut app, "2");
    let id = app.rows[0].ticket().id.clone();
    keys(&mut app, "n");
    keys(&mut app, "已电话提醒承办单位");
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.popups.last());
    keys(&mut app, "6");
    assert_eq!(app.rows.len(), total);
    assert_eq!(app.rows.iter().filter(|r| r.ticket().id == id).count(), 1);
}

#[test]
fn list_all_on_the_command_line_lists_every_ticket_with_its_state() {
    let d = tempfile::tempdir().unwrap();
    let db = sample_store(d.path());
    let out = ok(&genban(&db, &["list", "all"]));
    let count = ok(&genban(&db, &["list", "all", "--format", "json"]));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&count).unwrap();
    assert!(rows.len() > 10);
    assert!(out.contains(&format!("{} 件", rows.len())), "{out}");
    assert!(out.lines().next().unwrap().contains("状态"));
    let states: std::collections::BTreeSet<_> =
        rows.iter().map(|r| r["state"].to_string()).collect();
    assert!(states.len() >= 2, "{states:?}");
}

#[test]
fn pop_ups_clear_the_cells_beside_them_and_back_names_its_keys() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2r");
    let screen = draw(&app, 80, 24);
    let line = screen
        .lines()
        .find(|l| l.contains('┌'))
        .expect("the dialog's top border");
    // The main view's border, then the cleared margin, then the dialog.
    let before: String = line.chars().skip(1).take_while(|c| *c != '┌').collect();
    assert!(before.trim().is_empty(), "{line}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter);
    let detail = draw(&app, 120, 40);
    assert!(detail.contains("Esc/q 返回"), "{detail}");
    keys(&mut app, "q");
    assert_eq!(app.view, View::List);
    assert!(!app.quit);
    assert!(draw(&app, 120, 40).contains("q 退出"));
}

#[test]
fn the_boards_tabs_move_like_the_panes_and_filter_as_you_type() {
    let (_d, mut app) = demo_app(400, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    app.resize(80, 24);
    keys(&mut app, "D");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let board = |app: &genban::tui::app::App| app.board.as_ref().unwrap().clone();
    assert_eq!(board(&app).tab, genban::tui::board::Tab::Hotspots);
    let n = board(&app).rows();
    assert!(n > 5, "{n}");
    keys(&mut app, "G");
    assert_eq!(board(&app).selected(), n - 1);
    press(&mut app, KeyCode::Home);
    keys(&mut app, " ");
    let page = board(&app).selected();
    assert!(page > 1 && page < n, "{page}");
    // `/` keeps the hotspots of one category as it is typed.
    let key = board(&app).sup.hotspots[n - 1].key.clone();
    let category = key.split(" · ").next().unwrap().to_string();
    keys(&mut app, "/");
    keys(&mut app, &category);
    let b = board(&app);
    let kept = b.kept_rows(Lang::Zh, app.ledger.tz());
    assert!(!kept.is_empty() && kept.len() < n, "{} of {n}", kept.len());
    assert!(kept
        .iter()
        .all(|r| b.sup.hotspots[*r].key.contains(&category)));
    assert!(kept.contains(&b.selected()));
    let screen = draw(&app, 80, 24);
    assert!(screen.contains(&format!("筛选: {category}")), "{screen}");
    // Enter keeps it; G goes to the last kept row; Enter lists that hotspot's tickets.
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "G");
    let last = *kept.last().unwrap();
    assert_eq!(board(&app).selected(), last);
    press(&mut app, KeyCode::Enter);
    let want = board(&app).sup.hotspots[last].key.clone();
    assert!(
        matches!(app.popups.last(), Some(Popup::Tickets(t)) if t.title == want),
        "{:?}",
        app.popups.last().map(|_| ())
    );
    // A new tab starts unfiltered.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Tab);
    assert!(board(&app).filter.is_empty());
}

#[test]
fn the_timeline_says_entered_only_an_hour_or_more_after_the_event() {
    let (_d, mut app) = demo_app(60, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let id = app.rows[0].ticket().id.clone();
    for (at, entered, note) in [
        (
            "2026-11-19T09:00:00+08:00",
            "2026-11-19T09:40:00+08:00",
            "四十分钟后录入",
        ),
        (
            "2026-11-19T10:00:00+08:00",
            "2026-11-19T13:30:00+08:00",
            "三个半小时后录入",
        ),
    ] {
        let e = genban::domain::event::Event::from_json_str(&format!(
            r#"{{"ticket":"{id}","type":"note","at":"{at}","recorded_at":"{entered}","note":"{note}"}}"#
        ))
        .unwrap();
        app.ledger.record(e).unwrap();
    }
    app.refresh().unwrap();
    press(&mut app, KeyCode::Enter);
    let screen = draw(&app, 120, 40);
    let line = |what: &str| {
        screen
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what}: {screen}"))
            .to_string()
    };
    assert!(!line("四十分钟后录入").contains("录入于"), "{screen}");
    assert!(
        line("三个半小时后录入").contains("录入于11-19 13:30"),
        "{screen}"
    );
}

#[test]
fn colon_opens_a_ticket_by_its_id_as_pasted_and_y_copies_the_id() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "5");
    let id = app.rows[2].ticket().id.clone();
    // y copies the selected id (the event loop sends it to the terminal as OSC 52).
    keys(&mut app, "jjy");
    assert_eq!(app.clipboard.as_deref(), Some(id.as_str()));
    assert!(app.message.as_ref().unwrap().0.contains(&id));
    app.clipboard = None;
    // An unknown id is said and the prompt stays; a pasted one (spaces) opens the ticket.
    keys(&mut app, ":");
    keys(&mut app, "NOPE123");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.popups.last(), Some(Popup::Prompt(..))));
    assert!(app
        .message
        .as_ref()
        .unwrap()
        .0
        .contains("没有编号为 NOPE123 的工单"));
    app.on_key(ctrl_key('u'));
    let (a, b) = id.split_at(6);
    keys(&mut app, &format!(" {a} {b} "));
    press(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    assert!(matches!(&app.view, View::Detail { id: shown, .. } if *shown == id));
    keys(&mut app, "y");
    assert_eq!(app.clipboard.as_deref(), Some(id.as_str()));
}

#[test]
fn a_long_refusal_wraps_in_its_dialog_and_is_never_cut() {
    let (_d, mut app) = demo_app(120, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2c");
    // A contact dated after it was entered.
    let Some(Popup::Dialog(d)) = app.popups.last_mut() else {
        panic!("the contact dialog")
    };
    let at = d.form.fields.iter().position(|f| f.key == "at").unwrap();
    let said = d.form.fields.iter().position(|f| f.key == "note").unwrap();
    d.form.focus = said;
    keys(&mut app, "告知办理进展");
    let Some(Popup::Dialog(d)) = app.popups.last_mut() else {
        panic!()
    };
    d.form.focus = at;
    app.on_key(ctrl_key('u'));
    keys(&mut app, "2027-01-01 10:00");
    press(&mut app, KeyCode::Enter);
    let Some(Popup::Dialog(d)) = app.popups.last() else {
        panic!("the dialog stays open")
    };
    let error = d.error.clone().expect("refused");
    assert!(genban::text::width(&error) > 76, "{error}");
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = draw(&app, w, h);
        let rows: String = screen
            .lines()
            .map(|l| l.split('│').nth(2).unwrap_or(""))
            .collect();
        assert!(
            squeezed(&rows).contains(&squeezed(&error)),
            "{error}\n{screen}"
        );
    }
}

#[test]
fn a_long_message_wraps_above_the_key_bar() {
    let (_d, mut app) = demo_app(60, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00+08:00")
        .unwrap()
        .to_utc();
    let why = genban::labels::no_undo(
        &genban::domain::undo::NoUndo::TooOld(at),
        app.ledger.tz(),
        Lang::Zh,
    );
    assert!(genban::text::width(&why) > 80, "{why}");
    app.message = Some((why.clone(), true));
    let screen = draw(&app, 80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    // The last row is still the key bar; the message's rows above it hold it whole.
    assert!(lines[23].contains("帮助"), "{screen}");
    // (Each backend line is quoted, some followed by a note on wide characters.)
    let rows: String = lines[20..23]
        .iter()
        .map(|l| l.split('"').nth(1).unwrap_or(""))
        .collect();
    assert!(squeezed(&rows).contains(&squeezed(&why)), "{why}\n{screen}");
}

/// The board follows a write made by another genban process, as the panes do: its figures are
/// those of the board read afresh (issue 15, item 5).
#[test]
fn the_board_follows_a_write_from_another_process() {
    let (_d, mut app) = demo_app(300, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "D");
    let board = |app: &genban::tui::app::App| app.board.as_ref().expect("the board").clone();
    let before = *board(&app).dashboard.counts();
    let other = app.ledger.sharing(app.ledger.clock, Some("街道".into()));
    sign_elsewhere(&app, &other);
    assert!(app.poll(), "the app sees the write");
    let after = *board(&app).dashboard.counts();
    assert_ne!(before, after, "the board moved");
    let fresh = genban::tui::board::Board::load(&app.ledger, today(), Default::default()).unwrap();
    assert_eq!(&after, fresh.dashboard.counts());
}

/// `[` and `]` move the board a month (the title and the league say which); `[` in the
/// look-back moves it two months; a unit filter's counts are on the tabs.
#[test]
fn the_board_and_the_look_back_move_to_other_periods() {
    let (_d, mut app) = demo_app(300, Lang::Zh);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "D");
    let screen = |app: &genban::tui::app::App| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        t.draw(|f| genban::tui::ui::render(f, app)).unwrap();
        format!("{}", t.backend())
    };
    assert!(!screen(&app).contains(" 2026-10 ·"), "{}", screen(&app));
    keys(&mut app, "[");
    let b = app.board.as_ref().unwrap();
    assert_eq!(b.dashboard.today, date("2026-10-31"));
    assert!(!b.current);
    let s = screen(&app);
    assert!(
        s.contains(" 2026-10 ·") && s.contains("单位排名, 2026-10"),
        "{s}"
    );
    // The board of October is the one read as of its last day.
    let oct = genban::tui::board::Board::load(&app.ledger, date("2026-10-31"), Default::default())
        .unwrap();
    assert_eq!(b.dashboard.counts(), oct.dashboard.counts());
    keys(&mut app, "]");
    assert!(app.board.as_ref().unwrap().current);
    keys(&mut app, "]");
    assert!(app
        .message
        .as_ref()
        .is_some_and(|(m, _)| m.contains("已是本月")));
    // The look-back: the last two months, then the two before.
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "R");
    let period = |app: &genban::tui::app::App| match app.popups.last() {
        Some(Popup::Review(r, _)) => (r.period.from, r.period.to, r.as_of),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        period(&app),
        (date("2026-10-01"), date("2026-11-30"), today())
    );
    keys(&mut app, "[");
    assert_eq!(
        period(&app),
        (date("2026-08-01"), date("2026-09-30"), date("2026-09-30"))
    );
    keys(&mut app, "]");
    assert_eq!(
        period(&app),
        (date("2026-10-01"), date("2026-11-30"), today())
    );
    press(&mut app, KeyCode::Esc);
    // A unit filter: each tab counts the tickets of that unit.
    let unit = app.ledger.units().unwrap()[0].clone();
    app.filter.unit = Some(unit.clone());
    for p in [Pane::InProgress, Pane::AwaitingContact, Pane::Overdue] {
        let n = app
            .ledger
            .pane(p, today())
            .unwrap()
            .iter()
            .filter(|r| r.ticket().unit() == unit)
            .count();
        assert_eq!(app.tab_count(p), n.to_string(), "{p:?}");
    }
}

/// `X` writes what is on screen to a workbook and says where: the pane as filtered, then the
/// tickets of the look-back (issue 15, item 6).
#[test]
fn x_exports_what_is_on_screen_and_says_where() {
    use calamine::Reader;
    let (_d, mut app) = demo_app(300, Lang::Zh);
    let out = tempfile::tempdir().unwrap();
    app.export_dir = out.path().to_path_buf();
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "2");
    let unit = app.rows[0].ticket().unit().to_string();
    app.filter.unit = Some(unit.clone());
    app.refresh().unwrap();
    let shown: Vec<String> = app.rows.iter().map(|r| r.ticket().id.clone()).collect();
    keys(&mut app, "X");
    let (msg, error) = app.message.clone().expect("it says where");
    assert!(
        !error && msg.contains(&format!("已导出 {} 件工单", shown.len())),
        "{msg}"
    );
    let files: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert!(msg.contains(&files[0].display().to_string()), "{msg}");
    assert!(files[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .contains("办理中"));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&files[0]).unwrap();
    let range = wb.worksheet_range("工单").unwrap();
    let ids: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(ids, shown, "the rows as shown, in their order");
    let unit_col = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| *c == "承办单位")
        .unwrap();
    assert!(range
        .rows()
        .skip(1)
        .all(|r| r[unit_col].to_string() == unit));
    // The look-back's tickets.
    app.filter.unit = None;
    keys(&mut app, "R");
    let listed = match app.popups.last() {
        Some(p) => genban::tui::app::popup_tickets(p, Lang::Zh),
        None => panic!("the look-back is open"),
    };
    keys(&mut app, "X");
    let (msg, _) = app.message.clone().unwrap();
    assert!(msg.contains("回头看"), "{msg}");
    assert!(
        msg.contains(&format!("已导出 {} 件工单", listed.len())),
        "{msg}"
    );
}

/// A ticket still to be signed, signed by `other` (another genban process's ledger on the
/// same store); its id.
fn sign_elsewhere(app: &genban::tui::app::App, other: &genban::ledger::Ledger) -> String {
    let id = app
        .ledger
        .pane(Pane::AwaitingSign, today())
        .unwrap()
        .into_iter()
        .find(|r| r.ticket().state == Some(State::AwaitingSign))
        .expect("a ticket awaiting its sign")
        .ticket()
        .id
        .clone();
    let (row, _) = app.ledger.ticket(&id, today()).unwrap().unwrap();
    let unit = row.ticket().unit().to_string();
    let sign = genban::domain::event::Event::from_json_str(&format!(
        r#"{{"ticket":"{id}","type":"sign","at":"{TUI_DAY}T09:00:00+08:00","unit":"{unit}","deadline":"2026-12-31"}}"#
    ))
    .unwrap();
    other.record(sign).unwrap();
    id
}
