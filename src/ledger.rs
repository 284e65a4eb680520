//! The one place that writes events: checks each against the domain rules, then commits it to
//! the store. Also the queries the panes, the CLI and the reports read.

use crate::domain::event::{Event, EventKind};
use crate::domain::figures::{cutoff, facts, Facts, Report, ReportBuilder};
use crate::domain::summary::{prefix, Summary};
use crate::domain::ticket::{Refusal, State, Ticket};
use crate::domain::time::{local_date, Clock, Period};
use crate::i18n::Lang;
use crate::store::{EventStore, StoreError, TicketChange, TicketVisitor};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{}", .0.message(Lang::En))]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the store is open read-only: {0}")]
    ReadOnly(String),
}

impl LedgerError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            LedgerError::Refused(r) => r.message(lang),
            LedgerError::Store(e) => e.message(lang),
            LedgerError::ReadOnly(why) => match lang {
                Lang::Zh => format!("数据库只读打开,不能写入:{why}"),
                Lang::En => format!("the store is open read-only: {why}"),
            },
        }
    }
}

/// One line (or row) of an import that was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedLine {
    pub line: usize,
    pub ticket: String,
    pub event_type: &'static str,
    pub refusal: Refusal,
}

impl RefusedLine {
    pub fn reason(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "工单 {} 的「{}」:{}",
                self.ticket,
                crate::domain::ticket::event_zh(self.event_type),
                self.refusal.message(lang)
            ),
            Lang::En => format!(
                "ticket {} `{}`: {}",
                self.ticket,
                self.event_type,
                self.refusal.message(lang)
            ),
        }
    }
}

/// What applying a batch of events would do (or did).
#[derive(Debug, Default)]
pub struct ApplyOutcome {
    pub added: usize,
    pub duplicates: usize,
    pub refused: Vec<RefusedLine>,
    pub tickets_touched: usize,
}

/// What `verify` found wrong with one stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ticket: String,
    /// The event's place among the ticket's stored events (1 = the first appended).
    pub event: usize,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The stored text is not an event.
    Unreadable(crate::i18n::Msg),
    /// The event breaks a rule given the events before it.
    Refused(Refusal),
    /// The event is not in the chain: added behind the program's back.
    Inserted,
    /// The chain is broken here (see `chain::Break`).
    Chain(crate::domain::chain::Break),
    /// A summary or an index key does not agree with the log.
    Index(String),
}

impl Finding {
    pub fn message(&self, lang: Lang) -> String {
        use crate::domain::chain::Break;
        let what = match &self.problem {
            Problem::Unreadable(e) => format!("{}: {}", lang.t("无法读取", "unreadable"), e.get(lang)),
            Problem::Refused(r) => format!(
                "{}: {}",
                lang.t("不合规则", "breaks a rule"),
                r.message(lang)
            ),
            Problem::Inserted => lang
                .t(
                    "不在校验链中:是绕过本程序加入的",
                    "not in the chain: inserted behind the program's back",
                )
                .to_string(),
            Problem::Chain(Break::Changed { seq }) => match lang {
                Lang::Zh => format!("校验链第 {seq} 条:内容被绕过本程序改动过"),
                Lang::En => format!("chain event {seq}: changed behind the program's back"),
            },
            Problem::Chain(Break::Missing { from, to }) => match lang {
                Lang::Zh => format!("校验链第 {from}–{to} 条缺失(被删除),缺口之后是这一条"),
                Lang::En => format!(
                    "chain events {from}–{to} are missing (removed); this one follows the gap"
                ),
            },
            Problem::Chain(Break::Duplicate { seq }) => match lang {
                Lang::Zh => format!("校验链第 {seq} 条出现两次(被插入或复制)"),
                Lang::En => format!("chain number {seq} appears twice (inserted or copied)"),
            },
            Problem::Chain(Break::Truncated { head, last }) => match lang {
                Lang::Zh => format!("校验链应有 {head} 条,只找到 {last} 条:最后的记录被删除"),
                Lang::En => format!(
                    "the chain should hold {head} events but ends at {last}: the last ones were removed"
                ),
            },
            Problem::Index(p) => {
                return format!(
                    "{}: {p}",
                    lang.t("索引与记录不一致", "index disagrees with the log")
                )
            }
        };
        if self.ticket.is_empty() {
            return what;
        }
        match lang {
            Lang::Zh => format!("工单 {} 第 {} 条记录 {what}", self.ticket, self.event),
            Lang::En => format!("ticket {} event {}: {what}", self.ticket, self.event),
        }
    }
}

