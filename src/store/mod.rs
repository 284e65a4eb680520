//! The event log's storage, behind a trait of questions the domain asks, so that a server
//! database can answer them as well as the embedded one.
//!
//! A store keeps each ticket's events in the order they were appended, and beside them what
//! the domain derives from the log (`domain::summary::derive`): the ticket's summary, its
//! compact facts and its search text, written in the same transaction. It checks nothing of
//! the domain: `ledger` decides what is written. How it lays its keys out is its own business
//! (`sled_store`, `pg_store`).
//!
//! `--db` names the store: a directory is a sled store, `postgres://user@host/dbname` (or
//! `postgresql://`) a PostgreSQL database; any other address is refused.

pub mod migrate;
pub mod pg_store;
pub mod sled_store;

use crate::domain::event::Event;
use crate::domain::search::Query;
use crate::domain::summary::{Derived, Summary};
use crate::domain::ticket::State;
use crate::domain::ticket_facts::TicketFacts;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::path::{Path, PathBuf};

pub use pg_store::PgStore;
pub use sled_store::SledStore;

/// The schema this build writes; a store with a higher number is refused.
/// 2: stored events carry the tamper-evident chain (`_chain`), with its head in `meta`.
/// 3: each ticket's facts and search text are stored beside its log.
pub const SCHEMA_VERSION: u32 = 3;

/// Where a store lives, as `--db` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location<'a> {
    /// A directory: the sled store.
    Dir(&'a Path),
    /// A PostgreSQL database, by its address.
    Postgres(&'a str),
}

/// What `--db` names: a PostgreSQL address, or a directory. An address of any other kind
/// (`mysql://…`, `http://…`) is refused rather than taken for a directory's name.
pub fn locate(location: &Path) -> Result<Location<'_>, StoreError> {
    let Some(text) = location.to_str() else {
        return Ok(Location::Dir(location));
    };
    match url_scheme(text) {
        None => Ok(Location::Dir(location)),
        Some(s) if s.eq_ignore_ascii_case("postgres") || s.eq_ignore_ascii_case("postgresql") => {
            Ok(Location::Postgres(text))
        }
        Some(s) => Err(StoreError::Unsupported(s.to_string())),
    }
}

/// The scheme of an address `scheme://…` (letters first, then letters, digits, `+-.`).
fn url_scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .then_some(scheme)
}

/// Whether `location` names a server database (no socket, no directory of its own).
pub fn is_server(location: &Path) -> bool {
    matches!(locate(location), Ok(Location::Postgres(_)))
}

/// Opens (or creates) the store at `location` (a directory: the sled store; a PostgreSQL
/// address: its schema made or brought up to date). `tz` is the zone the derived summaries
/// are dated in (an older sled store is upgraded on open).
pub fn open(location: &Path, tz: Tz) -> Result<Box<dyn EventStore>, StoreError> {
    match locate(location)? {
        Location::Dir(dir) => Ok(Box::new(SledStore::open(dir, tz)?)),
        Location::Postgres(url) => Ok(Box::new(PgStore::open(url)?)),
    }
}

/// A ticket's stored lines read as events, for every backend: in tolerant mode an unreadable
/// line is left out; otherwise it fails the read, the error naming it (the detail of
/// `StoreError::Corrupt`).
pub(crate) fn parse_events<'a>(
    id: &str,
    lines: impl Iterator<Item = &'a str>,
    tolerant: bool,
) -> Result<Vec<Event>, String> {
    let mut out = Vec::new();
    for (n, l) in lines.enumerate() {
        match Event::from_json_str(l) {
            Ok(e) => out.push(e),
            Err(_) if tolerant => {}
            Err(e) => {
                return Err(format!(
                    "event {} of ticket {id} cannot be read ({e})",
                    n + 1
                ))
            }
        }
    }
    Ok(out)
}

/// Whether a store exists at `location`. A database is taken to exist: connecting says
/// whether it does (and an empty one is given genban's tables).
pub fn exists(location: &Path) -> bool {
    match locate(location) {
        Ok(Location::Dir(dir)) => sled_store::is_store(dir),
        Ok(Location::Postgres(_)) | Err(_) => true,
    }
}

