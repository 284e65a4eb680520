//! `genban backup DIR` and `genban restore DIR`: a consistent, verified snapshot of the whole
//! log (the JSONL export with its chain, and a manifest: how many events, the chain's head, the
//! file's SHA-256), taken while other writers wait; and its return into an empty store.

use crate::domain::chain::{self, Head};
use crate::domain::event::Event;
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
pub fn backup(ledger: &Ledger, dir: &Path) -> Result<Manifest> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} is not empty: a backup goes into a new or empty directory",
            dir.display()
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
    check(dir)?;
    Ok(m)
}

/// Reads a snapshot back: the manifest, the file's hash, every line, the whole chain up to
/// the head. Returns the events in file order.
pub fn check(dir: &Path) -> Result<(Manifest, Vec<Event>)> {
    let m: Manifest = serde_json::from_str(
        &std::fs::read_to_string(dir.join(MANIFEST))
            .with_context(|| format!("{}: no {MANIFEST}: not a genban backup", dir.display()))?,
    )
    .with_context(|| format!("{}: {MANIFEST} cannot be read", dir.display()))?;
    let log = dir.join(LOG);
    if sha256_of(&log)? != m.sha256 {
        bail!(
            "{}: the file changed after the backup was written (SHA-256 differs)",
            log.display()
        );
    }
    let text = std::fs::read_to_string(&log)?;
    let mut events = Vec::with_capacity(m.events);
    let mut links = Vec::with_capacity(m.events);
    for (i, line) in text.lines().enumerate() {
        let e = Event::from_json_str(line)
            .map_err(|e| anyhow::anyhow!("{}: line {}: {e}", log.display(), i + 1))?;
        let l = chain::link_of(line)
            .ok_or_else(|| anyhow::anyhow!("{}: line {} has no chain", log.display(), i + 1))?;
        links.push((l.seq, l.prev.clone(), chain::hash_after(&l.prev, &e), i + 1));
        events.push(e);
    }
    if events.len() != m.events {
        bail!(
            "{}: {} events, the manifest says {}",
            log.display(),
            events.len(),
            m.events
        );
    }
    if let Some((line, b)) = chain::check(links, Some(&m.head)).into_iter().next() {
        bail!(
            "{}: line {line}: the chain is broken ({b:?})",
            log.display()
        );
    }
    Ok((m, events))
}

/// Brings a checked snapshot into an empty store. Returns how many events were restored.
pub fn restore(ledger: &Ledger, dir: &Path) -> Result<usize> {
    if ledger.ticket_count()? > 0 {
        bail!(
            "the store already holds tickets: restore goes into an empty store (choose a new --db)"
        );
    }
    let (_, events) = check(dir)?;
    let lines = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i + 1, e))
        .collect();
    let out = ledger.apply(lines, false, false)?;
    if let Some(r) = out.refused.first() {
        bail!("line {}: {}", r.line, r.reason(crate::i18n::Lang::En));
    }
    Ok(out.added)
}
