//! The sled backend.
//!
//! Trees: `events` (`id` → the ticket's events, one JSON line each, in append order: one read
//! per ticket), `tickets` (`id` → summary),
//! `idx` (index keys → empty), `meta` (settings), `journal` (what a large import wrote so far,
//! to roll it back if it was cut short).

use super::{EventStore, StoreError, TicketChange, TicketVisitor, SCHEMA_VERSION};
use crate::domain::chain::{self, Head};
use crate::domain::event::Event;
use crate::domain::summary::Summary;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;
use std::path::{Path, PathBuf};

/// Tickets per transaction in a large import.
const CHUNK: usize = 2_000;
const PENDING: &str = "pending_commit";
const LATEST_AT: &str = "latest_at";
/// The end of the tamper-evident chain (`domain::chain::Head` as JSON).
const CHAIN_HEAD: &str = "chain_head";

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
    tolerant: std::sync::atomic::AtomicBool,
    /// Others could read the store when it was opened (it is now its owner's only).
    was_open_to_others: bool,
}

/// A journal value: what a key held before (1 + bytes), or that it was absent (0).
fn journal_value(old: Option<&[u8]>) -> Vec<u8> {
    match old {
        Some(v) => {
            let mut out = vec![1];
            out.extend_from_slice(v);
            out
        }
        None => vec![0],
    }
}

fn journal_old(v: &[u8]) -> Option<&[u8]> {
    (v.first() == Some(&1)).then(|| &v[1..])
}