/// What went wrong with a server database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbProblem {
    /// The address cannot be read.
    BadAddress,
    /// Nothing answers at the address (the server is down, or unreachable).
    Unreachable,
    /// The server refused the login (user or password).
    Login,
    /// The server has no database of that name.
    NoDatabase,
    /// The role lacks a right it needs.
    NoRights,
    /// A write of a ticket whose record names a street other than the role's, refused by the
    /// database's row-level security (`detail`: the tickets, when known).
    OutsideStreet,
    /// A write to a ticket of another street: the role cannot see it (row-level security),
    /// yet the database holds it (`detail`: the ticket).
    OtherStreetsTicket,
    /// No role of that name (`detail`).
    NoRole,
    /// Anything else the server said.
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store {0} is open in another genban process; close that one first (or use another --db)")]
    Locked(PathBuf),
    #[error("the store {path} was written by a newer genban (schema {found}, this one reads up to {supported}); update genban")]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "the store {path} is damaged: {detail}. `genban verify` lists every damaged event; `genban export --format jsonl -o FILE` saves every readable one"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("{}", io_text(.0, crate::i18n::Lang::En))]
    Io(#[from] std::io::Error),
    /// Another writer changed the ticket since it was read: nothing was written.
    #[error("ticket {0} was changed by another writer meanwhile; nothing was written (try again)")]
    Conflict(String),
    /// The storage engine failed in a way that is none of the above.
    #[error("storage error: {0}")]
    Backend(String),
    #[error("there is no store at {0} (check --db; `genban import` or `genban demo` creates one)")]
    Missing(PathBuf),
    #[error("{0} holds other files and is not a genban store: choose an empty or new directory for --db")]
    NotAStore(PathBuf),
    /// `--db` is an address of a kind genban does not store in.
    #[error("--db {0}://…: genban stores in a directory (sled) or in PostgreSQL (postgres://user@host/dbname); {0}:// is not supported")]
    Unsupported(String),
    /// A server database failed (`location` is its address without a password).
    #[error("{}", db_text(*.problem, .location, .detail, crate::i18n::Lang::En))]
    Database {
        location: String,
        problem: DbProblem,
        detail: String,
    },
}

/// A server database's failure as a person reads it.
fn db_text(problem: DbProblem, location: &str, detail: &str, lang: crate::i18n::Lang) -> String {
    use crate::i18n::Lang::Zh;
    let what = match (problem, lang) {
        (DbProblem::BadAddress, Zh) => format!("数据库地址 {location} 无法识别(应为 postgres://用户@主机:端口/库名)"),
        (DbProblem::BadAddress, _) => format!("the database address {location} cannot be read (it should be postgres://user@host:port/dbname)"),
        (DbProblem::Unreachable, Zh) => format!("连不上数据库服务器 {location}:它没有运行,或网络不通。请检查服务器和 --db"),
        (DbProblem::Unreachable, _) => format!("cannot reach the database server at {location}: it is not running or not reachable. Check the server and --db"),
        (DbProblem::Login, Zh) => format!("数据库服务器 {location} 拒绝登录:用户名或密码不对"),
        (DbProblem::Login, _) => format!("the database server at {location} refused the login: wrong user or password"),
        (DbProblem::NoDatabase, Zh) => format!("数据库服务器上没有 {location} 这个库:请先建库(createdb),或检查 --db 里的库名"),
        (DbProblem::NoDatabase, _) => format!("there is no database {location} on the server: create it first (createdb) or check the name in --db"),
        (DbProblem::NoRights, Zh) => format!("数据库 {location} 的这个角色没有所需的权限"),
        (DbProblem::NoRights, _) => format!("this role lacks a right it needs on the database {location}"),
        (DbProblem::OutsideStreet | DbProblem::OtherStreetsTicket, _) => {
            return street_text(problem, detail, lang)
        }
        (DbProblem::NoRole, Zh) => format!("数据库 {location} 所在服务器上没有这个角色:请先建好它(createuser)"),
        (DbProblem::NoRole, _) => format!("the server of {location} has no such role: create it first (createuser)"),
        (DbProblem::Other, Zh) => format!("数据库 {location} 出错"),
        (DbProblem::Other, _) => format!("the database {location} failed"),
    };
    format!("{what} ({detail})")
}

/// A write outside the role's street as a person reads it: which ticket, that the database
/// refused it, and who may write it.
fn street_text(problem: DbProblem, tickets: &str, lang: crate::i18n::Lang) -> String {
    use crate::i18n::Lang::Zh;
    let which = match (tickets.is_empty(), lang) {
        (true, Zh) => "这个工单".to_string(),
        (true, _) => "the ticket".to_string(),
        (false, Zh) => format!("工单 {tickets} "),
        (false, _) => format!("ticket {tickets}"),
    };
    match (problem, lang) {
        (DbProblem::OtherStreetsTicket, Zh) => format!(
            "{which}不属于你的街道(它是别的街道的工单,你的角色看不到它):数据库拒绝了这次写入,什么也没有写入"
        ),
        (DbProblem::OtherStreetsTicket, _) => format!(
            "{which} is not in your street (it is another street's ticket, which your role cannot see): the database refused the write and nothing was written"
        ),
        (_, Zh) => format!(
            "{which}不属于你的街道(它记的街道不是你角色的街道):数据库拒绝了这次写入,什么也没有写入;只有它所在的街道或区里可以写它"
        ),
        (_, _) => format!(
            "{which} is not in your street (its record names a street other than your role's): the database refused the write and nothing was written; only its street or the district may write it"
        ),
    }
}

