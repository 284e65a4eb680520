//! Moving a whole store into another, of either backend (`genban migrate`): every event in the
//! order of the tamper-evident chain, so the new store's chain is the old one's link for link
//! and ends in the same head; the audit trail and the settings with it. The events were
//! accepted when they were first written: they are carried, not checked again (`verify` on the
//! new store checks them all).

use super::{EventStore, StoreError, TicketChange};
use crate::domain::chain::{self, Head};
use crate::domain::event::Event;
use crate::domain::summary::derive;
use crate::i18n::Lang;
use chrono_tz::Tz;
use std::collections::{HashMap, HashSet};

/// What a move carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub tickets: usize,
    pub events: usize,
    pub audit: usize,
    pub settings: usize,
    /// The chain's end, the same in both stores.
    pub head: Option<Head>,
}

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    /// The store moved into holds tickets or a chain already.
    #[error("the store {0} is not empty: migrate moves into an empty store only")]
    NotEmpty(String),
    /// A stored event cannot be read, or carries no place in the chain.
    #[error("ticket {ticket} event {event} of the store moved from {why}: run `genban verify` on it first")]
    Unreadable {
        ticket: String,
        event: usize,
        why: String,
    },
    /// The chain of the store moved from has a gap or a number twice.
    #[error("the chain of the store moved from is broken at number {0}: run `genban verify` on it first")]
    Broken(u64),
    /// The new store's chain ended elsewhere (nothing should make it so).
    #[error("the new store's chain ends at {got:?}, the old one's at {want:?}")]
    HeadDiffers {
        got: Option<Head>,
        want: Option<Head>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MoveError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (MoveError::Store(e), l) => e.message(l),
            (MoveError::NotEmpty(to), Lang::Zh) => {
                format!("目标数据库 {to} 不是空的:migrate 只迁入空数据库")
            }
            (MoveError::Unreadable { ticket, event, why }, Lang::Zh) => format!(
                "源数据库中工单 {ticket} 第 {event} 条记录{why}:请先对它运行 `genban verify`"
            ),
            (MoveError::Broken(seq), Lang::Zh) => {
                format!("源数据库的校验链在第 {seq} 条断开:请先对它运行 `genban verify`")
            }
            (MoveError::HeadDiffers { .. }, Lang::Zh) => {
                "迁移后新数据库的校验链终点与原数据库不同".to_string()
            }
            (e, _) => e.to_string(),
        }
    }
}

/// One stored event with its place in the chain.
struct Placed {
    seq: u64,
    ticket: String,
    event: Event,
}

/// Reads every event of `from` with its chain number, in chain order.
fn read_chained(from: &dyn EventStore) -> Result<Vec<Placed>, MoveError> {
    let mut raw: Vec<(String, Vec<String>)> = Vec::new();
    from.for_each_raw(&mut |id, lines| {
        raw.push((id.to_string(), lines));
        Ok(())
    })?;
    let mut all = Vec::new();
    for (ticket, lines) in raw {
        for (n, line) in lines.iter().filter(|l| !l.trim().is_empty()).enumerate() {
            let unreadable = |why: String| MoveError::Unreadable {
                ticket: ticket.clone(),
                event: n + 1,
                why,
            };
            let event = Event::from_json_str(line).map_err(|e| unreadable(e.to_string()))?;
            let link =
                chain::link_of(line).ok_or_else(|| unreadable("has no chain link".into()))?;
            all.push(Placed {
                seq: link.seq,
                ticket: ticket.clone(),
                event,
            });
        }
    }
    all.sort_by_key(|p| p.seq);
    for (i, p) in all.iter().enumerate() {
        if p.seq != i as u64 + 1 {
            return Err(MoveError::Broken(i as u64 + 1));
        }
    }
    Ok(all)
}

/// Moves everything in `from` into the empty store `to` (summaries dated in `tz`).
/// `progress` is told (events written, events in all).
pub fn copy(
    from: &dyn EventStore,
    to: &dyn EventStore,
    tz: Tz,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Moved, MoveError> {
    if to.ticket_count()? > 0 || to.chain_head()?.is_some() {
        return Err(MoveError::NotEmpty(to.location()));
    }
    let all = read_chained(from)?;
    let total = all.len();
    let mut logs: HashMap<String, Vec<Event>> = HashMap::new();
    let mut batch: Vec<TicketChange> = Vec::new();
    let mut in_batch: HashSet<String> = HashSet::new();
    let mut written = 0;
    let mut i = 0;
    while i < all.len() {
        // A run of one ticket's events, consecutive in the chain.
        let ticket = &all[i].ticket;
        let mut end = i;
        while end < all.len() && all[end].ticket == *ticket {
            end += 1;
        }
        // A commit holds each ticket once: a ticket met again starts the next commit, so the
        // chain is written in exactly the old order.
        if in_batch.contains(ticket) {
            written += batch.iter().map(|c| c.new_events.len()).sum::<usize>();
            to.commit(&batch)?;
            progress(written, total);
            batch.clear();
            in_batch.clear();
        }
        let run: Vec<Event> = all[i..end].iter().map(|p| p.event.clone()).collect();
        let log = logs.entry(ticket.clone()).or_default();
        let expected_events = log.len();
        log.extend(run.iter().cloned());
        batch.push(TicketChange {
            id: ticket.clone(),
            expected_events,
            new_events: run,
            chain_at: Vec::new(),
            derived: derive(ticket, log, tz),
        });
        in_batch.insert(ticket.clone());
        i = end;
    }
    to.commit(&batch)?;
    progress(total, total);
    let want = from.chain_head()?;
    let got = to.chain_head()?;
    if got != want && !(want.is_none() && total == 0) {
        return Err(MoveError::HeadDiffers { got, want });
    }
    let audit = from.audit_log()?;
    for record in &audit {
        to.append_audit(record)?;
    }
    let settings = from.settings()?;
    for (k, v) in &settings {
        to.set_meta(k, v)?;
    }
    Ok(Moved {
        tickets: logs.len(),
        events: total,
        audit: audit.len(),
        settings: settings.len(),
        head: got,
    })
}
