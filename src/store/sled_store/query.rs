//! The sled backend's answers to the store's questions.

use super::{
    keys, SledStore, StoredTicket, CHAIN_HEAD, CHUNK, LATEST_AT, PENDING, PENDING_EMPTY,
    TICKET_COUNT,
};
use crate::domain::chain::Head;
use crate::domain::event::Event;
use crate::domain::search::Query;
use crate::domain::summary::{Derived, Summary};
use crate::domain::ticket::State;
use crate::domain::ticket_facts::TicketFacts;
use crate::store::{
    EncodedVisitor, EventStore, FactsVisitor, Find, RawVisitor, StoreError, TicketChange,
    TicketVisitor,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

impl SledStore {
    fn id_of<'a>(&self, k: &'a [u8]) -> Result<&'a str, StoreError> {
        std::str::from_utf8(k).map_err(|_| self.corrupt("a ticket id is not UTF-8"))
    }

    fn decode_facts(&self, id: &str, v: &[u8]) -> Result<TicketFacts, StoreError> {
        TicketFacts::decode(id, v).map_err(|e| self.corrupt(format!("ticket {id}: {e}")))
    }

    /// The ids of a lookup kind's keys with values in `[from, to]`, in key order.
    fn ids(
        &self,
        prefix: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let (start, end) = keys::range(prefix, from, to);
        let mut out = Vec::new();
        for item in self.idx.range(start..end) {
            let (k, _) = item?;
            if let Some((_, id)) = keys::split(&k, prefix) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The distinct values of a lookup kind, one seek each (not a scan of every ticket).
    fn values(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        let mut from = prefix.as_bytes().to_vec();
        let end = keys::range(prefix, None, None).1;
        while let Some(item) = self.idx.range(from.clone()..end.clone()).next() {
            let (k, _) = item?;
            let Some((v, _)) = keys::split(&k, prefix) else {
                break;
            };
            from = keys::after_value(prefix, &v);
            if !v.is_empty() {
                out.push(v);
            }
        }
        Ok(out)
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
        // A chain kept as it came starts an empty store.
        let kept = super::write::kept_lines(changes)?;
        if kept.is_some() && !self.events.is_empty() {
            return Err(StoreError::Conflict(changes[0].id.clone()));
        }
        if changes.len() <= CHUNK {
            self.write_chunk(changes, false, &mut latest, kept.as_ref())?;
        } else {
            // Into an empty store, nothing old needs noting: cut short, the store is emptied.
            let empty = self.events.is_empty();
            self.meta
                .insert(PENDING, if empty { PENDING_EMPTY } else { "1" })?;
            self.db.flush()?;
            if empty {
                self.write_plain(changes, kept.as_ref())?;
            } else {
                for chunk in changes.chunks(CHUNK) {
                    self.write_chunk(chunk, true, &mut latest, None)?;
                }
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

    fn find(&self, find: Find) -> Result<Vec<String>, StoreError> {
        match find {
            Find::InState(s) => self.ids(keys::STATE, Some(s.code()), Some(s.code())),
            Find::DueBefore(d) => match d.pred_opt() {
                Some(y) => self.ids(keys::DEADLINE, None, Some(&y.to_string())),
                None => Ok(Vec::new()),
            },
            Find::NewestResolved { offset, limit } => {
                let (start, end) = keys::range(keys::RESOLVED, None, None);
                let mut out = Vec::new();
                for item in self.idx.range(start..end).rev().skip(offset).take(limit) {
                    let (k, _) = item?;
                    if let Some((_, id)) = keys::split(&k, keys::RESOLVED) {
                        out.push(id);
                    }
                }
                Ok(out)
            }
        }
    }

    fn count_by_state(&self) -> Result<Vec<(State, usize)>, StoreError> {
        State::ALL
            .into_iter()
            .map(|s| {
                let (start, end) = keys::range(keys::STATE, Some(s.code()), Some(s.code()));
                let mut n = 0;
                for k in self.idx.range(start..end).keys() {
                    k?;
                    n += 1;
                }
                Ok((s, n))
            })
            .collect()
    }

    fn units(&self) -> Result<Vec<String>, StoreError> {
        self.values(keys::UNIT)
    }

    fn categories(&self) -> Result<Vec<String>, StoreError> {
        self.values(keys::CATEGORY)
    }

    fn search(&self, query: &Query) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for item in self.text.iter() {
            let (k, v) = item?;
            if query.matches(&String::from_utf8_lossy(&v)) {
                out.push(self.id_of(&k)?.to_string());
            }
        }
        Ok(out)
    }

    fn ticket_count(&self) -> Result<usize, StoreError> {
        Ok(SledStore::count_of(self.meta.get(TICKET_COUNT)?.as_deref()))
    }

    fn for_each_facts(&self, f: &mut FactsVisitor) -> Result<(), StoreError> {
        for item in self.facts.iter() {
            let (k, v) = item?;
            let id = self.id_of(&k)?;
            f(id, self.decode_facts(id, &v)?)?;
        }
        Ok(())
    }

    fn for_each_facts_encoded(&self, f: &mut EncodedVisitor) -> Result<(), StoreError> {
        for item in self.facts.iter() {
            let (k, v) = item?;
            f(self.id_of(&k)?, &v)?;
        }
        Ok(())
    }

    fn facts_of(&self, ids: &[String]) -> Result<Vec<(String, TicketFacts)>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = self.facts.get(id.as_bytes())? {
                out.push((id.clone(), self.decode_facts(id, &v)?));
            }
        }
        Ok(out)
    }

    fn for_each_ticket(&self, f: &mut TicketVisitor) -> Result<(), StoreError> {
        for item in self.events.iter() {
            let (k, v) = item?;
            let id = self.id_of(&k)?;
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

    fn for_each_raw(&self, f: &mut RawVisitor) -> Result<(), StoreError> {
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

    fn check_derived(&self, expected: &[(String, Derived)]) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        for (id, d) in expected {
            match self.facts.get(id.as_bytes())? {
                None => problems.push(format!("ticket {id}: no facts stored")),
                Some(v) if v.as_ref() != d.facts.encode().as_slice() => {
                    problems.push(format!("ticket {id}: stored facts differ from its log"))
                }
                Some(_) => {}
            }
            match self.text.get(id.as_bytes())? {
                Some(v) if v.as_ref() == d.search.as_bytes() => {}
                _ => problems.push(format!(
                    "ticket {id}: stored search text differs from its log"
                )),
            }
        }
        Ok(problems)
    }

    fn check_summaries(
        &self,
        expected: &HashMap<String, Summary>,
    ) -> Result<Vec<String>, StoreError> {
        let mut problems = self.check_stored_summaries(expected)?;
        problems.extend(self.check_lookup_keys(expected)?);
        for tree in [&self.facts, &self.text] {
            for k in tree.iter().keys() {
                let k = k?;
                let id = String::from_utf8_lossy(&k);
                if !expected.contains_key(id.as_ref()) {
                    problems.push(format!("ticket {id}: facts without events"));
                }
            }
        }
        let kept = self.ticket_count()?;
        if kept != expected.len() {
            problems.push(format!(
                "the ticket count kept is {kept}, the log holds {} tickets",
                expected.len()
            ));
        }
        Ok(problems)
    }
}

impl SledStore {
    /// The stored summaries against those expected.
    fn check_stored_summaries(
        &self,
        expected: &HashMap<String, Summary>,
    ) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut seen = 0;
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
        Ok(problems)
    }

    /// The lookup keys against those of the expected summaries (both sorted, walked together).
    fn check_lookup_keys(
        &self,
        expected: &HashMap<String, Summary>,
    ) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut want: Vec<Vec<u8>> = Vec::with_capacity(expected.len() * 4);
        for (id, s) in expected {
            want.extend(keys::of(s, id));
        }
        want.sort_unstable();
        want.dedup();
        let show = |k: &[u8]| String::from_utf8_lossy(k).replace('\0', " ");
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
}