/// A storage failure as a person reads it: a full disk, a read-only place, no permission.
fn io_text(e: &std::io::Error, lang: crate::i18n::Lang) -> String {
    use std::io::ErrorKind;
    let (zh, en) = match e.kind() {
        ErrorKind::StorageFull => (
            "磁盘已满:这次没有写入任何内容。请释放空间后重试",
            "the disk is full: nothing was written this time. Free some space and try again",
        ),
        ErrorKind::ReadOnlyFilesystem => (
            "数据库所在的位置是只读的,不能打开写入。请换一个 --db,或让该位置可写",
            "the store is on a read-only file system and cannot be opened for writing. Use another --db or make it writable",
        ),
        ErrorKind::PermissionDenied => (
            "没有权限读写数据库目录。请检查它的属主和权限",
            "no permission to read and write the store directory. Check its owner and permissions",
        ),
        _ => ("", ""),
    };
    if zh.is_empty() {
        return match lang {
            crate::i18n::Lang::Zh => format!("存储错误:{e}"),
            crate::i18n::Lang::En => format!("storage error: {e}"),
        };
    }
    format!("{} ({e})", lang.t(zh, en))
}

impl StoreError {
    /// The message in the interface language.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Lang::Zh;
        match (self, lang) {
            (StoreError::Io(e), l) => io_text(e, l),
            (StoreError::Conflict(id), Zh) => {
                format!("工单 {id} 刚被另一处修改,这次没有写入任何内容;请重试")
            }
            (StoreError::Backend(e), Zh) => format!("存储错误:{e}"),
            (StoreError::Locked(p), Zh) => format!(
                "数据库 {} 正被另一个 genban 进程使用,且它没有应答;请先关闭那个程序(或换一个 --db)",
                p.display()
            ),
            (StoreError::NotAStore(p), Zh) => format!(
                "{} 里有别的文件,不是跟办数据库:--db 请用一个空目录或新目录",
                p.display()
            ),
            (StoreError::Missing(p), Zh) => format!(
                "{} 没有数据库(请检查 --db;`genban import` 或 `genban demo` 会新建一个)",
                p.display()
            ),
            (StoreError::NewerSchema { path, found, supported }, Zh) => format!(
                "数据库 {} 由更新版本的 genban 写入(格式 {found},本程序最高读 {supported});请升级 genban",
                path.display()
            ),
            (StoreError::Corrupt { path, detail }, Zh) => format!(
                "数据库 {} 已损坏:{detail}。`genban verify` 列出每条损坏的记录;`genban export --format jsonl -o 文件` 保存所有可读的记录",
                path.display()
            ),
            (StoreError::Unsupported(scheme), Zh) => format!(
                "--db {scheme}://…:跟办的数据库可以是一个目录(sled)或 PostgreSQL(postgres://用户@主机/库名);不支持 {scheme}://"
            ),
            (StoreError::Database { location, problem, detail }, l) => {
                db_text(*problem, location, detail, l)
            }
            (e, _) => e.to_string(),
        }
    }
}

/// Events to append to one ticket, and what is derived from its log after them.
#[derive(Debug, Clone)]
pub struct TicketChange {
    pub id: String,
    /// How many events the ticket held when the change was checked: the store refuses the
    /// whole commit (`Conflict`) when another writer appended to the ticket since.
    pub expected_events: usize,
    pub new_events: Vec<Event>,
    /// The chain numbers the new events keep (a whole chained log into an empty store: each
    /// event's `seq`, the chain rebuilt in their order from the genesis, `chain::kept`);
    /// empty: they are chained on after the head, in the order given.
    pub chain_at: Vec<u64>,
    pub derived: Derived,
}

/// What a store calls with the tickets another writer wrote (None: read everything again).
pub type ChangeFeed = Box<dyn Fn(Option<Vec<String>>) + Send + 'static>;

/// A visitor of tickets: called with each id and its events.
pub type TicketVisitor<'a> = dyn FnMut(&str, Vec<Event>) -> Result<(), StoreError> + 'a;

/// A visitor of tickets' facts: called with each id and its facts.
pub type FactsVisitor<'a> = dyn FnMut(&str, TicketFacts) -> Result<(), StoreError> + 'a;

/// A visitor of tickets' facts as stored (`TicketFacts::encode`).
pub type EncodedVisitor<'a> = dyn FnMut(&str, &[u8]) -> Result<(), StoreError> + 'a;

/// A visitor of tickets' stored lines, unparsed.
pub type RawVisitor<'a> = dyn FnMut(&str, Vec<String>) -> Result<(), StoreError> + 'a;

