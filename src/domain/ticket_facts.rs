//! A ticket's facts: the compact record every figure, pane, board, look-back and list reads,
//! derived from the ticket's log and written with it (the log stays the truth; `verify`
//! derives the facts again and compares).
//!
//! The facts are the ticket's timeline, not a snapshot, so that any past date can be cut at:
//! the events in application order with voids applied (a voided event is gone; the `void`
//! stays, naming its target exactly), and without the free text no rule reads (诉求内容, 答复内容,
//! notes, plans and reasons other than a void's, a meeting's participants and decision). Names
//! the lists show (title, citizen, address, units, operators) stay. Encoded with postcard
//! behind a version byte; a new kind of event is a new variant at the end of `StoredKind`, so
//! records written before it read the same (postcard numbers the variants in order).

use super::event::{
    Channel, Event, EventKind, Outcome, Satisfaction, Source, TicketRecord, VoidTarget,
};
use super::void;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;

/// The encoding's version (the first byte of every stored facts record).
pub const FACTS_VERSION: u8 = 1;

/// The facts of one ticket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketFacts {
    /// The effective events in application order, free text taken out (`ticket` is the id).
    pub events: Vec<Event>,
}

/// Why stored facts could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("facts record of version {0}, this genban reads version {FACTS_VERSION}")]
    Version(u8),
    #[error("facts record unreadable: {0}")]
    Decode(String),
}

impl TicketFacts {
    /// The facts of a whole log (append or application order; events already accepted).
    pub fn derive<E: Borrow<Event>>(events: &[E]) -> TicketFacts {
        let mut ordered: Vec<&Event> = events.iter().map(Borrow::borrow).collect();
        ordered.sort_by_key(|e| e.instant());
        let by = void::voided_by(&ordered);
        let mut out = Vec::with_capacity(ordered.len());
        for (i, e) in ordered.iter().enumerate() {
            if by[i].is_some() {
                continue;
            }
            if let EventKind::Void { target, reason } = &e.kind {
                // A void that annuls nothing changes nothing: it is left out.
                let Some(j) = by.iter().position(|v| *v == Some(i)) else {
                    continue;
                };
                out.push(applied_void(e, target, reason, ordered[j]));
                continue;
            }
            out.push(strip(e));
        }
        TicketFacts { events: out }
    }

    /// The facts after one more accepted event (events arrive in append order, so a backdated
    /// one goes to its place in application order, after any event of the same instant).
    pub fn push(&mut self, e: &Event) {
        let at = e.instant();
        let place = self.events.partition_point(|x| x.instant() <= at);
        if let EventKind::Void { target, reason } = &e.kind {
            let found = self
                .events
                .iter()
                .position(|x| void::voidable(x) && target.matches(x));
            let Some(j) = found else { return };
            let gone = self.events.remove(j);
            let v = applied_void(e, target, reason, &gone);
            let place = self.events.partition_point(|x| x.instant() <= at);
            self.events.insert(place, v);
            return;
        }
        self.events.insert(place, strip(e));
    }

    /// The events with the ticket's id set (they are stored without it).
    pub fn with_id(mut self, id: &str) -> TicketFacts {
        for e in &mut self.events {
            e.ticket = id.to_string();
        }
        self
    }

    /// The stored form: the version byte, then postcard.
    pub fn encode(&self) -> Vec<u8> {
        let stored: Vec<StoredEvent> = self.events.iter().map(StoredEvent::of).collect();
        let mut out = vec![FACTS_VERSION];
        out.extend(postcard::to_allocvec(&stored).expect("facts encode to memory"));
        out
    }

