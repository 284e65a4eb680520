//! Reading an event log (JSON Lines).

use super::Problem;
use crate::domain::chain;
use crate::domain::event::Event;
use crate::i18n::Msg;

/// A log read: its events with their line numbers, the lines that are not events, and each
/// event's chain number when the log carries its whole chain from the genesis.
pub struct Log {
    pub events: Vec<(usize, Event)>,
    pub problems: Vec<Problem>,
    pub seqs: Option<Vec<u64>>,
}

/// Parses every non-blank line.
pub fn parse_log(text: &str) -> Log {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // (seq, prev, hash after, line) of the lines that carry a chain, and the lines without.
    let mut links = Vec::new();
    let mut unchained = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match Event::from_json_str(line) {
            Ok(e) => {
                match chain::link_of(line) {
                    Some(l) => {
                        let after = chain::hash_after(&l.prev, &e);
                        links.push((l.seq, l.prev, after, n));
                    }
                    None => unchained.push(n),
                }
                events.push((n, e));
            }
            Err(e) => problems.push(Problem::line(n, e.0)),
        }
    }
    let whole = problems.is_empty() && from_genesis(&links);
    let seqs = whole.then(|| links.iter().map(|l| l.0).collect());
    if let Some(p) = broken_chain(links, &unchained) {
        problems.push(p);
    }
    let seqs = seqs.filter(|_| problems.is_empty());
    Log {
        events,
        problems,
        seqs,
    }
}

/// Whether the links (one for every event, in file order) are a whole chain that starts at
/// the genesis: numbers 1 to n, the first `prev` the genesis (the rest `broken_chain` checks).
fn from_genesis(links: &[(u64, String, String, usize)]) -> bool {
    let n = links.len() as u64;
    let mut seen = vec![false; links.len()];
    !links.is_empty()
        && links.iter().all(|(seq, prev, _, _)| {
            (1..=n).contains(seq)
                && !std::mem::replace(&mut seen[*seq as usize - 1], true)
                && (*seq != 1 || prev == chain::GENESIS)
        })
}

/// A log written by genban carries its chain: the first place it is broken, if it is. A log
/// without chain fields (another system's) has none to check.
fn broken_chain(links: Vec<(u64, String, String, usize)>, unchained: &[usize]) -> Option<Problem> {
    if links.is_empty() {
        return None;
    }
    if let Some(n) = unchained.first() {
        return Some(Problem::line(
            *n,
            Msg::new(
                "此日志带有防篡改链(`_chain`),这一行却没有:它是事后加入文件的",
                "this log carries a tamper-evident chain (`_chain`) but this line has none: it was added to the file afterwards",
            ),
        ));
    }
    let (line, b) = chain::check(links, None)
        .into_iter()
        .min_by_key(|(l, _)| *l)?;
    let why = match b {
        chain::Break::Changed { seq } => {
            Msg::new(
                format!("防篡改链在此断开:第 {seq} 条事件写入后被改动过"),
                format!("the tamper-evident chain breaks here: event {seq} was changed after it was written"),
            )
        }
        chain::Break::Missing { from, to } => {
            Msg::new(
                format!("防篡改链在此断开:此行之前的第 {from}–{to} 条事件被删除"),
                format!("the tamper-evident chain breaks here: events {from}–{to} were removed before this line"),
            )
        }
        chain::Break::Duplicate { seq } => {
            Msg::new(
                format!("防篡改链在此断开:第 {seq} 号事件出现两次"),
                format!("the tamper-evident chain breaks here: event number {seq} appears twice"),
            )
        }
        chain::Break::Truncated { .. } => Msg::new("防篡改链被截短", "the tamper-evident chain is cut short"),
    };
    Some(Problem::line(line, why))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chained(n: u32, from: chain::Head) -> (Vec<String>, chain::Head) {
        let mut head = from;
        let lines = (0..n)
            .map(|i| {
                let e = Event::from_json_str(&format!(
                    r#"{{"ticket":"T{}","type":"note","at":"2026-10-0{}T10:00:00+08:00","note":"n{i}"}}"#,
                    i % 2,
                    i + 1
                ))
                .unwrap();
                head.append_line(&e)
            })
            .collect();
        (lines, head)
    }

    #[test]
    fn only_a_whole_chain_from_the_genesis_gives_its_numbers() {
        let (mut lines, _) = chained(4, chain::Head::default());
        lines.swap(0, 3);
        let log = parse_log(&lines.join("\n"));
        assert!(log.problems.is_empty());
        assert_eq!(log.seqs, Some(vec![4, 2, 3, 1]));
        // A chain that starts elsewhere (its first `prev` not the genesis) checks, but is not
        // kept: a store rebuilt from the genesis would not give its links.
        let elsewhere = chain::Head {
            seq: 0,
            hash: "ab".repeat(32),
        };
        let (lines, _) = chained(3, elsewhere);
        let log = parse_log(&lines.join("\n"));
        assert!(log.problems.is_empty());
        assert_eq!(log.seqs, None);
        // A tail of a chain (numbers from 3): not kept either.
        let (lines, _) = chained(5, chain::Head::default());
        let log = parse_log(&lines[2..].join("\n"));
        assert!(log.problems.is_empty());
        assert_eq!(log.seqs, None);
        // A broken chain is a problem and gives no numbers; a log without chains none.
        let (mut lines, _) = chained(3, chain::Head::default());
        lines.remove(1);
        let log = parse_log(&lines.join("\n"));
        assert_eq!(log.problems.len(), 1);
        assert_eq!(log.seqs, None);
        let plain = r#"{"ticket":"T","type":"note","at":"2026-10-01T10:00:00+08:00","note":"n"}"#;
        let log = parse_log(plain);
        assert!(log.problems.is_empty());
        assert_eq!(log.seqs, None);
    }
}
