//! The state of the terminal app and `update`: key → action → ledger → refreshed view.
//! No drawing here (see `ui`), and storage only through the ledger.

use super::dialog::{Dialog, DialogKind};
use super::form::{Field, Form};
use super::keymap::{Action, KeyContext, KeyMap};
use crate::domain::event::{Event, EventKind};
use crate::domain::figures::Report;
use crate::domain::live_report::LiveReport;
use crate::domain::time::Period;
use crate::i18n::Lang;
use crate::ledger::{Ledger, MonthTasks, Pane, TicketRow};
use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;

mod board_keys;
mod entries;
mod export;
mod link;
mod lists;

use super::text_view::TextView;
pub use lists::{
    entries as popup_entries, list_state, popup_tickets, review_text, task_text, ListState,
};

/// Rows a pane reads at most (the resolved pane keeps growing).
pub const PANE_LIMIT: usize = 500;
/// The meta key remembering the month whose tasks were dismissed.
const TASKS_SEEN: &str = "tasks_dismissed";

#[derive(Debug, Clone, PartialEq)]
pub enum View {
    List,
    Detail {
        id: String,
        /// The selected timeline row (0 = the newest event).
        selected: usize,
        reveal_phone: bool,
    },
    /// The supervision board (its state is `App::board`).
    Board,
}

/// What a one-line prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    Unit,
    Category,
    /// A monthly topic for every ticket of the board's selected hotspot.
    Topic,
    /// Who is at the keyboard (kept in the config).
    Operator,
    /// A ticket to open by its id (as pasted).
    Jump,
}

#[derive(Debug, Clone)]
pub enum Popup {
    Help,
    Welcome,
    MonthTasks(Box<MonthTasks>, ListState),
    /// The look-back over the last two calendar months, as of today.
    Review(Box<crate::domain::review::Review>, ListState),
    Dialog(Box<Dialog>),
    Prompt(PromptKind, Form),
    /// One event of the timeline (or the ticket's record) whole, scrolled by wrapped rows.
    Event(Box<TextView>),
    /// Tickets to open (a figure's cohort, a hotspot's tickets): a title, lines above the
    /// list, one line a ticket, and the selected one.
    Tickets(Box<TicketList>),
    /// What an undo would void (one line an event), waiting for Enter.
    Undo(Box<crate::ledger::UndoPlan>, Vec<String>),
}

/// A list of tickets in a pop-up, each openable.
#[derive(Debug, Clone)]
pub struct TicketList {
    pub title: String,
    pub header: Vec<String>,
    pub lines: Vec<String>,
    pub ids: Vec<String>,
    pub state: ListState,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub query: Option<String>,
    pub unit: Option<String>,
    pub category: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
    pub(crate) fn keeps(&self, r: &TicketRow) -> bool {
        let t = r.ticket();
        self.unit.as_deref().is_none_or(|u| t.unit() == u)
            && self
                .category
                .as_deref()
                .is_none_or(|c| t.record.category.as_deref() == Some(c))
    }
}

/// How a pane is ordered; a key cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Most urgent first (each pane's own order).
    #[default]
    Urgency,
    Deadline,
    LastContact,
    Unit,
    Id,
}

impl SortOrder {
    const ALL: [SortOrder; 5] = [
        SortOrder::Urgency,
        SortOrder::Deadline,
        SortOrder::LastContact,
        SortOrder::Unit,
        SortOrder::Id,
    ];
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            SortOrder::Urgency => lang.t("按紧急程度", "by urgency"),
            SortOrder::Deadline => lang.t("按时限", "by deadline"),
            SortOrder::LastContact => lang.t("按最近联系", "by last contact"),
            SortOrder::Unit => lang.t("按单位", "by unit"),
            SortOrder::Id => lang.t("按编号", "by id"),
        }
    }
    fn next(self) -> SortOrder {
        let i = SortOrder::ALL.iter().position(|s| *s == self).unwrap_or(0);
        SortOrder::ALL[(i + 1) % SortOrder::ALL.len()]
    }
    /// Orders rows already in urgency order (a stable sort keeps urgency among equals).
    fn apply(self, rows: &mut [Arc<TicketRow>]) {
        match self {
            SortOrder::Urgency => {}
            SortOrder::Deadline => {
                rows.sort_by_key(|r| (r.ticket().deadline.is_none(), r.ticket().deadline))
            }
            SortOrder::LastContact => rows.sort_by_key(|r| r.ticket().last_contact),
            SortOrder::Unit => rows.sort_by(|a, b| a.ticket().unit().cmp(b.ticket().unit())),
            SortOrder::Id => rows.sort_by(|a, b| a.ticket().id.cmp(&b.ticket().id)),
        }
    }
}

/// The first row to show so that row `selected` is among the `visible` ones, moving `offset`
/// as little as possible.
pub fn keep_in_view(offset: usize, selected: usize, visible: usize) -> usize {
    let visible = visible.max(1);
    if selected < offset {
        selected
    } else if selected >= offset + visible {
        selected + 1 - visible
    } else {
        offset
    }
}

/// A selection moved by a navigation action over `n` rows (`page` rows a page), clamped.
fn step(at: usize, a: Action, n: usize, page: usize) -> usize {
    let last = n.saturating_sub(1);
    let page = page.max(1);
    match a {
        Action::Down => at + 1,
        Action::Up => at.saturating_sub(1),
        Action::PageDown => at + page,
        Action::PageUp => at.saturating_sub(page),
        Action::Top => 0,
        _ => last,
    }
    .min(last)
}

pub struct App {
    pub ledger: Arc<Ledger>,
    pub lang: Lang,
    pub keys: KeyMap,
    pub today: NaiveDate,
    pub pane: Pane,
    /// Rows of the current pane (or of the search), filtered: what the table shows.
    /// Shared with the panes they come from: a save re-evaluates one ticket, copies no row.
    pub rows: Vec<Arc<TicketRow>>,
    /// Every pane's rows and its count (all its tickets, before filters).
    panes: Vec<(Pane, Vec<Arc<TicketRow>>, usize)>,
    /// The rows of the active search, if any.
    search: Option<Vec<Arc<TicketRow>>>,
    pub selected: usize,
    pub view: View,
    pub popups: Vec<Popup>,
    pub filter: Filter,
    /// The order of the pane (the title shows it).
    pub sort: SortOrder,
    pub message: Option<(String, bool)>,
    pub figures: Option<Report>,
    figures_rx: Option<Receiver<Figures>>,
    /// The header's report, kept up to date ticket by ticket after a save (`start_figures_for`).
    live: Option<Arc<std::sync::Mutex<LiveReport>>>,
    /// The pane of every ticket (全部), read on a thread the first time it is shown (at a
    /// district's size it is most of the store; the triage panes come first).
    all: AllPane,
    /// The board being read on a thread (the app's figures over a large store take seconds).
    board_rx: Option<Receiver<Result<super::board::Board, String>>>,
    /// A write came while the board was being read: read it again when that read is done.
    board_again: bool,
    /// How many months before this one the board shows (`[` and `]` move it).
    pub board_back: u32,
    background: bool,
    /// The figures wait for the first poll (on a thread they would slow the first screen).
    figures_waiting: bool,
    pub detail: Option<(TicketRow, Vec<Event>)>,
    pub units: Vec<String>,
    pub categories: Vec<String>,
    pub quit: bool,
    /// The terminal's size (columns, rows), as last told by `resize`.
    pub viewport: (u16, u16),
    /// The first table row shown; kept so that the list scrolls steadily, moved with the
    /// selection and clamped here (drawing only reads it).
    pub offset: usize,
    /// The ledger's generation the panes were read at (another process's write changes it).
    seen_generation: u64,
    /// The list pop-up a ticket was opened from (Esc in the detail comes back to it).
    return_to: Option<Popup>,
    /// The supervision board, while it is open (or was, when a ticket was opened from it).
    pub board: Option<Box<super::board::Board>>,
    /// Text to put on the terminal's clipboard (OSC 52, so it works over ssh); the event
    /// loop sends it and takes it.
    pub clipboard: Option<String>,
    /// Where `X` writes what is on screen (the directory genban was started in).
    pub export_dir: std::path::PathBuf,
    /// The store's server is away (as the last poll found): read-only, with a banner.
    pub away: bool,
}

