//! The PostgreSQL backend's answers to the store's questions, in plain SQL. Whole-store reads
//! come in pages of tickets in id order (the connection is not held while a visitor runs, so a
//! visitor may ask the store again).

use super::PgStore;
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
use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::ToSql;
use postgres::Row;
use std::collections::HashMap;

/// Tickets per page of a whole-store read.
const PAGE: i64 = 2_000;

impl PgStore {
    /// The rows of a query; a read the server broke off by dropping the connection is asked
    /// once more on a new one (a read changes nothing, so asking twice is safe).
    pub(super) fn rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let first = self.conn().query(sql, params);
        match first {
            Err(e) if e.is_closed() || self.dropped() => {
                self.conn().query(sql, params).map_err(|e| self.err(e))
            }
            other => other.map_err(|e| self.err(e)),
        }
    }

    fn strings(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<String>, StoreError> {
        Ok(self
            .rows(sql, params)?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect())
    }

    /// Calls `f` with each page of rows of `sql`, which takes the last id seen as `$1` (`''`
    /// at first) and the page's size as `$2`, and yields the id first.
    fn pages(
        &self,
        sql: &str,
        f: &mut dyn FnMut(Vec<Row>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after = String::new();
        loop {
            let rows = self.rows(sql, &[&after, &PAGE])?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.get(0);
            let full = rows.len() as i64 == PAGE;
            f(rows)?;
            if !full {
                return Ok(());
            }
        }
    }

    /// Calls `f` with each ticket's id and stored lines, in id order, a page at a time.
    fn each_lines(&self, f: &mut RawVisitor) -> Result<(), StoreError> {
        self.pages(
            "SELECT id FROM genban_tickets WHERE id > $1 ORDER BY id LIMIT $2",
            &mut |rows| {
                let ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
                let lines = self.rows(
                    "SELECT ticket, line FROM genban_events WHERE ticket = ANY($1) ORDER BY ticket, seq",
                    &[&ids],
                )?;
                let mut by_id: HashMap<String, Vec<String>> = HashMap::with_capacity(ids.len());
                for r in lines {
                    by_id.entry(r.get(0)).or_default().push(r.get(1));
                }
                for id in &ids {
                    f(id, by_id.remove(id).unwrap_or_default())?;
                }
                Ok(())
            },
        )
    }

    fn parse_lines(&self, id: &str, lines: &[String]) -> Result<Vec<Event>, StoreError> {
        let tolerant = self.tolerant.load(std::sync::atomic::Ordering::Relaxed);
        crate::store::parse_events(id, lines.iter().map(String::as_str), tolerant)
            .map_err(|detail| self.corrupt(detail))
    }

    fn decode_facts(&self, id: &str, v: &[u8]) -> Result<TicketFacts, StoreError> {
        TicketFacts::decode(id, v).map_err(|e| self.corrupt(format!("ticket {id}: {e}")))
    }

    fn head_row(&self) -> Result<Row, StoreError> {
        self.rows(
            "SELECT seq, hash, latest_at, ticket_count FROM genban_head WHERE one",
            &[],
        )?
        .into_iter()
        .next()
        .ok_or_else(|| self.corrupt("the chain's head row is missing"))
    }
}

/// The first day a PostgreSQL date holds (24 November 4714 BC, proleptic Gregorian).
fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(-4713, 11, 24).unwrap_or(NaiveDate::MIN)
}

/// A stored summary from its lookup columns.
fn summary_of(r: &Row) -> Summary {
    Summary {
        state: r.get("state"),
        unit: r.get("unit"),
        deadline: r.get("deadline"),
        resolved_on: r.get("resolved_on"),
        category: r.get("category"),
    }
}

impl EventStore for PgStore {
    fn events(&self, id: &str) -> Result<Vec<Event>, StoreError> {
        let lines = self.strings(
            "SELECT line FROM genban_events WHERE ticket = $1 ORDER BY seq",
            &[&id],
        )?;
        self.parse_lines(id, &lines)
    }

    fn commit(&self, changes: &[TicketChange]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.write(changes)
    }