    /// Reads a stored record; `id` is set on every event.
    pub fn decode(id: &str, bytes: &[u8]) -> Result<TicketFacts, FactsError> {
        match bytes.first() {
            Some(&FACTS_VERSION) => {}
            Some(&v) => return Err(FactsError::Version(v)),
            None => return Err(FactsError::Decode("empty".into())),
        }
        let stored: Vec<StoredEvent> =
            postcard::from_bytes(&bytes[1..]).map_err(|e| FactsError::Decode(e.to_string()))?;
        let events = stored
            .into_iter()
            .map(|s| s.event(id))
            .collect::<Result<_, _>>()?;
        Ok(TicketFacts { events })
    }
}

/// A void as the facts keep it: its target named by the voided event's own `at` (same
/// instant, the offset it was written with), so lists show the time as the log has it.
fn applied_void(e: &Event, target: &VoidTarget, reason: &str, gone: &Event) -> Event {
    let mut v = strip(e);
    v.kind = EventKind::Void {
        target: VoidTarget {
            event_type: target.event_type.clone(),
            at: gone.at,
            recorded_at: target.recorded_at,
        },
        reason: reason.to_string(),
    };
    v
}

/// An event without the free text no rule reads.
fn strip(e: &Event) -> Event {
    let kind = match &e.kind {
        EventKind::Ticket(r) => EventKind::Ticket(Box::new(TicketRecord {
            content: None,
            reply: None,
            ..(**r).clone()
        })),
        EventKind::Return { unit, .. } => EventKind::Return {
            unit: unit.clone(),
            reason: String::new(),
        },
        EventKind::Sign { unit, deadline, .. } => EventKind::Sign {
            unit: unit.clone(),
            deadline: *deadline,
            plan: None,
        },
        EventKind::Extend { deadline, .. } => EventKind::Extend {
            deadline: *deadline,
            reason: String::new(),
        },
        EventKind::Reopen { deadline, .. } => EventKind::Reopen {
            deadline: *deadline,
            reason: String::new(),
        },
        EventKind::Meeting { .. } => stripped_meeting(),
        other => other.clone(),
    };
    Event {
        ticket: e.ticket.clone(),
        at: e.at,
        operator: e.operator.clone(),
        recorded_at: e.recorded_at,
        note: None,
        kind,
    }
}

/// A meeting as the facts keep it: that it took place, and when.
fn stripped_meeting() -> EventKind {
    EventKind::Meeting {
        participants: Vec::new(),
        decision: String::new(),
        plan: None,
    }
}

/// An instant with the offset it was written with: seconds, nanoseconds, offset seconds.
#[derive(Debug, Serialize, Deserialize)]
struct Instant(i64, u32, i32);

impl Instant {
    fn of(t: &DateTime<FixedOffset>) -> Instant {
        Instant(
            t.timestamp(),
            t.timestamp_subsec_nanos(),
            t.offset().local_minus_utc(),
        )
    }
    fn get(&self) -> Result<DateTime<FixedOffset>, FactsError> {
        let bad = || FactsError::Decode(format!("bad instant {self:?}"));
        let off = FixedOffset::east_opt(self.2).ok_or_else(bad)?;
        off.timestamp_opt(self.0, self.1).single().ok_or_else(bad)
    }
}

fn day(d: &NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(d)
}

fn date(n: i32) -> Result<NaiveDate, FactsError> {
    NaiveDate::from_num_days_from_ce_opt(n).ok_or_else(|| FactsError::Decode(format!("day {n}")))
}

fn code<T: Copy + PartialEq>(all: &[T], x: T) -> u8 {
    all.iter().position(|y| *y == x).unwrap_or(0) as u8
}

fn pick<T: Copy>(all: &[T], n: u8) -> Result<T, FactsError> {
    all.get(n as usize)
        .copied()
        .ok_or_else(|| FactsError::Decode(format!("code {n}")))
}

const OUTCOMES: [Outcome; 2] = [Outcome::Reached, Outcome::Unreached];

