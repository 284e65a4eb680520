//! Undo of one's own last entry: the ledger remembers, per workstation and operator, the
//! events of the last action entered here; `undo` voids them (see `domain::undo`).

use super::{Ledger, LedgerError};
use crate::domain::event::{format_instant, parse_instant, Event, VoidTarget};
use crate::domain::undo::{self, NoUndo};
use crate::store::StoreError;
use serde::{Deserialize, Serialize};

/// What is remembered of the last action: its ticket and the events it entered.
#[derive(Debug, Serialize, Deserialize)]
struct LastEntry {
    ticket: String,
    events: Vec<Entered>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entered {
    #[serde(rename = "type")]
    event_type: String,
    at: String,
    recorded_at: String,
}

/// What an undo would void: the ticket, its events (application order) and the positions of
/// the events to void.
#[derive(Debug, Clone)]
pub struct UndoPlan {
    pub ticket: String,
    pub log: Vec<Event>,
    pub found: Vec<usize>,
}

impl UndoPlan {
    /// The events the undo voids, oldest first.
    pub fn targets(&self) -> impl Iterator<Item = &Event> {
        self.found.iter().map(|&i| &self.log[i])
    }
}

/// This machine's name (a store shared by several machines keeps each one's last entry).
fn workstation() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most that much.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

impl Ledger {
    fn last_entry_key(&self) -> String {
        format!(
            "last_entry/{}/{}",
            workstation(),
            self.operator().unwrap_or_default()
        )
    }

    /// Remembers the events of an action just committed here (for `undo`).
    pub(super) fn remember_entry(&self, events: &[Event]) -> Result<(), StoreError> {
        let Some(first) = events.first() else {
            return Ok(());
        };
        let entry = LastEntry {
            ticket: first.ticket.clone(),
            events: events
                .iter()
                .filter(|e| e.ticket == first.ticket)
                .map(|e| Entered {
                    event_type: e.kind.type_name().to_string(),
                    at: format_instant(&e.at),
                    recorded_at: format_instant(&e.recorded_at.unwrap_or(e.at)),
                })
                .collect(),
        };
        let text = serde_json::to_string(&entry).expect("an entry is JSON");
        self.store.set_meta(&self.last_entry_key(), &text)
    }

    /// Forgets the last action (when it could not be remembered, an older one must not be
    /// undone in its place).
    pub(super) fn forget_entry(&self) {
        // Best effort: the store has just failed to write this key; an empty record reads as
        // "nothing to undo".
        let _ = self.store.set_meta(&self.last_entry_key(), "");
    }

    /// What `undo` would void now, or why nothing.
    pub fn undo_plan(&self) -> Result<Result<UndoPlan, NoUndo>, StoreError> {
        let Some(text) = self.store.meta(&self.last_entry_key())? else {
            return Ok(Err(NoUndo::Nothing));
        };
        let Ok(entry) = serde_json::from_str::<LastEntry>(&text) else {
            return Ok(Err(NoUndo::Nothing));
        };
        let targets: Vec<VoidTarget> = entry
            .events
            .iter()
            .filter_map(|e| {
                Some(VoidTarget {
                    event_type: e.event_type.clone(),
                    at: parse_instant(&e.at)?,
                    recorded_at: Some(parse_instant(&e.recorded_at)?),
                })
            })
            .collect();
        let log = self.events(&entry.ticket)?;
        let now = crate::domain::time::now_millis();
        Ok(undo::undoable(&log, &targets, now).map(|found| UndoPlan {
            ticket: entry.ticket,
            log,
            found,
        }))
    }

    /// Voids the events of `plan`, if it is still what an undo would void.
    pub fn undo(&self, plan: &UndoPlan) -> Result<Result<(), NoUndo>, LedgerError> {
        let now_plan = match self.undo_plan()? {
            Ok(p) => p,
            Err(why) => return Ok(Err(why)),
        };
        let same = now_plan.ticket == plan.ticket
            && now_plan.targets().map(VoidTarget::of).collect::<Vec<_>>()
                == plan.targets().map(VoidTarget::of).collect::<Vec<_>>();
        if !same {
            return Ok(Err(NoUndo::Gone));
        }
        let voids = undo::voids(&now_plan.log, &now_plan.found, self.now(), self.tz());
        self.record_all(voids)?;
        Ok(Ok(()))
    }
}
