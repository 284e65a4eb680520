//! The PostgreSQL backend: many workstations on one database.
//!
//! Tables (`assets/pg_migrations/`, applied on open by refinery): `genban_events` (one row per
//! event: its place in the chain, its ticket and place in the ticket's log, the stored line),
//! `genban_tickets` (one row per ticket: how many events it holds, the summary's lookup
//! columns, the facts, the search text), `genban_head` (the chain's end, the latest instant and
//! the ticket count: one row that every writer locks), `genban_settings`, `genban_audit`.
//!
//! A commit is one transaction: it locks the head row first (so writers queue there and the
//! chain stays one line), then checks each ticket's event count against what the writer read
//! (`Conflict` when another wrote meanwhile; the `(ticket, seq)` unique constraint guards the
//! same), appends, and replaces the derived row.

mod listen;
mod query;
mod roles;
mod write;

pub use roles::Grant;

use super::{DbProblem, StoreError};
use postgres::{Client, NoTls};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::Duration;

mod embedded {
    refinery::embed_migrations!("assets/pg_migrations");
}

/// The schema this build writes on PostgreSQL (the latest migration's number).
pub const PG_SCHEMA_VERSION: u32 = 2;

/// A key for the advisory lock held while migrations run (two workstations opening a new
/// database at once: one makes the tables, the other waits and finds them).
const MIGRATION_LOCK: i64 = 0x67656e_62616e;

/// How long a connection attempt may take before the server is said to be unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the store's connection may take to answer when it is checked after the server was
/// away.
const RECHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// TCP keepalives: a connection to a server that vanished without closing it (a cut network)
/// is found dead after about idle + interval × retries.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(10);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(2);
const KEEPALIVE_RETRIES: u32 = 3;

pub struct PgStore {
    /// The address as given (it may hold a password: never shown).
    url: String,
    /// The address without a password, for messages.
    shown: String,
    client: Mutex<Client>,
    /// The server process of `client`: its own notifications are not news.
    backend_pid: std::sync::Arc<std::sync::atomic::AtomicI32>,
    tolerant: AtomicBool,
    /// What the watcher's connection last found of the server (`listen.rs`).
    link: std::sync::Arc<Link>,
}

/// What is known of the server between uses: whether it went away (the watcher's connection
/// was lost and cannot be made again yet), and whether the store's own connection must be
/// checked before its next use (the server was away: it may have dropped it unseen).
#[derive(Default)]
pub(super) struct Link {
    away: AtomicBool,
    recheck: AtomicBool,
}

