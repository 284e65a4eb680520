//! Writing to the sled backend: a commit's chunk in one transaction over every tree, and the
//! journal that lets a large import that was cut short be rolled back on the next open.

use super::{
    keys, SledStore, StoredTicket, CHAIN_HEAD, LATEST_AT, PENDING, PENDING_EMPTY, TICKET_COUNT,
};
use crate::domain::chain;
use crate::domain::event::Event;
use crate::store::{StoreError, TicketChange};
use chrono::{DateTime, Utc};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree as Tx};
use sled::Transactional;

/// Why a transaction gave up.
enum Abort {
    Corrupt(String),
    Conflict(String),
}

type TxResult<T> = Result<T, ConflictableTransactionError<Abort>>;

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

/// What a journal value says a key held. Also reads the journal of a store of schema 2, which
/// noted summaries and settings as they were (empty: absent); neither starts with byte 0 or 1.
fn journal_old(v: &[u8]) -> Option<&[u8]> {
    match v.first() {
        None | Some(0) => None,
        Some(1) => Some(&v[1..]),
        Some(_) => Some(v),
    }
}

/// Notes what `key` of the tree named by `tag` held before this import touched it.
fn journal(jr: &Tx, tag: u8, key: &[u8], old: Option<&[u8]>) -> TxResult<()> {
    let mut jk = vec![tag];
    jk.extend_from_slice(key);
    if jr.get(&jk)?.is_none() {
        jr.insert(jk, journal_value(old))?;
    }
    Ok(())
}

/// How many events a ticket's stored lines hold.
fn lines_in(v: &[u8]) -> usize {
    v.split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count()
}

/// The chain a commit keeps (`TicketChange::chain_at`): each event's `prev`, found by the
/// index of its change's first event.
pub(super) struct KeptLines {
    kept: chain::Kept,
    starts: Vec<usize>,
}

impl KeptLines {
    /// The stored line of event `event` of change `change` (`c`).
    fn line(&self, change: usize, event: usize, c: &TicketChange) -> String {
        let prev = &self.kept.prevs[self.starts[change] + event];
        chain::line_at(&c.new_events[event], c.chain_at[event], prev)
    }
}

/// The chain a commit keeps when its changes carry their chain numbers; None when it is
/// chained on after the head. Refused when only some events carry one, or their numbers are
/// not `1..=n`.
pub(super) fn kept_lines(changes: &[TicketChange]) -> Result<Option<KeptLines>, StoreError> {
    if changes.iter().all(|c| c.chain_at.is_empty()) {
        return Ok(None);
    }
    let (mut events, mut seqs, mut starts) = (Vec::new(), Vec::new(), Vec::new());
    for c in changes {
        if c.chain_at.len() != c.new_events.len() {
            return Err(StoreError::Backend(format!(
                "ticket {}: not every new event carries its chain number",
                c.id
            )));
        }
        starts.push(events.len());
        events.extend(c.new_events.iter());
        seqs.extend_from_slice(&c.chain_at);
    }
    match chain::kept(&events, &seqs) {
        Some(kept) => Ok(Some(KeptLines { kept, starts })),
        None => Err(StoreError::Backend(
            "the chain numbers of a commit are not 1 to the number of its events".into(),
        )),
    }
}

impl SledStore {
    /// Rolls back a large commit that was cut short, or clears a finished one's journal.
    pub(super) fn recover(&self) -> Result<(), StoreError> {
        match self.meta.get(PENDING)? {
            None => {}
            Some(v) if v.as_ref() == PENDING_EMPTY.as_bytes() => {
                // Begun on an empty store: empty it again (settings and the audit trail stay).
                for tree in [
                    &self.events,
                    &self.tickets,
                    &self.idx,
                    &self.facts,
                    &self.text,
                ] {
                    tree.clear()?;
                }
                for key in [CHAIN_HEAD, LATEST_AT, TICKET_COUNT, PENDING] {
                    self.meta.remove(key)?;
                }
                self.db.flush()?;
            }
            Some(_) => {
                for item in self.journal.iter() {
                    let (k, v) = item?;
                    self.undo(&k, &v)?;
                }
                self.meta.remove(PENDING)?;
                self.db.flush()?;
            }
        }
        if !self.journal.is_empty() {
            self.journal.clear()?;
            self.db.flush()?;
        }
        Ok(())
    }

