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
    /// Appends `e`: returns its link and moves the head past it. To store the event, prefer
    /// `append_line`, which also writes the line.
    pub fn append(&mut self, e: &Event) -> Link {
        let link = Link {
            seq: self.seq + 1,
            prev: self.hash.clone(),
        };
        self.hash = hash_after(&link.prev, e);
        self.seq = link.seq;
        link
    }

    /// Appends `e` and returns its stored line (without a newline): byte for byte
    /// `line_with(e, &head.append(e))`, for writers that store what they append. Each form
    /// of the event is built once: the canonical form (UTC times, `recorded_at` filled in)
    /// only for the hash, the event's own JSON (times as given) only for the line, and the
    /// link written onto it as text, not through a JSON tree. The two forms are different
    /// texts, so neither can stand in for the other.
    pub fn append_line(&mut self, e: &Event) -> String {
        let seq = self.seq + 1;
        let after = to_hex(&digest_after(&self.hash, e));
        let mut line = e.to_json_line();
        push_link(&mut line, seq, &self.hash);
        self.hash = after;
        self.seq = seq;
        line
    }
}

/// Lower-case hexadecimal of `bytes`, as the chain writes its hashes.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// The 32 bytes a hash as the chain writes it (64 lower-case digits) stands for; None if it
/// is not one. Lower case only, so that two hashes are equal exactly when their bytes are.
pub fn from_hex32(s: &str) -> Option<[u8; 32]> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        *o = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// The chain's hash after `e`, given the hash before it.
pub fn hash_after(prev: &str, e: &Event) -> String {
    to_hex(&digest_after(prev, e))
}

/// `hash_after` as its 32 bytes.
pub fn digest_after(prev: &str, e: &Event) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(e.normalized_key().as_bytes());
    h.finalize().into()
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
    let mut line = e.to_json_line();
    push_link(&mut line, link.seq, &link.prev);
    line
}

/// Writes `"_chain":{"seq":…,"prev":…}` as the last field of the JSON object `line`, byte for
/// byte as serde_json writes the field inserted into the object.
fn push_link(line: &mut String, seq: u64, prev: &str) {
    debug_assert!(line.ends_with('}'), "an event is a JSON object");
    line.pop();
    if !line.ends_with('{') {
        line.push(',');
    }
    line.push_str("\"_chain\":{\"seq\":");
    line.push_str(&seq.to_string());
    line.push_str(",\"prev\":");
    if prev.bytes().all(|b| b.is_ascii_alphanumeric()) {
        line.push('"');
        line.push_str(prev);
        line.push('"');
    } else {
        line.push_str(&serde_json::to_string(prev).expect("a string is JSON"));
    }
    line.push_str("}}");
}

/// A chain kept as it came (a whole chained log into an empty store): each event's `prev`,
/// in the order the events were given, and the head after them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub prevs: Vec<[u8; 32]>,
    pub head: Head,
}

/// The chain of events that keep the numbers they came with (`seqs[i]` is that of
/// `events[i]`), chained from the genesis in the order of those numbers: the same links and
/// head as the chain they came from, when it was whole. None unless the numbers are
/// `1..=n`, each once.
pub fn kept(events: &[&Event], seqs: &[u64]) -> Option<Kept> {
    if events.len() != seqs.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..seqs.len()).collect();
    order.sort_by_key(|&i| seqs[i]);
    if order
        .iter()
        .enumerate()
        .any(|(k, &i)| seqs[i] != k as u64 + 1)
    {
        return None;
    }
    let mut prevs = vec![[0u8; 32]; events.len()];
    let mut prev = [0u8; 32];
    for &i in &order {
        prevs[i] = prev;
        prev = digest_after(&to_hex(&prev), events[i]);
    }
    Some(Kept {
        prevs,
        head: Head {
            seq: events.len() as u64,
            hash: to_hex(&prev),
        },
    })
}

