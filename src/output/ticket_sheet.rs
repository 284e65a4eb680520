//! `genban export --format csv|xlsx`: one row per ticket, every field of its record in the
//! city export's columns (so the file imports back through the `cn-city` profile, or its
//! English aliases), then what the follow-up adds (state in the interface language, the
//! deadline now, overdue, the latest contacts, the resolution). The follow-up columns are
//! named apart from the follow-up ledger's (`cn-ledger`), so that a re-import reads only the
//! record and adds no sign, contact or resolution.

use crate::domain::event::Event;
use crate::domain::ticket::Ticket;
use crate::i18n::Lang;
use crate::labels;
use crate::ledger::Ledger;
use anyhow::Result;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use std::io::Write;

/// A cell's value, typed so that a workbook gets real dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    /// A local time (the store's zone).
    Time(NaiveDateTime),
    Date(NaiveDate),
}

impl Value {
    /// As CSV writes it.
    pub fn text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Time(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            Value::Date(d) => d.to_string(),
        }
    }
}

/// A column: its header in each language and its width in a workbook.
struct Column {
    zh: &'static str,
    en: &'static str,
    width: f64,
}

const fn col(zh: &'static str, en: &'static str, width: f64) -> Column {
    Column { zh, en, width }
}

/// The columns in order: the city export's (headers as `cn-city` reads them, English ones
/// its aliases), then the follow-up's.
const COLUMNS: [Column; 23] = [
    col("工单编号", "id", 16.0),
    col("状态", "state", 8.0),
    col("受理时间", "received_at", 19.0),
    col("诉求人", "complainant", 10.0),
    col("联系电话", "phone", 15.0),
    col("诉求地址", "address", 24.0),
    col("所属街道", "street", 12.0),
    col("所属社区", "community", 12.0),
    col("诉求分类", "category", 10.0),
    col("诉求标题", "title", 24.0),
    col("诉求内容", "content", 40.0),
    col("承办单位", "unit", 16.0),
    col("办结时间", "closed_at", 19.0),
    col("答复内容", "reply", 40.0),
    col("满意度", "satisfaction", 8.0),
    col("是否合理诉求", "reasonable", 8.0),
    col("派发时间", "dispatched_at", 19.0),
    col("来源", "source", 8.0),
    col("当前承诺时限", "current_deadline", 12.0),
    col("是否超期", "overdue", 8.0),
    col("最近一次联系", "latest_contact", 19.0),
    col("最近一次联系上", "latest_reached", 19.0),
    col("跟办解决时间", "follow_up_resolved", 19.0),
];

/// The headers in `lang`.
pub fn headers(lang: Lang) -> Vec<&'static str> {
    COLUMNS.iter().map(|c| lang.t(c.zh, c.en)).collect()
}

/// The workbook widths, one per column.
pub fn widths() -> impl Iterator<Item = f64> {
    COLUMNS.iter().map(|c| c.width)
}

/// A ticket's cells, phones masked unless `reveal`.
pub fn cells(t: &Ticket, tz: Tz, today: NaiveDate, reveal: bool, lang: Lang) -> Vec<Value> {
    let r = &t.record;
    let time = |x: Option<DateTime<Utc>>| match x {
        Some(x) => Value::Time(x.with_timezone(&tz).naive_local()),
        None => Value::Empty,
    };
    let text = |x: &Option<String>| match x {
        Some(s) if !s.is_empty() => Value::Text(s.clone()),
        _ => Value::Empty,
    };
    let word = |s: &str| Value::Text(s.to_string());
    let yes_no = |b: bool| {
        word(if b {
            lang.t("是", "yes")
        } else {
            lang.t("否", "no")
        })
    };
    let phone = match (&r.phone, reveal) {
        (Some(p), false) => Value::Text(crate::text::mask_phone(p)),
        (p, _) => text(p),
    };
    vec![
        word(&t.id),
        word(labels::ticket_state(t.state, lang)),
        time(r.received_at.map(|x| x.to_utc())),
        text(&r.complainant),
        phone,
        text(&r.address),
        text(&r.street),
        text(&r.community),
        text(&r.category),
        text(&r.title),
        text(&r.content),
        text(&r.unit),
        time(r.closed_at.map(|x| x.to_utc())),
        text(&r.reply),
        r.satisfaction.map_or(Value::Empty, |s| {
            word(lang.t(labels::satisfaction(s, Lang::Zh), s.code()))
        }),
        r.reasonable.map_or(Value::Empty, |b| {
            word(if b {
                lang.t("是", "true")
            } else {
                lang.t("否", "false")
            })
        }),
        time(t.first_dispatch.as_ref().map(|(at, _)| *at)),
        r.source
            .map_or(Value::Empty, |s| word(labels::source(s, lang))),
        t.deadline.map_or(Value::Empty, Value::Date),
        if t.state.is_some() {
            yes_no(t.is_overdue(today))
        } else {
            Value::Empty
        },
        time(t.last_contact),
        time(t.last_reached),
        time(if t.state == Some(crate::domain::ticket::State::Resolved) {
            t.resolved_at
        } else {
            None
        }),
    ]
}

