//! The tamper-evident chain: every stored event carries the hash of the one stored before it
//! (one chain over the whole store), hashed over the event's canonical form — the normalised
//! form DOMAIN.md uses for equality — so that the store's own encoding can change without
//! breaking the chain. The chain is bookkeeping: it travels in a field named `_chain`, which
//! the rules ignore.

use super::event::Event;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event's place in the chain: its number (from 1) and the hash of the chain before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub seq: u64,
    pub prev: String,
}

/// The end of the chain: how many events it holds and the hash after the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

impl Head {
    /// Appends `e`: returns its link and moves the head past it.
    pub fn append(&mut self, e: &Event) -> Link {
        let link = Link {
            seq: self.seq + 1,
            prev: self.hash.clone(),
        };
        self.hash = hash_after(&link.prev, e);
        self.seq = link.seq;
        link
    }
}

/// The chain's hash after `e`, given the hash before it.
pub fn hash_after(prev: &str, e: &Event) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(e.normalized_key().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The `_chain` field of a stored or exported line, if it has one. The program writes it last
/// (`line_with`), so its own lines are read from the tail; other lines are parsed whole.
pub fn link_of(line: &str) -> Option<Link> {
    if let Some(at) = line.rfind(",\"_chain\":") {
        let tail = line[at + 10..].trim_end();
        if let Some(obj) = tail.strip_suffix('}') {
            if let Ok(l) = serde_json::from_str::<Link>(obj) {
                return Some(l);
            }
        }
    }
    #[derive(Deserialize)]
    struct Only {
        #[serde(rename = "_chain")]
        chain: Option<Link>,
    }
    serde_json::from_str::<Only>(line).ok()?.chain
}

/// A line with its `_chain` field (the event's own JSON, then the link).
pub fn line_with(e: &Event, link: &Link) -> String {
    let mut v = e.to_value();
    if let serde_json::Value::Object(m) = &mut v {
        m.insert(
            "_chain".into(),
            serde_json::to_value(link).expect("a link is JSON"),
        );
    }
    v.to_string()
}

/// What is wrong with a chain at one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event numbered `seq` is not what was chained (changed behind the program's back).
    Changed { seq: u64 },
    /// Events numbered `from..=to` are missing (removed).
    Missing { from: u64, to: u64 },
    /// Two events claim the number `seq`.
    Duplicate { seq: u64 },
    /// The chain ends before the store's head says it does (its last events removed), or the
    /// head was changed.
    Truncated { head: u64, last: u64 },
}

/// Checks links given as `(seq, prev, hash after the event)` in any order, against the head
/// (None: a log without one, e.g. an export). Returns each break, in chain order, with the
/// index of the entry it concerns (for `Missing`, the entry after the gap).
pub fn check(
    mut links: Vec<(u64, String, String, usize)>,
    head: Option<&Head>,
) -> Vec<(usize, Break)> {
    links.sort_by_key(|l| l.0);
    let mut out = Vec::new();
    let mut expected_seq = links.first().map_or(1, |l| l.0);
    if head.is_some() {
        expected_seq = 1;
    }
    for (i, (seq, prev, _, at)) in links.iter().enumerate() {
        if i > 0 && *seq == links[i - 1].0 {
            out.push((*at, Break::Duplicate { seq: *seq }));
            continue;
        }
        if *seq > expected_seq {
            out.push((
                *at,
                Break::Missing {
                    from: expected_seq,
                    to: seq - 1,
                },
            ));
        } else if i > 0 && links[i - 1].2 != *prev {
            // The previous event's content does not give this one's `prev`.
            out.push((
                links[i - 1].3,
                Break::Changed {
                    seq: links[i - 1].0,
                },
            ));
        }
        expected_seq = seq + 1;
    }
    if let Some(h) = head {
        match links.last() {
            Some((seq, _, after, at)) if *seq == h.seq && *after != h.hash => {
                out.push((*at, Break::Changed { seq: *seq }))
            }
            Some((seq, _, _, at)) if *seq != h.seq => out.push((
                *at,
                Break::Truncated {
                    head: h.seq,
                    last: *seq,
                },
            )),
            None if h.seq > 0 => out.push((
                0,
                Break::Truncated {
                    head: h.seq,
                    last: 0,
                },
            )),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(n: u32) -> Event {
        Event::from_json_str(&format!(
            r#"{{"ticket":"{n}","type":"note","at":"2026-10-0{}T10:00:00+08:00","note":"n{n}"}}"#,
            n % 9 + 1
        ))
        .unwrap()
    }

    fn chained(n: u32) -> (Vec<(u64, String, String, usize)>, Head) {
        let mut head = Head::default();
        let links = (0..n)
            .map(|i| {
                let e = ev(i);
                let l = head.append(&e);
                (l.seq, l.prev.clone(), hash_after(&l.prev, &e), i as usize)
            })
            .collect();
        (links, head)
    }

    #[test]
    fn an_honest_chain_has_no_break() {
        let (links, head) = chained(5);
        assert!(check(links, Some(&head)).is_empty());
    }

    #[test]
    fn changes_removals_and_truncations_are_named() {
        let (mut links, head) = chained(6);
        links[2].2 = "x".into(); // event 3 changed
        links.remove(4); // event 5 removed
        let found = check(links.clone(), Some(&head));
        assert_eq!(
            found,
            vec![
                (2, Break::Changed { seq: 3 }),
                (5, Break::Missing { from: 5, to: 5 })
            ]
        );
        let (mut links, head) = chained(4);
        links.pop();
        assert_eq!(
            check(links, Some(&head)),
            vec![(2, Break::Truncated { head: 4, last: 3 })]
        );
    }

    #[test]
    fn the_hash_is_over_the_canonical_form_not_the_bytes() {
        let a = Event::from_json_str(
            r#"{"ticket":"1","type":"note","at":"2026-10-01T10:00:00+08:00","note":"x"}"#,
        )
        .unwrap();
        let b = Event::from_json_str(
            r#"{"note":"x","at":"2026-10-01T02:00:00Z","type":"note","ticket":"1"}"#,
        )
        .unwrap();
        assert_eq!(hash_after(GENESIS, &a), hash_after(GENESIS, &b));
    }
}
