//! `genban backup DIR` and `genban restore DIR`: a consistent, verified snapshot of the whole
//! log (the JSONL export with its chain, and a manifest: how many events, the chain's head, the
//! file's SHA-256), taken while other writers wait; and its return into an empty store.

use crate::domain::chain::{self, Head, Link};
use crate::domain::event::Event;
use crate::i18n::Lang;
use crate::ledger::Ledger;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::Path;

pub const LOG: &str = "events.jsonl";
pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub events: usize,
    pub head: Head,
    pub sha256: String,
    pub written_at: String,
}

/// Writes the snapshot into `dir` (new or empty), then reads it back and checks it, line by
/// line, in the one pass that also gives the manifest its SHA-256 (written once the log has
/// passed); memory for the check is 34 bytes per event, not the log.
pub fn backup(ledger: &Ledger, dir: &Path, lang: Lang) -> Result<Manifest> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} {}",
            dir.display(),
            lang.t(
                "不是空目录:备份只能写入新的或空的目录",
                "is not empty: a backup goes into a new or empty directory"
            )
        );
    }
    if !dir.exists() {
        use std::os::unix::fs::DirBuilderExt;
        // It holds citizens' personal data: its owner's only.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let log = dir.join(LOG);
    let (events, head) = ledger.while_writes_wait(|| -> Result<(usize, Head)> {
        let (n, unreadable) = super::export::jsonl(ledger, &log)?;
        if unreadable > 0 {
            bail!(
                "{unreadable} stored events cannot be read: a backup must be whole (`genban verify` names them; `genban export` saves the rest)"
            );
        }
        Ok((n, ledger.chain_head()?.unwrap_or_default()))
    })?;
    let sha256 = check_log(&log, None, events, &head, lang, &mut |_, _| {})?;
    let m = Manifest {
        format: "genban-backup-1".into(),
        events,
        head,
        sha256,
        written_at: crate::domain::time::now_seconds().to_rfc3339(),
    };
    let text = serde_json::to_string_pretty(&m)? + "\n";
    super::export::write_atomically(&dir.join(MANIFEST), |tmp| {
        std::fs::write(tmp, &text)?;
        Ok(())
    })?;
    if serde_json::to_string_pretty(&read_manifest(dir, lang)?)? + "\n" != text {
        bail!(
            "{}: {}",
            dir.join(MANIFEST).display(),
            lang.t("写入后读回不符", "does not read back as written")
        );
    }
    Ok(m)
}

/// "FILE: line N: why" in the interface language.
fn line_error(file: &Path, line: usize, why: &str, lang: Lang) -> anyhow::Error {
    match lang {
        Lang::Zh => anyhow::anyhow!("{}:第 {line} 行:{why}", file.display()),
        Lang::En => anyhow::anyhow!("{}: line {line}: {why}", file.display()),
    }
}

fn read_manifest(dir: &Path, lang: Lang) -> Result<Manifest> {
    serde_json::from_str(
        &std::fs::read_to_string(dir.join(MANIFEST)).with_context(|| {
            let d = dir.display();
            match lang {
                Lang::Zh => format!("{d}:没有 {MANIFEST},不是 genban 备份"),
                Lang::En => format!("{d}: no {MANIFEST}: not a genban backup"),
            }
        })?,
    )
    .with_context(|| {
        let d = dir.display();
        match lang {
            Lang::Zh => format!("{d}:无法读取 {MANIFEST}"),
            Lang::En => format!("{d}: {MANIFEST} cannot be read"),
        }
    })
}

/// Reads a snapshot back: the manifest, the file's hash, every line, the whole chain up to
/// the head. Returns the events in file order.
pub fn check(dir: &Path, lang: Lang) -> Result<(Manifest, Vec<Event>)> {
    let mut events = Vec::new();
    let m = check_each(dir, lang, &mut |e| events.push(e))?;
    Ok((m, events))
}

/// `check` without holding the events: each is given to `each` as it is read, in file order
/// (a failure found later does not take them back). The file is read once, line by line.
pub fn check_each(dir: &Path, lang: Lang, each: &mut dyn FnMut(Event)) -> Result<Manifest> {
    check_linked(dir, lang, &mut |e, _| each(e))
}

/// `check_each`, each event given with its number in the chain.
fn check_linked(dir: &Path, lang: Lang, each: &mut dyn FnMut(Event, u64)) -> Result<Manifest> {
    let m = read_manifest(dir, lang)?;
    check_log(
        &dir.join(LOG),
        Some(&m.sha256),
        m.events,
        &m.head,
        lang,
        each,
    )?;
    Ok(m)
}

