//! The sled backend.
//!
//! Trees: `events` (`id` → the ticket's events, one JSON line each, in append order: one read
//! per ticket), `tickets` (`id` → summary), `facts` (`id` → the ticket's facts, postcard),
//! `text` (`id` → search text), `idx` (lookup keys → empty, see `keys`), `meta` (settings),
//! `journal` (what a large import wrote so far, to roll it back if it was cut short), `audit`.

mod keys;
mod query;
mod upgrade;
mod write;

use super::{StoreError, SCHEMA_VERSION};
use crate::domain::chain::Head;
use crate::domain::event::Event;
use crate::domain::summary::Summary;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Tickets per transaction in a large import.
const CHUNK: usize = 2_000;
const PENDING: &str = "pending_commit";
/// `PENDING`'s value when the commit began on an empty store (nothing journaled).
const PENDING_EMPTY: &str = "into_empty";
const LATEST_AT: &str = "latest_at";
/// The end of the tamper-evident chain (`domain::chain::Head` as JSON).
const CHAIN_HEAD: &str = "chain_head";
/// How many tickets the store holds (decimal).
const TICKET_COUNT: &str = "ticket_count";
/// sled's page cache: enough for the facts of a district, bounded whatever the store's size.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct StoredTicket {
    summary: Summary,
}

