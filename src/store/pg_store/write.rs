//! Writing to the PostgreSQL backend: a whole commit in one transaction, under the head row's
//! lock, each ticket checked against the count of events its writer read.

use super::PgStore;
use crate::domain::chain::{self, Head, GENESIS};
use crate::domain::event::{Event, EventKind};
use crate::domain::ticket_facts::TicketFacts;
use crate::store::{StoreError, TicketChange};
use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::Type;
use postgres::Transaction;
use std::collections::HashMap;

/// Rows sent to the server in one statement.
const BATCH: usize = 5_000;

/// The channel every commit notifies, with the ids of the tickets it wrote (`*`: too many to
/// name; read everything again).
pub const CHANNEL: &str = "genban_tickets";

/// The longest payload NOTIFY takes is 8000 bytes: beyond this the payload is `*`.
const MAX_PAYLOAD: usize = 7_900;

/// Events on their way into `genban_events`, column by column.
#[derive(Default)]
struct EventRows {
    chain_seq: Vec<i64>,
    ticket: Vec<String>,
    seq: Vec<i32>,
    line: Vec<String>,
    kind: Vec<&'static str>,
    at: Vec<DateTime<Utc>>,
    recorded_at: Vec<Option<DateTime<Utc>>>,
    operator: Vec<Option<String>>,
    street: Vec<String>,
}

impl EventRows {
    fn push(
        &mut self,
        (id, street): (&str, &str),
        seq: usize,
        e: &Event,
        links: &mut Links,
    ) -> Result<(), StoreError> {
        let place = i32::try_from(seq).map_err(|_| too_many(id))?;
        let (chain_seq, line) = links.line(e);
        self.line.push(line);
        self.chain_seq
            .push(i64::try_from(chain_seq).map_err(|_| too_many(id))?);
        self.ticket.push(id.to_string());
        self.seq.push(place);
        self.kind.push(e.kind.type_name());
        self.at.push(e.instant());
        self.recorded_at
            .push(e.recorded_at.map(|t| t.with_timezone(&Utc)));
        self.operator.push(e.operator.clone());
        self.street.push(street.to_string());
        Ok(())
    }

    fn flush(&mut self, tx: &mut Transaction) -> Result<(), postgres::Error> {
        if self.chain_seq.is_empty() {
            return Ok(());
        }
        tx.execute_typed(
            "INSERT INTO genban_events (chain_seq, ticket, seq, line, event_type, at, recorded_at, operator, street) \
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], \
             $6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[])",
            &[
                (&self.chain_seq, Type::INT8_ARRAY),
                (&self.ticket, Type::TEXT_ARRAY),
                (&self.seq, Type::INT4_ARRAY),
                (&self.line, Type::TEXT_ARRAY),
                (&self.kind, Type::TEXT_ARRAY),
                (&self.at, Type::TIMESTAMPTZ_ARRAY),
                (&self.recorded_at, Type::TIMESTAMPTZ_ARRAY),
                (&self.operator, Type::TEXT_ARRAY),
                (&self.street, Type::TEXT_ARRAY),
            ],
        )?;
        *self = EventRows::default();
        Ok(())
    }
}

/// Tickets' derived rows on their way into `genban_tickets`.
#[derive(Default)]
struct TicketRows {
    id: Vec<String>,
    events: Vec<i32>,
    state: Vec<Option<String>>,
    unit: Vec<String>,
    deadline: Vec<Option<NaiveDate>>,
    resolved_on: Vec<Option<NaiveDate>>,
    category: Vec<String>,
    facts: Vec<Vec<u8>>,
    search: Vec<String>,
    street: Vec<String>,
}

impl TicketRows {
    fn push(&mut self, c: &TicketChange, events: i32, street: &str) {
        // A ticket named twice in one commit: its last row stands (one row per upsert).
        if let Some(at) = self.id.iter().position(|id| *id == c.id) {
            for v in [
                &mut self.id,
                &mut self.unit,
                &mut self.category,
                &mut self.search,
            ] {
                v.remove(at);
            }
            self.events.remove(at);
            self.state.remove(at);
            self.deadline.remove(at);
            self.resolved_on.remove(at);
            self.facts.remove(at);
        }
        let s = &c.derived.summary;
        self.id.push(c.id.clone());
        self.events.push(events);
        self.state.push(s.state.clone());
        self.unit.push(s.unit.clone());
        self.deadline.push(s.deadline);
        self.resolved_on.push(s.resolved_on);
        self.category.push(s.category.clone());
        self.facts.push(c.derived.facts.encode());
        self.search.push(c.derived.search.clone());
        self.street.push(street.to_string());
    }

