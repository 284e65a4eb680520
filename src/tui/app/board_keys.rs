//! The board's actions: opening it, moving through its tabs, and what Enter does on a row —
//! a figure lists its cohort, a unit filters the panes, a ticket opens, a hotspot lists its
//! tickets (and `E` raises them all to a monthly topic).

use super::{step, App, Popup, PromptKind, TicketList, View};
use crate::domain::event::{Event, EventKind};
use crate::domain::figures::FigureKind;
use crate::domain::time::Period;
use crate::tui::board::{sort_name, Board, Target};
use crate::tui::keymap::Action;

/// How far back `[` takes the board: two years.
const MAX_MONTHS_BACK: u32 = 24;

impl App {
    /// Opens the board, read as of today on a thread (the app keeps answering; the board
    /// shown so far, if any, stays until the new one is ready). The league keeps its order.
    pub(super) fn open_board(&mut self) -> anyhow::Result<()> {
        let sort = self.board.as_ref().map(|b| b.sort).unwrap_or_default();
        self.view = View::Board;
        let today = self.board_day();
        if !self.background {
            let board = Board::load(&self.ledger, today, sort)?;
            self.take_board(board);
            return Ok(());
        }
        let ledger = std::sync::Arc::clone(&self.ledger);
        let lang = self.lang;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ =
                tx.send(Board::load(&ledger, today, sort).map_err(|e| super::error_text(&e, lang)));
        });
        self.board_rx = Some(rx);
        Ok(())
    }

    /// The day the board is read as of: today, or the last day of a month before it.
    pub(super) fn board_day(&self) -> chrono::NaiveDate {
        use crate::domain::time::{add_months, month_end, month_start};
        if self.board_back == 0 {
            return self.today;
        }
        let first = month_start(self.today);
        let back = first
            .checked_sub_months(chrono::Months::new(self.board_back))
            .unwrap_or(first);
        month_end(add_months(back, 0))
    }

    /// After a write (here or by another process): the board, when it is shown, is read
    /// again (the old one stays on screen until the new one is ready).
    pub(super) fn follow_board(&mut self) -> anyhow::Result<()> {
        if self.view != View::Board {
            return Ok(());
        }
        if self.board_rx.is_some() {
            self.board_again = true;
            return Ok(());
        }
        self.open_board()
    }

    /// `[` / `]` on the board: a month before or after (never past this one).
    fn move_board_period(&mut self, earlier: bool) -> anyhow::Result<()> {
        let back = if earlier {
            (self.board_back + 1).min(MAX_MONTHS_BACK)
        } else {
            self.board_back.saturating_sub(1)
        };
        if back == self.board_back {
            let why = if earlier {
                self.lang.t("不能再往前了", "no earlier month here")
            } else {
                self.lang.t("已是本月", "this is the current month")
            };
            self.say(why, false);
            return Ok(());
        }
        self.board_back = back;
        self.open_board()?;
        let month = self.board_day().format("%Y-%m").to_string();
        self.say(format!("{} {month}", self.lang.t("看板:", "board:")), false);
        Ok(())
    }

    /// A board read: shown where the last one was (its tab and rows).
    fn take_board(&mut self, mut board: Board) {
        if let Some(old) = &self.board {
            board.tab = old.tab;
            board.selected = old.selected;
            board.filter = old.filter.clone();
            board.typing = old.typing;
            let row = board.selected();
            board.select(row);
        }
        self.board = Some(Box::new(board));
    }

    /// Takes a board its thread has finished. Returns whether anything changed.
    pub(super) fn poll_board(&mut self) -> bool {
        let Some(rx) = &self.board_rx else {
            return false;
        };
        match rx.try_recv() {
            Ok(Ok(board)) => {
                self.board_rx = None;
                if self.view == View::Board {
                    self.take_board(board);
                }
                if std::mem::take(&mut self.board_again) {
                    if let Err(e) = self.follow_board() {
                        self.say(self.error_text(&e), true);
                    }
                }
                true
            }
            Ok(Err(e)) => {
                self.board_rx = None;
                self.say(e, true);
                true
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => false,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.board_rx = None;
                false
            }
        }
    }

    /// Whether the board is being read.
    pub fn board_loading(&self) -> bool {
        self.board_rx.is_some()
    }

    /// The board's keys.
    pub(super) fn update_board(&mut self, a: Action) -> anyhow::Result<()> {
        let page = self.table_rows();
        let Some(board) = self.board.as_mut() else {
            // Still being read: it can be left, nothing else.
            match a {
                Action::Back => {
                    self.board_rx = None;
                    self.view = View::List;
                }
                Action::Quit | Action::Help => self.update_anywhere(a)?,
                _ => {}
            }
            return Ok(());
        };
        match a {
            Action::NextPane | Action::PrevPane => board.switch(a == Action::NextPane),
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom => self.move_on_board(a, page),
            Action::Search => {
                board.typing = true;
            }
            Action::Sort => {
                board.cycle_sort();
                let name = sort_name(board.sort, self.lang);
                self.say(name, false);
            }
            Action::Open => self.open_target()?,
            Action::Escalate => match board.target() {
                Target::Hotspot(_) => self.prompt(PromptKind::Topic),
                _ => self.say(
                    self.lang.t(
                        "在「热点」页选中一个热点再按此键",
                        "select a hotspot on the Hotspots tab first",
                    ),
                    true,
                ),
            },
            Action::Back => {
                self.board = None;
                self.board_rx = None;
                self.board_back = 0;
                self.view = View::List;
            }
            Action::Refresh => {
                // The board follows the refresh (`follow_board`).
                self.refresh()?;
                self.say(self.lang.t("已刷新", "refreshed"), false);
            }
            Action::PrevPeriod | Action::NextPeriod => {
                self.move_board_period(a == Action::PrevPeriod)?
            }
            Action::Quit | Action::Help => self.update_anywhere(a)?,
            // The list's, the detail's, the dialogs' and the pop-ups' own.
            Action::Pane1
            | Action::Pane2
            | Action::Pane3
            | Action::Pane4
            | Action::Pane5
            | Action::Pane6
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
            | Action::Meeting
            | Action::NewTicket
            | Action::Board
            | Action::Void
            | Action::ShowEvent
            | Action::ShowRecord
            | Action::RevealPhone
            | Action::MonthTasks
            | Action::Review
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
            | Action::Export
            | Action::Close => {}
        }
        Ok(())
    }

    /// Moves the selection of the board's tab over the rows its filter keeps.
    fn move_on_board(&mut self, a: Action, page: usize) {
        let (lang, tz) = (self.lang, self.ledger.tz());
        let Some(board) = self.board.as_mut() else {
            return;
        };
        let kept = board.kept_rows(lang, tz);
        let at = kept
            .iter()
            .position(|r| *r == board.selected())
            .unwrap_or(0);
        if let Some(row) = kept.get(step(at, a, kept.len(), page)) {
            board.select(*row);
        }
    }

    /// A key while the board's filter is being typed; false when it is not.
    pub(super) fn on_board_filter_key(&mut self, key: crossterm::event::KeyEvent) -> bool {
        use crossterm::event::{KeyCode, KeyModifiers};
        if !self.popups.is_empty() || self.view != View::Board {
            return false;
        }
        let (lang, tz) = (self.lang, self.ledger.tz());
        let Some(board) = self.board.as_mut().filter(|b| b.typing) else {
            return false;
        };
        match key.code {
            KeyCode::Enter => board.typing = false,
            KeyCode::Esc => {
                board.typing = false;
                board.filter.clear();
            }
            KeyCode::Backspace => {
                board.filter.pop();
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.quit = true;
                return true;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                board.filter.push(c)
            }
            _ => return true,
        }
        // The selection on the first row the filter keeps, unless it keeps the selected one.
        let kept = board.kept_rows(lang, tz);
        if !kept.contains(&board.selected()) {
            board.select(kept.first().copied().unwrap_or(0));
        }
        true
    }

    /// Enter on the board's selected row.
    fn open_target(&mut self) -> anyhow::Result<()> {
        let Some(board) = self.board.as_ref() else {
            return Ok(());
        };
        // A row the filter hides is not opened.
        if !board
            .kept_rows(self.lang, self.ledger.tz())
            .contains(&board.selected())
        {
            return Ok(());
        }
        match board.target() {
            Target::Figure(f) => self.show_cohort(f)?,
            Target::Unit(u) => {
                self.filter.unit = Some(u.clone());
                self.view = View::List;
                self.board = None;
                self.selected = 0;
                self.offset = 0;
                self.rebuild_rows();
                self.say(
                    format!("{} {u}", self.lang.t("只看单位", "showing only")),
                    false,
                );
            }
            Target::Ticket(id) => self.open_ticket(id)?,
            Target::Hotspot(i) => {
                let g = &board.sup.hotspots[i];
                let list = self.ticket_list(g.key.clone(), Vec::new(), g.tickets.clone())?;
                self.popups.push(Popup::Tickets(Box::new(list)));
            }
            Target::Nothing => {}
        }
        Ok(())
    }

    /// A pop-up of `ids`, each line the ticket's id, unit, state and title.
    fn ticket_list(
        &self,
        title: String,
        header: Vec<String>,
        ids: Vec<String>,
    ) -> anyhow::Result<TicketList> {
        let mut lines = Vec::new();
        for id in &ids {
            let line = match self.ledger.ticket(id, self.today)? {
                Some((row, _)) => {
                    let t = row.ticket();
                    format!(
                        "{}  {}  {}",
                        crate::text::fit(&crate::text::sanitize(id), 15),
                        crate::text::fit(&crate::text::sanitize(t.unit()), 16),
                        crate::text::sanitize(t.record.title.as_deref().unwrap_or(""))
                    )
                }
                None => id.clone(),
            };
            lines.push(line);
        }
        Ok(TicketList {
            title,
            header,
            lines,
            ids,
            state: super::ListState::default(),
        })
    }

    /// A figure's cohort this month, the misses first, each ticket openable.
    fn show_cohort(&mut self, figure: FigureKind) -> anyhow::Result<()> {
        let lang = self.lang;
        let (report, cohort) =
            self.ledger
                .explain(Period::month_of(self.today), self.today, figure)?;
        let f = figure.of(&report);
        let good = figure.higher_is_better();
        let misses = cohort.iter().filter(|c| c.hit != good).count();
        let header = vec![format!(
            "{} ({}/{}) · {} {misses}",
            f.percent(),
            f.numerator,
            f.denominator,
            lang.t("需处理", "to act on"),
        )];
        let ids = cohort.iter().map(|c| c.ticket.clone()).collect();
        let mut list =
            self.ticket_list(crate::labels::figure(figure, lang).to_string(), header, ids)?;
        for (line, c) in list.lines.iter_mut().zip(&cohort) {
            let mark = if c.hit == good { "✓" } else { "✗" };
            *line = format!(
                "{mark} {line}  · {}",
                crate::labels::cohort_outcome(figure, c.hit, lang)
            );
        }
        self.popups.push(Popup::Tickets(Box::new(list)));
        Ok(())
    }

    /// Raises every ticket of the selected hotspot to `topic`, in one transaction.
    pub(super) fn escalate_hotspot(&mut self, topic: &str) -> anyhow::Result<()> {
        let lang = self.lang;
        let Some(Target::Hotspot(i)) = self.board.as_ref().map(|b| b.target()) else {
            return Ok(());
        };
        let ids = self
            .board
            .as_ref()
            .map_or_else(Vec::new, |b| b.sup.hotspots[i].tickets.clone());
        let tz = self.ledger.tz();
        let at = self.ledger.now().with_timezone(&tz).fixed_offset();
        let events: Vec<Event> = ids
            .iter()
            .map(|id| {
                Event::new(
                    id,
                    at,
                    EventKind::Escalate {
                        topic: topic.to_string(),
                    },
                )
            })
            .collect();
        match self.ledger.record_all(events) {
            Ok(()) => {
                self.refresh()?;
                self.open_board()?;
                self.say(
                    format!(
                        "{} {} → {}",
                        ids.len(),
                        lang.t("件工单已升级为每月一办专题", "tickets raised to the topic"),
                        crate::text::sanitize(topic)
                    ),
                    false,
                );
            }
            Err(e) => self.say(e.message(lang), true),
        }
        Ok(())
    }
}
