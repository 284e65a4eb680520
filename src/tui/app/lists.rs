//! The list pop-ups (the month's tasks, the look-back, a cohort or a hotspot's tickets) and the
//! text pop-up: the same movement keys as the panes, and `/` to filter a list as you type
//! (Enter keeps the filter, Esc clears it).

use super::{step, App, Popup};
use crate::domain::search::Query;
use crate::i18n::Lang;
use crate::ledger::TicketRow;
use crate::text::{fit, sanitize};
use crate::tui::keymap::Action;
use crate::tui::text_view::TextView;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The selection and filter of a list pop-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListState {
    /// The selected row among those the filter keeps.
    pub selected: usize,
    /// Typed after `/`: only the rows holding it are listed.
    pub filter: String,
    /// Whether keys go to the filter (after `/`, until Enter or Esc).
    pub typing: bool,
}

impl ListState {
    pub fn at(selected: usize) -> ListState {
        ListState {
            selected,
            ..ListState::default()
        }
    }
    /// Whether the filter keeps a row shown as `text`.
    pub fn keeps(&self, text: &str) -> bool {
        self.filter.is_empty() || Query::new(&self.filter).in_text(text)
    }
}

/// A row of the month's tasks as listed.
pub fn task_text(r: &TicketRow, lang: Lang) -> String {
    let t = r.ticket();
    format!(
        "  {} {} {} {}",
        fit(&sanitize(&t.id), 13),
        fit(&sanitize(t.unit()), 12),
        fit(&crate::output::tickets::days_label(r, lang), 9),
        sanitize(t.record.title.as_deref().unwrap_or(""))
    )
}

/// A row of the look-back as listed.
pub fn review_text(fl: &crate::domain::review::Flag, lang: Lang) -> String {
    format!(
        "  {} {}",
        fit(&sanitize(&fl.ticket), 13),
        sanitize(&fl.detail.text(lang))
    )
}

/// Every ticket row of a list pop-up (its id and the text shown), in its order, unfiltered.
pub fn entries(p: &Popup, lang: Lang) -> Vec<(String, String)> {
    match p {
        Popup::MonthTasks(m, _) => [&m.overdue, &m.to_contact, &m.deadlines, &m.to_sign]
            .into_iter()
            .flatten()
            .map(|r| (r.ticket().id.clone(), task_text(r, lang)))
            .collect(),
        Popup::Review(r, _) => crate::domain::review::RULES
            .iter()
            .flat_map(|rule| {
                r.rules[rule]
                    .iter()
                    .map(|f| (f.ticket.clone(), review_text(f, lang)))
            })
            .collect(),
        Popup::Tickets(t) => t.ids.iter().cloned().zip(t.lines.iter().cloned()).collect(),
        _ => Vec::new(),
    }
}

/// The list state of a list pop-up.
pub fn list_state(p: &Popup) -> Option<&ListState> {
    match p {
        Popup::MonthTasks(_, s) | Popup::Review(_, s) => Some(s),
        Popup::Tickets(t) => Some(&t.state),
        _ => None,
    }
}

fn list_state_mut(p: &mut Popup) -> Option<&mut ListState> {
    match p {
        Popup::MonthTasks(_, s) | Popup::Review(_, s) => Some(s),
        Popup::Tickets(t) => Some(&mut t.state),
        _ => None,
    }
}

/// The tickets of a list pop-up its filter keeps, in the order it shows them (what its
/// selection indexes).
pub fn popup_tickets(p: &Popup, lang: Lang) -> Vec<String> {
    let Some(state) = list_state(p) else {
        return Vec::new();
    };
    entries(p, lang)
        .into_iter()
        .filter(|(_, text)| state.keeps(text))
        .map(|(id, _)| id)
        .collect()
}

impl App {
    /// Rows a page of a pop-up moves (about what it shows).
    pub(super) fn popup_page(&self) -> usize {
        TextView::visible(self.viewport.1).saturating_sub(2).max(1)
    }

    /// A key while the top list pop-up's filter is being typed; false when it is not.
    pub(super) fn on_filter_key(&mut self, key: KeyEvent) -> bool {
        let lang = self.lang;
        let Some(top) = self.popups.last_mut() else {
            return false;
        };
        let Some(state) = list_state_mut(top).filter(|s| s.typing) else {
            return false;
        };
        match key.code {
            KeyCode::Enter => state.typing = false,
            KeyCode::Esc => {
                state.typing = false;
                state.filter.clear();
            }
            KeyCode::Backspace => {
                state.filter.pop();
            }
            KeyCode::Down | KeyCode::Up | KeyCode::PageDown | KeyCode::PageUp => {
                let a = match key.code {
                    KeyCode::Down => Action::Down,
                    KeyCode::Up => Action::Up,
                    KeyCode::PageDown => Action::PageDown,
                    _ => Action::PageUp,
                };
                self.move_in_popup(a);
                return true;
            }
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL) => {
                state.filter.push(c);
            }
            KeyCode::Char(_) => {
                // Ctrl-C still quits.
                self.quit = key.code == KeyCode::Char('c');
                return true;
            }
            _ => return true,
        }
        // The selection stays within what the filter keeps.
        let n = popup_tickets(top, lang).len();
        if let Some(s) = list_state_mut(top) {
            s.selected = s.selected.min(n.saturating_sub(1));
        }
        true
    }

    /// Moves the selection of the top list pop-up, or scrolls the top text pop-up.
    pub(super) fn move_in_popup(&mut self, a: Action) {
        let page = self.popup_page();
        let lang = self.lang;
        let viewport = self.viewport;
        let Some(top) = self.popups.last_mut() else {
            return;
        };
        if let Popup::Event(view) = top {
            let last = view.max_scroll(viewport);
            let page = TextView::visible(viewport.1).saturating_sub(1).max(1);
            view.scroll = step(view.scroll.min(last), a, last + 1, page);
            return;
        }
        let n = popup_tickets(top, lang).len();
        if let Some(s) = list_state_mut(top) {
            s.selected = step(s.selected, a, n, page);
        }
    }

    /// `/` on a list pop-up: typing filters it (the old filter kept, to be edited).
    pub(super) fn start_popup_filter(&mut self) {
        if let Some(s) = self.popups.last_mut().and_then(list_state_mut) {
            s.typing = true;
            s.selected = 0;
        }
    }
}