    fn flush(&mut self, tx: &mut Transaction) -> Result<(), postgres::Error> {
        if self.id.is_empty() {
            return Ok(());
        }
        tx.execute_typed(
            "INSERT INTO genban_tickets (id, events, state, unit, deadline, resolved_on, category, facts, search, street) \
             SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::date[], \
             $6::date[], $7::text[], $8::bytea[], $9::text[], $10::text[]) \
             ON CONFLICT (id) DO UPDATE SET events = EXCLUDED.events, state = EXCLUDED.state, \
             unit = EXCLUDED.unit, deadline = EXCLUDED.deadline, resolved_on = EXCLUDED.resolved_on, \
             category = EXCLUDED.category, facts = EXCLUDED.facts, search = EXCLUDED.search, \
             street = EXCLUDED.street",
            &[
                (&self.id, Type::TEXT_ARRAY),
                (&self.events, Type::INT4_ARRAY),
                (&self.state, Type::TEXT_ARRAY),
                (&self.unit, Type::TEXT_ARRAY),
                (&self.deadline, Type::DATE_ARRAY),
                (&self.resolved_on, Type::DATE_ARRAY),
                (&self.category, Type::TEXT_ARRAY),
                (&self.facts, Type::BYTEA_ARRAY),
                (&self.search, Type::TEXT_ARRAY),
                (&self.street, Type::TEXT_ARRAY),
            ],
        )?;
        *self = TicketRows::default();
        Ok(())
    }
}

/// How a commit's events get their links: chained on after the head, or keeping the numbers
/// they came with (`TicketChange::chain_at`: a whole chained log into an empty store).
enum Links {
    After(Head),
    Kept {
        kept: chain::Kept,
        seqs: Vec<u64>,
        next: usize,
    },
}

impl Links {
    /// The links of `changes` after `head`; refused as the sled store refuses them when only
    /// some events carry a number, the numbers are not 1 to n, or the store is not empty.
    fn of(changes: &[TicketChange], head: Head, empty: bool) -> Result<Links, StoreError> {
        if changes.iter().all(|c| c.chain_at.is_empty()) {
            return Ok(Links::After(head));
        }
        if !empty {
            return Err(StoreError::Conflict(changes[0].id.clone()));
        }
        let (mut events, mut seqs) = (Vec::new(), Vec::new());
        for c in changes {
            if c.chain_at.len() != c.new_events.len() {
                return Err(StoreError::Backend(format!(
                    "ticket {}: not every new event carries its chain number",
                    c.id
                )));
            }
            events.extend(c.new_events.iter());
            seqs.extend_from_slice(&c.chain_at);
        }
        match chain::kept(&events, &seqs) {
            Some(kept) => Ok(Links::Kept {
                kept,
                seqs,
                next: 0,
            }),
            None => Err(StoreError::Backend(
                "the chain numbers of a commit are not 1 to the number of its events".into(),
            )),
        }
    }

    /// The next event's number in the chain and its stored line.
    fn line(&mut self, e: &Event) -> (u64, String) {
        match self {
            Links::After(head) => {
                let line = head.append_line(e);
                (head.seq, line)
            }
            Links::Kept { kept, seqs, next } => {
                let (seq, prev) = (seqs[*next], &kept.prevs[*next]);
                *next += 1;
                (seq, chain::line_at(e, seq, prev))
            }
        }
    }

    /// The chain's end after the commit.
    fn head(self) -> Head {
        match self {
            Links::After(head) => head,
            Links::Kept { kept, .. } => kept.head,
        }
    }
}

fn too_many(id: &str) -> StoreError {
    StoreError::Backend(format!(
        "ticket {id}: more events than the store can number"
    ))
}

/// Why a commit's transaction gave up: a ticket changed meanwhile, or the database failed
/// (`Begin`: before anything was sent, so it may be tried again on a new connection).
enum Abort {
    Store(StoreError),
    Pg(postgres::Error),
    Begin(postgres::Error),
}

impl From<postgres::Error> for Abort {
    fn from(e: postgres::Error) -> Abort {
        Abort::Pg(e)
    }
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Abort {
        Abort::Store(e)
    }
}

