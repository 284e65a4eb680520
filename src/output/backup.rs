//! `genban backup DIR` and `genban restore DIR`: a consistent, verified snapshot of the whole
//! log (the JSONL export with its chain, and a manifest: how many events, the chain's head, the
//! file's SHA-256), taken while other writers wait; and its return into an empty store.

use crate::domain::chain::{self, Head};
use crate::domain::event::Event;
use crate::i18n::Lang;
use crate::ledger::Ledger;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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

fn sha256_of(path: &Path) -> Result<String> {
    let mut h = Sha256::new();
    let mut f = std::fs::File::open(path)?;
    std::io::copy(&mut f, &mut h)?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes the snapshot into `dir` (new or empty), then reads it back and checks it.
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
    let m = Manifest {
        format: "genban-backup-1".into(),
        events,
        head,
        sha256: sha256_of(&log)?,
        written_at: crate::domain::time::now_seconds().to_rfc3339(),
    };
    super::export::write_atomically(&dir.join(MANIFEST), |tmp| {
        std::fs::write(tmp, serde_json::to_string_pretty(&m)? + "\n")?;
        Ok(())
    })?;
    check(dir, lang)?;
    Ok(m)
}

/// "FILE: line N: why" in the interface language.
fn line_error(file: &Path, line: usize, why: &str, lang: Lang) -> anyhow::Error {
    match lang {
        Lang::Zh => anyhow::anyhow!("{}:第 {line} 行:{why}", file.display()),
        Lang::En => anyhow::anyhow!("{}: line {line}: {why}", file.display()),
    }
}

/// Reads a snapshot back: the manifest, the file's hash, every line, the whole chain up to
/// the head. Returns the events in file order.
pub fn check(dir: &Path, lang: Lang) -> Result<(Manifest, Vec<Event>)> {
    let m: Manifest = serde_json::from_str(
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
    })?;
    let log = dir.join(LOG);
    if sha256_of(&log)? != m.sha256 {
        bail!(
            "{}: {}",
            log.display(),
            lang.t(
                "备份写成后文件被改动过(SHA-256 不符)",
                "the file changed after the backup was written (SHA-256 differs)"
            )
        );
    }
    let text = std::fs::read_to_string(&log)?;
    let mut events = Vec::with_capacity(m.events);
    let mut links = Vec::with_capacity(m.events);
    for (i, line) in text.lines().enumerate() {
        let e = Event::from_json_str(line)
            .map_err(|e| line_error(&log, i + 1, e.message(lang), lang))?;
        let l = chain::link_of(line).ok_or_else(|| {
            line_error(
                &log,
                i + 1,
                lang.t("没有防篡改链字段", "has no chain"),
                lang,
            )
        })?;
        links.push((l.seq, l.prev.clone(), chain::hash_after(&l.prev, &e), i + 1));
        events.push(e);
    }
    if events.len() != m.events {
        bail!(
            "{}: {}",
            log.display(),
            match lang {
                Lang::Zh => format!("有 {} 条事件,清单记载 {} 条", events.len(), m.events),
                Lang::En => format!("{} events, the manifest says {}", events.len(), m.events),
            }
        );
    }
    if let Some((line, b)) = chain::check(links, Some(&m.head)).into_iter().next() {
        let why = format!("{} ({b:?})", lang.t("防篡改链断开", "the chain is broken"));
        return Err(line_error(&log, line, &why, lang));
    }
    Ok((m, events))
}

/// Brings a checked snapshot into an empty store. Returns how many events were restored.
pub fn restore(ledger: &Ledger, dir: &Path, lang: Lang) -> Result<usize> {
    if ledger.ticket_count()? > 0 {
        bail!(
            "{}",
            lang.t(
                "数据库里已有工单:只能恢复到空数据库(请换一个新的 --db)",
                "the store already holds tickets: restore goes into an empty store (choose a new --db)"
            )
        );
    }
    let (_, events) = check(dir, lang)?;
    let lines = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i + 1, e))
        .collect();
    let out = ledger.apply(lines, false, false)?;
    if let Some(r) = out.refused.first() {
        return Err(line_error(&dir.join(LOG), r.line, &r.reason(lang), lang));
    }
    Ok(out.added)
}
