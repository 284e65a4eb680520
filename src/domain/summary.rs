//! What a store keeps beside a ticket's log, derived from it: the summary its lists are found
//! by, the facts every figure reads (`ticket_facts`) and the text search looks in. One
//! function derives all three; the ledger writes them with the events, `verify` derives them
//! again and compares.

use super::event::Event;
use super::search;
use super::ticket::{State, Ticket};
use super::ticket_facts::TicketFacts;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A ticket's latest state, as the pane queries find it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub state: Option<String>,
    pub unit: String,
    pub deadline: Option<NaiveDate>,
    pub resolved_on: Option<NaiveDate>,
    /// The record's category (问题分类), for the list of categories known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub category: String,
}

impl Summary {
    pub fn of(t: &Ticket, tz: Tz) -> Summary {
        Summary {
            state: t.state.map(|s| s.code().to_string()),
            unit: t.unit().to_string(),
            deadline: t.deadline,
            resolved_on: t.resolution_date(tz),
            category: t
                .record
                .category
                .as_deref()
                .map(str::trim)
                .unwrap_or("")
                .to_string(),
        }
    }

    pub fn state(&self) -> Option<State> {
        self.state.as_deref().and_then(State::parse)
    }
}

/// Everything derived from one ticket's log.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub summary: Summary,
    pub facts: TicketFacts,
    pub search: String,
}

/// Derives a ticket's summary, facts and search text from its whole log (events in any order;
/// all of them accepted).
pub fn derive(id: &str, events: &[Event], tz: Tz) -> Derived {
    let facts = TicketFacts::derive(events);
    // The facts keep the effective events in application order: the ticket's state follows.
    let ticket = Ticket::from_events(id, tz, &facts.events);
    let mut full = Ticket::new(id);
    for e in events {
        if let super::event::EventKind::Ticket(r) = &e.kind {
            full.record.merge(r);
        }
    }
    Derived {
        summary: Summary::of(&ticket, tz),
        search: search::text_of(id, &full.record, &search::meeting_texts(events)),
        facts,
    }
}