pub struct SledStore {
    path: PathBuf,
    db: sled::Db,
    events: sled::Tree,
    tickets: sled::Tree,
    idx: sled::Tree,
    meta: sled::Tree,
    journal: sled::Tree,
    audit: sled::Tree,
    facts: sled::Tree,
    text: sled::Tree,
    tolerant: std::sync::atomic::AtomicBool,
    /// Others could read the store when it was opened (it is now its owner's only).
    was_open_to_others: bool,
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        match e {
            sled::Error::Io(io) => StoreError::Io(io),
            sled::Error::Corruption { .. } => StoreError::Backend(format!("sled: {e}")),
            other => StoreError::Backend(other.to_string()),
        }
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`; a store of an older schema is upgraded (its
    /// summaries dated in `tz`).
    pub fn open(dir: &Path, tz: Tz) -> Result<SledStore, StoreError> {
        // sled makes files of its own later, on its threads (snapshots: `snap.*`): from now on
        // everything this process makes is its owner's only.
        private_from_now_on();
        prepare_dir(dir)?;
        // Told only of a store that existed: a new one in a fresh directory is simply made private.
        let existed = is_store(dir);
        let was_open_to_others = make_private(dir)? && existed;
        // A store closed a moment ago in this process may still be held by sled's flusher
        // thread: retry briefly before saying another process has it.
        let mut tries = 0;
        let db = loop {
            match sled::Config::new()
                .path(dir)
                .cache_capacity(CACHE_BYTES)
                .open()
            {
                Ok(db) => break db,
                Err(e) => match classify_open_error(dir, e) {
                    StoreError::Locked(_) if tries < 20 => {
                        tries += 1;
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    other => return Err(other),
                },
            }
        };
        let open = |name: &str| db.open_tree(name);
        let store = SledStore {
            path: dir.to_path_buf(),
            events: open("events")?,
            tickets: open("tickets")?,
            idx: open("idx")?,
            meta: open("meta")?,
            journal: open("journal")?,
            audit: open("audit")?,
            facts: open("facts")?,
            text: open("text")?,
            db,
            tolerant: Default::default(),
            was_open_to_others,
        };
        // sled made its files with the process's umask: the owner's only.
        make_private(dir)?;
        let found = store.check_schema()?;
        store.recover()?;
        store.upgrade(found, tz)?;
        Ok(store)
    }

    fn head_of(raw: Option<&[u8]>) -> Head {
        raw.and_then(|v| serde_json::from_slice(v).ok())
            .unwrap_or_default()
    }

    fn count_of(raw: Option<&[u8]>) -> usize {
        raw.and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
            .unwrap_or(0)
    }

    /// The schema the store was written with (a new store: this one's); a newer one is refused.
    fn check_schema(&self) -> Result<u32, StoreError> {
        match self.meta.get("schema")? {
            None if self.events.is_empty() => {
                self.meta
                    .insert("schema", SCHEMA_VERSION.to_string().as_bytes())?;
                self.db.flush()?;
                Ok(SCHEMA_VERSION)
            }
            // Events without a schema: written before schema numbers existed.
            None => Ok(1),
            Some(v) => {
                let found: u32 = std::str::from_utf8(&v)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| self.corrupt("the schema version is unreadable"))?;
                if found > SCHEMA_VERSION {
                    Err(StoreError::NewerSchema {
                        path: self.path.clone(),
                        found,
                        supported: SCHEMA_VERSION,
                    })
                } else {
                    Ok(found)
                }
            }
        }
    }

    /// A ticket's stored lines as events.
    fn parse_lines(&self, id: &str, v: &[u8]) -> Result<Vec<Event>, StoreError> {
        let tolerant = self.tolerant.load(std::sync::atomic::Ordering::Relaxed);
        let text = String::from_utf8_lossy(v);
        crate::store::parse_events(id, text.lines(), tolerant)
            .map_err(|detail| self.corrupt(detail))
    }

    fn corrupt(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            detail: detail.into(),
        }
    }

    fn stored_ticket(&self, raw: Option<sled::IVec>) -> Result<Option<StoredTicket>, StoreError> {
        raw.map(|v| {
            serde_json::from_slice(&v).map_err(|e| self.corrupt(format!("ticket entry: {e}")))
        })
        .transpose()
    }
}

/// Sets the process's file-creation mask so that files are made 0600 and directories 0700.
fn private_from_now_on() {
    // SAFETY: umask only sets the calling process's mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Makes the store's directory (its owner's only) unless it exists; refuses a directory that
/// holds other files.
fn prepare_dir(dir: &Path) -> Result<(), StoreError> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    // Never scatter a store's files into a directory that holds something else.
    if dir.exists() && !is_store(dir) && std::fs::read_dir(dir)?.next().is_some() {
        return Err(StoreError::NotAStore(dir.to_path_buf()));
    }
    if !dir.exists() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().mode(0o700).create(dir)?;
    }
    Ok(())
}

/// Whether `dir` holds a store (sled's `conf` and `db` files).
pub fn is_store(dir: &Path) -> bool {
    dir.join("conf").is_file() && dir.join("db").is_file()
}

/// Whether a directory entry is one of the store's own (sled's files, genban's socket).
fn is_store_file(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy();
    matches!(n.as_ref(), "conf" | "db" | "blobs" | "genban.sock") || n.starts_with("snap.")
}

/// Makes a store directory and its own files its owner's only (0700 directories, 0600
/// files); nothing else in the directory is touched. Returns whether anything was readable by
/// others before.
fn make_private(dir: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let mut loose = false;
    let mut todo = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if is_store_file(&entry.file_name()) {
            todo.push(entry.path());
        }
    }
    while let Some(p) = todo.pop() {
        let is_top = p == dir;
        let meta = std::fs::symlink_metadata(&p)?;
        if meta.file_type().is_symlink() {
            continue;
        }
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            loose = true;
        }
        if mode != want {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(want))?;
        }
        // Inside the store's own subdirectories (blobs/) everything is the store's.
        if meta.is_dir() && !is_top {
            for entry in std::fs::read_dir(&p)? {
                todo.push(entry?.path());
            }
        }
    }
    Ok(loose)
}

fn classify_open_error(dir: &Path, e: sled::Error) -> StoreError {
    let text = e.to_string();
    match &e {
        sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::WouldBlock || text.contains("lock") =>
        {
            StoreError::Locked(dir.to_path_buf())
        }
        sled::Error::Corruption { .. } | sled::Error::Unsupported(_) => StoreError::Corrupt {
            path: dir.to_path_buf(),
            detail: text,
        },
        _ => e.into(),
    }
}
