//! What the store indexes of a ticket, so that listing a pane does not read every ticket.
//! Derived from the whole log of the ticket (its latest state).

use super::ticket::{State, Ticket};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub state: Option<String>,
    pub unit: String,
    pub deadline: Option<NaiveDate>,
    pub resolved_on: Option<NaiveDate>,
}

/// The kinds of index key; each key is `PREFIX VALUE \0 ID`.
pub mod prefix {
    pub const STATE: &str = "s/";
    pub const DEADLINE: &str = "d/";
    pub const UNIT: &str = "u/";
    pub const RESOLVED: &str = "r/";
}

impl Summary {
    pub fn of(t: &Ticket, tz: Tz) -> Summary {
        Summary {
            state: t.state.map(|s| s.code().to_string()),
            unit: t.unit().to_string(),
            deadline: t.deadline,
            resolved_on: t.resolution_date(tz),
        }
    }

    pub fn state(&self) -> Option<State> {
        self.state.as_deref().and_then(State::parse)
    }

    /// The index keys of this ticket.
    pub fn index_keys(&self, id: &str) -> Vec<Vec<u8>> {
        let key = |p: &str, v: &str| format!("{p}{v}\0{id}").into_bytes();
        let mut out = Vec::new();
        if let Some(s) = &self.state {
            out.push(key(prefix::STATE, s));
            if !self.unit.is_empty() {
                out.push(key(prefix::UNIT, &self.unit));
            }
        }
        if self.state() == Some(State::InProgress) {
            if let Some(d) = self.deadline {
                out.push(key(prefix::DEADLINE, &d.to_string()));
            }
        }
        if let Some(d) = self.resolved_on {
            out.push(key(prefix::RESOLVED, &d.to_string()));
        }
        out
    }
}

/// Splits an index key into (value, id).
pub fn split_index_key(key: &[u8], prefix: &str) -> Option<(String, String)> {
    let s = std::str::from_utf8(key).ok()?.strip_prefix(prefix)?;
    let (v, id) = s.split_once('\0')?;
    Some((v.to_string(), id.to_string()))
}
