//! Bringing a store written by an earlier genban up to this schema, on open. Each step can be
//! cut short and starts again on the next open: the schema number moves only when it is done.

use super::{keys, SledStore, StoredTicket, CHAIN_HEAD, TICKET_COUNT};
use crate::domain::chain::{self, Head};
use crate::domain::event::Event;
use crate::domain::summary;
use crate::store::{StoreError, SCHEMA_VERSION};
use chrono_tz::Tz;

impl SledStore {
    /// Upgrades a store of schema `found` to this one.
    pub(super) fn upgrade(&self, found: u32, tz: Tz) -> Result<(), StoreError> {
        if found >= SCHEMA_VERSION {
            return Ok(());
        }
        if self.meta.get(CHAIN_HEAD)?.is_none() && !self.events.is_empty() {
            self.add_chain()?;
        }
        self.derive_all(tz)?;
        self.meta
            .insert("schema", SCHEMA_VERSION.to_string().as_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    /// Schema 1 → 2: a chain over the events as they are (in id order, then append order).
    fn add_chain(&self) -> Result<(), StoreError> {
        let mut head = Head::default();
        for item in self.events.iter() {
            let (k, v) = item?;
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
            self.events.insert(k, lines)?;
        }
        self.meta
            .insert(CHAIN_HEAD, serde_json::to_vec(&head).expect("json"))?;
        self.db.flush()?;
        Ok(())
    }

    /// Schema 2 → 3: every ticket's summary, lookup keys, facts and search text derived again
    /// from its log, and the ticket count kept. Shows a progress bar on a terminal.
    fn derive_all(&self, tz: Tz) -> Result<(), StoreError> {
        let bar = progress_bar(self.events.len() as u64);
        self.idx.clear()?;
        let mut count = 0usize;
        for item in self.events.iter() {
            let (k, v) = item?;
            let id = String::from_utf8_lossy(&k).into_owned();
            // Unreadable lines are left out here; `verify` names them.
            let events: Vec<Event> = String::from_utf8_lossy(&v)
                .lines()
                .filter_map(|l| Event::from_json_str(l).ok())
                .collect();
            let d = summary::derive(&id, &events, tz);
            for key in keys::of(&d.summary, &id) {
                self.idx.insert(key, &[])?;
            }
            let st = StoredTicket { summary: d.summary };
            self.tickets
                .insert(&k, serde_json::to_vec(&st).expect("json"))?;
            self.facts.insert(&k, d.facts.encode())?;
            self.text.insert(&k, d.search.as_bytes())?;
            count += 1;
            bar.inc(1);
        }
        self.meta
            .insert(TICKET_COUNT, count.to_string().as_bytes())?;
        bar.finish_and_clear();
        Ok(())
    }
}

/// A bar on standard error when it is a terminal (hidden otherwise).
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "升级数据库 upgrading the store {bar:30} {pos}/{len} {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