/// Checks a log in one pass: its SHA-256 (against `sha256`, if given), that every line is an
/// event with its link, that there are `events` of them, and that the chain is whole up to
/// `head`; the same failures, in the same order, as reading it whole would give. Returns the
/// SHA-256.
fn check_log(
    log: &Path,
    sha256: Option<&str>,
    events: usize,
    head: &Head,
    lang: Lang,
    each: &mut dyn FnMut(Event, u64),
) -> Result<String> {
    let s = scan(log, head, lang, each)?;
    if sha256.is_some_and(|want| want != s.sha256) {
        bail!(
            "{}: {}",
            log.display(),
            lang.t(
                "备份写成后文件被改动过(SHA-256 不符)",
                "the file changed after the backup was written (SHA-256 differs)"
            )
        );
    }
    if let Some(e) = s.failure {
        return Err(e);
    }
    if s.events != events {
        bail!(
            "{}: {}",
            log.display(),
            match lang {
                Lang::Zh => format!("有 {} 条事件,清单记载 {} 条", s.events, events),
                Lang::En => format!("{} events, the manifest says {}", s.events, events),
            }
        );
    }
    if !s.joints.whole() {
        // Something is off: name it as the whole-chain check does (a second reading).
        first_break(log, head, lang)?;
    }
    Ok(s.sha256)
}

/// What one pass over a log found.
struct Scan {
    sha256: String,
    /// Lines read as events (up to the first that is not one).
    events: usize,
    /// Why the log cannot be read: the first line that is not a chained event, or the file
    /// not being text.
    failure: Option<anyhow::Error>,
    joints: Joints,
}

/// Reads `log` line by line: hashes every byte, reads each line as an event with its link,
/// gives it to `each` and to the chain's joints.
fn scan(log: &Path, head: &Head, lang: Lang, each: &mut dyn FnMut(Event, u64)) -> Result<Scan> {
    let f = std::fs::File::open(log)?;
    let mut joints = Joints::new(head, f.metadata()?.len());
    let mut r = BufReader::with_capacity(1 << 16, f);
    let mut h = Sha256::new();
    let (mut buf, mut events, mut failure, mut text) = (Vec::new(), 0, None, true);
    while {
        buf.clear();
        r.read_until(b'\n', &mut buf)? > 0
    } {
        h.update(&buf);
        let Ok(line) = std::str::from_utf8(&buf) else {
            // As reading the file whole would have said, whatever else is wrong.
            text = false;
            continue;
        };
        if failure.is_some() || !text {
            continue;
        }
        match parse_line(line, log, events + 1, lang) {
            Ok((e, link)) => {
                joints.add(link.seq, &link.prev, chain::digest_after(&link.prev, &e));
                each(e, link.seq);
                events += 1;
            }
            Err(e) => failure = Some(e),
        }
    }
    if !text {
        failure = Some(std::io::Error::new(ErrorKind::InvalidData, NOT_TEXT).into());
    }
    Ok(Scan {
        sha256: chain::to_hex(&h.finalize()),
        events,
        failure,
        joints,
    })
}

/// `std`'s words when a file read as text is not UTF-8.
const NOT_TEXT: &str = "stream did not contain valid UTF-8";

/// Line `n` (with its line ending, as read) as an event and its link.
fn parse_line(line: &str, log: &Path, n: usize, lang: Lang) -> Result<(Event, Link)> {
    let line = match line.strip_suffix('\n') {
        Some(l) => l.strip_suffix('\r').unwrap_or(l),
        None => line,
    };
    let e = Event::from_json_str(line).map_err(|e| line_error(log, n, e.message(lang), lang))?;
    let l = chain::link_of(line)
        .ok_or_else(|| line_error(log, n, lang.t("没有防篡改链字段", "has no chain"), lang))?;
    Ok((e, l))
}

/// The first break of the log's chain, as `chain::check` names it, as an error. Only when
/// `Joints` found something off: it holds every link (about 200 bytes an event).
fn first_break(log: &Path, head: &Head, lang: Lang) -> Result<()> {
    let mut r = BufReader::new(std::fs::File::open(log)?);
    let (mut buf, mut links) = (String::new(), Vec::new());
    while {
        buf.clear();
        r.read_line(&mut buf)? > 0
    } {
        let (e, l) = parse_line(&buf, log, links.len() + 1, lang)?;
        let after = chain::hash_after(&l.prev, &e);
        links.push((l.seq, l.prev, after, links.len() + 1));
    }
    if let Some((line, b)) = chain::check(links, Some(head)).into_iter().next() {
        let why = format!("{} ({b:?})", lang.t("防篡改链断开", "the chain is broken"));
        return Err(line_error(log, line, &why, lang));
    }
    Ok(())
}

