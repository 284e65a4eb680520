//! Reading an event log (JSON Lines).

use super::Problem;
use crate::domain::event::Event;

/// Parses every non-blank line; returns the events with their line numbers and the lines that
/// are not events.
pub fn parse_log(text: &str) -> (Vec<(usize, Event)>, Vec<Problem>) {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match Event::from_json_str(line) {
            Ok(e) => events.push((n, e)),
            Err(e) => problems.push(Problem::line(n, e.0)),
        }
    }
    (events, problems)
}

/// Whether text looks like an event log: its first non-blank line is a JSON object with
/// `ticket` and `type`.
pub fn looks_like_log(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|v| {
            v.as_object()
                .map(|o| o.contains_key("ticket") && o.contains_key("type"))
        })
        .unwrap_or(false)
}