/// The panes of the triage view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    AwaitingSign,
    InProgress,
    AwaitingContact,
    Overdue,
    Resolved,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
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
        }
    }
    pub fn title(self, lang: Lang) -> &'static str {
        crate::labels::pane(self, lang)
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
    pub fn from_panes(
        panes: &[(Pane, Vec<TicketRow>, usize)],
        month: Period,
        as_of: NaiveDate,
    ) -> MonthTasks {
        let rows = |p: Pane| -> Vec<TicketRow> {
            panes
                .iter()
                .find(|(x, _, _)| *x == p)
                .map(|(_, r, _)| r.clone())
                .unwrap_or_default()
        };
        let mut deadlines = rows(Pane::InProgress);
        deadlines
            .retain(|r| r.ticket().deadline.is_some_and(|d| month.contains(d)) && !r.facts.overdue);
        MonthTasks {
            month,
            as_of,
            to_contact: rows(Pane::AwaitingContact),
            deadlines,
            overdue: rows(Pane::Overdue),
            to_sign: rows(Pane::AwaitingSign),
        }
    }
}

/// The event log with its rules, over a store.
///
/// Several ledgers may share one store (the app and the requests it serves for other genban
/// processes, each with its own clock and operator): they share one write lock, so a check and
/// its commit are never interleaved with another writer's, and a generation counter that tells
/// readers the store changed.
pub struct Ledger {
    store: Arc<dyn EventStore>,
    shared: Arc<Shared>,
    pub clock: Clock,
    pub operator: Option<String>,
}

#[derive(Default)]
struct Shared {
    write: Mutex<()>,
    generation: AtomicU64,
    /// Why the store may only be read (a damaged event was found), when it may not be written.
    read_only: Mutex<Option<String>>,
}

/// Sorts a ticket's events (append order) into application order.
fn in_order(mut events: Vec<Event>) -> Vec<Event> {
    crate::domain::ticket::application_order(&mut events);
    events
}

impl Ledger {
    pub fn new(store: Box<dyn EventStore>, clock: Clock) -> Ledger {
        Ledger {
            store: Arc::from(store),
            shared: Arc::default(),
            clock,
            operator: None,
        }
    }

    /// Another ledger over the same store, with its own clock and operator.
    pub fn sharing(&self, clock: Clock, operator: Option<String>) -> Ledger {
        Ledger {
            store: Arc::clone(&self.store),
            shared: Arc::clone(&self.shared),
            clock,
            operator,
        }
    }

    /// Counts the commits made through any ledger over this store (readers refresh on change).
    pub fn generation(&self) -> u64 {
        self.shared.generation.load(Ordering::SeqCst)
    }

    /// From now on the store is only read: unreadable events are skipped, writes refused.
    pub fn set_read_only(&self, why: String) {
        self.store.set_tolerant(true);
        *self
            .shared
            .read_only
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(why);
    }

    /// Why the store may not be written, if it may not.
    pub fn read_only(&self) -> Option<String> {
        self.shared
            .read_only
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn tz(&self) -> Tz {
        self.clock.tz
    }

    /// Runs `f` with every other writer of this store held off (a consistent snapshot).
    pub fn while_writes_wait<T>(&self, f: impl FnOnce() -> T) -> T {
        let _held = self.shared.write.lock().unwrap_or_else(|p| p.into_inner());
        f()
    }

    /// The end of the store's tamper-evident chain.
    pub fn chain_head(&self) -> Result<Option<crate::domain::chain::Head>, StoreError> {
        self.store.chain_head()
    }

    /// What the user should know about the store as it was opened.
    pub fn warnings(&self) -> Vec<String> {
        self.store.warnings()
    }

    /// The store underneath (for the store's own tests; the app and the CLI go through the
    /// ledger's methods).
    pub fn store(&self) -> &dyn EventStore {
        self.store.as_ref()
    }

    /// A setting kept in the store (e.g. the month whose tasks were seen).
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.store.meta(key)
    }