    fn find(&self, find: Find) -> Result<Vec<String>, StoreError> {
        match find {
            Find::InState(s) => self.strings(
                "SELECT id FROM genban_tickets WHERE state = $1 ORDER BY id",
                &[&s.code()],
            ),
            // In deadline order, then id, as the sled store's keys give them.
            // PostgreSQL's dates begin in 4713 BC: before that, nothing is due.
            Find::DueBefore(d) if d < earliest_date() => Ok(Vec::new()),
            Find::DueBefore(d) => self.strings(
                "SELECT id FROM genban_tickets WHERE state = 'in_progress' AND deadline < $1 \
                 ORDER BY deadline, id",
                &[&d],
            ),
            Find::NewestResolved { offset, limit } => {
                let (offset, limit) = (
                    i64::try_from(offset).unwrap_or(i64::MAX),
                    i64::try_from(limit).unwrap_or(i64::MAX),
                );
                self.strings(
                    "SELECT id FROM genban_tickets WHERE resolved_on IS NOT NULL \
                     ORDER BY resolved_on DESC, id DESC OFFSET $1 LIMIT $2",
                    &[&offset, &limit],
                )
            }
        }
    }

    fn count_by_state(&self) -> Result<Vec<(State, usize)>, StoreError> {
        let mut n: HashMap<String, i64> = HashMap::new();
        for r in self.rows(
            "SELECT state, count(*) FROM genban_tickets WHERE state IS NOT NULL GROUP BY state",
            &[],
        )? {
            n.insert(r.get(0), r.get(1));
        }
        Ok(State::ALL
            .into_iter()
            .map(|s| (s, n.get(s.code()).map_or(0, |&c| c as usize)))
            .collect())
    }

    fn units(&self) -> Result<Vec<String>, StoreError> {
        self.strings(
            "SELECT DISTINCT unit FROM genban_tickets WHERE state IS NOT NULL AND unit <> '' ORDER BY unit",
            &[],
        )
    }

    fn categories(&self) -> Result<Vec<String>, StoreError> {
        self.strings(
            "SELECT DISTINCT category FROM genban_tickets WHERE category <> '' ORDER BY category",
            &[],
        )
    }