    /// Puts back what one journal entry says a key held.
    fn undo(&self, k: &[u8], v: &[u8]) -> Result<(), StoreError> {
        let Some((&tag, key)) = k.split_first() else {
            return Ok(());
        };
        let restore = |tree: &sled::Tree, old: Option<&[u8]>| -> Result<(), StoreError> {
            match old {
                Some(o) => tree.insert(key, o).map(drop)?,
                None => tree.remove(key).map(drop)?,
            }
            Ok(())
        };
        match tag {
            b't' => {
                let id = std::str::from_utf8(key).map_err(|_| self.corrupt("journal"))?;
                if let Some(cur) = self.stored_ticket(self.tickets.get(id)?)? {
                    for key in keys::of(&cur.summary, id) {
                        self.idx.remove(key)?;
                    }
                }
                if let Some(old) = journal_old(v) {
                    let o: StoredTicket =
                        serde_json::from_slice(old).map_err(|_| self.corrupt("journal"))?;
                    for key in keys::of(&o.summary, id) {
                        self.idx.insert(key, &[])?;
                    }
                }
                restore(&self.tickets, journal_old(v))
            }
            b'e' => restore(&self.events, journal_old(v)),
            b'f' => restore(&self.facts, journal_old(v)),
            b'x' => restore(&self.text, journal_old(v)),
            b'm' | b'c' | b'n' => {
                let name = match tag {
                    b'm' => LATEST_AT,
                    b'c' => CHAIN_HEAD,
                    _ => TICKET_COUNT,
                };
                match journal_old(v) {
                    Some(o) => self.meta.insert(name, o).map(drop)?,
                    None => self.meta.remove(name).map(drop)?,
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Writes a whole commit into an empty store with plain ordered inserts: no transaction and
    /// nothing read back (the commit's marker says to empty the store if it is cut short). The
    /// chain is `kept`, or made in the order given.
    pub(super) fn write_plain(
        &self,
        changes: &[TicketChange],
        kept: Option<&KeptLines>,
    ) -> Result<(), StoreError> {
        let mut head = chain::Head::default();
        let mut latest: Option<DateTime<Utc>> = None;
        let mut line = Vec::new();
        for (ci, c) in changes.iter().enumerate() {
            line.clear();
            for (ei, e) in c.new_events.iter().enumerate() {
                let l = match kept {
                    Some(k) => k.line(ci, ei, c),
                    None => head.append_line(e),
                };
                line.extend_from_slice(l.as_bytes());
                line.push(b'\n');
                latest = latest.max(Some(e.instant()));
            }
            let id = c.id.as_bytes();
            self.events.insert(id, line.as_slice())?;
            for key in keys::of(&c.derived.summary, &c.id) {
                self.idx.insert(key, &[])?;
            }
            let st = StoredTicket {
                summary: c.derived.summary.clone(),
            };
            self.tickets
                .insert(id, serde_json::to_vec(&st).expect("json"))?;
            self.facts.insert(id, c.derived.facts.encode())?;
            self.text.insert(id, c.derived.search.as_bytes())?;
        }
        if let Some(k) = kept {
            head = k.kept.head.clone();
        }
        self.meta
            .insert(CHAIN_HEAD, serde_json::to_vec(&head).expect("json"))?;
        self.meta
            .insert(TICKET_COUNT, changes.len().to_string().as_bytes())?;
        if let Some(t) = latest {
            self.meta.insert(LATEST_AT, t.to_rfc3339().into_bytes())?;
        }
        Ok(())
    }

    /// Writes one chunk of a commit in one transaction; `journaled` notes every old value. A
    /// `kept` chain (of these changes) goes only onto an empty chain.
    pub(super) fn write_chunk(
        &self,
        changes: &[TicketChange],
        journaled: bool,
        latest: &mut Option<DateTime<Utc>>,
        kept: Option<&KeptLines>,
    ) -> Result<(), StoreError> {
        let mut new_latest = *latest;
        for e in changes.iter().flat_map(|c| &c.new_events) {
            let t = e.instant();
            if new_latest.is_none_or(|l| t > l) {
                new_latest = Some(t);
            }
        }
        let trees = (
            &self.events,
            &self.tickets,
            &self.idx,
            &self.meta,
            &self.journal,
            &self.facts,
            &self.text,
        );
        let res = trees.transaction(|(ev, tk, idx, meta, jr, fa, tx)| {
            let old_head = meta.get(CHAIN_HEAD)?;
            let old_count = meta.get(TICKET_COUNT)?;
            if journaled {
                for (tag, name) in [(b'c', CHAIN_HEAD), (b'n', TICKET_COUNT), (b'm', LATEST_AT)] {
                    journal(jr, tag, b"", meta.get(name)?.as_deref())?;
                }
            }
            let mut head = SledStore::head_of(old_head.as_deref());
            if let (Some(_), Some(c)) = (kept, changes.first()) {
                if head.seq != 0 {
                    return Err(ConflictableTransactionError::Abort(Abort::Conflict(
                        c.id.clone(),
                    )));
                }
            }
            let mut count = SledStore::count_of(old_count.as_deref());
            for (ci, c) in changes.iter().enumerate() {
                let trees = [(b'e', ev), (b't', tk), (b'f', fa), (b'x', tx)];
                if journaled {
                    for (tag, tree) in trees {
                        journal(
                            jr,
                            tag,
                            c.id.as_bytes(),
                            tree.get(c.id.as_bytes())?.as_deref(),
                        )?;
                    }
                }
                let mut line = |ei: usize, e: &Event| match kept {
                    Some(k) => k.line(ci, ei, c),
                    None => head.append_line(e),
                };
                if write_ticket(c, ev, tk, idx, &mut line)? {
                    count += 1;
                }
                fa.insert(c.id.as_bytes(), c.derived.facts.encode())?;
                tx.insert(c.id.as_bytes(), c.derived.search.as_bytes())?;
            }
            if let Some(k) = kept {
                head = k.kept.head.clone();
            }
            meta.insert(CHAIN_HEAD, serde_json::to_vec(&head).expect("json"))?;
            meta.insert(TICKET_COUNT, count.to_string().as_bytes())?;
            if new_latest != *latest {
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
            Err(TransactionError::Abort(Abort::Corrupt(msg))) => Err(self.corrupt(msg)),
            Err(TransactionError::Abort(Abort::Conflict(id))) => Err(StoreError::Conflict(id)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }
}

/// Appends one ticket's events (each as `line` writes it, with its link) and replaces its
/// summary and lookup keys. Returns whether the ticket is new.
fn write_ticket(
    c: &TicketChange,
    ev: &Tx,
    tk: &Tx,
    idx: &Tx,
    line: &mut dyn FnMut(usize, &Event) -> String,
) -> TxResult<bool> {
    let old_raw = tk.get(c.id.as_bytes())?;
    if let Some(v) = &old_raw {
        let old: StoredTicket = serde_json::from_slice(v).map_err(|e| {
            ConflictableTransactionError::Abort(Abort::Corrupt(format!("ticket {}: {e}", c.id)))
        })?;
        for key in keys::of(&old.summary, &c.id) {
            idx.remove(key)?;
        }
    }
    let old_events = ev.get(c.id.as_bytes())?;
    let held = old_events.as_deref().map_or(0, lines_in);
    if held != c.expected_events {
        return Err(ConflictableTransactionError::Abort(Abort::Conflict(
            c.id.clone(),
        )));
    }
    let mut lines = old_events.map(|v| v.to_vec()).unwrap_or_default();
    if !lines.is_empty() && lines.last() != Some(&b'\n') {
        lines.push(b'\n');
    }
    for (i, e) in c.new_events.iter().enumerate() {
        lines.extend_from_slice(line(i, e).as_bytes());
        lines.push(b'\n');
    }
    ev.insert(c.id.as_bytes(), lines)?;
    for key in keys::of(&c.derived.summary, &c.id) {
        idx.insert(key, &[])?;
    }
    let st = StoredTicket {
        summary: c.derived.summary.clone(),
    };
    tk.insert(c.id.as_bytes(), serde_json::to_vec(&st).expect("json"))?;
    Ok(old_raw.is_none())
}