impl App {
    /// `background`: compute the header figures on a thread (the app) or at once (tests).
    pub fn new(ledger: Ledger, lang: Lang, keys: KeyMap, background: bool) -> anyhow::Result<App> {
        let today = ledger.clock.today();
        let mut app = App {
            ledger: Arc::new(ledger),
            lang,
            keys,
            today,
            pane: Pane::AwaitingContact,
            rows: Vec::new(),
            panes: Vec::new(),
            search: None,
            selected: 0,
            view: View::List,
            popups: Vec::new(),
            filter: Filter::default(),
            sort: SortOrder::default(),
            message: None,
            figures: None,
            figures_rx: None,
            live: None,
            all: AllPane::Unread,
            board_rx: None,
            board_again: false,
            board_back: 0,
            background,
            figures_waiting: background,
            detail: None,
            units: Vec::new(),
            categories: Vec::new(),
            quit: false,
            viewport: (120, 40),
            offset: 0,
            seen_generation: 0,
            return_to: None,
            board: None,
            clipboard: None,
            export_dir: std::env::current_dir().unwrap_or_else(|_| ".".into()),
            away: false,
        };
        app.refresh()?;
        if app.ledger.ticket_count()? == 0 {
            app.popups.push(Popup::Welcome);
        } else {
            let month = today.format("%Y-%m").to_string();
            if app.ledger.setting(TASKS_SEEN)?.as_deref() != Some(month.as_str()) {
                let tasks = MonthTasks::from_panes(&app.panes, Period::month_of(today), today);
                app.popups
                    .push(Popup::MonthTasks(Box::new(tasks), ListState::default()));
            }
        }
        Ok(app)
    }

    /// Re-reads every pane, the open ticket and (on a thread) the figures. The pane of all
    /// tickets is read again only when it is shown (`start_all`).
    pub fn refresh(&mut self) -> anyhow::Result<()> {
        self.seen_generation = self.ledger.generation();
        self.panes = self
            .ledger
            .panes(self.today, PANE_LIMIT)?
            .into_iter()
            .map(|(p, rows, n)| (p, rows.into_iter().map(Arc::new).collect(), n))
            .collect();
        // Every ticket, whatever its state (imported records not dispatched yet included):
        // counted now, its rows read when the pane is shown.
        self.panes
            .push((Pane::All, Vec::new(), self.ledger.ticket_count()?));
        self.all = AllPane::Unread;
        if self.pane == Pane::All {
            self.start_all()?;
        }
        self.search = match &self.filter.query {
            Some(q) => Some(shared(self.ledger.search(q, self.today)?)),
            None => None,
        };
        self.units = self.ledger.units()?;
        self.categories = self.ledger.categories()?;
        self.reload_detail()?;
        self.rebuild_rows();
        self.start_figures();
        self.follow_board()
    }

