//! The panes, a ticket, search and the lists of names, read from the tickets' facts.

use super::Ledger;
use crate::domain::event::Event;
use crate::domain::figures::cutoff;
use crate::domain::pane::{sort_rows, MonthTasks, Pane, TicketRow};
use crate::domain::search::Query;
use crate::domain::ticket::State;
use crate::domain::ticket_facts::TicketFacts;
use crate::domain::time::Period;
use crate::store::{Find, StoreError};
use chrono::NaiveDate;

impl Ledger {
    /// Whether the store has events after the end of `today` (the summaries then describe a
    /// later state than the one asked for, and panes are computed from every ticket's facts).
    fn has_events_after(&self, today: NaiveDate) -> Result<bool, StoreError> {
        Ok(self
            .store
            .latest_at()?
            .is_some_and(|l| l >= cutoff(self.tz(), today)))
    }

    /// The tickets a pane may hold, from their latest state.
    fn candidates(&self, pane: Pane, today: NaiveDate) -> Result<Vec<String>, StoreError> {
        let find = |f| self.store.find(f);
        let mut ids = match pane {
            Pane::AwaitingSign => {
                let mut v = find(Find::InState(State::AwaitingSign))?;
                v.extend(find(Find::InState(State::Returned))?);
                v
            }
            Pane::InProgress | Pane::AwaitingContact => find(Find::InState(State::InProgress))?,
            Pane::Overdue => find(Find::DueBefore(today))?,
            Pane::Resolved => find(Find::InState(State::Resolved))?,
            // Read whole by `pane`; listed here for completeness.
            Pane::All => Vec::new(),
        };
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// Every ticket's row on `today` that `keep` keeps, from a pass over all the facts.
    fn rows_where(
        &self,
        today: NaiveDate,
        keep: &mut dyn FnMut(&TicketRow) -> bool,
    ) -> Result<Vec<TicketRow>, StoreError> {
        let mut rows = Vec::new();
        let tz = self.tz();
        self.store.for_each_facts(&mut |id, f| {
            let row = TicketRow::of(id, &f.events, tz, today);
            if keep(&row) {
                rows.push(row);
            }
            Ok(())
        })?;
        Ok(rows)
    }

    /// The rows of a pane on `today`, most urgent first.
    pub fn pane(&self, pane: Pane, today: NaiveDate) -> Result<Vec<TicketRow>, StoreError> {
        let mut rows = if pane == Pane::All || self.has_events_after(today)? {
            self.rows_where(today, &mut |r| pane.holds(&r.facts))?
        } else {
            let mut rows = self.rows_of(&self.candidates(pane, today)?, today)?;
            rows.retain(|r| pane.holds(&r.facts));
            rows
        };
        sort_rows(pane, &mut rows);
        Ok(rows)
    }

    /// The tasks of `month`, as of `as_of` (the 1st when the month has not begun or is over).
    pub fn month_tasks(&self, month: Period, as_of: NaiveDate) -> Result<MonthTasks, StoreError> {
        let as_of = if month.contains(as_of) {
            as_of
        } else {
            month.from
        };
        let panes = self.panes(as_of, 0)?;
        Ok(MonthTasks::from_panes(&panes, month, as_of))
    }

    /// At most `limit` rows of a pane and how many it holds in all. The resolved pane, which
    /// grows without end, reads only its newest `limit` tickets.
    pub fn pane_page(
        &self,
        pane: Pane,
        today: NaiveDate,
        limit: usize,
    ) -> Result<(Vec<TicketRow>, usize), StoreError> {
        if pane != Pane::Resolved || self.has_events_after(today)? {
            let mut rows = self.pane(pane, today)?;
            let total = rows.len();
            rows.truncate(limit);
            return Ok((rows, total));
        }
        let total = self
            .store
            .count_by_state()?
            .into_iter()
            .find(|(s, _)| *s == State::Resolved)
            .map_or(0, |(_, n)| n);
        let newest = self.store.find(Find::NewestResolved { offset: 0, limit })?;
        let mut rows = self.rows_of(&newest, today)?;
        rows.retain(|r| pane.holds(&r.facts));
        sort_rows(pane, &mut rows);
        Ok((rows, total))
    }

    /// Every triage pane on `today` with its total, reading the in-progress tickets once for
    /// the three panes drawn from them. The resolved pane holds its newest `limit` tickets.
    /// (The pane of all tickets is read on its own: `pane(Pane::All, …)`.)
    pub fn panes(
        &self,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<(Pane, Vec<TicketRow>, usize)>, StoreError> {
        let mut out: Vec<(Pane, Vec<TicketRow>, usize)> = Vec::new();
        if self.has_events_after(today)? {
            let all = self.rows_where(today, &mut |r| {
                Pane::TRIAGE.iter().any(|p| p.holds(&r.facts))
            })?;
            for p in Pane::TRIAGE {
                let mut rows: Vec<TicketRow> =
                    all.iter().filter(|r| p.holds(&r.facts)).cloned().collect();
                sort_rows(p, &mut rows);
                let total = rows.len();
                rows.truncate(if p == Pane::Resolved {
                    limit
                } else {
                    usize::MAX
                });
                out.push((p, rows, total));
            }
            return Ok(out);
        }
        let (sign, sign_total) = self.pane_page(Pane::AwaitingSign, today, usize::MAX)?;
        out.push((Pane::AwaitingSign, sign, sign_total));
        // The in-progress pane as read; the two drawn from it, copied out of it.
        let open = self.pane(Pane::InProgress, today)?;
        let drawn: Vec<(Pane, Vec<TicketRow>)> = [Pane::AwaitingContact, Pane::Overdue]
            .into_iter()
            .map(|p| {
                let mut rows: Vec<TicketRow> =
                    open.iter().filter(|r| p.holds(&r.facts)).cloned().collect();
                sort_rows(p, &mut rows);
                (p, rows)
            })
            .collect();
        let n = open.len();
        out.push((Pane::InProgress, open, n));
        for (p, rows) in drawn {
            let n = rows.len();
            out.push((p, rows, n));
        }
        let (done, done_total) = self.pane_page(Pane::Resolved, today, limit)?;
        out.push((Pane::Resolved, done, done_total));
        Ok(out)
    }

    /// Tickets evaluated on `today` from their facts, read and evaluated on all cores when
    /// there are many.
    fn rows_of(&self, ids: &[String], today: NaiveDate) -> Result<Vec<TicketRow>, StoreError> {
        let tz = self.tz();
        let some = |ids: &[String]| -> Result<Vec<TicketRow>, StoreError> {
            Ok(self
                .store
                .facts_of(ids)?
                .iter()
                .map(|(id, f)| TicketRow::of(id, &f.events, tz, today))
                .collect())
        };
        let mut out = Vec::with_capacity(ids.len());
        for part in crate::parallel::map_parts(ids, 1_000, some) {
            out.extend(part?);
        }
        Ok(out)
    }

    /// One ticket with its whole log, as of `today` (None when unknown): the detail view.
    pub fn ticket(
        &self,
        id: &str,
        today: NaiveDate,
    ) -> Result<Option<(TicketRow, Vec<Event>)>, StoreError> {
        let events = self.events(id)?;
        if events.is_empty() {
            return Ok(None);
        }
        let row = TicketRow::of(id, &events, self.tz(), today);
        Ok(Some((row, events)))
    }

    /// The facts of one ticket (None when unknown).
    pub fn facts(&self, id: &str) -> Result<Option<TicketFacts>, StoreError> {
        Ok(self
            .store
            .facts_of(&[id.to_string()])?
            .pop()
            .map(|(_, f)| f))
    }

    /// Every ticket whose id, title, content, address, citizen, category, unit or a meeting's
    /// decision or plan contains `query` (case-insensitive), or whose phone holds its three or
    /// more digits, as of `today`.
    pub fn search(&self, query: &str, today: NaiveDate) -> Result<Vec<TicketRow>, StoreError> {
        let ids = self.store.search(&Query::new(query))?;
        self.rows_of(&ids, today)
    }
}