/// The chain checked as its links come, in any order (a log is written ticket by ticket, the
/// chain runs in the order events were stored), in a few bytes per event: joint `j` is
/// between events `j` and `j + 1`; of the hash after the one and the `prev` of the other,
/// the first to come waits there and the second must equal it. Joint 0 must be the genesis,
/// joint `head.seq` the head. Whole when every event from 1 to the head came once and every
/// joint agreed; anything else — even what `chain::check` lets pass — is left to it.
struct Joints {
    waiting: Vec<Option<[u8; 32]>>,
    seen: Vec<bool>,
    head_seq: u64,
    head_hash: Option<[u8; 32]>,
    count: u64,
    ok: bool,
}

impl Joints {
    fn new(head: &Head, file_len: u64) -> Joints {
        // Every chained line is well over 64 bytes: a chain longer than the file has room
        // for is not this file's, and nothing is set aside for it (`chain::check` names it).
        let ok = head.seq <= file_len / 64;
        let slots = if ok { head.seq as usize + 1 } else { 0 };
        Joints {
            waiting: vec![None; slots],
            seen: vec![false; slots],
            head_seq: head.seq,
            head_hash: chain::from_hex32(&head.hash),
            count: 0,
            ok,
        }
    }

    fn add(&mut self, seq: u64, prev: &str, after: [u8; 32]) {
        self.count += 1;
        if !self.ok {
            return;
        }
        let Some(prev) = chain::from_hex32(prev) else {
            self.ok = false;
            return;
        };
        if seq == 0 || seq > self.head_seq || std::mem::replace(&mut self.seen[seq as usize], true)
        {
            self.ok = false;
            return;
        }
        self.meet(seq - 1, prev);
        self.meet(seq, after);
    }

    fn meet(&mut self, joint: u64, hash: [u8; 32]) {
        let agrees = if joint == 0 {
            hash == [0; 32]
        } else if joint == self.head_seq {
            self.head_hash == Some(hash)
        } else {
            match &mut self.waiting[joint as usize] {
                w @ None => {
                    *w = Some(hash);
                    true
                }
                Some(w) => *w == hash,
            }
        };
        self.ok &= agrees;
    }

    fn whole(&self) -> bool {
        self.ok && self.count == self.head_seq
    }
}