impl Link {
    pub(super) fn lost(&self) {
        self.away.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub(super) fn back(&self) {
        self.recheck
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.away.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    pub(super) fn is_away(&self) -> bool {
        self.away.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/dbname`) and brings its
    /// schema up to this build's (a newer one is refused).
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let shown = shown(url);
        let mut client = connect(url, &shown)?;
        migrate(&mut client, &shown)?;
        let backend_pid = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(
            backend_of(&mut client).map_err(|e| classify(&shown, e))?,
        ));
        Ok(PgStore {
            url: url.to_string(),
            shown,
            backend_pid,
            client: Mutex::new(client),
            tolerant: AtomicBool::new(false),
            link: std::sync::Arc::default(),
        })
    }

    /// The address as given, for a second connection (e.g. to listen for changes).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The connection, for one statement or transaction at a time. A connection the server
    /// dropped (restarted, or the network was cut) is made again here, so that genban carries
    /// on by itself once the server is back; until then each use says it cannot reach it.
    fn conn(&self) -> std::sync::MutexGuard<'_, Client> {
        // A panic while it was held cannot leave a transaction open: postgres rolls back a
        // transaction dropped without commit.
        let mut client = self.client.lock().unwrap_or_else(|e| e.into_inner());
        // Once after the server was away: a connection it dropped meanwhile may not know it
        // yet (it learns on its next use), so it is asked once now instead of failing a save.
        if self
            .link
            .recheck
            .swap(false, std::sync::atomic::Ordering::SeqCst)
            && client.is_valid(RECHECK_TIMEOUT).is_err()
        {
            if let Ok(fresh) = self.connect_again() {
                *client = fresh;
            }
        }
        if client.is_closed() {
            if let Ok(fresh) = self.connect_again() {
                *client = fresh;
            }
        }
        client
    }

    /// A new connection for the store's own use (its server process noted: its notifications
    /// are not news).
    fn connect_again(&self) -> Result<Client, StoreError> {
        let mut fresh = connect(&self.url, &self.shown)?;
        if let Ok(pid) = backend_of(&mut fresh) {
            self.backend_pid
                .store(pid, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(fresh)
    }

    /// Whether the server is reachable as far as the store knows (see `Link`).
    pub(super) fn is_reachable(&self) -> bool {
        !self.link.is_away()
    }

    /// Whether the server dropped the connection (without making it again).
    fn dropped(&self) -> bool {
        self.client
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_closed()
    }

    fn err(&self, e: postgres::Error) -> StoreError {
        classify(&self.shown, e)
    }

    fn corrupt(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.shown.clone().into(),
            detail: detail.into(),
        }
    }
}

/// The server process serving `client`.
fn backend_of(client: &mut Client) -> Result<i32, postgres::Error> {
    Ok(client.query_one("SELECT pg_backend_pid()", &[])?.get(0))
}

/// `url` without its password.
pub fn shown(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, tail) = match rest.find('@') {
        Some(at) if !rest[..at].contains('/') => (&rest[..at], &rest[at..]),
        _ => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{tail}"),
        None => format!("{scheme}://{auth}{tail}"),
    }
}

fn connect(url: &str, shown: &str) -> Result<Client, StoreError> {
    let mut config: postgres::Config = url.parse().map_err(|e| StoreError::Database {
        location: shown.to_string(),
        problem: DbProblem::BadAddress,
        detail: format!("{e}"),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("genban");
    }
    config
        .keepalives(true)
        .keepalives_idle(KEEPALIVE_IDLE)
        .keepalives_interval(KEEPALIVE_INTERVAL)
        .keepalives_retries(KEEPALIVE_RETRIES);
    config.connect(NoTls).map_err(|e| classify(shown, e))
}

/// A PostgreSQL failure as the store says it: the server unreachable, the login refused, no
/// such database, no rights, a conflict, or anything else.
pub(crate) fn classify(shown: &str, e: postgres::Error) -> StoreError {
    classify_ref(shown, &e)
}

fn classify_ref(shown: &str, e: &postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    let problem = match e.code() {
        Some(c) if *c == SqlState::INVALID_PASSWORD => DbProblem::Login,
        Some(c) if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => DbProblem::Login,
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => DbProblem::NoDatabase,
        // Row-level security refusing a row says so in its message.
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE && is_rls(e) => DbProblem::OutsideStreet,
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => DbProblem::NoRights,
        Some(c) if c.code().starts_with("08") => DbProblem::Unreachable,
        // The server shutting down or ending the session (57P01 admin_shutdown, 57P02, 57P03
        // cannot_connect_now), or a database closed to connections: it cannot be reached now.
        Some(c) if c.code().starts_with("57P") => DbProblem::Unreachable,
        Some(_) if said(e, "not currently accepting connections") => DbProblem::Unreachable,
        Some(_) => DbProblem::Other,
        None if e.is_closed() || is_io(e) => DbProblem::Unreachable,
        None => DbProblem::Other,
    };
    let detail = match e.as_db_error() {
        // Which tickets: the writer names them (`write.rs`); the server's words name a table.
        Some(_) if problem == DbProblem::OutsideStreet => String::new(),
        Some(db) => db.message().to_string(),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(x) = src {
                s = format!("{s}: {x}");
                src = x.source();
            }
            s
        }
    };
    StoreError::Database {
        location: shown.to_string(),
        problem,
        detail,
    }
}

/// Whether the server's message says `words`.
fn said(e: &postgres::Error, words: &str) -> bool {
    e.as_db_error().is_some_and(|d| d.message().contains(words))
}

/// Whether a refusal is row-level security's (a row of a street the role may not write).
pub(super) fn is_rls(e: &postgres::Error) -> bool {
    e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
        && said(e, "row-level security")
}

fn is_io(e: &postgres::Error) -> bool {
    let mut src = std::error::Error::source(e);
    while let Some(x) = src {
        if x.is::<std::io::Error>() {
            return true;
        }
        src = x.source();
    }
    e.to_string().contains("timed out") || e.to_string().contains("connect")
}

/// Applies the migrations this build knows, under an advisory lock; a database with a
/// migration this build does not know (a newer genban's) is refused.
fn migrate(client: &mut Client, shown: &str) -> Result<(), StoreError> {
    let cl = |e| classify(shown, e);
    // Up to date already (every open but the first): nothing to make, nothing to lock, and a
    // role without the right to make tables opens it as well.
    let found = applied(client).map_err(cl)?;
    if found == Some(i64::from(PG_SCHEMA_VERSION)) {
        return Ok(());
    }
    if let Some(v) = found.filter(|&v| v > i64::from(PG_SCHEMA_VERSION)) {
        return Err(newer(shown, v));
    }
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(cl)?;
    let result = embedded::migrations::runner()
        .set_abort_missing(true)
        .set_abort_divergent(true)
        .run(client);
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    match result {
        Ok(_) => {
            unlocked.map_err(cl)?;
            Ok(())
        }
        Err(e) => match e.kind() {
            refinery::error::Kind::MissingVersion(m) => {
                let found = applied(client).ok().flatten();
                Err(newer(shown, found.unwrap_or(i64::from(m.version()))))
            }
            // What the server said, when it said something (e.g. no right to make tables).
            _ if pg_cause(&e).is_some() => Err(classify_ref(shown, pg_cause(&e).expect("some"))),
            _ => Err(StoreError::Database {
                location: shown.to_string(),
                problem: DbProblem::Other,
                detail: format!("schema migration: {e}"),
            }),
        },
    }
}

/// The PostgreSQL error behind a migration's failure, if there is one.
fn pg_cause(e: &refinery::Error) -> Option<&postgres::Error> {
    let mut src = std::error::Error::source(e);
    while let Some(x) = src {
        if let Some(pg) = x.downcast_ref::<postgres::Error>() {
            return Some(pg);
        }
        src = x.source();
    }
    None
}

/// The latest migration applied to the database (None: none yet).
fn applied(client: &mut Client) -> Result<Option<i64>, postgres::Error> {
    let row = client.query_one(
        "SELECT to_regclass('refinery_schema_history') IS NOT NULL",
        &[],
    )?;
    if !row.get::<_, bool>(0) {
        return Ok(None);
    }
    client
        .query_one(
            "SELECT max(version)::bigint FROM refinery_schema_history",
            &[],
        )
        .map(|r| r.get(0))
}

fn newer(shown: &str, found: i64) -> StoreError {
    StoreError::NewerSchema {
        path: shown.into(),
        found: u32::try_from(found).unwrap_or(u32::MAX),
        supported: PG_SCHEMA_VERSION,
    }
}