    /// Keeps a setting in the store.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.store.set_meta(key, value)
    }

    /// Where the store lives, for messages.
    pub fn location(&self) -> String {
        self.store.location()
    }

    /// How many tickets the store holds.
    pub fn ticket_count(&self) -> Result<usize, StoreError> {
        self.store.ticket_count()
    }

    /// A ticket's events in application order.
    pub fn events(&self, id: &str) -> Result<Vec<Event>, StoreError> {
        Ok(in_order(self.store.events(id)?))
    }

    /// Records one event made in the program: stamps `recorded_at` and the operator, checks it,
    /// commits it and flushes. Nothing is written when it is refused.
    pub fn record(&self, e: Event) -> Result<(), LedgerError> {
        self.record_all(vec![e])
    }

    /// Applies events (each with its line number) as one action. Duplicates of stored events
    /// or of earlier lines are skipped. When any is refused, nothing is written unless
    /// `skip_refused`. `dry_run` checks only.
    pub fn apply(
        &self,
        lines: Vec<(usize, Event)>,
        dry_run: bool,
        skip_refused: bool,
    ) -> Result<ApplyOutcome, LedgerError> {
        self.apply_with(lines, dry_run, skip_refused, &mut |_, _| {})
    }

    /// As `apply`, reporting progress as (tickets checked, tickets in all).
    pub fn apply_with(
        &self,
        lines: Vec<(usize, Event)>,
        dry_run: bool,
        skip_refused: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ApplyOutcome, LedgerError> {
        if !dry_run {
            if let Some(why) = self.read_only() {
                return Err(LedgerError::ReadOnly(why));
            }
        }
        // One writer at a time: the check below and its commit see the same store.
        let _writing = self.shared.write.lock().unwrap_or_else(|p| p.into_inner());
        self.apply_held(lines, dry_run, skip_refused, progress)
    }

    /// `apply_with`, the write lock held by the caller.
    fn apply_held(
        &self,
        lines: Vec<(usize, Event)>,
        dry_run: bool,
        skip_refused: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ApplyOutcome, LedgerError> {
        let tz = self.tz();
        let mut out = ApplyOutcome::default();
        let mut by_ticket: BTreeMap<String, Vec<(usize, Event)>> = BTreeMap::new();
        let mut seen_keys: HashSet<String> = HashSet::new();
        for (line, e) in lines {
            // The one gate: an event is stored only in the form the reader reads back.
            let e = match e.through_gate() {
                Ok(e) => e,
                Err(why) => {
                    out.refused.push(RefusedLine {
                        line,
                        ticket: e.ticket.clone(),
                        event_type: e.kind.type_name(),
                        refusal: Refusal::Malformed(why.0),
                    });
                    continue;
                }
            };
            if !seen_keys.insert(e.normalized_key()) {
                out.duplicates += 1;
                continue;
            }
            by_ticket
                .entry(e.ticket.clone())
                .or_default()
                .push((line, e));
        }
        let total = by_ticket.len();
        let mut changes = Vec::new();
        for (n, (id, new)) in by_ticket.into_iter().enumerate() {
            if n % 1000 == 0 {
                progress(n, total);
            }
            let stored = self.store.events(&id)?;
            let stored_keys: HashSet<String> = stored.iter().map(Event::normalized_key).collect();
            let mut fresh: Vec<(usize, Event)> = Vec::new();
            for (line, e) in new {
                if stored_keys.contains(&e.normalized_key()) {
                    out.duplicates += 1;
                } else {
                    fresh.push((line, e));
                }
            }
            if fresh.is_empty() {
                continue;
            }
            let (accepted, refused) = replay(&id, &stored, fresh, tz);
            out.refused.extend(refused);
            if accepted.is_empty() {
                continue;
            }
            let mut all: Vec<Event> = stored;
            all.extend(accepted.iter().cloned());
            let all = in_order(all);
            let ticket = Ticket::from_events(&id, tz, &all);
            out.added += accepted.len();
            changes.push(TicketChange {
                id,
                new_events: accepted,
                summary: Summary::of(&ticket, tz),
            });
        }
        progress(total, total);
        out.tickets_touched = changes.len();
        out.refused.sort_by_key(|r| r.line);
        if dry_run || (!out.refused.is_empty() && !skip_refused) {
            return Ok(out);
        }
        self.store.commit(&changes)?;
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        Ok(out)
    }

    /// Whether the store has events after the end of `today` (the indexes then describe a later
    /// state than the one asked for, and panes are computed by reading every ticket).
    fn has_events_after(&self, today: NaiveDate) -> Result<bool, StoreError> {
        Ok(self
            .store
            .latest_at()?
            .is_some_and(|l| l >= cutoff(self.tz(), today)))
    }

    fn ids(
        &self,
        p: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        Ok(self
            .store
            .index(p, from, to)?
            .into_iter()
            .map(|(_, id)| id)
            .collect())
    }

    /// The tickets a pane may hold, from the indexes.
    fn candidates(&self, pane: Pane, today: NaiveDate) -> Result<Vec<String>, StoreError> {
        let mut ids = match pane {
            Pane::AwaitingSign => {
                let mut v = self.ids(
                    prefix::STATE,
                    Some("awaiting_sign\0"),
                    Some("awaiting_sign"),
                )?;
                v.extend(self.ids(prefix::STATE, Some("returned\0"), Some("returned"))?);
                v
            }
            Pane::InProgress | Pane::AwaitingContact => {
                self.ids(prefix::STATE, Some("in_progress\0"), Some("in_progress"))?
            }
            Pane::Overdue => {
                let yesterday = today.pred_opt().unwrap_or(today).to_string();
                self.ids(prefix::DEADLINE, None, Some(&yesterday))?
            }
            Pane::Resolved => self.ids(prefix::STATE, Some("resolved\0"), Some("resolved"))?,
        };
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// The rows of a pane on `today`, most urgent first.
    pub fn pane(&self, pane: Pane, today: NaiveDate) -> Result<Vec<TicketRow>, StoreError> {
        let mut rows = Vec::new();
        if self.has_events_after(today)? {
            self.store.for_each_ticket(&mut |id, evs| {
                let row = self.row(id, in_order(evs), today);
                if pane.holds(&row.facts) {
                    rows.push(row);
                }
                Ok(())
            })?;
        } else {
            rows = self.rows_of(&self.candidates(pane, today)?, today)?;
            rows.retain(|r| pane.holds(&r.facts));
        }
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
    /// grows without end, reads only its newest `limit` tickets from the index.
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
            .index(prefix::STATE, Some("resolved\0"), Some("resolved"))?
            .len();
        let mut newest = self.store.index(prefix::RESOLVED, None, None)?;
        newest.reverse();
        let mut rows = Vec::new();
        for (_, id) in newest.into_iter().take(limit) {
            let row = self.row(&id, self.events(&id)?, today);
            if pane.holds(&row.facts) {
                rows.push(row);
            }
        }
        sort_rows(pane, &mut rows);
        Ok((rows, total))
    }

    /// Every pane on `today` with its total, reading the in-progress tickets once for the three
    /// panes drawn from them. The resolved pane holds its newest `limit` tickets.
    pub fn panes(
        &self,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<(Pane, Vec<TicketRow>, usize)>, StoreError> {
        let mut out: Vec<(Pane, Vec<TicketRow>, usize)> = Vec::new();
        if self.has_events_after(today)? {
            let mut all: Vec<Vec<TicketRow>> = vec![Vec::new(); Pane::ALL.len()];
            self.store.for_each_ticket(&mut |id, evs| {
                let row = self.row(id, in_order(evs), today);
                for (i, p) in Pane::ALL.iter().enumerate() {
                    if p.holds(&row.facts) {
                        all[i].push(row.clone());
                    }
                }
                Ok(())
            })?;
            for (p, mut rows) in Pane::ALL.into_iter().zip(all) {
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
        let open = self.pane(Pane::InProgress, today)?;
        for p in [Pane::InProgress, Pane::AwaitingContact, Pane::Overdue] {
            let mut rows: Vec<TicketRow> =
                open.iter().filter(|r| p.holds(&r.facts)).cloned().collect();
            sort_rows(p, &mut rows);
            let n = rows.len();
            out.push((p, rows, n));
        }
        let (done, done_total) = self.pane_page(Pane::Resolved, today, limit)?;
        out.push((Pane::Resolved, done, done_total));
        Ok(out)
    }

    /// Records several events of one action in one transaction (all or nothing).
    pub fn record_all(&self, events: Vec<Event>) -> Result<(), LedgerError> {
        let out = self.apply(self.stamped(events), false, false)?;
        match out.refused.into_iter().next() {
            Some(r) => Err(LedgerError::Refused(r.refusal)),
            None => Ok(()),
        }
    }

    /// Records a ticket that did not come through the hotline, under the first free id of
    /// `prefix` + a three-digit sequence (`events` makes the ticket's events for an id). The
    /// id is chosen and the events committed with every other writer held off, so two
    /// tickets added at once never share an id. Returns the id.
    pub fn record_new_ticket(
        &self,
        prefix: &str,
        events: impl Fn(&str) -> Vec<Event>,
    ) -> Result<String, LedgerError> {
        if let Some(why) = self.read_only() {
            return Err(LedgerError::ReadOnly(why));
        }
        let _writing = self.shared.write.lock().unwrap_or_else(|p| p.into_inner());
        for seq in 1..=9999 {
            let id = format!("{prefix}{seq:03}");
            if !self.events(&id)?.is_empty() {
                continue;
            }
            let out = self.apply_held(self.stamped(events(&id)), false, false, &mut |_, _| {})?;
            return match out.refused.into_iter().next() {
                Some(r) => Err(LedgerError::Refused(r.refusal)),
                None => Ok(id),
            };
        }
        Err(LedgerError::Refused(Refusal::Malformed(
            crate::i18n::Msg::new(
                format!("{prefix}:当天的编号已用完"),
                format!("{prefix}: no free sequence number left"),
            ),
        )))
    }

    /// Events as entered here: `recorded_at` from the real clock (never the date evaluated
    /// as of, `--today`) and the configured operator, numbered as lines.
    fn stamped(&self, events: Vec<Event>) -> Vec<(usize, Event)> {
        let stamp = crate::domain::time::now_millis()
            .with_timezone(&self.tz())
            .fixed_offset();
        events
            .into_iter()
            .enumerate()
            .map(|(i, mut e)| {
                e.recorded_at.get_or_insert(stamp);
                if e.operator.is_none() {
                    e.operator = self.operator.clone();
                }
                (i, e)
            })
            .collect()
    }

    /// Tickets evaluated on `today`, read and evaluated on all cores when there are many.
    fn rows_of(&self, ids: &[String], today: NaiveDate) -> Result<Vec<TicketRow>, StoreError> {
        let one = |id: &String| Ok(self.row(id, self.events(id)?, today));
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        if ids.len() < 1_000 || threads < 2 {
            return ids.iter().map(one).collect();
        }
        std::thread::scope(|s| {
            let workers: Vec<_> = ids
                .chunks(ids.len().div_ceil(threads))
                .map(|chunk| {
                    s.spawn(move || {
                        chunk
                            .iter()
                            .map(one)
                            .collect::<Result<Vec<_>, StoreError>>()
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(ids.len());
            for w in workers {
                out.extend(w.join().expect("a pane worker does not panic")?);
            }
            Ok(out)
        })
    }

    /// A ticket evaluated on `today`, as a row.
    pub fn row(&self, id: &str, events: Vec<Event>, today: NaiveDate) -> TicketRow {
        let tz = self.tz();
        let month = Period::month_of(today);
        let f = facts(id, &events, tz, month, today);
        let cut = cutoff(tz, today);
        let contacts_this_month = crate::domain::void::effective(&events)
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

    /// One ticket with its events, as of `today` (None when unknown).
    pub fn ticket(
        &self,
        id: &str,
        today: NaiveDate,
    ) -> Result<Option<(TicketRow, Vec<Event>)>, StoreError> {
        let events = self.events(id)?;
        if events.is_empty() {
            return Ok(None);
        }
        let row = self.row(id, events.clone(), today);
        Ok(Some((row, events)))
    }

    /// Every ticket whose id, title, content, address or phone contains `query`
    /// (case-insensitive), as of `today`.
    pub fn search(&self, query: &str, today: NaiveDate) -> Result<Vec<TicketRow>, StoreError> {
        let q = query.trim().to_lowercase();
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let mut rows = Vec::new();
        self.store.for_each_ticket(&mut |id, evs| {
            let evs = in_order(evs);
            let t = Ticket::from_events(id, self.tz(), &evs);
            let r = &t.record;
            let hit = id.to_lowercase().contains(&q)
                || [
                    &r.title,
                    &r.content,
                    &r.address,
                    &r.complainant,
                    &r.category,
                    &r.unit,
                ]
                .iter()
                .any(|f| f.as_deref().is_some_and(|s| s.to_lowercase().contains(&q)))
                || (digits.len() >= 3
                    && r.phone.as_deref().is_some_and(|p| {
                        crate::domain::repeat::normalize_phone(p).contains(&digits)
                    }));
            if hit {
                rows.push(self.row(id, evs, today));
            }
            Ok(())
        })?;
        Ok(rows)
    }

    /// The report for a period as of a date.
    pub fn report(&self, period: Period, as_of: NaiveDate) -> Result<Report, StoreError> {
        self.report_with(period, as_of, &mut |_| {})
    }

    /// As `report`, calling `tick` once per ticket read.
    pub fn report_with(
        &self,
        period: Period,
        as_of: NaiveDate,
        tick: &mut dyn FnMut(usize),
    ) -> Result<Report, StoreError> {
        let mut b = ReportBuilder::new(self.tz(), period, as_of);
        let mut n = 0;
        self.store.for_each_ticket(&mut |id, evs| {
            b.add(id, &in_order(evs));
            n += 1;
            tick(n);
            Ok(())
        })?;
        Ok(b.finish())
    }

    /// The report and the cohort of one figure: every item it counts, misses first.
    pub fn explain(
        &self,
        period: Period,
        as_of: NaiveDate,
        figure: crate::domain::figures::FigureKind,
    ) -> Result<(Report, Vec<crate::domain::figures::CohortEntry>), StoreError> {
        let mut b = ReportBuilder::new(self.tz(), period, as_of).explaining(figure);
        self.store.for_each_ticket(&mut |id, evs| {
            b.add(id, &in_order(evs));
            Ok(())
        })?;
        Ok(b.finish_with_cohort())
    }

    /// Several reports in one pass over the store (the dashboard's months), in the order of
    /// `periods`; `visit` also sees every ticket's events (application order). This thread
    /// reads the store and hands chunks of tickets to a worker per core, each with its own
    /// builders (merged at the end), so that reading and evaluating overlap.
    pub fn reports(
        &self,
        periods: &[(Period, NaiveDate)],
        visit: &mut dyn FnMut(&str, &[Event]),
    ) -> Result<Vec<Report>, StoreError> {
        type Chunk = Vec<(String, Vec<Event>)>;
        const CHUNK: usize = 1_024;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let tz = self.tz();
        let builders = || -> Vec<ReportBuilder> {
            periods
                .iter()
                .map(|(p, a)| ReportBuilder::new(tz, *p, *a))
                .collect()
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(threads);
        let rx = std::sync::Mutex::new(rx);
        let (read, sets) = std::thread::scope(|s| {
            let tx = tx;
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (rx, builders) = (&rx, &builders);
                    s.spawn(move || {
                        let mut set = builders();
                        // The lock is held only to take the next chunk.
                        while let Ok(chunk) = rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|r| r.recv().map_err(|_| ()))
                        {
                            for (id, evs) in &chunk {
                                for b in set.iter_mut() {
                                    b.add(id, evs);
                                }
                            }
                        }
                        set
                    })
                })
                .collect();
            let mut chunk: Chunk = Vec::with_capacity(CHUNK);
            let read = self.store.for_each_ticket(&mut |id, evs| {
                let evs = in_order(evs);
                visit(id, &evs);
                chunk.push((id.to_string(), evs));
                if chunk.len() >= CHUNK {
                    let _ = tx.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)));
                }
                Ok(())
            });
            let _ = tx.send(chunk);
            drop(tx);
            let sets: Vec<Vec<ReportBuilder>> = workers
                .into_iter()
                .map(|w| w.join().expect("a report worker does not panic"))
                .collect();
            (read, sets)
        });
        read?;
        let mut sets = sets.into_iter();
        let mut all = sets.next().unwrap_or_else(builders);
        for other in sets {
            for (a, b) in all.iter_mut().zip(other) {
                a.absorb(b);
            }
        }
        Ok(all.into_iter().map(ReportBuilder::finish).collect())
    }

    /// The dashboard as of `today`, in one pass over the store.
    pub fn dashboard(
        &self,
        today: NaiveDate,
    ) -> Result<crate::domain::dashboard::Dashboard, StoreError> {
        self.dashboard_visiting(today, &mut |_, _| {})
    }

    /// The dashboard and the open summons, hotspots and topics (the board), in one pass.
    pub fn board(
        &self,
        today: NaiveDate,
    ) -> Result<
        (
            crate::domain::dashboard::Dashboard,
            crate::domain::supervision::Supervision,
        ),
        StoreError,
    > {
        let mut b = crate::domain::supervision::SupervisionBuilder::new(self.tz(), today);
        let d = self.dashboard_visiting(today, &mut |id, evs| b.add(id, evs))?;
        Ok((d, b.finish()))
    }

    /// The dashboard, `visit` seeing every ticket too.
    fn dashboard_visiting(
        &self,
        today: NaiveDate,
        visit: &mut dyn FnMut(&str, &[Event]),
    ) -> Result<crate::domain::dashboard::Dashboard, StoreError> {
        use crate::domain::dashboard::{Dashboard, Tally};
        let tz = self.tz();
        let mut tally = Tally::default();
        let reports = self.reports(&Dashboard::periods(today), &mut |id, evs| {
            tally.add(id, evs, tz, today);
            visit(id, evs);
        })?;
        Ok(Dashboard::assemble(today, reports, tally))
    }

    /// Open summons, hotspots and topics as of `today`, in one pass over the store.
    pub fn supervision(
        &self,
        today: NaiveDate,
    ) -> Result<crate::domain::supervision::Supervision, StoreError> {
        let mut b = crate::domain::supervision::SupervisionBuilder::new(self.tz(), today);
        self.store.for_each_ticket(&mut |id, evs| {
            b.add(id, &in_order(evs));
            Ok(())
        })?;
        Ok(b.finish())
    }

    /// The clear-to-zero look-back for a period as of a date.
    pub fn review(
        &self,
        period: Period,
        as_of: NaiveDate,
        th: crate::domain::review::Thresholds,
    ) -> Result<crate::domain::review::Review, StoreError> {
        let mut b = crate::domain::review::ReviewBuilder::new(self.tz(), period, as_of, th);
        self.store.for_each_ticket(&mut |id, evs| {
            b.add(id, &in_order(evs));
            Ok(())
        })?;
        Ok(b.finish())
    }

    /// Every unit known: those of dispatched tickets and of ticket records, sorted.
    pub fn units(&self) -> Result<Vec<String>, StoreError> {
        let mut set: BTreeSet<String> = self
            .store
            .index(prefix::UNIT, None, None)?
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        set.retain(|u| !u.is_empty());
        Ok(set.into_iter().collect())
    }

    /// Every ticket with its events in application order (export, review).
    pub fn for_each(&self, f: &mut TicketVisitor) -> Result<(), StoreError> {
        self.store
            .for_each_ticket(&mut |id, evs| f(id, in_order(evs)))
    }

    /// Notes that a phone number was shown in full (`ticket` `*` for every ticket).
    pub fn record_reveal(&self, ticket: &str, place: &str) -> Result<(), StoreError> {
        let r = crate::audit::Reveal {
            at: crate::domain::time::now_seconds()
                .with_timezone(&self.tz())
                .fixed_offset(),
            operator: self.operator.clone(),
            ticket: ticket.to_string(),
            place: place.to_string(),
        };
        self.store
            .append_audit(&serde_json::to_string(&r).expect("json"))
    }

    /// The reveals recorded, oldest first.
    pub fn reveals(&self) -> Result<Vec<crate::audit::Reveal>, StoreError> {
        Ok(self
            .store
            .audit_log()?
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }

    /// Every ticket's stored event lines, unparsed, in id order.
    pub fn for_each_raw(&self, f: &mut crate::store::RawVisitor) -> Result<(), StoreError> {
        self.store.for_each_raw(f)
    }

    /// Reads every stored event and checks: that it reads, that each ticket's log passes the
    /// rules, that the tamper-evident chain is unbroken (naming each event changed, removed or
    /// inserted behind the program's back), and that the summaries and indexes agree with the
    /// log.
    pub fn verify(&self) -> Result<Vec<Finding>, StoreError> {
        use crate::domain::chain;
        let tz = self.tz();
        let mut out = Vec::new();
        // (seq, prev, hash after, index into `places`) of every chained event.
        let mut links: Vec<(u64, String, String, usize)> = Vec::new();
        let mut places: Vec<(String, usize)> = Vec::new();
        let mut summaries: std::collections::HashMap<String, Summary> = Default::default();
        let mut take = |checked: Vec<TicketCheck>| {
            for c in checked {
                out.extend(c.findings);
                for (seq, prev, after, n) in c.links {
                    links.push((seq, prev, after, places.len()));
                    places.push((c.id.clone(), n));
                }
                summaries.insert(c.id, c.summary);
            }
        };
        // Tickets are checked in batches on every core (parsing and hashing dominate).
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let mut batch: Vec<(String, Vec<String>)> = Vec::new();
        self.store.for_each_raw(&mut |id, lines| {
            batch.push((id.to_string(), lines));
            if batch.len() >= 4_096 {
                take(check_batch(std::mem::take(&mut batch), tz, threads));
            }
            Ok(())
        })?;
        take(check_batch(batch, tz, threads));
        let head = self.store.chain_head()?;
        for (at, b) in chain::check(links, head.as_ref()) {
            let (ticket, event) = places.get(at).cloned().unwrap_or_default();
            out.push(Finding {
                ticket,
                event,
                problem: Problem::Chain(b),
            });
        }
        for p in self.store.check_indexes(&summaries)? {
            out.push(Finding {
                ticket: String::new(),
                event: 0,
                problem: Problem::Index(p),
            });
        }
        Ok(out)
    }

    /// The moment to stamp new events with.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// What `verify` learns of one ticket from its stored lines.
struct TicketCheck {
    id: String,
    findings: Vec<Finding>,
    /// (seq, prev, hash after the event, the event's place among the stored lines).
    links: Vec<(u64, String, String, usize)>,
    summary: Summary,
}

/// Checks tickets on `threads` threads, keeping their order.
fn check_batch(batch: Vec<(String, Vec<String>)>, tz: Tz, threads: usize) -> Vec<TicketCheck> {
    if threads < 2 || batch.len() < 64 {
        return batch
            .iter()
            .map(|(id, l)| check_ticket(id, l, tz))
            .collect();
    }
    std::thread::scope(|s| {
        let workers: Vec<_> = batch
            .chunks(batch.len().div_ceil(threads))
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(id, l)| check_ticket(id, l, tz))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a verify worker does not panic"))
            .collect()
    })
}

/// One ticket's stored lines: each reads, each is chained, the log passes the rules.
fn check_ticket(id: &str, lines: &[String], tz: Tz) -> TicketCheck {
    use crate::domain::chain;
    let mut c = TicketCheck {
        id: id.to_string(),
        findings: Vec::new(),
        links: Vec::new(),
        summary: Summary::default(),
    };
    let mut events = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let finding = |problem| Finding {
            ticket: id.to_string(),
            event: n + 1,
            problem,
        };
        match Event::from_json_str(line) {
            Ok(e) => {
                match chain::link_of(line) {
                    Some(l) => {
                        let after = chain::hash_after(&l.prev, &e);
                        c.links.push((l.seq, l.prev, after, n + 1));
                    }
                    None => c.findings.push(finding(Problem::Inserted)),
                }
                events.push((n + 1, e));
            }
            Err(e) => c.findings.push(finding(Problem::Unreadable(e.0))),
        }
    }
    let mut ordered: Vec<(Option<usize>, &Event)> =
        events.iter().map(|(n, e)| (Some(*n), e)).collect();
    ordered.sort_by_key(|(_, e)| e.instant());
    if let Err((pos, why)) = check_log(id, &ordered, tz) {
        c.findings.push(Finding {
            ticket: id.to_string(),
            event: ordered[pos].0.unwrap_or(0),
            problem: Problem::Refused(why),
        });
    }
    let mut all: Vec<Event> = events.into_iter().map(|(_, e)| e).collect();
    crate::domain::ticket::application_order(&mut all);
    c.summary = Summary::of(&Ticket::from_events(id, tz, &all), tz);
    c
}

/// Checks a ticket's log (application order, `Some(i)` marking the i-th new event): first
/// its voids, then the log without the voided events. Returns the position of the first
/// event refused and why.
fn check_log(id: &str, all: &[(Option<usize>, &Event)], tz: Tz) -> Result<(), (usize, Refusal)> {
    let events: Vec<&Event> = all.iter().map(|(_, e)| *e).collect();
    let voided = crate::domain::void::check_voids(&events)?;
    let mut t = Ticket::new(id);
    for (k, e) in events.iter().enumerate() {
        if voided[k].is_none() {
            t.apply(e, tz).map_err(|r| (k, r))?;
        }
    }
    Ok(())
}

/// Stored events and new ones in application order; stored first at equal instants.
fn merged<'a>(stored: &'a [Event], fresh: &'a [(usize, Event)]) -> Vec<(Option<usize>, &'a Event)> {
    let mut all: Vec<(Option<usize>, &Event)> = stored.iter().map(|e| (None, e)).collect();
    all.extend(fresh.iter().enumerate().map(|(i, (_, e))| (Some(i), e)));
    all.sort_by_key(|(_, e)| e.instant());
    all
}

/// Which new event to refuse when a stored one no longer fits, and why: a new void without
/// which the stored event passes, else the latest new event before it.
fn blame_stored(
    id: &str,
    stored: &[Event],
    fresh: &[(usize, Event)],
    failed: &Event,
    why: Refusal,
    tz: Tz,
) -> (usize, Refusal) {
    let leaves = Refusal::LeavesInvalid {
        event: failed.kind.type_name(),
        at: failed.at.to_rfc3339(),
        why: Box::new(why),
    };
    let still_fails = |without: usize| {
        let rest: Vec<(usize, Event)> = fresh
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != without)
            .map(|(_, x)| x.clone())
            .collect();
        let all = merged(stored, &rest);
        match check_log(id, &all, tz) {
            Ok(()) => false,
            Err((pos, _)) => std::ptr::eq(all[pos].1, failed) || all[pos].1 == failed,
        }
    };
    let voids = fresh
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, (_, e))| matches!(e.kind, EventKind::Void { .. }));
    for (i, _) in voids {
        if !still_fails(i) {
            return (i, leaves);
        }
    }
    let before = fresh
        .iter()
        .enumerate()
        .filter(|(_, (_, e))| e.instant() <= failed.instant())
        .max_by_key(|(_, (_, e))| e.instant())
        .map_or(0, |(i, _)| i);
    (before, leaves)
}

/// Replays a ticket's stored events with new ones in application order, checking each new one.
/// Returns the accepted new events (file order) and the refused lines.
fn replay(
    id: &str,
    stored: &[Event],
    mut fresh: Vec<(usize, Event)>,
    tz: Tz,
) -> (Vec<Event>, Vec<RefusedLine>) {
    let mut refused = Vec::new();
    loop {
        let all = merged(stored, &fresh);
        let (i, refusal) = match check_log(id, &all, tz) {
            Ok(()) => return (fresh.into_iter().map(|(_, e)| e).collect(), refused),
            Err((pos, r)) => match all[pos] {
                (Some(i), e) => (i, before_history(r, e, &all)),
                (None, e) => blame_stored(id, stored, &fresh, e, r, tz),
            },
        };
        let (line, e) = fresh.remove(i);
        refused.push(RefusedLine {
            line,
            ticket: e.ticket.clone(),
            event_type: e.kind.type_name(),
            refusal,
        });
        if fresh.is_empty() {
            return (Vec::new(), refused);
        }
    }
}

/// "No record" for an event dated before the ticket's first record says so.
fn before_history(r: Refusal, e: &Event, all: &[(Option<usize>, &Event)]) -> Refusal {
    if r != Refusal::NoRecord {
        return r;
    }
    match all
        .iter()
        .find(|(_, x)| matches!(x.kind, EventKind::Ticket(_)) && x.instant() > e.instant())
    {
        Some((_, first)) => Refusal::BeforeHistory {
            first: first.at.to_rfc3339(),
        },
        None => r,
    }
}

/// Most urgent first: overdue by most days overdue, awaiting contact by fewest days left in the
/// month then longest since the last contact, others by deadline; resolved newest first.
pub fn sort_rows(pane: Pane, rows: &mut [TicketRow]) {
    match pane {
        Pane::Resolved => rows.sort_by(|a, b| {
            b.ticket()
                .resolved_at
                .cmp(&a.ticket().resolved_at)
                .then_with(|| a.ticket().id.cmp(&b.ticket().id))
        }),
        Pane::AwaitingContact => rows.sort_by(|a, b| {
            a.days_left_in_month
                .cmp(&b.days_left_in_month)
                .then_with(|| a.ticket().last_contact.cmp(&b.ticket().last_contact))
                .then_with(|| a.days_left.cmp(&b.days_left))
                .then_with(|| a.ticket().id.cmp(&b.ticket().id))
        }),
        Pane::AwaitingSign => rows.sort_by(|a, b| {
            let da = a.ticket().first_dispatch.as_ref().map(|d| d.0);
            let db = b.ticket().first_dispatch.as_ref().map(|d| d.0);
            // Returned ones first (they need re-dispatch), then oldest dispatch first.
            (b.ticket().state == Some(State::Returned))
                .cmp(&(a.ticket().state == Some(State::Returned)))
                .then_with(|| da.cmp(&db))
                .then_with(|| a.ticket().id.cmp(&b.ticket().id))
        }),
        Pane::Overdue | Pane::InProgress => rows.sort_by(|a, b| {
            a.days_left
                .unwrap_or(i64::MAX)
                .cmp(&b.days_left.unwrap_or(i64::MAX))
                .then_with(|| a.ticket().id.cmp(&b.ticket().id))
        }),
    }
}
