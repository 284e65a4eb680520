//! `genban export`: the whole event log as JSONL (a full backup), or one row per ticket as CSV
//! or XLSX. Files are written to a temporary name beside the target and renamed when complete,
//! so a failed export never leaves half a file.

use crate::domain::event::Event;
use crate::domain::ticket::{State, Ticket};
use crate::ledger::Ledger;
use anyhow::{Context, Result};
use chrono_tz::Tz;
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

const HEADERS: [&str; 14] = [
    "工单编号",
    "状态",
    "承办单位",
    "诉求分类",
    "诉求标题",
    "诉求人",
    "联系电话",
    "诉求地址",
    "受理时间",
    "承诺时限",
    "是否超期",
    "最近联系时间",
    "最近联系上时间",
    "解决时间",
];

fn ticket_cells(t: &Ticket, tz: Tz, today: chrono::NaiveDate, reveal: bool) -> [String; 14] {
    let r = &t.record;
    let time = |x: Option<chrono::DateTime<chrono::Utc>>| {
        x.map(|x| x.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default()
    };
    let s = |x: &Option<String>| x.clone().unwrap_or_default();
    [
        t.id.clone(),
        t.state.map_or("", State::code).to_string(),
        t.unit().to_string(),
        s(&r.category),
        s(&r.title),
        s(&r.complainant),
        match (&r.phone, reveal) {
            (Some(p), false) => crate::text::mask_phone(p),
            (p, _) => s(p),
        },
        s(&r.address),
        time(r.received_at.map(|x| x.to_utc())),
        t.deadline.map(|d| d.to_string()).unwrap_or_default(),
        if t.is_overdue(today) { "是" } else { "" }.to_string(),
        time(t.last_contact),
        time(t.last_reached),
        time(if t.state == Some(State::Resolved) {
            t.resolved_at
        } else {
            None
        }),
    ]
}

fn tickets(ledger: &Ledger) -> Result<Vec<Ticket>> {
    let tz = ledger.tz();
    let cut = crate::domain::figures::cutoff(tz, ledger.clock.today());
    let mut out = Vec::new();
    ledger.for_each(&mut |id, events: Vec<Event>| {
        let upto = events.iter().take_while(|e| e.instant() < cut);
        out.push(Ticket::from_events(id, tz, upto));
        Ok(())
    })?;
    Ok(out)
}

/// One row per ticket (UTF-8 with BOM, so Excel reads the Chinese), phones masked unless
/// `reveal`. Returns the count.
pub fn csv(ledger: &Ledger, path: &Path, reveal: bool) -> Result<usize> {
    let all = tickets(ledger)?;
    let today = ledger.clock.today();
    write_atomically(path, |tmp| {
        let mut f = std::fs::File::create(tmp)?;
        f.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(f);
        w.write_record(HEADERS)?;
        for t in &all {
            w.write_record(ticket_cells(t, ledger.tz(), today, reveal))?;
        }
        w.flush()?;
        Ok(())
    })?;
    Ok(all.len())
}

/// One row per ticket in a workbook, phones masked unless `reveal`. Returns the count.
pub fn xlsx(ledger: &Ledger, path: &Path, reveal: bool) -> Result<usize> {
    let all = tickets(ledger)?;
    let today = ledger.clock.today();
    write_atomically(path, |tmp| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = wb.add_worksheet();
        sheet.set_name("工单")?;
        for (c, h) in HEADERS.iter().enumerate() {
            sheet.write_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, t) in all.iter().enumerate() {
            for (c, v) in ticket_cells(t, ledger.tz(), today, reveal)
                .iter()
                .enumerate()
            {
                if !v.is_empty() {
                    sheet.write(1 + i as u32, c as u16, v)?;
                }
            }
        }
        wb.save(tmp)?;
        Ok(())
    })?;
    Ok(all.len())
}