impl SledStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        let io = |e: std::io::Error| StoreError::Sled(sled::Error::Io(e));
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        // Never scatter a store's files into a directory that holds something else.
        if dir.exists() && !is_store(dir) && std::fs::read_dir(dir).map_err(io)?.next().is_some() {
            return Err(StoreError::NotAStore(dir.to_path_buf()));
        }
        if !dir.exists() {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(dir)
                .map_err(io)?;
        }
        // Told only of a store that existed: a new one in a fresh directory is simply made private.
        let existed = is_store(dir);
        let was_open_to_others = make_private(dir).map_err(io)? && existed;
        // A store closed a moment ago in this process may still be held by sled's flusher
        // thread: retry briefly before saying another process has it.
        let mut tries = 0;
        let db = loop {
            match sled::Config::new().path(dir).open() {
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
            db,
            tolerant: Default::default(),
            was_open_to_others,
        };
        // sled made its files with the process's umask: the owner's only.
        make_private(dir).map_err(io)?;
        store.check_schema()?;
        store.recover()?;
        store.migrate_chain()?;
        Ok(store)
    }

    /// A store written before the chain existed gets one, over its events as they are (in id
    /// order, then append order). Interrupted, it starts again on the next open.
    fn migrate_chain(&self) -> Result<(), StoreError> {
        if self.meta.get(CHAIN_HEAD)?.is_some() || self.events.is_empty() {
            let current = SCHEMA_VERSION.to_string();
            if self.meta.get("schema")?.as_deref() != Some(current.as_bytes()) {
                self.meta.insert("schema", current.as_bytes())?;
                self.db.flush()?;
            }
            return Ok(());
        }
        let mut head = Head::default();
        for item in self.events.iter() {
            let (k, v) = item?;
            let id = String::from_utf8_lossy(&k).into_owned();
            let mut lines = Vec::new();
            for line in String::from_utf8_lossy(&v)
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                match Event::from_json_str(line) {
                    Ok(e) => {
                        lines.extend_from_slice(chain::line_with(&e, &head.append(&e)).as_bytes())
                    }
                    // An unreadable line is kept as it is; `verify` names it.
                    Err(_) => lines.extend_from_slice(line.as_bytes()),
                }
                lines.push(b'\n');
            }
            self.events.insert(id.as_bytes(), lines)?;
        }
        self.meta
            .insert(CHAIN_HEAD, serde_json::to_vec(&head).expect("json"))?;
        self.meta
            .insert("schema", SCHEMA_VERSION.to_string().as_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    fn head_of(raw: Option<&[u8]>) -> Head {
        raw.and_then(|v| serde_json::from_slice(v).ok())
            .unwrap_or_default()
    }

    fn check_schema(&self) -> Result<(), StoreError> {
        match self.meta.get("schema")? {
            None => {
                self.meta
                    .insert("schema", SCHEMA_VERSION.to_string().as_bytes())?;
                self.db.flush()?;
                Ok(())
            }
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
                    Ok(())
                }
            }
        }
    }

    /// A ticket's stored lines as events.
    fn parse_lines(&self, id: &str, v: &[u8]) -> Result<Vec<Event>, StoreError> {
        let tolerant = self.tolerant.load(std::sync::atomic::Ordering::Relaxed);
        let text = String::from_utf8_lossy(v);
        let mut out = Vec::new();
        for (n, l) in text.lines().enumerate() {
            match Event::from_json_str(l) {
                Ok(e) => out.push(e),
                Err(_) if tolerant => {}
                Err(e) => {
                    return Err(self.corrupt(format!(
                        "event {} of ticket {id} cannot be read ({e})",
                        n + 1
                    )))
                }
            }
        }
        Ok(out)
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

    /// Rolls back a large commit that was cut short, or clears a finished one's journal.
    fn recover(&self) -> Result<(), StoreError> {
        let pending = self.meta.get(PENDING)?.is_some();
        if pending {
            for item in self.journal.iter() {
                let (k, v) = item?;
                match k.first() {
                    Some(b'e') => match journal_old(&v) {
                        Some(old) => {
                            self.events.insert(&k[1..], old)?;
                        }
                        None => {
                            self.events.remove(&k[1..])?;
                        }
                    },
                    Some(b't') => {
                        let id =
                            std::str::from_utf8(&k[1..]).map_err(|_| self.corrupt("journal"))?;
                        let old: Option<StoredTicket> = if v.is_empty() {
                            None
                        } else {
                            Some(serde_json::from_slice(&v).map_err(|_| self.corrupt("journal"))?)
                        };
                        if let Some(cur) = self.stored_ticket(self.tickets.get(id)?)? {
                            for key in cur.summary.index_keys(id) {
                                self.idx.remove(key)?;
                            }
                        }
                        match old {
                            Some(o) => {
                                for key in o.summary.index_keys(id) {
                                    self.idx.insert(key, &[])?;
                                }
                                self.tickets
                                    .insert(id, serde_json::to_vec(&o).expect("json"))?;
                            }
                            None => {
                                self.tickets.remove(id)?;
                            }
                        }
                    }
                    Some(b'm') => {
                        if v.is_empty() {
                            self.meta.remove(LATEST_AT)?;
                        } else {
                            self.meta.insert(LATEST_AT, v)?;
                        }
                    }
                    Some(b'c') => {
                        if v.is_empty() {
                            self.meta.remove(CHAIN_HEAD)?;
                        } else {
                            self.meta.insert(CHAIN_HEAD, v)?;
                        }
                    }
                    _ => {}
                }
            }
            self.meta.remove(PENDING)?;
            self.db.flush()?;
        }
        if !self.journal.is_empty() {
            self.journal.clear()?;
            self.db.flush()?;
        }
        Ok(())
    }

    fn write_chunk(
        &self,
        changes: &[TicketChange],
        journaled: bool,
        latest: &mut Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let before_latest = *latest;
        let mut new_latest = *latest;
        for c in changes {
            for e in &c.new_events {
                let t = e.instant();
                if new_latest.is_none_or(|l| t > l) {
                    new_latest = Some(t);
                }
            }
        }
        let res = (
            &self.events,
            &self.tickets,
            &self.idx,
            &self.meta,
            &self.journal,
        )
            .transaction(|(ev, tk, idx, meta, jr)| {
                let old_head = meta.get(CHAIN_HEAD)?;
                if journaled && jr.get(b"c")?.is_none() {
                    jr.insert(
                        b"c".to_vec(),
                        old_head.as_ref().map(|v| v.to_vec()).unwrap_or_default(),
                    )?;
                }
                let mut head = SledStore::head_of(old_head.as_deref());
                for c in changes {
                    let old_raw = tk.get(c.id.as_bytes())?;
                    let old: Option<StoredTicket> = match &old_raw {
                        Some(v) => Some(serde_json::from_slice(v).map_err(|e| {
                            ConflictableTransactionError::Abort(format!("ticket {}: {e}", c.id))
                        })?),
                        None => None,
                    };
                    if journaled {
                        let mut jk = b"t".to_vec();
                        jk.extend_from_slice(c.id.as_bytes());
                        if jr.get(&jk)?.is_none() {
                            jr.insert(jk, old_raw.clone().unwrap_or_default())?;
                        }
                    }
                    if let Some(o) = &old {
                        for key in o.summary.index_keys(&c.id) {
                            idx.remove(key)?;
                        }
                    }
                    let old_events = ev.get(c.id.as_bytes())?;
                    if journaled {
                        let mut jk = b"e".to_vec();
                        jk.extend_from_slice(c.id.as_bytes());
                        if jr.get(&jk)?.is_none() {
                            jr.insert(jk, journal_value(old_events.as_deref()))?;
                        }
                    }
                    let mut lines = old_events.map(|v| v.to_vec()).unwrap_or_default();
                    if !lines.is_empty() && lines.last() != Some(&b'\n') {
                        lines.push(b'\n');
                    }
                    for e in &c.new_events {
                        let link = head.append(e);
                        lines.extend_from_slice(chain::line_with(e, &link).as_bytes());
                        lines.push(b'\n');
                    }
                    ev.insert(c.id.as_bytes(), lines)?;
                    for key in c.summary.index_keys(&c.id) {
                        idx.insert(key, &[])?;
                    }
                    let st = StoredTicket {
                        summary: c.summary.clone(),
                    };
                    tk.insert(c.id.as_bytes(), serde_json::to_vec(&st).expect("json"))?;
                }
                meta.insert(CHAIN_HEAD, serde_json::to_vec(&head).expect("json"))?;
                if new_latest != before_latest {
                    if journaled && jr.get(b"m")?.is_none() {
                        let old = meta.get(LATEST_AT)?.map(|v| v.to_vec()).unwrap_or_default();
                        jr.insert(b"m".to_vec(), old)?;
                    }
                    if let Some(t) = new_latest {
                        meta.insert(LATEST_AT, t.to_rfc3339().into_bytes())?;
                    }
                }
                Ok(())
            });
        match res {
            Ok(()) => {
                *latest = new_latest;
                Ok(())
            }
            Err(TransactionError::Abort(msg)) => Err(self.corrupt(msg)),
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
        }
    }
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
        _ => StoreError::Sled(e),
    }
}

