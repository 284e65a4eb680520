//! The panes of the triage view: which tickets each holds on a date, a ticket as a pane
//! shows it, the month's tasks, and the order of urgency.

use super::event::{Event, EventKind};
use super::figures::{cutoff, facts, Facts};
use super::ticket::{State, Ticket};
use super::time::{local_date, Period};
use chrono::NaiveDate;
use chrono_tz::Tz;

/// The panes of the triage view, and the pane of every ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    AwaitingSign,
    InProgress,
    AwaitingContact,
    Overdue,
    Resolved,
    /// Every ticket in any state (未派发 included), newest received first.
    All,
}

impl Pane {
    /// Every pane, in the order of the tabs.
    pub const ALL: [Pane; 6] = [
        Pane::AwaitingSign,
        Pane::InProgress,
        Pane::AwaitingContact,
        Pane::Overdue,
        Pane::Resolved,
        Pane::All,
    ];
    /// The panes of the daily triage (all but `All`).
    pub const TRIAGE: [Pane; 5] = [
        Pane::AwaitingSign,
        Pane::InProgress,
        Pane::AwaitingContact,
        Pane::Overdue,
        Pane::Resolved,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Pane::AwaitingSign => "awaiting-sign",
            Pane::InProgress => "in-progress",
            Pane::AwaitingContact => "awaiting-contact",
            Pane::Overdue => "overdue",
            Pane::Resolved => "resolved",
            Pane::All => "all",
        }
    }
    pub fn parse(s: &str) -> Option<Pane> {
        Pane::ALL.into_iter().find(|p| p.code() == s)
    }
    /// Whether a ticket evaluated on a date belongs in this pane.
    pub fn holds(self, f: &Facts) -> bool {
        match self {
            Pane::AwaitingSign => matches!(
                f.ticket.state,
                Some(State::AwaitingSign) | Some(State::Returned)
            ),
            Pane::InProgress => f.ticket.state == Some(State::InProgress),
            Pane::AwaitingContact => f.awaiting_contact,
            Pane::Overdue => f.overdue,
            Pane::Resolved => f.ticket.state == Some(State::Resolved),
            Pane::All => true,
        }
    }
}

/// One ticket as a pane shows it, evaluated on a date.
#[derive(Debug, Clone)]
pub struct TicketRow {
    pub facts: Facts,
    /// Reached and unreached contacts in the month of the date.
    pub contacts_this_month: u32,
    /// Days to the deadline (negative when overdue).
    pub days_left: Option<i64>,
    /// Days left in the month of the date (for contact urgency).
    pub days_left_in_month: i64,
}

impl TicketRow {
    pub fn ticket(&self) -> &Ticket {
        &self.facts.ticket
    }
}

/// The tasks of a month (本月任务): what the reminder on the 1st lists.
#[derive(Debug, Clone)]
pub struct MonthTasks {
    pub month: Period,
    pub as_of: NaiveDate,
    /// Due a contact this month and not reached yet.
    pub to_contact: Vec<TicketRow>,
    /// In progress with the deadline falling in the month (not yet overdue).
    pub deadlines: Vec<TicketRow>,
    pub overdue: Vec<TicketRow>,
    pub to_sign: Vec<TicketRow>,
}

impl MonthTasks {
    /// Keeps one unit's tasks.
    pub fn keep_unit(&mut self, unit: &str) {
        for rows in [
            &mut self.to_contact,
            &mut self.deadlines,
            &mut self.overdue,
            &mut self.to_sign,
        ] {
            rows.retain(|r| r.ticket().unit() == unit);
        }
    }