/// Brings a checked snapshot into an empty store, keeping its chain: the store's head is then
/// the one the backup printed. Returns how many events were restored and the backup's head.
pub fn restore(ledger: &Ledger, dir: &Path, lang: Lang) -> Result<(usize, Head)> {
    if ledger.ticket_count()? > 0 {
        bail!(
            "{}",
            lang.t(
                "数据库里已有工单:只能恢复到空数据库(请换一个新的 --db)",
                "the store already holds tickets: restore goes into an empty store (choose a new --db)"
            )
        );
    }
    // `Ledger::apply` takes the whole log; the file itself is not held beside it.
    let (mut lines, mut seqs) = (Vec::new(), Vec::new());
    let m = check_linked(dir, lang, &mut |e, seq| {
        lines.push((lines.len() + 1, e));
        seqs.push(seq);
    })?;
    let out = ledger.apply_chained(lines, Some(seqs), false, false, &mut |_, _| {})?;
    if let Some(r) = out.refused.first() {
        return Err(line_error(&dir.join(LOG), r.line, &r.reason(lang), lang));
    }
    Ok((out.added, m.head))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize) -> Event {
        Event::from_json_str(&format!(
            r#"{{"ticket":"{}","type":"note","at":"2026-10-0{}T10:00:00+08:00","note":"n{n}"}}"#,
            n % 3,
            n % 9 + 1
        ))
        .unwrap()
    }

    /// A log of `n` chained events, written in an order other than the chain's.
    fn lines(n: usize) -> (Vec<String>, Head) {
        let mut head = Head::default();
        let mut out: Vec<String> = (0..n).map(|i| head.append_line(&event(i))).collect();
        out.sort_by_key(|l| Event::from_json_str(l).unwrap().ticket);
        (out, head)
    }

    /// The check as it was, reading the file whole: the reference.
    fn whole(dir: &Path, lang: Lang) -> Result<usize> {
        let m = read_manifest(dir, lang)?;
        let log = dir.join(LOG);
        let bytes = std::fs::read(&log)?;
        if chain::to_hex(&Sha256::digest(&bytes)) != m.sha256 {
            bail!("sha");
        }
        let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!(NOT_TEXT))?;
        let mut links = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let (e, l) = parse_line(line, &log, i + 1, lang)?;
            links.push((l.seq, l.prev.clone(), chain::hash_after(&l.prev, &e), i + 1));
        }
        if links.len() != m.events {
            let (n, want) = (links.len(), m.events);
            bail!("{}: {n} events, the manifest says {want}", log.display());
        }
        if let Some((line, b)) = chain::check(links, Some(&m.head)).into_iter().next() {
            let why = format!("{} ({b:?})", lang.t("防篡改链断开", "the chain is broken"));
            return Err(line_error(&log, line, &why, lang));
        }
        Ok(text.lines().count())
    }

    /// Writes `log` with a manifest that fits its bytes, and checks it both ways.
    fn both(
        log: &[u8],
        events: usize,
        head: &Head,
    ) -> (Result<usize, String>, Result<usize, String>) {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(LOG), log).unwrap();
        let m = Manifest {
            format: "genban-backup-1".into(),
            events,
            head: head.clone(),
            sha256: chain::to_hex(&Sha256::digest(log)),
            written_at: String::new(),
        };
        std::fs::write(d.path().join(MANIFEST), serde_json::to_string(&m).unwrap()).unwrap();
        let new = check(d.path(), Lang::En)
            .map(|(_, e)| e.len())
            .map_err(|e| e.to_string());
        let old = whole(d.path(), Lang::En).map_err(|e| e.to_string());
        (new, old)
    }

    fn joined(lines: &[String]) -> Vec<u8> {
        lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect()
    }

    #[test]
    fn an_honest_log_out_of_chain_order_checks() {
        let (lines, head) = lines(30);
        let (new, old) = both(&joined(&lines), 30, &head);
        assert_eq!(new, Ok(30));
        assert_eq!(old, Ok(30));
        assert_eq!(both(b"", 0, &Head::default()).0, Ok(0));
    }

    #[test]
    fn a_broken_log_fails_as_the_whole_check_says() {
        let (lines, head) = lines(12);
        let n = lines.len();
        let mut cases: Vec<(Vec<String>, usize, Head)> = Vec::new();
        let mut changed = lines.clone();
        changed[4] = changed[4].replace("\"note\":\"n", "\"note\":\"m");
        cases.push((changed, n, head.clone()));
        let mut removed = lines.clone();
        removed.remove(5);
        cases.push((removed.clone(), n - 1, head.clone()));
        cases.push((removed, n, head.clone()));
        let mut doubled = lines.clone();
        doubled.push(lines[2].clone());
        cases.push((doubled, n + 1, head.clone()));
        let wrong_head = Head {
            seq: head.seq,
            hash: chain::GENESIS.into(),
        };
        cases.push((lines.clone(), n, wrong_head));
        let longer = Head {
            seq: head.seq + 1,
            hash: head.hash.clone(),
        };
        cases.push((lines.clone(), n, longer));
        let mut unchained = lines.clone();
        unchained[3] = event(3).to_json_line();
        cases.push((unchained, n, head.clone()));
        let mut garbage = lines.clone();
        garbage[7] = "{not json".into();
        cases.push((garbage, n, head.clone()));
        // What the whole check lets pass: a first `prev` other than the genesis.
        let mut first = Head {
            seq: 0,
            hash: "ab".repeat(32),
        };
        let started: Vec<String> = (0..4).map(|i| first.append_line(&event(i))).collect();
        cases.push((started, 4, first));
        for (i, (lines, events, head)) in cases.into_iter().enumerate() {
            let (new, old) = both(&joined(&lines), events, &head);
            assert_eq!(new, old, "case {i}");
            assert_eq!(new.is_ok(), i == 8, "case {i}: {new:?}");
        }
        let mut bytes = joined(&lines);
        bytes[10] = 0xff;
        let (new, old) = both(&bytes, n, &head);
        assert_eq!(new, Err(NOT_TEXT.to_string()));
        assert_eq!(old, Err(NOT_TEXT.to_string()));
    }
}