/// `line_with` for a link given as its number and the 32 bytes of its `prev`.
pub fn line_at(e: &Event, seq: u64, prev: &[u8; 32]) -> String {
    let mut line = e.to_json_line();
    push_link(&mut line, seq, &to_hex(prev));
    line
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

    #[test]
    fn a_kept_chain_is_the_chain_it_came_from() {
        let events: Vec<Event> = (0..6).map(ev).collect();
        let mut head = Head::default();
        let lines: Vec<String> = events.iter().map(|e| head.append_line(e)).collect();
        // Given in another order (as an export lists them), with their numbers.
        let order = [3usize, 0, 5, 1, 4, 2];
        let given: Vec<&Event> = order.iter().map(|&i| &events[i]).collect();
        let seqs: Vec<u64> = order.iter().map(|&i| i as u64 + 1).collect();
        let k = kept(&given, &seqs).unwrap();
        assert_eq!(k.head, head);
        for (n, &i) in order.iter().enumerate() {
            assert_eq!(line_at(given[n], seqs[n], &k.prevs[n]), lines[i]);
        }
        // Numbers that are not 1..=n, each once, keep nothing.
        assert_eq!(kept(&given, &[1, 2, 3, 4, 5, 7]), None);
        assert_eq!(kept(&given, &[1, 2, 3, 4, 5, 5]), None);
        assert_eq!(kept(&given[..2], &[2, 3]), None);
        assert_eq!(kept(&given[..2], &[1]), None);
        assert_eq!(kept(&[], &[]).map(|k| k.head), Some(Head::default()));
    }

    /// Hashes and lines written by the code before `append_line` and the table hex (pinned
    /// from it): stores written then must still verify.
    #[test]
    fn hashes_and_lines_are_those_of_earlier_versions() {
        let lines = [
            r#"{"ticket":"2025110200650","type":"ticket","at":"2025-11-02T16:32:00+08:00","received_at":"2025-11-02T16:32:00+08:00","complainant":"何先生","phone":"15041962478","street":"江浦街道","community":"园林社区","address":"南京市浦口区江浦街道园林家园6幢2单元803室","category":"房屋质量","title":"园林家园地下室渗水","content":"顶楼\"漏水\"\\n要求维修","unit":"区住建局","closed_at":"2025-11-06T09:32:00+08:00","reply":"已转相关部门处理","satisfaction":"unsatisfied","reasonable":true,"operator":"王雨婷"}"#,
            r#"{"ticket":"T1","type":"void","at":"2026-10-03T11:00:00+08:00","reason":"填错","target":{"type":"contact","at":"2026-10-03T02:00:00Z","recorded_at":"2026-10-03T10:00:05+08:00"}}"#,
        ];
        let hashes = [
            "e696f56577bfd17754210847d6ec76a5fd7389a27e5a044756d65583ea05bdce",
            "7e14347cbf0667d5603fa7aa3da164b32dec31c5667bbf7c0b28443608b6e468",
        ];
        let stored = [
            r#"{"ticket":"2025110200650","type":"ticket","at":"2025-11-02T16:32:00+08:00","received_at":"2025-11-02T16:32:00+08:00","complainant":"何先生","phone":"15041962478","street":"江浦街道","community":"园林社区","address":"南京市浦口区江浦街道园林家园6幢2单元803室","category":"房屋质量","title":"园林家园地下室渗水","content":"顶楼\"漏水\"\\n要求维修","unit":"区住建局","closed_at":"2025-11-06T09:32:00+08:00","reply":"已转相关部门处理","satisfaction":"unsatisfied","reasonable":true,"operator":"王雨婷","_chain":{"seq":1,"prev":"0000000000000000000000000000000000000000000000000000000000000000"}}"#,
            r#"{"ticket":"T1","type":"void","at":"2026-10-03T11:00:00+08:00","target":{"type":"contact","at":"2026-10-03T02:00:00+00:00","recorded_at":"2026-10-03T10:00:05+08:00"},"reason":"填错","_chain":{"seq":2,"prev":"e696f56577bfd17754210847d6ec76a5fd7389a27e5a044756d65583ea05bdce"}}"#,
        ];
        let (mut old, mut new) = (Head::default(), Head::default());
        for ((l, hash), want) in lines.iter().zip(hashes).zip(stored) {
            let e = Event::from_json_str(l).unwrap();
            assert_eq!(hash_after(&old.hash, &e), hash);
            assert_eq!(from_hex32(hash).map(|b| to_hex(&b)).as_deref(), Some(hash));
            let link = old.append(&e);
            assert_eq!(line_with(&e, &link), want);
            assert_eq!(new.append_line(&e), want);
            assert_eq!(new, old);
            assert_eq!(link_of(want), Some(link));
        }
        assert_eq!(old.hash, hashes[1]);
        // A link read from a file may hold anything: it is escaped as before.
        let e = Event::from_json_str(lines[1]).unwrap();
        let odd = Link {
            seq: 9,
            prev: "a\"b\\c".into(),
        };
        assert_eq!(
            line_with(&e, &odd),
            r#"{"ticket":"T1","type":"void","at":"2026-10-03T11:00:00+08:00","target":{"type":"contact","at":"2026-10-03T02:00:00+00:00","recorded_at":"2026-10-03T10:00:05+08:00"},"reason":"填错","_chain":{"seq":9,"prev":"a\"b\\c"}}"#
        );
        assert_eq!(from_hex32("xy"), None);
        assert_eq!(from_hex32(&"g".repeat(64)), None);
        assert_eq!(from_hex32(&hashes[0].to_uppercase()), None);
    }
}
