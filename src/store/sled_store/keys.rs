//! The sled backend's lookup keys: each is `PREFIX VALUE \0 ID` in the `idx` tree, so a range
//! of a prefix lists the tickets of a value in value order.

use crate::domain::summary::Summary;
use crate::domain::ticket::State;

pub const STATE: &str = "s/";
pub const DEADLINE: &str = "d/";
pub const UNIT: &str = "u/";
pub const RESOLVED: &str = "r/";
pub const CATEGORY: &str = "c/";

/// The lookup keys of a ticket with this summary.
pub fn of(s: &Summary, id: &str) -> Vec<Vec<u8>> {
    let key = |p: &str, v: &str| format!("{p}{v}\0{id}").into_bytes();
    let mut out = Vec::new();
    if let Some(st) = &s.state {
        out.push(key(STATE, st));
        if !s.unit.is_empty() {
            out.push(key(UNIT, &s.unit));
        }
    }
    if s.state() == Some(State::InProgress) {
        if let Some(d) = s.deadline {
            out.push(key(DEADLINE, &d.to_string()));
        }
    }
    if let Some(d) = s.resolved_on {
        out.push(key(RESOLVED, &d.to_string()));
    }
    if !s.category.is_empty() {
        out.push(key(CATEGORY, &s.category));
    }
    out
}

/// Splits a key into (value, id).
pub fn split(key: &[u8], prefix: &str) -> Option<(String, String)> {
    let s = std::str::from_utf8(key).ok()?.strip_prefix(prefix)?;
    let (v, id) = s.split_once('\0')?;
    Some((v.to_string(), id.to_string()))
}

/// The first key after every key of `prefix` + `value` (the next value's start).
pub fn after_value(prefix: &str, value: &str) -> Vec<u8> {
    format!("{prefix}{value}\u{1}").into_bytes()
}

/// The range of a prefix's keys with values in `[from, to]` (inclusive).
pub fn range(prefix: &str, from: Option<&str>, to: Option<&str>) -> (Vec<u8>, Vec<u8>) {
    let start = format!("{prefix}{}", from.unwrap_or("")).into_bytes();
    let end = match to {
        Some(t) => after_value(prefix, t),
        None => format!("{prefix}\u{10FFFF}").into_bytes(),
    };
    (start, end)
}
