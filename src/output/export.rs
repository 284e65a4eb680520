//! `genban export`: the whole event log as JSONL (a full backup), or one row per ticket as CSV
//! or XLSX. Files are written to a temporary name beside the target and renamed when complete,
//! so a failed export never leaves half a file.

use crate::domain::event::Event;
use crate::ledger::Ledger;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes to `path` through a temporary file in the same directory.
pub fn write_atomically(path: &Path, f: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".genban-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    f(tmp.path())?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Every event, ticket by ticket, each ticket's in application order, each with its place in
/// the tamper-evident chain (`_chain`, so an import can check it). Returns the count of events
/// written and of stored lines that could not be read; those go, as stored, to a side file
/// `FILE.unreadable.jsonl`, and the export then carries no chain (it has gaps by design), so
/// that it still imports: a damaged store gives up everything it can.
pub fn jsonl(ledger: &Ledger, path: &Path) -> Result<(usize, usize)> {
    let mut n = 0;
    let mut bad: Vec<String> = Vec::new();
    write_atomically(path, |tmp| {
        let mut w = std::io::BufWriter::new(std::fs::File::create(tmp)?);
        let io = crate::store::StoreError::Io;
        let mut batch: Vec<(String, Vec<String>)> = Vec::new();
        let mut write = |batch: Vec<(String, Vec<String>)>,
                         w: &mut std::io::BufWriter<std::fs::File>|
         -> std::io::Result<()> {
            for t in export_batch(batch) {
                for line in &t.lines {
                    writeln!(w, "{line}")?;
                }
                n += t.lines.len();
                bad.extend(t.bad);
            }
            Ok(())
        };
        ledger.for_each_raw(&mut |id, lines| {
            batch.push((id.to_string(), lines));
            if batch.len() >= EXPORT_BATCH {
                write(std::mem::take(&mut batch), &mut w).map_err(io)?;
            }
            Ok(())
        })?;
        write(batch, &mut w)?;
        w.flush()?;
        drop(w);
        if !bad.is_empty() {
            strip_chain(tmp)?;
        }
        Ok(())
    })?;
    if !bad.is_empty() {
        let side = unreadable_path(path);
        write_atomically(&side, |tmp| {
            std::fs::write(tmp, bad.join("\n") + "\n")?;
            Ok(())
        })?;
    }
    Ok((n, bad.len()))
}

/// Tickets converted together, on every core.
const EXPORT_BATCH: usize = 2_048;

/// One ticket's export: its lines in application order, and its stored lines that cannot be
/// read (as the side file keeps them).
struct Exported {
    lines: Vec<String>,
    bad: Vec<String>,
}

/// Converts a batch of tickets' stored lines on every core, keeping their order.
fn export_batch(batch: Vec<(String, Vec<String>)>) -> Vec<Exported> {
    crate::parallel::map_parts(&batch, 64, |part| {
        part.iter()
            .map(|(id, l)| export_ticket(id, l))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// One ticket's stored lines as exported: each event with its place in the chain.
fn export_ticket(id: &str, lines: &[String]) -> Exported {
    let mut out = Exported {
        lines: Vec::with_capacity(lines.len()),
        bad: Vec::new(),
    };
    let mut events = Vec::with_capacity(lines.len());
    for line in lines {
        match Event::from_json_str(line) {
            Ok(e) => events.push((e, crate::domain::chain::link_of(line))),
            Err(e) => out.bad.push(
                serde_json::json!({"ticket": id, "stored": line, "error": e.0.en}).to_string(),
            ),
        }
    }
    events.sort_by_key(|(e, _)| e.instant());
    for (e, link) in events {
        out.lines.push(match &link {
            Some(l) => crate::domain::chain::line_with(&e, l),
            None => e.to_json_line(),
        });
    }
    out
}

/// Rewrites a JSONL file without its `_chain` fields.
fn strip_chain(path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut v: serde_json::Value = serde_json::from_str(line)?;
        if let serde_json::Value::Object(m) = &mut v {
            m.shift_remove("_chain");
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    std::fs::write(path, out)?;
    Ok(())
}

/// Where a JSONL export puts the stored lines it could not read.
pub fn unreadable_path(path: &Path) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".unreadable.jsonl");
    s.into()
}