impl PgStore {
    /// Writes a commit in one transaction; a transaction the server broke off (a
    /// serialization failure or deadlock) is tried once more.
    pub(super) fn write(&self, changes: &[TicketChange]) -> Result<(), StoreError> {
        let mut tries = 0;
        loop {
            match self.write_once(changes) {
                Ok(()) => return Ok(()),
                Err(Abort::Store(e)) => return Err(e),
                // The connection was found dropped as the transaction began (nothing of it
                // reached the server): once more, on the new connection `conn` makes.
                Err(Abort::Begin(e)) if tries == 0 && (e.is_closed() || self.dropped()) => {
                    tries += 1
                }
                Err(Abort::Begin(e)) => return Err(self.err(e)),
                Err(Abort::Pg(e)) if super::is_rls(&e) => return Err(self.outside(changes)),
                Err(Abort::Pg(e)) => {
                    use postgres::error::SqlState;
                    let retry = e.code().is_some_and(|c| {
                        *c == SqlState::T_R_SERIALIZATION_FAILURE
                            || *c == SqlState::T_R_DEADLOCK_DETECTED
                    });
                    // The (ticket, seq) constraint: another writer appended to a ticket
                    // meanwhile (only possible when the head lock was bypassed).
                    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
                        return Err(StoreError::Conflict(
                            changes.first().map(|c| c.id.clone()).unwrap_or_default(),
                        ));
                    }
                    if !retry || tries > 0 {
                        return Err(self.err(e));
                    }
                    tries += 1;
                }
            }
        }
    }

    /// Every statement from the head's lock to the commit is sent with its parameters' types
    /// (`*_typed`: one round trip, not a prepare and then an execute), since every other
    /// writer waits for the lock meanwhile.
    fn write_once(&self, changes: &[TicketChange]) -> Result<(), Abort> {
        let mut conn = self.conn();
        let mut tx = conn.transaction().map_err(Abort::Begin)?;
        // Every writer queues here: the chain is advanced by one transaction at a time.
        let row = tx.query_typed_one(
            "SELECT seq, hash, latest_at, ticket_count FROM genban_head WHERE one FOR UPDATE",
            &[],
        )?;
        let seq: i64 = row.get(0);
        let head = Head {
            seq: u64::try_from(seq).map_err(|_| self.corrupt("the chain's length is negative"))?,
            hash: row
                .get::<_, Option<String>>(1)
                .unwrap_or_else(|| GENESIS.to_string()),
        };
        let mut latest: Option<DateTime<Utc>> = row.get(2);
        let mut count: i64 = row.get(3);
        let mut links = Links::of(changes, head, seq == 0 && count == 0)?;
        let ids: Vec<&str> = changes.iter().map(|c| c.id.as_str()).collect();
        let mut held: HashMap<String, usize> = HashMap::new();
        let mut streets: HashMap<String, String> = HashMap::new();
        for r in tx.query_typed(
            "SELECT id, events, street FROM genban_tickets WHERE id = ANY($1) ORDER BY id FOR UPDATE",
            &[(&ids, Type::TEXT_ARRAY)],
        )? {
            let n: i32 = r.get(1);
            held.insert(r.get(0), usize::try_from(n).unwrap_or(0));
            streets.insert(r.get(0), r.get(2));
        }
        // Tickets this writer cannot see (new ones, or another street's).
        let unseen: Vec<String> = ids
            .iter()
            .filter(|id| !held.contains_key(**id))
            .map(|id| id.to_string())
            .collect();
        // Tickets whose record now names another street: their earlier events move with them.
        let mut moved: Vec<(String, String)> = Vec::new();
        let mut events = EventRows::default();
        let mut tickets = TicketRows::default();
        for c in changes {
            let have = held.get(&c.id).copied();
            // A ticket read with events that is not to be seen now: its record was moved to
            // another street meanwhile (events are never taken away).
            if have.is_none() && c.expected_events > 0 {
                return Err(self.other_streets(&c.id).into());
            }
            if have.unwrap_or(0) != c.expected_events {
                return Err(StoreError::Conflict(c.id.clone()).into());
            }
            if have.is_none() {
                count += 1;
            }
            let mut n = c.expected_events;
            let street = street_of(&c.derived.facts);
            if streets.get(&c.id).is_some_and(|old| *old != street) {
                moved.push((c.id.clone(), street.clone()));
            }
            for e in &c.new_events {
                n += 1;
                events.push((&c.id, &street), n, e, &mut links)?;
                latest = latest.max(Some(e.instant()));
            }
            held.insert(c.id.clone(), n);
            tickets.push(c, i32::try_from(n).map_err(|_| too_many(&c.id))?, &street);
            if events.chain_seq.len() >= BATCH {
                events.flush(&mut tx).map_err(|e| self.hidden(e, &unseen))?;
            }
            if tickets.id.len() >= BATCH {
                tickets.flush(&mut tx)?;
            }
        }
        events.flush(&mut tx).map_err(|e| self.hidden(e, &unseen))?;
        tickets.flush(&mut tx)?;
        for (id, street) in &moved {
            tx.execute_typed(
                "UPDATE genban_events SET street = $2 WHERE ticket = $1 AND street <> $2",
                &[(id, Type::TEXT), (street, Type::TEXT)],
            )?;
        }
        let head = links.head();
        let seq = i64::try_from(head.seq).map_err(|_| self.corrupt("the chain is too long"))?;
        // The head moved and the notification, in one statement.
        tx.query_typed(
            "WITH moved AS (UPDATE genban_head SET seq = $1, hash = $2, latest_at = $3, \
             ticket_count = $4 WHERE one RETURNING one) SELECT pg_notify($5, $6) FROM moved",
            &[
                (&seq, Type::INT8),
                (&head.hash, Type::TEXT),
                (&latest, Type::TIMESTAMPTZ),
                (&count, Type::INT8),
                (&CHANNEL, Type::TEXT),
                (&payload(&ids), Type::TEXT),
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}

impl PgStore {
    /// A place in a ticket's log already taken, for a ticket the writer could not see (the
    /// head row's lock keeps any other writer out, so no one else took it meanwhile): the
    /// ticket is another street's, hidden by row-level security.
    fn hidden(&self, e: postgres::Error, unseen: &[String]) -> Abort {
        if e.code() != Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
            return Abort::Pg(e);
        }
        // The server names the row it found: `Key (ticket, seq)=(ID, 1) already exists.`
        let named = e
            .as_db_error()
            .and_then(|d| d.detail())
            .and_then(|d| unseen.iter().find(|id| d.contains(&format!("=({id}, "))));
        match named.or(unseen.first()) {
            Some(id) => Abort::Store(self.other_streets(id)),
            None => Abort::Pg(e),
        }
    }

    /// The write of `id` refused: the ticket is another street's.
    fn other_streets(&self, id: &str) -> StoreError {
        StoreError::Database {
            location: self.shown.clone(),
            problem: crate::store::DbProblem::OtherStreetsTicket,
            detail: id.to_string(),
        }
    }

    /// A commit row-level security refused (a record naming a street not the role's): which
    /// of its tickets, asked of the database after the rollback (the streets it would not
    /// let this role write); all of them when it cannot say.
    fn outside(&self, changes: &[TicketChange]) -> StoreError {
        let streets: Vec<String> = changes
            .iter()
            .map(|c| street_of(&c.derived.facts))
            .collect();
        let refused: Vec<String> = self
            .rows(
                "SELECT s FROM unnest($1::text[]) s WHERE NOT genban_sees(current_user, s)",
                &[&streets],
            )
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .unwrap_or_default();
        let mut ids: Vec<&str> = changes
            .iter()
            .zip(&streets)
            .filter(|(_, s)| refused.is_empty() || refused.contains(s))
            .map(|(c, _)| c.id.as_str())
            .collect();
        ids.dedup();
        const NAMED: usize = 3;
        let mut detail = ids
            .iter()
            .take(NAMED)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if ids.len() > NAMED {
            detail += &format!(" (+{})", ids.len() - NAMED);
        }
        StoreError::Database {
            location: self.shown.clone(),
            problem: crate::store::DbProblem::OutsideStreet,
            detail,
        }
    }
}

/// The street of a ticket: its latest record's that names one (what row-level security keys
/// on; '' when no record names a street).
fn street_of(facts: &TicketFacts) -> String {
    facts
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::Ticket(r) => r.street.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            _ => None,
        })
        .unwrap_or("")
        .to_string()
}

/// The ids of a commit as a notification's payload (one per line), `*` when they do not fit.
fn payload(ids: &[&str]) -> String {
    let len: usize = ids.iter().map(|i| i.len() + 1).sum();
    if len > MAX_PAYLOAD {
        return "*".to_string();
    }
    ids.join("\n")
}