#[derive(Debug, Serialize, Deserialize)]
struct StoredEvent {
    at: Instant,
    recorded_at: Option<Instant>,
    operator: Option<String>,
    kind: StoredKind,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredRecord {
    received_at: Option<Instant>,
    complainant: Option<String>,
    phone: Option<String>,
    street: Option<String>,
    community: Option<String>,
    address: Option<String>,
    category: Option<String>,
    title: Option<String>,
    unit: Option<String>,
    closed_at: Option<Instant>,
    satisfaction: Option<u8>,
    reasonable: Option<bool>,
    source: Option<u8>,
}

#[derive(Debug, Serialize, Deserialize)]
enum StoredKind {
    Ticket(Box<StoredRecord>),
    Dispatch(String),
    Return(String),
    Sign(String, i32),
    Contact(u8, u8, Option<String>),
    Extend(i32),
    Resolve,
    Revisit(u8, Option<i32>),
    Reopen(i32),
    Whistle(Vec<String>),
    WhistleResponse(String, Option<bool>),
    Escalate(String),
    Note,
    Void {
        event_type: String,
        at: Instant,
        recorded_at: Option<Instant>,
        reason: String,
    },
    /// Added after version 1 was in use: at the end, so older records decode unchanged.
    Meeting,
}

impl StoredRecord {
    fn of(r: &TicketRecord) -> StoredRecord {
        StoredRecord {
            received_at: r.received_at.as_ref().map(Instant::of),
            complainant: r.complainant.clone(),
            phone: r.phone.clone(),
            street: r.street.clone(),
            community: r.community.clone(),
            address: r.address.clone(),
            category: r.category.clone(),
            title: r.title.clone(),
            unit: r.unit.clone(),
            closed_at: r.closed_at.as_ref().map(Instant::of),
            satisfaction: r.satisfaction.map(|s| code(&Satisfaction::ALL, s)),
            reasonable: r.reasonable,
            source: r.source.map(|s| code(&Source::ALL, s)),
        }
    }

    fn record(self) -> Result<TicketRecord, FactsError> {
        Ok(TicketRecord {
            received_at: self.received_at.map(|t| t.get()).transpose()?,
            complainant: self.complainant,
            phone: self.phone,
            street: self.street,
            community: self.community,
            address: self.address,
            category: self.category,
            title: self.title,
            content: None,
            unit: self.unit,
            closed_at: self.closed_at.map(|t| t.get()).transpose()?,
            reply: None,
            satisfaction: self
                .satisfaction
                .map(|n| pick(&Satisfaction::ALL, n))
                .transpose()?,
            reasonable: self.reasonable,
            source: self.source.map(|n| pick(&Source::ALL, n)).transpose()?,
        })
    }
}

impl StoredEvent {
    fn of(e: &Event) -> StoredEvent {
        let kind = match &e.kind {
            EventKind::Ticket(r) => StoredKind::Ticket(Box::new(StoredRecord::of(r))),
            EventKind::Dispatch { unit } => StoredKind::Dispatch(unit.clone()),
            EventKind::Return { unit, .. } => StoredKind::Return(unit.clone()),
            EventKind::Sign { unit, deadline, .. } => StoredKind::Sign(unit.clone(), day(deadline)),
            EventKind::Contact {
                channel,
                outcome,
                contact_person,
            } => StoredKind::Contact(
                code(&Channel::ALL, *channel),
                code(&OUTCOMES, *outcome),
                contact_person.clone(),
            ),
            EventKind::Extend { deadline, .. } => StoredKind::Extend(day(deadline)),
            EventKind::Resolve => StoredKind::Resolve,
            EventKind::Revisit {
                satisfaction,
                deadline,
            } => StoredKind::Revisit(
                code(&Satisfaction::ALL, *satisfaction),
                deadline.as_ref().map(day),
            ),
            EventKind::Reopen { deadline, .. } => StoredKind::Reopen(day(deadline)),
            EventKind::Whistle { departments } => StoredKind::Whistle(departments.clone()),
            EventKind::WhistleResponse {
                department,
                resolved,
            } => StoredKind::WhistleResponse(department.clone(), *resolved),
            EventKind::Escalate { topic } => StoredKind::Escalate(topic.clone()),
            EventKind::Note => StoredKind::Note,
            EventKind::Meeting { .. } => StoredKind::Meeting,
            EventKind::Void { target, reason } => StoredKind::Void {
                event_type: target.event_type.clone(),
                at: Instant::of(&target.at),
                recorded_at: target.recorded_at.as_ref().map(Instant::of),
                reason: reason.clone(),
            },
        };
        StoredEvent {
            at: Instant::of(&e.at),
            recorded_at: e.recorded_at.as_ref().map(Instant::of),
            operator: e.operator.clone(),
            kind,
        }
    }