impl EventStore for SledStore {
    fn events(&self, id: &str) -> Result<Vec<Event>, StoreError> {
        match self.events.get(id.as_bytes())? {
            Some(v) => self.parse_lines(id, &v),
            None => Ok(Vec::new()),
        }
    }

    fn commit(&self, changes: &[TicketChange]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut latest = self.latest_at()?;
        if changes.len() <= CHUNK {
            self.write_chunk(changes, false, &mut latest)?;
        } else {
            self.meta.insert(PENDING, "1")?;
            self.db.flush()?;
            for chunk in changes.chunks(CHUNK) {
                self.write_chunk(chunk, true, &mut latest)?;
            }
            self.db.flush()?;
            // The commit point: once the marker is gone, the import stands.
            self.meta.remove(PENDING)?;
            self.db.flush()?;
            self.journal.clear()?;
        }
        self.db.flush()?;
        Ok(())
    }

    fn index(
        &self,
        prefix: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let start = format!("{prefix}{}", from.unwrap_or(""));
        // `\u{10FFFF}` sorts after any value; `to` is inclusive, so end after its `\0 id` keys.
        let end = match to {
            Some(t) => format!("{prefix}{t}\u{1}"),
            None => format!("{prefix}\u{10FFFF}"),
        };
        let mut out = Vec::new();
        for item in self.idx.range(start.as_bytes()..end.as_bytes()) {
            let (k, _) = item?;
            if let Some(pair) = crate::domain::summary::split_index_key(&k, prefix) {
                out.push(pair);
            }
        }
        Ok(out)
    }