    /// The tasks, from panes evaluated on `as_of` (see `Ledger::panes`).
    pub fn from_panes<R: std::borrow::Borrow<TicketRow>>(
        panes: &[(Pane, Vec<R>, usize)],
        month: Period,
        as_of: NaiveDate,
    ) -> MonthTasks {
        // Only the rows kept are copied (the in-progress pane holds most open tickets).
        let rows = |p: Pane, keep: &dyn Fn(&TicketRow) -> bool| -> Vec<TicketRow> {
            panes
                .iter()
                .find(|(x, _, _)| *x == p)
                .map(|(_, r, _)| {
                    r.iter()
                        .map(|x| x.borrow())
                        .filter(|x| keep(x))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        };
        let all = |_: &TicketRow| true;
        let deadlines = rows(Pane::InProgress, &|r| {
            r.ticket().deadline.is_some_and(|d| month.contains(d)) && !r.facts.overdue
        });
        MonthTasks {
            month,
            as_of,
            to_contact: rows(Pane::AwaitingContact, &all),
            deadlines,
            overdue: rows(Pane::Overdue, &all),
            to_sign: rows(Pane::AwaitingSign, &all),
        }
    }
}

impl TicketRow {
    /// A ticket evaluated on `today` from its events (application order; its facts or its
    /// whole log).
    pub fn of(id: &str, events: &[Event], tz: Tz, today: NaiveDate) -> TicketRow {
        let month = Period::month_of(today);
        let f = facts(id, events, tz, month, today);
        let cut = cutoff(tz, today);
        let contacts_this_month = super::void::effective(events)
            .iter()
            .filter(|e| {
                e.instant() < cut
                    && matches!(e.kind, EventKind::Contact { .. })
                    && month.contains(local_date(tz, &e.at))
            })
            .count() as u32;
        let days_left = f.ticket.deadline.map(|d| (d - today).num_days());
        TicketRow {
            facts: f,
            contacts_this_month,
            days_left,
            days_left_in_month: (month.to - today).num_days(),
        }
    }
}

/// Most urgent first: to sign by the longest waiting since its latest dispatch, overdue by most days overdue, awaiting contact by fewest days left in the
/// month then longest since the last contact, others by deadline; resolved newest first; all
/// tickets newest received first.
pub fn sort_rows<R: std::borrow::Borrow<TicketRow>>(pane: Pane, rows: &mut [R]) {
    rows.sort_by(|a, b| urgency(pane, a.borrow(), b.borrow()));
}

/// The order of `sort_rows`: `Less` when `a` is the more urgent.
fn urgency(pane: Pane, a: &TicketRow, b: &TicketRow) -> std::cmp::Ordering {
    match pane {
        Pane::All => b
            .ticket()
            .record
            .received_at
            .map(|t| t.to_utc())
            .cmp(&a.ticket().record.received_at.map(|t| t.to_utc()))
            .then_with(|| b.ticket().id.cmp(&a.ticket().id)),
        Pane::Resolved => b
            .ticket()
            .resolved_at
            .cmp(&a.ticket().resolved_at)
            .then_with(|| a.ticket().id.cmp(&b.ticket().id)),
        Pane::AwaitingContact => a
            .days_left_in_month
            .cmp(&b.days_left_in_month)
            .then_with(|| a.ticket().last_contact.cmp(&b.ticket().last_contact))
            .then_with(|| a.days_left.cmp(&b.days_left))
            .then_with(|| a.ticket().id.cmp(&b.ticket().id)),
        Pane::AwaitingSign => {
            // Waiting since the latest dispatch (a re-dispatch starts the wait again).
            let waiting = |r: &TicketRow| {
                let t = r.ticket();
                t.latest_dispatch_at
                    .or(t.first_dispatch.as_ref().map(|d| d.0))
                    .map_or((1, i64::MAX), |at| (0, at.timestamp()))
            };
            // Returned ones first (they need re-dispatch), then the longest waiting first.
            (b.ticket().state == Some(State::Returned))
                .cmp(&(a.ticket().state == Some(State::Returned)))
                .then_with(|| waiting(a).cmp(&waiting(b)))
                .then_with(|| a.ticket().id.cmp(&b.ticket().id))
        }
        Pane::Overdue | Pane::InProgress => a
            .days_left
            .unwrap_or(i64::MAX)
            .cmp(&b.days_left.unwrap_or(i64::MAX))
            .then_with(|| a.ticket().id.cmp(&b.ticket().id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Event;
    use crate::domain::ticket_facts::TicketFacts;

    fn row(id: &str, dispatches: &[&str]) -> TicketRow {
        let mut log = vec![Event::from_json_str(&format!(
            r#"{{"ticket":"{id}","type":"ticket","at":"2026-11-01T09:00:00+08:00","unit":"甲"}}"#
        ))
        .unwrap()];
        for (i, at) in dispatches.iter().enumerate() {
            log.push(
                Event::from_json_str(&format!(
                    r#"{{"ticket":"{id}","type":"dispatch","at":"{at}T09:00:00+08:00","unit":"单位{i}"}}"#
                ))
                .unwrap(),
            );
        }
        let f = TicketFacts::derive(&log);
        let tz = crate::domain::time::DEFAULT_TZ;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        TicketRow::of(id, &f.events, tz, today)
    }

    #[test]
    fn to_sign_puts_the_longest_waiting_since_the_latest_dispatch_first() {
        let mut rows = vec![
            row("B", &["2026-12-04"]),
            // First sent on 11-20, sent again to another unit on 12-05: waiting since 12-05.
            row("C", &["2026-11-20", "2026-12-05"]),
            row("A", &["2026-12-02"]),
        ];
        sort_rows(Pane::AwaitingSign, &mut rows);
        let order: Vec<&str> = rows.iter().map(|r| r.ticket().id.as_str()).collect();
        assert_eq!(order, ["A", "B", "C"]);
    }
}