    fn event(self, id: &str) -> Result<Event, FactsError> {
        let kind = match self.kind {
            StoredKind::Ticket(r) => EventKind::Ticket(Box::new(r.record()?)),
            StoredKind::Dispatch(unit) => EventKind::Dispatch { unit },
            StoredKind::Return(unit) => EventKind::Return {
                unit,
                reason: String::new(),
            },
            StoredKind::Sign(unit, d) => EventKind::Sign {
                unit,
                deadline: date(d)?,
                plan: None,
            },
            StoredKind::Contact(c, o, contact_person) => EventKind::Contact {
                channel: pick(&Channel::ALL, c)?,
                outcome: pick(&OUTCOMES, o)?,
                contact_person,
            },
            StoredKind::Extend(d) => EventKind::Extend {
                deadline: date(d)?,
                reason: String::new(),
            },
            StoredKind::Resolve => EventKind::Resolve,
            StoredKind::Revisit(s, d) => EventKind::Revisit {
                satisfaction: pick(&Satisfaction::ALL, s)?,
                deadline: d.map(date).transpose()?,
            },
            StoredKind::Reopen(d) => EventKind::Reopen {
                deadline: date(d)?,
                reason: String::new(),
            },
            StoredKind::Whistle(departments) => EventKind::Whistle { departments },
            StoredKind::WhistleResponse(department, resolved) => EventKind::WhistleResponse {
                department,
                resolved,
            },
            StoredKind::Escalate(topic) => EventKind::Escalate { topic },
            StoredKind::Note => EventKind::Note,
            StoredKind::Meeting => stripped_meeting(),
            StoredKind::Void {
                event_type,
                at,
                recorded_at,
                reason,
            } => EventKind::Void {
                target: VoidTarget {
                    event_type,
                    at: at.get()?,
                    recorded_at: recorded_at.map(|t| t.get()).transpose()?,
                },
                reason,
            },
        };
        Ok(Event {
            ticket: id.to_string(),
            at: self.at.get()?,
            operator: self.operator,
            recorded_at: self.recorded_at.map(|t| t.get()).transpose()?,
            note: None,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Event {
        Event::from_json_str(s).unwrap()
    }

    fn log() -> Vec<Event> {
        vec![
            ev(
                r#"{"ticket":"T1","type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"甲","title":"路灯","content":"很长的诉求","reply":"答复","phone":"13800000001"}"#,
            ),
            ev(r#"{"ticket":"T1","type":"dispatch","at":"2026-10-01T10:00:00+08:00","unit":"甲"}"#),
            ev(
                r#"{"ticket":"T1","type":"sign","at":"2026-10-02T10:00:00+08:00","unit":"甲","deadline":"2026-10-30","plan":"计划","note":"备注"}"#,
            ),
            ev(
                r#"{"ticket":"T1","type":"contact","at":"2026-10-03T10:00:00+08:00","channel":"phone","outcome":"reached","recorded_at":"2026-10-03T10:00:05+08:00"}"#,
            ),
            ev(
                r#"{"ticket":"T1","type":"void","at":"2026-10-03T11:00:00+08:00","reason":"填错","target":{"type":"contact","at":"2026-10-03T02:00:00Z","recorded_at":"2026-10-03T10:00:05+08:00"}}"#,
            ),
        ]
    }

    #[test]
    fn facts_drop_free_text_and_voided_events_and_name_the_target_as_logged() {
        let f = TicketFacts::derive(&log());
        let types: Vec<&str> = f.events.iter().map(|e| e.kind.type_name()).collect();
        assert_eq!(types, ["ticket", "dispatch", "sign", "void"]);
        let EventKind::Ticket(r) = &f.events[0].kind else {
            panic!()
        };
        assert_eq!(
            (r.content.as_deref(), r.title.as_deref()),
            (None, Some("路灯"))
        );
        assert_eq!(f.events[2].note, None);
        let EventKind::Void { target, reason } = &f.events[3].kind else {
            panic!()
        };
        assert_eq!(target.at.to_rfc3339(), "2026-10-03T10:00:00+08:00");
        assert_eq!(reason, "填错");
    }

    #[test]
    fn facts_round_trip_through_their_encoding() {
        let f = TicketFacts::derive(&log()).with_id("T1");
        let bytes = f.encode();
        assert_eq!(bytes[0], FACTS_VERSION);
        assert_eq!(TicketFacts::decode("T1", &bytes).unwrap(), f);
        let mut newer = bytes.clone();
        newer[0] = FACTS_VERSION + 1;
        assert!(matches!(
            TicketFacts::decode("T1", &newer),
            Err(FactsError::Version(_))
        ));
        assert!(TicketFacts::decode("T1", &bytes[..bytes.len() - 3]).is_err());
    }

    #[test]
    fn a_meeting_is_kept_without_its_text_and_records_written_before_it_read_the_same() {
        let mut log = log();
        log.push(ev(
            r#"{"ticket":"T1","type":"meeting","at":"2026-10-04T19:00:00+08:00","participants":["居民代表"],"decision":"加装路灯","plan":"月底前","operator":"王"}"#,
        ));
        let f = TicketFacts::derive(&log).with_id("T1");
        let m = f.events.last().unwrap();
        assert_eq!(m.kind, stripped_meeting());
        assert_eq!(m.operator.as_deref(), Some("王"));
        assert_eq!(TicketFacts::decode("T1", &f.encode()).unwrap(), f);
        // A version-1 record of a note and a void, byte for byte as written before meetings
        // existed: the void is still variant 13 (the meeting went in after it), so it reads
        // back the same, and is written the same.
        let at10 = [192, 134, 131, 172, 13, 0, 128, 194, 3]; // 2026-10-03 10:00 +08:00
        let at11 = [224, 190, 131, 172, 13, 0, 128, 194, 3]; // 2026-10-03 11:00 +08:00
        let mut before = vec![FACTS_VERSION, 2];
        before.extend(at10);
        before.extend([0, 0, 12]); // no recorded_at, no operator, Note
        before.extend(at11);
        before.extend([0, 0, 13, 1, b'c']); // Void, its target's type "c"
        before.extend(at10);
        before.extend([0, 0]); // no target recorded_at, an empty reason
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let note = Event::new("T1", t("2026-10-03T10:00:00+08:00"), EventKind::Note);
        let void = Event::new(
            "T1",
            t("2026-10-03T11:00:00+08:00"),
            EventKind::Void {
                target: VoidTarget {
                    event_type: "c".into(),
                    at: note.at,
                    recorded_at: None,
                },
                reason: String::new(),
            },
        );
        let old = TicketFacts {
            events: vec![note, void],
        };
        assert_eq!(TicketFacts::decode("T1", &before).unwrap(), old);
        assert_eq!(old.encode(), before);
    }

    #[test]
    fn pushing_event_by_event_equals_deriving_the_whole_log() {
        let log = log();
        let mut f = TicketFacts::default();
        for e in &log {
            f.push(e);
        }
        assert_eq!(f, TicketFacts::derive(&log));
    }
}