    fn ticket_count(&self) -> Result<usize, StoreError> {
        Ok(self.tickets.len())
    }

    fn for_each_ticket(&self, f: &mut TicketVisitor) -> Result<(), StoreError> {
        for item in self.events.iter() {
            let (k, v) = item?;
            let id =
                std::str::from_utf8(&k).map_err(|_| self.corrupt("a ticket id is not UTF-8"))?;
            f(id, self.parse_lines(id, &v)?)?;
        }
        Ok(())
    }

    fn latest_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self
            .meta
            .get(LATEST_AT)?
            .and_then(|v| DateTime::parse_from_rfc3339(std::str::from_utf8(&v).ok()?).ok())
            .map(|t| t.with_timezone(&Utc)))
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(format!("user/{key}"))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.meta.insert(format!("user/{key}"), value.as_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn for_each_raw(&self, f: &mut crate::store::RawVisitor) -> Result<(), StoreError> {
        for item in self.events.iter() {
            let (k, v) = item?;
            let id = String::from_utf8_lossy(&k);
            let lines = String::from_utf8_lossy(&v)
                .lines()
                .map(str::to_string)
                .collect();
            f(&id, lines)?;
        }
        Ok(())
    }

    fn append_audit(&self, record: &str) -> Result<(), StoreError> {
        let id = self.db.generate_id()?;
        self.audit.insert(id.to_be_bytes(), record.as_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    fn audit_log(&self) -> Result<Vec<String>, StoreError> {
        self.audit
            .iter()
            .values()
            .map(|v| Ok(String::from_utf8_lossy(&v?).into_owned()))
            .collect()
    }

    fn chain_head(&self) -> Result<Option<Head>, StoreError> {
        Ok(self
            .meta
            .get(CHAIN_HEAD)?
            .map(|v| SledStore::head_of(Some(&v))))
    }

    fn check_indexes(
        &self,
        expected: &std::collections::HashMap<String, Summary>,
    ) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut want: Vec<Vec<u8>> = Vec::with_capacity(expected.len() * 4);
        let mut seen = 0;
        // One pass over the stored summaries (sled iterates in key order).
        for item in self.tickets.iter() {
            let (k, v) = item?;
            let id = String::from_utf8_lossy(&k);
            let Some(s) = expected.get(id.as_ref()) else {
                problems.push(format!("ticket {id}: a summary without events"));
                continue;
            };
            seen += 1;
            match serde_json::from_slice::<StoredTicket>(&v) {
                Ok(st) if st.summary == *s => {}
                Ok(_) => problems.push(format!("ticket {id}: stored summary differs from its log")),
                Err(e) => problems.push(format!("ticket {id}: summary unreadable ({e})")),
            }
        }
        if seen < expected.len() {
            for id in expected.keys() {
                if self.tickets.get(id.as_bytes())?.is_none() {
                    problems.push(format!("ticket {id}: no summary stored"));
                }
            }
        }
        for (id, s) in expected {
            want.extend(s.index_keys(id));
        }
        want.sort_unstable();
        want.dedup();
        let show = |k: &[u8]| String::from_utf8_lossy(k).replace('\0', " ");
        // Both sides sorted: walk them together.
        let mut w = want.iter().peekable();
        for item in self.idx.iter() {
            let (k, _) = item?;
            while let Some(x) = w.next_if(|x| x.as_slice() < k.as_ref()) {
                problems.push(format!("index key missing: {}", show(x)));
            }
            if w.next_if(|x| x.as_slice() == k.as_ref()).is_none() {
                problems.push(format!(
                    "index key without a ticket state behind it: {}",
                    show(&k)
                ));
            }
        }
        for x in w {
            problems.push(format!("index key missing: {}", show(x)));
        }
        Ok(problems)
    }

    fn warnings(&self) -> Vec<String> {
        if self.was_open_to_others {
            vec![format!(
                "the store {} could be read by other users; it is now readable by its owner only",
                self.path.display()
            )]
        } else {
            Vec::new()
        }
    }

    fn set_tolerant(&self, on: bool) {
        self.tolerant
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }
}