/// Every ticket as of the end of today, in id order.
pub fn tickets(ledger: &Ledger) -> Result<Vec<Ticket>> {
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

/// Writes the tickets as CSV (UTF-8 with BOM, so Excel reads the Chinese) to `w`.
pub fn write_csv(
    tickets: &[Ticket],
    w: impl Write,
    ledger: &Ledger,
    reveal: bool,
    lang: Lang,
) -> Result<()> {
    let mut w = std::io::BufWriter::new(w);
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut c = csv::Writer::from_writer(w);
    c.write_record(headers(lang))?;
    let today = ledger.clock.today();
    for t in tickets {
        let row = cells(t, ledger.tz(), today, reveal, lang);
        c.write_record(row.iter().map(Value::text))?;
    }
    c.flush()?;
    Ok(())
}

/// The tickets as a workbook: the header frozen and filtered, set widths, real dates.
pub fn workbook(
    tickets: &[Ticket],
    ledger: &Ledger,
    reveal: bool,
    lang: Lang,
) -> Result<rust_xlsxwriter::Workbook> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center);
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let s = wb.add_worksheet();
    s.set_name(lang.t("工单", "Tickets"))?;
    for (c, (h, w)) in headers(lang).iter().zip(widths()).enumerate() {
        s.write_with_format(0, c as u16, *h, &header)?;
        s.set_column_width(c as u16, w)?;
    }
    s.set_freeze_panes(1, 1)?;
    let today = ledger.clock.today();
    for (i, t) in tickets.iter().enumerate() {
        let row = 1 + i as u32;
        for (c, v) in cells(t, ledger.tz(), today, reveal, lang)
            .into_iter()
            .enumerate()
        {
            let c = c as u16;
            match v {
                Value::Empty => {}
                Value::Text(x) => {
                    s.write(row, c, x)?;
                }
                Value::Time(x) => {
                    s.write_datetime_with_format(row, c, x, &time)?;
                }
                Value::Date(x) => {
                    s.write_date_with_format(row, c, x, &date)?;
                }
            }
        }
    }
    s.autofilter(0, 0, tickets.len() as u32, COLUMNS.len() as u16 - 1)?;
    Ok(wb)
}

/// Where an export goes: a file (written whole or not at all) or standard output.
pub enum Target<'a> {
    File(&'a std::path::Path),
    Stdout(&'a mut dyn Write),
}

/// Every ticket as CSV to `target`. Returns the count.
pub fn csv(ledger: &Ledger, target: Target, reveal: bool, lang: Lang) -> Result<usize> {
    let all = tickets(ledger)?;
    match target {
        Target::File(path) => crate::output::export::write_atomically(path, |tmp| {
            write_csv(&all, std::fs::File::create(tmp)?, ledger, reveal, lang)
        })?,
        Target::Stdout(w) => write_csv(&all, w, ledger, reveal, lang)?,
    }
    Ok(all.len())
}

/// Every ticket as a workbook to `target`. Returns the count.
pub fn xlsx(ledger: &Ledger, target: Target, reveal: bool, lang: Lang) -> Result<usize> {
    let all = tickets(ledger)?;
    let mut wb = workbook(&all, ledger, reveal, lang)?;
    match target {
        Target::File(path) => crate::output::export::write_atomically(path, |tmp| {
            wb.save(tmp)?;
            Ok(())
        })?,
        Target::Stdout(w) => w.write_all(&wb.save_to_buffer()?)?,
    }
    Ok(all.len())
}