    /// Reads the pane of all tickets: on a thread in the app (`poll` takes it), at once in
    /// tests. Nothing when it is read or being read.
    fn start_all(&mut self) -> anyhow::Result<()> {
        if !matches!(self.all, AllPane::Unread) {
            return Ok(());
        }
        let (ledger, today) = (Arc::clone(&self.ledger), self.today);
        let generation = ledger.generation();
        if !self.background {
            let rows = shared(ledger.pane(Pane::All, today)?);
            self.take_all(rows);
            return Ok(());
        }
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let _ = tx.send(ledger.pane(Pane::All, today).map_err(|e| e.to_string()));
        });
        self.all = AllPane::Reading { rx, generation };
        Ok(())
    }

    /// Puts the rows of all tickets in their pane.
    fn take_all(&mut self, rows: Vec<Arc<TicketRow>>) {
        if let Some((_, r, n)) = self.panes.iter_mut().find(|(p, _, _)| *p == Pane::All) {
            *n = rows.len();
            *r = rows;
        }
        self.all = AllPane::Read;
        if self.pane == Pane::All && self.search.is_none() {
            self.rebuild_rows();
        }
    }

    /// Takes the pane of all tickets when its thread is done; read again when something was
    /// written meanwhile (the rows could miss it). Returns whether it arrived.
    fn poll_all(&mut self) -> bool {
        let AllPane::Reading { rx, generation } = &self.all else {
            return false;
        };
        let generation = *generation;
        let got = match rx.try_recv() {
            Ok(got) => got,
            Err(std::sync::mpsc::TryRecvError::Empty) => return false,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Err("the pane of all tickets was not read".to_string())
            }
        };
        match got {
            Ok(_) if self.ledger.generation() != generation => {
                self.all = AllPane::Unread;
                if let Err(e) = self.start_all() {
                    self.say(e.to_string(), true);
                }
                false
            }
            Ok(rows) => {
                self.take_all(shared(rows));
                true
            }
            Err(e) => {
                self.all = AllPane::Unread;
                self.say(e, true);
                true
            }
        }
    }

    /// Whether the pane of all tickets is being read (the table says so meanwhile).
    pub fn reading_all(&self) -> bool {
        matches!(self.all, AllPane::Reading { .. })
    }

    /// After an action on one ticket: re-evaluates just that ticket in every pane (and in the
    /// search), the open ticket, and the figures.
    pub fn refresh_ticket(&mut self, id: &str) -> anyhow::Result<()> {
        self.refresh_tickets(&[id.to_string()])
    }

    /// After writes to a few tickets (here or by another genban process): re-evaluates just
    /// those from their facts, the open ticket, the unit list and the figures.
    pub fn refresh_tickets(&mut self, ids: &[String]) -> anyhow::Result<()> {
        self.seen_generation = self.ledger.generation();
        for id in ids {
            let row = self
                .ledger
                .facts(id)?
                .map(|f| Arc::new(TicketRow::of(id, &f.events, self.ledger.tz(), self.today)));
            self.replace_row(id, row);
        }
        if !ids.is_empty() {
            self.units = self.ledger.units()?;
            self.categories = self.ledger.categories()?;
            if !matches!(self.all, AllPane::Read) {
                let n = self.ledger.ticket_count()?;
                if let Some((_, _, total)) = self.panes.iter_mut().find(|(p, _, _)| *p == Pane::All)
                {
                    *total = n;
                }
            }
            // Tickets arrived (e.g. a CLI import): the store is no longer empty.
            self.popups.retain(|p| !matches!(p, Popup::Welcome));
        }
        self.reload_detail()?;
        self.rebuild_rows();
        self.start_figures_for(ids);
        self.follow_board()
    }

    /// Puts a ticket's new row in the panes that hold it now (and the search), out of the rest.
    fn replace_row(&mut self, id: &str, row: Option<Arc<TicketRow>>) {
        let all_read = matches!(self.all, AllPane::Read);
        for (pane, rows, total) in &mut self.panes {
            if *pane == Pane::All && !all_read {
                continue;
            }
            let before = rows.len();
            rows.retain(|r| r.ticket().id != id);
            *total -= before - rows.len();
            if let Some(r) = row.as_ref().filter(|r| pane.holds(&r.facts)) {
                rows.push(Arc::clone(r));
                *total += 1;
                crate::ledger::sort_rows(*pane, rows);
            }
        }
        if let (Some(found), Some(r)) = (&mut self.search, &row) {
            for x in found.iter_mut().filter(|x| x.ticket().id == id) {
                *x = Arc::clone(r);
            }
        }
    }

    fn reload_detail(&mut self) -> anyhow::Result<()> {
        if let View::Detail { id, .. } = &self.view {
            self.detail = self.ledger.ticket(id, self.today)?;
        }
        Ok(())
    }

    /// What the table shows: the search results or the current pane, through the filters.
    fn rebuild_rows(&mut self) {
        let source = match &self.search {
            Some(found) => found,
            None => self
                .panes
                .iter()
                .find(|(p, _, _)| *p == self.pane)
                .map(|(_, rows, _)| rows)
                .expect("every pane is loaded"),
        };
        self.rows = source
            .iter()
            .filter(|r| self.filter.keeps(r))
            .cloned()
            .collect();
        self.sort.apply(&mut self.rows);
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.offset = keep_in_view(
            self.offset.min(self.selected),
            self.selected,
            self.table_rows(),
        );
    }

    /// The header's figures read again from every ticket (on a thread in the app), kept to be
    /// brought up to date by `start_figures_for`.
    fn start_figures(&mut self) {
        if self.figures_waiting {
            return;
        }
        self.live = None;
        let ledger = Arc::clone(&self.ledger);
        let today = self.today;
        let run = move || -> Result<Figures, crate::store::StoreError> {
            let generation = ledger.generation();
            let live = ledger.live_report(Period::month_of(today), today)?;
            Ok(Figures {
                report: live.report(),
                live: Some(live),
                generation,
            })
        };
        self.run_figures(run);
    }

    /// The header's figures after writes to `ids`: those tickets' parts replaced in the kept
    /// report (milliseconds), or everything read again when none is kept for today.
    fn start_figures_for(&mut self, ids: &[String]) {
        let period = (Period::month_of(self.today), self.today);
        let Some(live) = self
            .live
            .as_ref()
            .filter(|l| l.lock().is_ok_and(|l| l.period() == period))
            .map(Arc::clone)
        else {
            return self.start_figures();
        };
        let ledger = Arc::clone(&self.ledger);
        let ids = ids.to_vec();
        let run = move || -> Result<Figures, crate::store::StoreError> {
            let generation = ledger.generation();
            let mut live = live.lock().unwrap_or_else(|e| e.into_inner());
            for id in &ids {
                let facts = ledger.facts(id)?.unwrap_or_default();
                live.set(id, &facts.events);
            }
            Ok(Figures {
                report: live.report(),
                live: None,
                generation,
            })
        };
        self.run_figures(run);
    }

    /// Runs `run` on a thread (`poll` takes what it makes) or, in tests, at once.
    fn run_figures(
        &mut self,
        run: impl FnOnce() -> Result<Figures, crate::store::StoreError> + Send + 'static,
    ) {
        if self.background {
            let (tx, rx) = channel();
            std::thread::spawn(move || {
                if let Ok(f) = run() {
                    let _ = tx.send(f);
                }
            });
            self.figures_rx = Some(rx);
        } else if let Ok(f) = run() {
            self.take_figures(f);
        }
    }

    /// Shows figures a thread made; a report read from every ticket is kept for the next save,
    /// brought up to date first if something was written while it was read.
    fn take_figures(&mut self, f: Figures) {
        self.figures = Some(f.report);
        if let Some(live) = f.live {
            self.live = Some(Arc::new(std::sync::Mutex::new(live)));
            if self.ledger.generation() != f.generation {
                match self.ledger.touched_since(f.generation) {
                    Some(ids) => self.start_figures_for(&ids),
                    None => self.start_figures(),
                }
            }
        }
    }

    /// Closes the month's tasks, remembered as seen this month.
    fn close_month_tasks(&mut self) -> anyhow::Result<()> {
        self.remember_tasks_seen();
        self.popups.pop();
        Ok(())
    }

    /// The look-back over the two months ending with `day`'s, as of `day` (today) or of the
    /// end of the period (an earlier one).
    fn review_ending(&self, day: NaiveDate) -> anyhow::Result<crate::domain::review::Review> {
        use crate::domain::time::{month_end, month_start};
        let to = month_end(day);
        let from = month_start(
            day.checked_sub_months(chrono::Months::new(1))
                .unwrap_or(day),
        );
        let as_of = to.min(self.today);
        Ok(self
            .ledger
            .review(Period { from, to }, as_of, Default::default())?)
    }

    /// `[` / `]` in the look-back: the two months before (or after, never past this month).
    fn move_review(&mut self, a: Action) -> anyhow::Result<()> {
        let earlier = a == Action::PrevPeriod;
        let Some(Popup::Review(r, _)) = self.popups.last() else {
            return Ok(());
        };
        let anchor = r.as_of;
        if !earlier && anchor >= self.today {
            self.say(
                self.lang
                    .t("已是最近两个月", "these are the latest two months"),
                false,
            );
            return Ok(());
        }
        let months = chrono::Months::new(2);
        let moved = if earlier {
            anchor.checked_sub_months(months)
        } else {
            anchor.checked_add_months(months)
        }
        .unwrap_or(anchor);
        let this_month = crate::domain::time::month_start(self.today);
        let day = if moved >= this_month {
            self.today
        } else {
            moved
        };
        let review = self.review_ending(day)?;
        if let Some(Popup::Review(r, state)) = self.popups.last_mut() {
            **r = review;
            *state = ListState::default();
        }
        Ok(())
    }

    /// Takes figures a thread has finished, and moves to the new day when the date changed
    /// while the app was open. Returns whether anything changed.
    pub fn poll(&mut self) -> bool {
        if self.figures_waiting {
            // The first screen is read: now the header's figures, on their thread.
            self.figures_waiting = false;
            self.start_figures();
        }
        if self.poll_link() {
            return true;
        }
        let today = self.ledger.clock.today();
        if today != self.today {
            self.today = today;
            if let Err(e) = self.refresh() {
                self.say(self.error_text(&e), true);
            }
            return true;
        }
        if self.ledger.generation() != self.seen_generation {
            // Another genban process wrote through the app (see `serve`): show it, re-reading
            // only the tickets it touched when the ledger remembers them.
            let done = match self.ledger.touched_since(self.seen_generation) {
                Some(ids) => self.refresh_tickets(&ids),
                None => self.refresh(),
            };
            if let Err(e) = done {
                self.say(self.error_text(&e), true);
            }
            return true;
        }
        if self.poll_board() || self.poll_all() {
            return true;
        }
        if let Some(rx) = &self.figures_rx {
            if let Ok(f) = rx.try_recv() {
                self.figures_rx = None;
                self.take_figures(f);
                return true;
            }
        }
        false
    }

    pub fn count(&self, p: Pane) -> usize {
        self.panes
            .iter()
            .find(|(x, _, _)| *x == p)
            .map_or(0, |(_, _, n)| *n)
    }

    /// A pane's count as its tab shows it: with a unit or category filter, the tickets the
    /// filter keeps (`+` when the pane holds more than was read, so more may match).
    pub fn tab_count(&self, p: Pane) -> String {
        if self.filter.unit.is_none() && self.filter.category.is_none() {
            return self.count(p).to_string();
        }
        let Some((_, rows, n)) = self.panes.iter().find(|(x, _, _)| *x == p) else {
            return "0".into();
        };
        let kept = rows.iter().filter(|r| self.filter.keeps(r)).count();
        if *n > rows.len() {
            format!("{kept}+")
        } else {
            kept.to_string()
        }
    }

    /// Where keys are pressed now.
    pub fn context(&self) -> KeyContext {
        match self.popups.last() {
            Some(Popup::Dialog(_)) | Some(Popup::Prompt(..)) => KeyContext::Dialog,
            Some(_) => KeyContext::Popup,
            None => match self.view {
                View::List => KeyContext::List,
                View::Detail { .. } => KeyContext::Detail,
                View::Board => KeyContext::Board,
            },
        }
    }

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some((text.into(), error));
    }

    fn current_id(&self) -> Option<String> {
        match &self.view {
            View::Detail { id, .. } => Some(id.clone()),
            View::List => self.rows.get(self.selected).map(|r| r.ticket().id.clone()),
            View::Board => None,
        }
    }

    /// Handles one key press.
    pub fn on_key(&mut self, key: KeyEvent) {
        // A list pop-up's filter being typed takes the keys first.
        if self.on_filter_key(key) || self.on_board_filter_key(key) {
            return;
        }
        let ctx = self.context();
        let action = self.keys.action(ctx, &key);
        let result = match ctx {
            KeyContext::Dialog => self.on_dialog_key(key, action),
            _ => match action {
                Some(a) => self.update(a),
                None => Ok(()),
            },
        };
        if let Err(e) = result {
            self.say(self.error_text(&e), true);
        }
    }

    /// Opens the ticket selected in the top list pop-up; Esc in the detail comes back.
    fn open_from_popup(&mut self) -> anyhow::Result<()> {
        let Some(top) = self.popups.pop() else {
            return Ok(());
        };
        let sel = list_state(&top).map_or(0, |s| s.selected);
        let Some(id) = popup_tickets(&top, self.lang).get(sel).cloned() else {
            self.popups.push(top);
            return Ok(());
        };
        if let Err(e) = self.open_ticket(id) {
            self.popups.push(top);
            return Err(e);
        }
        if matches!(top, Popup::MonthTasks(..)) {
            self.remember_tasks_seen();
        }
        self.return_to = Some(top);
        Ok(())
    }

    /// Shows ticket `id`'s detail; when it cannot be read (the server away) the view stays
    /// as it was.
    pub(super) fn open_ticket(&mut self, id: String) -> anyhow::Result<()> {
        let before = std::mem::replace(
            &mut self.view,
            View::Detail {
                id,
                selected: 0,
                reveal_phone: false,
            },
        );
        if let Err(e) = self.reload_detail() {
            self.view = before;
            return Err(e);
        }
        Ok(())
    }

    /// Keeps this month's tasks as seen. Not kept (the server away): they show again at the
    /// next start, which is all that is lost, so the pop-up closes anyway.
    fn remember_tasks_seen(&mut self) {
        let month = self.today.format("%Y-%m").to_string();
        let _ = self.ledger.set_setting(TASKS_SEEN, &month);
    }

    /// An error as the user reads it, in the interface language.
    fn error_text(&self, e: &anyhow::Error) -> String {
        error_text(e, self.lang)
    }

    /// The terminal was resized (the event loop says so; tests may too).
    pub fn resize(&mut self, width: u16, height: u16) {
        self.viewport = (width, height);
        self.offset = keep_in_view(self.offset, self.selected, self.table_rows());
    }

    /// How many table rows the list shows at the present size (the layout of `ui::render`:
    /// header, tabs, an optional filter line, the bordered table with its header, the
    /// message and the key bar).
    pub fn table_rows(&self) -> usize {
        let filter = usize::from(!self.filter.is_empty());
        (self.viewport.1 as usize)
            .saturating_sub(4 + filter + 2 + 1)
            .max(1)
    }

    /// The ticket under the cursor (or the open one).
    fn current_ticket(&self) -> Option<&crate::domain::ticket::Ticket> {
        match &self.view {
            View::Detail { .. } => self.detail.as_ref().map(|(r, _)| r.ticket()),
            View::List => self.rows.get(self.selected).map(|r| r.ticket()),
            View::Board => None,
        }
    }

    /// The event type a recording action makes.
    fn event_of(a: Action) -> Option<&'static str> {
        Some(match a {
            Action::Sign => "sign",
            Action::Return => "return",
            Action::Dispatch => "dispatch",
            Action::Contact => "contact",
            Action::Extend => "extend",
            Action::Resolve => "resolve",
            Action::Revisit => "revisit",
            Action::Reopen => "reopen",
            Action::Note => "note",
            Action::Whistle => "whistle",
            Action::Respond => "whistle_response",
            Action::Escalate => "escalate",
            Action::Meeting => "meeting",
            _ => return None,
        })
    }

    /// Why a recording action is not allowed on the current ticket, if it is not.
    pub fn refusal(&self, a: Action) -> Option<crate::domain::ticket::Refusal> {
        let ty = Self::event_of(a)?;
        if let Some(why) = self.write_blocked() {
            return Some(crate::domain::ticket::Refusal::Malformed(
                crate::i18n::Msg::same(why),
            ));
        }
        self.current_ticket()?.allows(ty).err()
    }

    /// Whether an action applies in the present context (what the key bar shows).
    pub fn applies(&self, a: Action) -> bool {
        if self.popups.is_empty() && self.view == View::Board {
            let target = self.board.as_ref().map(|b| b.target());
            return match a {
                Action::Open => !matches!(target, None | Some(super::board::Target::Nothing)),
                Action::Escalate => matches!(target, Some(super::board::Target::Hotspot(_))),
                Action::Sort => self
                    .board
                    .as_ref()
                    .is_some_and(|b| b.tab == super::board::Tab::Dashboard),
                _ => true,
            };
        }
        match a {
            _ if Self::event_of(a).is_some() => {
                self.current_ticket().is_some() && self.refusal(a).is_none()
            }
            Action::Void | Action::ShowEvent => self.selected_event().is_some_and(|(_, e)| {
                a == Action::ShowEvent
                    || (self.write_blocked().is_none()
                        && !matches!(e.kind, EventKind::Ticket(_) | EventKind::Void { .. }))
            }),
            // Nothing new is written on a read-only store or while the server is away.
            Action::NewTicket | Action::Undo => self.write_blocked().is_none(),
            // Over a pop-up Enter opens a listed ticket (or voids, in the undo); elsewhere it
            // only closes, which Esc/q already says.
            Action::Open => match self.popups.last() {
                Some(p @ (Popup::MonthTasks(..) | Popup::Review(..) | Popup::Tickets(_))) => {
                    !popup_tickets(p, self.lang).is_empty()
                }
                Some(Popup::Undo(..)) => true,
                Some(_) => false,
                None => !self.rows.is_empty(),
            },
            Action::NextChoice | Action::PrevChoice => match self.popups.last() {
                Some(Popup::Dialog(d)) => d.form.fields.get(d.form.focus).is_some_and(|f| {
                    !matches!(
                        f.kind,
                        super::form::FieldKind::Text | super::form::FieldKind::Date
                    )
                }),
                Some(Popup::Prompt(_, f)) => f
                    .fields
                    .get(f.focus)
                    .is_some_and(|f| matches!(f.kind, super::form::FieldKind::Pick { .. })),
                _ => false,
            },
            Action::NextField | Action::PrevField => match self.popups.last() {
                Some(Popup::Dialog(d)) => d.form.fields.len() > 1,
                _ => false,
            },
            _ => true,
        }
    }

    /// Carries out an action of the list, detail or a pop-up: each context in its own
    /// function, each listing what it ignores (no catch-all arm).
    pub fn update(&mut self, a: Action) -> anyhow::Result<()> {
        if !matches!(a, Action::Down | Action::Up) {
            self.message = None;
        }
        if !self.popups.is_empty() {
            return self.update_popup(a);
        }
        match self.view {
            View::List => self.update_list(a),
            View::Detail { .. } => self.update_detail(a),
            View::Board => self.update_board(a),
        }
    }

    /// The top pop-up: help, welcome, month tasks, look-back, an event.
    fn update_popup(&mut self, a: Action) -> anyhow::Result<()> {
        let Some(top) = self.popups.last_mut() else {
            return Ok(());
        };
        let rows = popup_tickets(top, self.lang).len();
        let is_list = list_state(top).is_some();
        match (top, a) {
            (_, Action::Quit) => self.quit = true,
            (Popup::Help, Action::Help) => {}
            (_, Action::Help) => self.popups.push(Popup::Help),
            (
                Popup::MonthTasks(..) | Popup::Review(..) | Popup::Tickets(..) | Popup::Event(_),
                Action::Down
                | Action::Up
                | Action::PageDown
                | Action::PageUp
                | Action::Top
                | Action::Bottom,
            ) => self.move_in_popup(a),
            (_, Action::Search) if is_list => self.start_popup_filter(),
            (Popup::MonthTasks(..) | Popup::Review(..) | Popup::Tickets(..), Action::Open)
                if rows > 0 =>
            {
                self.open_from_popup()?
            }
            (Popup::Undo(..), Action::Open) => self.carry_out_undo()?,
            (Popup::Review(..), Action::PrevPeriod | Action::NextPeriod) => self.move_review(a)?,
            (_, Action::Export) if is_list => self.export_shown()?,
            (Popup::MonthTasks(..), Action::Close | Action::Open) => self.close_month_tasks()?,
            (_, Action::Close | Action::Open) => {
                self.popups.pop();
            }
            (
                Popup::Help
                | Popup::Welcome
                | Popup::Dialog(_)
                | Popup::Prompt(..)
                | Popup::MonthTasks(..)
                | Popup::Review(..)
                | Popup::Event(..)
                | Popup::Tickets(..)
                | Popup::Undo(..),
                Action::NextPane
                | Action::PrevPane
                | Action::Pane1
                | Action::Pane2
                | Action::Pane3
                | Action::Pane4
                | Action::Pane5
                | Action::Pane6
                | Action::Down
                | Action::Up
                | Action::PageDown
                | Action::PageUp
                | Action::Top
                | Action::Bottom
                | Action::Back
                | Action::Search
                | Action::FilterUnit
                | Action::FilterCategory
                | Action::ClearFilter
                | Action::Sign
                | Action::Return
                | Action::Dispatch
                | Action::Contact
                | Action::Extend
                | Action::Resolve
                | Action::Revisit
                | Action::Reopen
                | Action::Note
                | Action::Whistle
                | Action::Respond
                | Action::Escalate
                | Action::Meeting
                | Action::NewTicket
                | Action::Board
                | Action::Void
                | Action::ShowEvent
                | Action::ShowRecord
                | Action::Sort
                | Action::RevealPhone
                | Action::MonthTasks
                | Action::Review
                | Action::Refresh
                | Action::Undo
                | Action::Operator
                | Action::Jump
                | Action::CopyId
                | Action::Save
                | Action::Cancel
                | Action::NextField
                | Action::PrevField
                | Action::NextChoice
                | Action::PrevChoice
                | Action::PrevPeriod
                | Action::NextPeriod
                | Action::Export,
            ) => {}
        }
        Ok(())
    }

    /// The pane list.
    fn update_list(&mut self, a: Action) -> anyhow::Result<()> {
        match a {
            Action::Export => self.export_shown()?,
            Action::NextPane | Action::PrevPane => {
                let i = Pane::ALL.iter().position(|p| *p == self.pane).unwrap_or(0);
                let step = if a == Action::NextPane {
                    1
                } else {
                    Pane::ALL.len() - 1
                };
                self.switch_pane(Pane::ALL[(i + step) % Pane::ALL.len()])?;
            }
            Action::Pane1 => self.switch_pane(Pane::AwaitingSign)?,
            Action::Pane2 => self.switch_pane(Pane::InProgress)?,
            Action::Pane3 => self.switch_pane(Pane::AwaitingContact)?,
            Action::Pane4 => self.switch_pane(Pane::Overdue)?,
            Action::Pane5 => self.switch_pane(Pane::Resolved)?,
            Action::Pane6 => self.switch_pane(Pane::All)?,
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom => {
                let n = self.rows.len();
                self.selected = step(self.selected, a, n, self.table_rows());
                self.offset = keep_in_view(self.offset, self.selected, self.table_rows());
            }
            Action::Open => {
                if let Some(id) = self.current_id() {
                    self.open_ticket(id)?;
                }
            }
            Action::Search => self.prompt(PromptKind::Search),
            Action::FilterUnit => self.prompt(PromptKind::Unit),
            Action::FilterCategory => self.prompt(PromptKind::Category),
            Action::ClearFilter => {
                self.filter = Filter::default();
                self.search = None;
                self.rebuild_rows();
            }
            Action::Sort => {
                self.sort = self.sort.next();
                self.selected = 0;
                self.offset = 0;
                self.rebuild_rows();
                self.say(self.sort.name(self.lang), false);
            }
            Action::Sign
            | Action::Return
            | Action::Dispatch
            | Action::Contact
            | Action::Extend
            | Action::Resolve
            | Action::Revisit
            | Action::Reopen
            | Action::Note
            | Action::Whistle
            | Action::Respond
            | Action::Escalate
            | Action::Meeting => self.record_action(a)?,
            Action::Board => self.open_board()?,
            Action::NewTicket => match self.write_blocked() {
                Some(why) => self.say(why, true),
                None => self.open_new_ticket()?,
            },
            Action::Quit
            | Action::Help
            | Action::MonthTasks
            | Action::Review
            | Action::Refresh
            | Action::Undo
            | Action::Operator
            | Action::Jump
            | Action::CopyId => self.update_anywhere(a)?,
            // The detail's, the board's, the dialogs' and the pop-ups' own.
            Action::PrevPeriod
            | Action::NextPeriod
            | Action::Back
            | Action::RevealPhone
            | Action::ShowEvent
            | Action::ShowRecord
            | Action::Void
            | Action::Save
            | Action::Cancel
            | Action::NextField
            | Action::PrevField
            | Action::NextChoice
            | Action::PrevChoice
            | Action::Close => {}
        }
        Ok(())
    }

    /// One ticket's detail.
    fn update_detail(&mut self, a: Action) -> anyhow::Result<()> {
        match a {
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom => {
                let events = self.detail.as_ref().map_or(0, |(_, e)| e.len());
                let page = self.table_rows();
                if let View::Detail { selected, .. } = &mut self.view {
                    *selected = step(*selected, a, events, page);
                }
            }
            Action::Back => {
                self.view = View::List;
                self.detail = None;
                // Opened from the board: back to it, where it was, read again.
                if self.board.is_some() {
                    self.open_board()?;
                }
                // Opened from the month's tasks, the look-back or a cohort: back to that list.
                if let Some(p) = self.return_to.take() {
                    self.popups.push(p);
                }
            }
            Action::RevealPhone => {
                if let View::Detail {
                    reveal_phone, id, ..
                } = &mut self.view
                {
                    *reveal_phone = !*reveal_phone;
                    if *reveal_phone {
                        // Who saw it is kept in the audit trail (`genban audit`).
                        let id = id.clone();
                        self.ledger.record_reveal(&id, "app")?;
                    }
                }
            }
            Action::ShowEvent => {
                if let Some(lines) = self.selected_event_text() {
                    let title = self.lang.t("记录全文", "The event");
                    self.popups
                        .push(Popup::Event(Box::new(TextView::new(title, lines))));
                }
            }
            Action::ShowRecord => self.show_record(),
            Action::Void => self.open_void()?,
            Action::Sign
            | Action::Return
            | Action::Dispatch
            | Action::Contact
            | Action::Extend
            | Action::Resolve
            | Action::Revisit
            | Action::Reopen
            | Action::Note
            | Action::Whistle
            | Action::Respond
            | Action::Escalate
            | Action::Meeting => self.record_action(a)?,
            Action::Quit
            | Action::Help
            | Action::MonthTasks
            | Action::Review
            | Action::Refresh
            | Action::Undo
            | Action::Operator
            | Action::Jump
            | Action::CopyId => self.update_anywhere(a)?,
            // The list's, the board's, the dialogs' and the pop-ups' own.
            Action::Export
            | Action::PrevPeriod
            | Action::NextPeriod
            | Action::Board
            | Action::NewTicket
            | Action::NextPane
            | Action::PrevPane
            | Action::Pane1
            | Action::Pane2
            | Action::Pane3
            | Action::Pane4
            | Action::Pane5
            | Action::Pane6
            | Action::Open
            | Action::Search
            | Action::FilterUnit
            | Action::FilterCategory
            | Action::ClearFilter
            | Action::Sort
            | Action::Save
            | Action::Cancel
            | Action::NextField
            | Action::PrevField
            | Action::NextChoice
            | Action::PrevChoice
            | Action::Close => {}
        }
        Ok(())
    }

    /// What the list and the detail both do.
    fn update_anywhere(&mut self, a: Action) -> anyhow::Result<()> {
        match a {
            Action::Quit => self.quit = true,
            Action::Help => self.popups.push(Popup::Help),
            Action::MonthTasks => {
                let tasks =
                    MonthTasks::from_panes(&self.panes, Period::month_of(self.today), self.today);
                self.popups
                    .push(Popup::MonthTasks(Box::new(tasks), ListState::default()));
            }
            Action::Review => {
                let review = self.review_ending(self.today)?;
                self.popups
                    .push(Popup::Review(Box::new(review), ListState::default()));
            }
            Action::Refresh => {
                self.refresh()?;
                self.say(self.lang.t("已刷新", "refreshed"), false);
            }
            Action::Undo => self.start_undo()?,
            Action::Operator => self.ask_operator(),
            Action::Jump => self.prompt(PromptKind::Jump),
            Action::CopyId => match self.current_id() {
                Some(id) => {
                    self.say(
                        format!("{} {id}", self.lang.t("已复制编号", "copied")),
                        false,
                    );
                    self.clipboard = Some(id);
                }
                None => self.say(self.lang.t("没有选中的工单", "no ticket selected"), true),
            },
            other => anyhow::bail!("{other:?} is not an action of every view"),
        }
        Ok(())
    }

    /// A recording action: refused at the key when the ticket's state does not allow it,
    /// else its dialog.
    fn record_action(&mut self, a: Action) -> anyhow::Result<()> {
        if let Some(r) = self.refusal(a) {
            self.say(r.message(self.lang), true);
            return Ok(());
        }
        let kind = match a {
            Action::Sign => DialogKind::Sign,
            Action::Return => DialogKind::Return,
            Action::Dispatch => DialogKind::Dispatch,
            Action::Contact => DialogKind::Contact,
            Action::Extend => DialogKind::Extend,
            Action::Resolve => DialogKind::Resolve,
            Action::Revisit => DialogKind::Revisit,
            Action::Reopen => DialogKind::Reopen,
            Action::Whistle => DialogKind::Whistle,
            Action::Respond => DialogKind::Respond,
            Action::Escalate => DialogKind::Escalate,
            Action::Meeting => DialogKind::Meeting,
            _ => DialogKind::Note,
        };
        self.open_dialog(kind)
    }

    fn switch_pane(&mut self, p: Pane) -> anyhow::Result<()> {
        self.pane = p;
        self.selected = 0;
        self.offset = 0;
        self.filter.query = None;
        self.search = None;
        self.view = View::List;
        self.detail = None;
        if p == Pane::All {
            self.start_all()?;
        }
        self.rebuild_rows();
        Ok(())
    }

    fn prompt(&mut self, kind: PromptKind) {
        let lang = self.lang;
        let field = match kind {
            // The old query comes back selected: typing replaces it, arrows keep it.
            PromptKind::Search => Field::text(
                "q",
                lang.t("搜索", "Search"),
                self.filter.query.as_deref().unwrap_or(""),
            )
            .select_all()
            .hint(lang.t(
                "编号、标题、内容、地址、电话",
                "id, title, content, address, phone",
            )),
            PromptKind::Unit => Field::pick(
                "q",
                lang.t("承办单位", "Unit"),
                self.units.clone(),
                self.filter.unit.as_deref().unwrap_or(""),
            )
            .hint(lang.t(
                "输入筛选,← → 选择,留空为全部",
                "type to filter, ← → to choose, empty for all",
            )),
            PromptKind::Category => Field::pick(
                "q",
                lang.t("诉求分类", "Category"),
                self.categories.clone(),
                self.filter.category.as_deref().unwrap_or(""),
            )
            .hint(lang.t(
                "输入筛选,← → 选择,留空为全部",
                "type to filter, ← → to choose, empty for all",
            )),
            PromptKind::Jump => Field::text("q", lang.t("工单编号", "Ticket id"), "").hint(lang.t(
                "粘贴或输入编号,空格和全角数字都可以",
                "as pasted: spaces and full-width digits are fine",
            )),
            PromptKind::Operator => Field::text(
                "q",
                lang.t("操作员姓名", "Your name"),
                self.ledger.operator().as_deref().unwrap_or(""),
            )
            .select_all()
            .hint(lang.t(
                "记入您的每条录入,存入配置文件",
                "kept with every entry you make, saved in the config",
            )),
            PromptKind::Topic => Field::pick(
                "q",
                lang.t("每月一办专题", "Monthly topic"),
                self.board
                    .as_ref()
                    .map(|b| b.sup.topics.iter().map(|t| t.name.clone()).collect())
                    .unwrap_or_default(),
                "",
            )
            .hint(lang.t(
                "本热点的工单全部升级到该专题;输入筛选已有专题,新专题需再按 Enter 确认",
                "every ticket of the hotspot; type to filter the topics, a new one asks once",
            )),
        };
        self.popups
            .push(Popup::Prompt(kind, Form::new(vec![field])));
    }

    /// The timeline event selected in the detail view (newest first), and its index in the
    /// ticket's events (application order).
    pub fn selected_event(&self) -> Option<(usize, &Event)> {
        let (View::Detail { selected, .. }, Some((_, events))) = (&self.view, &self.detail) else {
            return None;
        };
        let i = events.len().checked_sub(1 + *selected)?;
        events.get(i).map(|e| (i, e))
    }

    /// The selected event whole, one field a line, for the event pop-up.
    fn selected_event_text(&self) -> Option<Vec<String>> {
        let (i, e) = self.selected_event()?;
        let (_, events) = self.detail.as_ref()?;
        let lang = self.lang;
        let tz = self.ledger.tz();
        let reveal = matches!(
            self.view,
            View::Detail {
                reveal_phone: true,
                ..
            }
        );
        let marks = crate::output::tickets::timeline(events, lang);
        Some(super::event_text::event_lines(
            e,
            &marks[i].0,
            tz,
            lang,
            reveal,
        ))
    }

    /// The open ticket's record whole (诉求内容, 答复内容 and every other field).
    fn show_record(&mut self) {
        let reveal = matches!(
            self.view,
            View::Detail {
                reveal_phone: true,
                ..
            }
        );
        let Some((row, _)) = &self.detail else {
            return;
        };
        let t = row.ticket();
        let lines = super::event_text::record_text(&t.record, self.ledger.tz(), self.lang, reveal);
        let title = format!(
            "{} · {}",
            self.lang.t("工单记录全文", "The whole record"),
            t.id
        );
        self.popups
            .push(Popup::Event(Box::new(TextView::new(title, lines))));
    }

    /// Asks for the reason to void the selected timeline event.
    fn open_void(&mut self) -> anyhow::Result<()> {
        let lang = self.lang;
        if let Some(why) = self.write_blocked() {
            self.say(why, true);
            return Ok(());
        }
        let Some((i, e)) = self.selected_event() else {
            return Ok(());
        };
        let voided = self
            .detail
            .as_ref()
            .map(|(_, evs)| crate::domain::void::voided_by(evs)[i].is_some())
            .unwrap_or(false);
        let refuse = match e.kind {
            EventKind::Ticket(_) => Some(crate::domain::ticket::Refusal::VoidOfRecord),
            EventKind::Void { .. } => Some(crate::domain::ticket::Refusal::VoidOfVoid),
            _ if voided => {
                Some(crate::domain::ticket::Refusal::VoidAlreadyVoided { by: String::new() })
            }
            _ => None,
        };
        if let Some(r) = refuse {
            let msg = match r {
                crate::domain::ticket::Refusal::VoidAlreadyVoided { .. } => lang
                    .t("这条记录已被撤销", "that event is voided already")
                    .to_string(),
                r => r.message(lang),
            };
            self.say(msg, true);
            return Ok(());
        }
        let d = Dialog::void(e, self.ledger.tz(), lang);
        self.popups.push(Popup::Dialog(Box::new(d)));
        Ok(())
    }

    /// The form for a ticket added by hand.
    fn open_new_ticket(&mut self) -> anyhow::Result<()> {
        let blank = crate::domain::ticket::Ticket::new("");
        let d = Dialog::new(
            DialogKind::NewTicket,
            &blank,
            &self.units,
            self.ledger.now(),
            self.ledger.tz(),
            self.lang,
        )
        .with_categories(&self.ledger.categories()?, self.lang);
        self.popups.push(Popup::Dialog(Box::new(d)));
        Ok(())
    }

    /// Records a hand-added ticket under the first free `L` id of its date, then opens it.
    fn save_new_ticket(&mut self, events: Vec<Event>) -> anyhow::Result<()> {
        let lang = self.lang;
        let Some(first) = events.first() else {
            return Ok(());
        };
        let prefix = crate::domain::new_ticket::id_prefix(&first.at);
        let made = self.ledger.record_new_ticket(&prefix, |id| {
            events
                .iter()
                .cloned()
                .map(|mut e| {
                    e.ticket = id.to_string();
                    e
                })
                .collect()
        });
        match made {
            Ok(id) => {
                self.popups.pop();
                self.refresh()?;
                self.view = View::Detail {
                    id: id.clone(),
                    selected: 0,
                    reveal_phone: false,
                };
                self.reload_detail()?;
                self.say(
                    format!("{} {id}", lang.t("已新增工单", "added ticket")),
                    false,
                );
            }
            Err(e) => {
                if let Some(Popup::Dialog(d)) = self.popups.last_mut() {
                    d.error = Some(e.message(lang));
                }
            }
        }
        Ok(())
    }

    /// Opens a dialog for the ticket under the cursor (or the open one).
    pub fn open_dialog(&mut self, kind: DialogKind) -> anyhow::Result<()> {
        let Some(id) = self.current_id() else {
            self.say(self.lang.t("没有选中的工单", "no ticket selected"), true);
            return Ok(());
        };
        let Some((row, events)) = self.ledger.ticket(&id, self.today)? else {
            return Ok(());
        };
        // Opened from the board's open summons: that row's department.
        let summons = match (&self.view, &self.board) {
            (View::Detail { .. }, Some(b)) => b.summons_department(&id),
            _ => None,
        };
        let d = Dialog::new(
            kind,
            row.ticket(),
            &self.units,
            self.ledger.now(),
            self.ledger.tz(),
            self.lang,
        )
        .with_log(&events)
        .prefer_department(summons.as_deref());
        let d = if kind == DialogKind::Escalate {
            d.with_topics(&self.ledger.topic_names()?, self.lang)
        } else {
            d
        };
        self.popups.push(Popup::Dialog(Box::new(d)));
        Ok(())
    }

    fn on_dialog_key(&mut self, key: KeyEvent, action: Option<Action>) -> anyhow::Result<()> {
        let tz = self.ledger.tz();
        // A confirmation to discard takes y / n first.
        if let Some(Popup::Dialog(d)) = self.popups.last_mut() {
            if d.confirm_discard {
                match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') => {
                        self.popups.pop();
                    }
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                        d.confirm_discard = false
                    }
                    _ => {}
                }
                return Ok(());
            }
        }
        match action {
            Some(Action::Save) => return self.save_popup(),
            Some(Action::Cancel) => {
                match self.popups.last_mut() {
                    Some(Popup::Dialog(d)) if d.form.is_dirty() => d.confirm_discard = true,
                    // Esc on the search clears it (the pane comes back whole).
                    Some(Popup::Prompt(PromptKind::Search, _)) => {
                        self.popups.pop();
                        self.set_search(None)?;
                    }
                    _ => {
                        self.popups.pop();
                    }
                }
                return Ok(());
            }
            _ => {}
        }
        let form = match self.popups.last_mut() {
            Some(Popup::Dialog(d)) => &mut d.form,
            Some(Popup::Prompt(_, f)) => f,
            _ => return Ok(()),
        };
        let mut choice_changed = false;
        let on_pick = matches!(form.focused().kind, super::form::FieldKind::Pick { .. });
        match action {
            // In a pick field ↑/↓ move through the candidates (Tab still leaves the field).
            Some(Action::NextField | Action::PrevField)
                if on_pick && matches!(key.code, KeyCode::Up | KeyCode::Down) =>
            {
                form.focused()
                    .cycle(if key.code == KeyCode::Down { 1 } else { -1 });
            }
            Some(Action::NextField) => form.next(),
            Some(Action::PrevField) => form.prev(),
            Some(Action::NextChoice) | Some(Action::PrevChoice) => {
                let step = if action == Some(Action::NextChoice) {
                    1
                } else {
                    -1
                };
                let f = form.focused();
                if f.is_editable() && !matches!(f.kind, super::form::FieldKind::Pick { .. }) {
                    f.move_cursor(step);
                } else {
                    f.cycle(step);
                    choice_changed = true;
                }
            }
            _ => edit_key(form.focused(), key),
        }
        // The search filters as it is typed.
        if let Some(Popup::Prompt(PromptKind::Search, form)) = self.popups.last() {
            let q = Some(form.get("q")).filter(|q| !q.trim().is_empty());
            if q != self.filter.query {
                self.set_search(q)?;
            }
        }
        if choice_changed {
            if let Some(Popup::Dialog(d)) = self.popups.last_mut() {
                d.on_choice_changed(tz);
            }
        }
        Ok(())
    }

    /// Opens the ticket of the id typed after `:` (read as the command line reads ids); an
    /// unknown one is said and the prompt stays to be corrected.
    fn jump_to(&mut self, typed: Option<&str>) -> anyhow::Result<()> {
        let lang = self.lang;
        let id = crate::domain::search::id_form(typed.unwrap_or(""));
        if id.is_empty() {
            self.say(lang.t("请填写工单编号", "a ticket id is required"), true);
            return Ok(());
        }
        if self.ledger.ticket(&id, self.today)?.is_none() {
            let msg = match lang {
                Lang::Zh => format!("没有编号为 {id} 的工单"),
                Lang::En => format!("no ticket {id}"),
            };
            self.say(crate::text::sanitize(&msg), true);
            return Ok(());
        }
        self.popups.pop();
        self.view = View::Detail {
            id,
            selected: 0,
            reveal_phone: false,
        };
        self.reload_detail()
    }

    /// Searches for `q` (None: no search), the selection back at the top.
    fn set_search(&mut self, q: Option<String>) -> anyhow::Result<()> {
        self.filter.query = q;
        self.search = match &self.filter.query {
            Some(q) => Some(shared(self.ledger.search(q, self.today)?)),
            None => None,
        };
        self.selected = 0;
        self.offset = 0;
        self.rebuild_rows();
        Ok(())
    }

    /// Saves the top dialog (writes its events) or applies the top prompt.
    fn save_popup(&mut self) -> anyhow::Result<()> {
        let tz = self.ledger.tz();
        let lang = self.lang;
        match self.popups.last_mut() {
            Some(Popup::Prompt(kind, form)) => {
                let kind = *kind;
                // A new topic: asked once (Enter again with the same name saves it).
                if kind == PromptKind::Topic && form.fields[0].is_new_name() {
                    let name = form.fields[0].value.trim().to_string();
                    let ask = super::dialog::new_name_question("topic", &name, lang);
                    if self.message.as_ref().map(|(m, _)| m) != Some(&ask) {
                        self.say(ask, true);
                        return Ok(());
                    }
                } else if kind != PromptKind::Search && form.fields[0].is_new_name() {
                    let name = form.fields[0].value.trim().to_string();
                    self.say(
                        match lang {
                            Lang::Zh => format!("没有「{name}」:请从候选中选一个,或清空以显示全部"),
                            Lang::En => format!(
                                "no “{name}”: pick one of the matches, or clear it to show all"
                            ),
                        },
                        true,
                    );
                    return Ok(());
                }
                let v = Some(form.get("q")).filter(|s| !s.is_empty());
                if kind == PromptKind::Operator {
                    return self.save_operator(v.as_deref());
                }
                if kind == PromptKind::Jump {
                    return self.jump_to(v.as_deref());
                }
                match kind {
                    PromptKind::Search => self.filter.query = v,
                    PromptKind::Unit => self.filter.unit = v,
                    PromptKind::Category => self.filter.category = v,
                    PromptKind::Topic => {
                        let Some(topic) = v else {
                            self.say(lang.t("请填写专题名称", "a topic is required"), true);
                            return Ok(());
                        };
                        self.popups.pop();
                        return self.escalate_hotspot(&topic);
                    }
                    PromptKind::Operator | PromptKind::Jump => {}
                }
                self.popups.pop();
                self.selected = 0;
                self.offset = 0;
                if kind == PromptKind::Search {
                    self.search = match &self.filter.query {
                        Some(q) => Some(shared(self.ledger.search(q, self.today)?)),
                        None => None,
                    };
                }
                self.rebuild_rows();
            }
            Some(Popup::Dialog(d)) => {
                // A name no unit has, a second answer: asked once before it is saved.
                if let Some(question) = d.ask_first(lang) {
                    d.error = Some(question);
                    return Ok(());
                }
                let events = match d.events(tz, lang) {
                    Ok(e) => e,
                    Err(msg) => {
                        d.error = Some(msg);
                        return Ok(());
                    }
                };
                let title = d.kind.title(lang);
                if d.kind == DialogKind::NewTicket {
                    return self.save_new_ticket(events);
                }
                let id = d.ticket.clone();
                match self.ledger.record_all(events) {
                    Ok(()) => {
                        self.popups.pop();
                        self.refresh_ticket(&id)?;
                        self.say(
                            format!("{} {id}: {title}", lang.t("已保存", "saved")),
                            false,
                        );
                    }
                    Err(e) => {
                        if let Some(Popup::Dialog(d)) = self.popups.last_mut() {
                            d.error = Some(e.message(lang));
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The editing keys of a focused text field (Emacs-style control keys, Alt-←/→ by word; Space
/// takes a name in a multi-select).
fn edit_key(field: &mut Field, key: KeyEvent) {
    match (key.code, key.modifiers) {
        (KeyCode::Char('a'), m) if m.contains(KeyModifiers::CONTROL) => field.home(),
        (KeyCode::Char('e'), m) if m.contains(KeyModifiers::CONTROL) => field.end(),
        (KeyCode::Char('u'), m) if m.contains(KeyModifiers::CONTROL) => field.kill_to_start(),
        (KeyCode::Char('k'), m) if m.contains(KeyModifiers::CONTROL) => field.kill_to_end(),
        (KeyCode::Char('w'), m) if m.contains(KeyModifiers::CONTROL) => field.delete_word(),
        (KeyCode::Left | KeyCode::Char('b'), m) if m.contains(KeyModifiers::ALT) => {
            field.word_left()
        }
        (KeyCode::Right | KeyCode::Char('f'), m) if m.contains(KeyModifiers::ALT) => {
            field.word_right()
        }
        // In a multi-select Space takes (or drops) the highlighted name.
        (KeyCode::Char(' '), _) if field.is_multi() => field.toggle(),
        (KeyCode::Char(c), m) if !m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
            field.insert(c)
        }
        _ => match key.code {
            KeyCode::Backspace => field.backspace(),
            KeyCode::Delete => field.delete(),
            KeyCode::Home => field.home(),
            KeyCode::End => field.end(),
            _ => {}
        },
    }
}

/// An error as the user reads it, in `lang` (the store's and the ledger's have both).
pub(super) fn error_text(e: &anyhow::Error, lang: Lang) -> String {
    if let Some(s) = e.downcast_ref::<crate::store::StoreError>() {
        return s.message(lang);
    }
    if let Some(l) = e.downcast_ref::<crate::ledger::LedgerError>() {
        return l.message(lang);
    }
    e.to_string()
}

/// Rows to be shared between a pane, the search and the table.
/// Figures a thread made for the header.
struct Figures {
    report: Report,
    /// The report kept (when it was read from every ticket).
    live: Option<LiveReport>,
    /// The ledger's generation when the thread began.
    generation: u64,
}

/// Where the pane of all tickets is.
enum AllPane {
    /// Not read (only its count is known).
    Unread,
    /// Being read on a thread, from the ledger as of `generation`.
    Reading {
        rx: Receiver<Result<Vec<TicketRow>, String>>,
        generation: u64,
    },
    /// In its pane, kept up to date by `replace_row`.
    Read,
}

fn shared(rows: Vec<TicketRow>) -> Vec<Arc<TicketRow>> {
    rows.into_iter().map(Arc::new).collect()
}