/// Tickets found by their latest state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Find {
    /// In a state.
    InState(State),
    /// In progress with the deadline before a date (overdue on it).
    DueBefore(NaiveDate),
    /// Resolved, the latest resolution first: `limit` of them after skipping `offset`.
    NewestResolved { offset: usize, limit: usize },
}

/// Storage of the event log and what is derived from it.
pub trait EventStore: Send + Sync {
    /// The events of one ticket, in the order they were appended.
    fn events(&self, id: &str) -> Result<Vec<Event>, StoreError>;
    /// Appends all changes as one transaction (or, for very large imports, as a journaled
    /// sequence that is rolled back on the next open if it was cut short) and flushes to disk.
    /// Refused with `Conflict` when a ticket holds other than `expected_events` events.
    fn commit(&self, changes: &[TicketChange]) -> Result<(), StoreError>;
    /// The ids of the tickets found, in id order (`NewestResolved`: newest first).
    fn find(&self, find: Find) -> Result<Vec<String>, StoreError>;
    /// How many tickets are in each state (tickets not dispatched are not counted).
    fn count_by_state(&self) -> Result<Vec<(State, usize)>, StoreError>;
    /// The units tickets are with now (dispatched tickets), sorted.
    fn units(&self) -> Result<Vec<String>, StoreError>;
    /// The categories of the tickets' records, sorted.
    fn categories(&self) -> Result<Vec<String>, StoreError>;
    /// The ids of the tickets whose search text matches, in id order.
    fn search(&self, query: &Query) -> Result<Vec<String>, StoreError>;
    /// How many tickets the store holds (kept, not counted).
    fn ticket_count(&self) -> Result<usize, StoreError>;
    /// Calls `f` with each ticket's id and facts, in id order.
    fn for_each_facts(&self, f: &mut FactsVisitor) -> Result<(), StoreError>;
    /// Calls `f` with each ticket's id and its facts as stored (`TicketFacts::encode`), in id
    /// order, for readers that decode on other threads.
    fn for_each_facts_encoded(&self, f: &mut EncodedVisitor) -> Result<(), StoreError>;
    /// The facts of the tickets named (those that exist), in the order given.
    fn facts_of(&self, ids: &[String]) -> Result<Vec<(String, TicketFacts)>, StoreError>;
    /// Calls `f` with each ticket id and its events, in id order.
    fn for_each_ticket(&self, f: &mut TicketVisitor) -> Result<(), StoreError>;
    /// The latest instant of any stored event.
    fn latest_at(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// A stored setting.
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Stores a setting (flushed).
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Every stored setting, by key (what `migrate` carries over).
    fn settings(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// Follows other writers' commits (other processes, other machines): `on_change` is called
    /// with the ids of the tickets each one wrote (None: too many to name, read everything),
    /// on a thread of its own, for as long as the process runs. Returns false when the backend
    /// has no such feed (sled: one process holds the store; others reach it through the app).
    fn watch(&self, on_change: ChangeFeed) -> Result<bool, StoreError> {
        drop(on_change);
        Ok(false)
    }
    /// Whether the store's server can be reached, as its connections last found (a store
    /// without a server: always). Cheap: it reads what the store knows and asks the server
    /// nothing; a server database that went away is tried again by the store itself.
    fn reachable(&self) -> bool {
        true
    }
    /// Where it lives, for messages.
    fn location(&self) -> String;
    /// Calls `f` with each ticket id and its stored event lines as text, unparsed (what
    /// `verify` and a rescue export read when some events are unreadable).
    fn for_each_raw(&self, f: &mut RawVisitor) -> Result<(), StoreError>;
    /// What the user should know about the store as it was opened (e.g. it was open to others).
    fn warnings(&self) -> Vec<String>;
    /// In tolerant mode, unreadable events are skipped instead of failing the read.
    fn set_tolerant(&self, on: bool);
    /// Appends a record to the audit trail of reveals (flushed; apart from the ticket log).
    fn append_audit(&self, record: &str) -> Result<(), StoreError>;
    /// The audit trail, oldest first.
    fn audit_log(&self) -> Result<Vec<String>, StoreError>;
    /// The end of the tamper-evident chain, if the store has one.
    fn chain_head(&self) -> Result<Option<crate::domain::chain::Head>, StoreError>;
    /// Compares what is stored beside each ticket's log with what is `expected` from it (a
    /// batch of tickets); returns what differs.
    fn check_derived(&self, expected: &[(String, Derived)]) -> Result<Vec<String>, StoreError>;
    /// Compares the whole of the stored summaries and lookup keys with those of `expected`
    /// (every ticket's summary): what is stored without a log behind it, or missing.
    fn check_summaries(
        &self,
        expected: &std::collections::HashMap<String, Summary>,
    ) -> Result<Vec<String>, StoreError>;
}
