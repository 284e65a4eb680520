//! The event log with its rules, over a store: the one place that writes events (`write`),
//! and the questions the panes (`panes`), the reports and the board (`reports`) and `verify`
//! (`verify`) ask of it. Everything but the detail view, export, verify and backup reads the
//! tickets' facts, not their logs.

mod panes;
mod reports;
mod undo;
mod verify;
mod write;

pub use crate::domain::pane::{sort_rows, MonthTasks, Pane, TicketRow};
pub use reports::Visit;
pub use undo::UndoPlan;
pub use verify::{Finding, Problem};

use crate::domain::event::Event;
use crate::domain::ticket::Refusal;
use crate::domain::time::Clock;
use crate::i18n::Lang;
use crate::store::{EventStore, StoreError, TicketVisitor};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
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
    /// The store's server cannot be reached now (`location`): nothing was written.
    #[error("{}", away_text(.0, Lang::En))]
    Away(String),
}

/// A write refused while the server is away, as a person reads it.
pub fn away_text(location: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "连不上数据库服务器 {location},这次没有写入;服务器恢复后 genban 会自动重连,届时再保存"
        ),
        Lang::En => format!(
            "cannot reach the database server at {location}: nothing was written; genban reconnects by itself once the server is back, save again then"
        ),
    }
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
            LedgerError::Away(location) => away_text(location, lang),
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
    /// Who enters events here (the app may set it once asked).
    operator: Mutex<Option<String>>,
}

#[derive(Default)]
struct Shared {
    write: Mutex<()>,
    generation: AtomicU64,
    /// The tickets each recent commit touched (generation after it, ids), oldest first.
    touched: Mutex<std::collections::VecDeque<(u64, Option<Vec<String>>)>>,
    /// Why the store may only be read (a damaged event was found), when it may not be written.
    read_only: Mutex<Option<String>>,
}

impl Shared {
    /// More tickets than this in one commit are remembered as "everything".
    const MANY: usize = 1_000;

    /// Counts a commit and notes the tickets it touched (None: unknown, read everything).
    fn note_commit(&self, ids: Option<Vec<String>>) {
        /// Commits remembered; a reader further behind reads everything again.
        const KEEP: usize = 64;
        let mut log = self.touched.lock().unwrap_or_else(|p| p.into_inner());
        let g = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        log.push_back((g, ids.filter(|ids| ids.len() <= Self::MANY)));
        while log.len() > KEEP {
            log.pop_front();
        }
    }
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
            operator: Mutex::new(None),
        }
    }

    /// Another ledger over the same store, with its own clock and operator.
    pub fn sharing(&self, clock: Clock, operator: Option<String>) -> Ledger {
        Ledger {
            store: Arc::clone(&self.store),
            shared: Arc::clone(&self.shared),
            clock,
            operator: Mutex::new(operator),
        }
    }

    /// Who enters events here, if known.
    pub fn operator(&self) -> Option<String> {
        self.operator
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Sets who enters events here from now on.
    pub fn set_operator(&self, operator: Option<String>) {
        *self.operator.lock().unwrap_or_else(|p| p.into_inner()) = operator;
    }

    /// Counts the commits made through any ledger over this store (readers refresh on change).
    pub fn generation(&self) -> u64 {
        self.shared.generation.load(Ordering::SeqCst)
    }

    /// The tickets written since generation `since`, when the ledger still remembers them all
    /// (None: too many commits ago, or a large import: read everything again).
    pub fn touched_since(&self, since: u64) -> Option<Vec<String>> {
        let log = self
            .shared
            .touched
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let now = self.generation();
        if since >= now {
            return Some(Vec::new());
        }
        if log.front().is_none_or(|(g, _)| *g > since + 1) {
            return None;
        }
        let mut ids = Vec::new();
        for (_, touched) in log.iter().filter(|(g, _)| *g > since) {
            ids.extend(touched.as_ref()?.iter().cloned());
        }
        ids.sort();
        ids.dedup();
        Some(ids)
    }

    /// Follows the commits of other writers on a server database (other workstations): each
    /// is counted and noted as this process's own are, so readers refresh the tickets it
    /// touched. Returns whether the store has such a feed (sled has not: one process holds it).
    pub fn follow_other_writers(&self) -> Result<bool, StoreError> {
        let shared = Arc::clone(&self.shared);
        self.store
            .watch(Box::new(move |ids| shared.note_commit(ids)))
    }

    /// Counts a commit and notes the tickets it touched.
    fn committed(&self, ids: Vec<String>) {
        self.shared.note_commit(Some(ids));
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

    /// Whether the store's server is away (the last it knew: cheap, asks it nothing); the
    /// store reconnects by itself, and meanwhile nothing is written.
    pub fn away(&self) -> bool {
        !self.store.reachable()
    }

    /// Whether events may be written now: not on a store opened read-only, nor while its
    /// server is away.
    pub fn writable(&self) -> Result<(), LedgerError> {
        if let Some(why) = self.read_only() {
            return Err(LedgerError::ReadOnly(why));
        }
        if self.away() {
            return Err(LedgerError::Away(self.location()));
        }
        Ok(())
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
            operator: self.operator(),
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

    /// The moment to stamp new events with.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