    fn search(&self, query: &Query) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        self.pages(
            "SELECT id, search FROM genban_tickets WHERE id > $1 ORDER BY id LIMIT $2",
            &mut |rows| {
                for r in rows {
                    if query.matches(r.get(1)) {
                        out.push(r.get(0));
                    }
                }
                Ok(())
            },
        )?;
        Ok(out)
    }

    fn ticket_count(&self) -> Result<usize, StoreError> {
        // The head keeps the whole district's count; a street's role counts what it sees (its
        // street's tickets, by row-level security: `genban_sees` is false for a street's role
        // and a street of none).
        let n: i64 = self
            .rows(
                "SELECT CASE WHEN genban_sees(current_user, NULL) \
                 THEN (SELECT ticket_count FROM genban_head WHERE one) \
                 ELSE (SELECT count(*) FROM genban_tickets) END",
                &[],
            )?
            .first()
            .map_or(0, |r| r.get(0));
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn for_each_facts(&self, f: &mut FactsVisitor) -> Result<(), StoreError> {
        self.for_each_facts_encoded(&mut |id, bytes| f(id, self.decode_facts(id, bytes)?))
    }

    fn for_each_facts_encoded(&self, f: &mut EncodedVisitor) -> Result<(), StoreError> {
        self.pages(
            "SELECT id, facts FROM genban_tickets WHERE id > $1 ORDER BY id LIMIT $2",
            &mut |rows| {
                for r in rows {
                    f(r.get(0), r.get(1))?;
                }
                Ok(())
            },
        )
    }

    fn facts_of(&self, ids: &[String]) -> Result<Vec<(String, TicketFacts)>, StoreError> {
        let mut found: HashMap<String, Vec<u8>> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(PAGE as usize) {
            for r in self.rows(
                "SELECT id, facts FROM genban_tickets WHERE id = ANY($1)",
                &[&chunk],
            )? {
                found.insert(r.get(0), r.get(1));
            }
        }
        let mut out = Vec::with_capacity(found.len());
        for id in ids {
            if let Some(v) = found.get(id) {
                out.push((id.clone(), self.decode_facts(id, v)?));
            }
        }
        Ok(out)
    }

    fn for_each_ticket(&self, f: &mut TicketVisitor) -> Result<(), StoreError> {
        self.each_lines(&mut |id, lines| f(id, self.parse_lines(id, &lines)?))
    }

    fn latest_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.head_row()?.get(2))
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .strings("SELECT value FROM genban_settings WHERE key = $1", &[&key])?
            .pop())
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO genban_settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&key, &value],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .rows("SELECT key, value FROM genban_settings ORDER BY key", &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn watch(&self, on_change: crate::store::ChangeFeed) -> Result<bool, StoreError> {
        self.start_watch(on_change)?;
        Ok(true)
    }

    fn reachable(&self) -> bool {
        self.is_reachable()
    }

    fn location(&self) -> String {
        self.shown.clone()
    }

    fn for_each_raw(&self, f: &mut RawVisitor) -> Result<(), StoreError> {
        self.each_lines(&mut |id, lines| f(id, lines))
    }

    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }

    fn set_tolerant(&self, on: bool) {
        self.tolerant
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    fn append_audit(&self, record: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("INSERT INTO genban_audit (record) VALUES ($1)", &[&record])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn audit_log(&self) -> Result<Vec<String>, StoreError> {
        self.strings("SELECT record FROM genban_audit ORDER BY n", &[])
    }

    fn chain_head(&self) -> Result<Option<Head>, StoreError> {
        let r = self.head_row()?;
        let seq: i64 = r.get(0);
        Ok(r.get::<_, Option<String>>(1).map(|hash| Head {
            seq: u64::try_from(seq).unwrap_or(0),
            hash,
        }))
    }

    fn check_derived(&self, expected: &[(String, Derived)]) -> Result<Vec<String>, StoreError> {
        let ids: Vec<&str> = expected.iter().map(|(id, _)| id.as_str()).collect();
        let mut stored: HashMap<String, (Vec<u8>, String)> = HashMap::new();
        for r in self.rows(
            "SELECT id, facts, search FROM genban_tickets WHERE id = ANY($1)",
            &[&ids],
        )? {
            stored.insert(r.get(0), (r.get(1), r.get(2)));
        }
        let mut problems = Vec::new();
        for (id, d) in expected {
            let Some((facts, search)) = stored.get(id) else {
                problems.push(format!("ticket {id}: no facts stored"));
                continue;
            };
            if *facts != d.facts.encode() {
                problems.push(format!("ticket {id}: stored facts differ from its log"));
            }
            if *search != d.search {
                problems.push(format!(
                    "ticket {id}: stored search text differs from its log"
                ));
            }
        }
        Ok(problems)
    }

    fn check_summaries(
        &self,
        expected: &HashMap<String, Summary>,
    ) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut seen = 0usize;
        self.pages(
            "SELECT id, state, unit, deadline, resolved_on, category, events, \
             (SELECT count(*) FROM genban_events e WHERE e.ticket = t.id) AS logged \
             FROM genban_tickets t WHERE id > $1 ORDER BY id LIMIT $2",
            &mut |rows| {
                for r in rows {
                    let id: String = r.get(0);
                    let Some(want) = expected.get(&id) else {
                        problems.push(format!("ticket {id}: a summary without events"));
                        continue;
                    };
                    seen += 1;
                    if summary_of(&r) != *want {
                        problems.push(format!("ticket {id}: stored summary differs from its log"));
                    }
                    let (kept, logged): (i32, i64) = (r.get("events"), r.get("logged"));
                    if i64::from(kept) != logged {
                        problems.push(format!(
                            "ticket {id}: the event count kept is {kept}, its log holds {logged}"
                        ));
                    }
                }
                Ok(())
            },
        )?;
        if seen < expected.len() {
            let mut missing: Vec<&String> = expected.keys().collect();
            missing.sort();
            let have: std::collections::HashSet<String> = self
                .strings("SELECT id FROM genban_tickets", &[])?
                .into_iter()
                .collect();
            for id in missing.into_iter().filter(|id| !have.contains(*id)) {
                problems.push(format!("ticket {id}: no summary stored"));
            }
        }
        for id in self.strings(
            "SELECT DISTINCT ticket FROM genban_events e WHERE NOT EXISTS \
             (SELECT 1 FROM genban_tickets t WHERE t.id = e.ticket) ORDER BY ticket",
            &[],
        )? {
            problems.push(format!("ticket {id}: events without a ticket row"));
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
