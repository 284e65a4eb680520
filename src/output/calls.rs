//! `genban calls`: today's call list — the tickets due a contact this month and not reached
//! yet, most urgent first — with who to call, the phone (masked unless revealed), and what was
//! said last time. As a page to print (text), CSV or XLSX.

use crate::domain::event::{Event, EventKind};
use crate::i18n::Lang;
use crate::ledger::TicketRow;
use crate::text::{fit, mask_phone, sanitize, truncate, wrap};
use chrono_tz::Tz;
use std::fmt::Write;
use std::path::Path;

/// One call to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub ticket: String,
    pub citizen: String,
    pub phone: String,
    pub unit: String,
    pub title: String,
    pub deadline: String,
    /// The latest contact: when, and what it said.
    pub last: String,
}

impl Call {
    /// The call for a row, from its events (application order).
    pub fn of(row: &TicketRow, events: &[Event], reveal: bool, tz: Tz, lang: Lang) -> Call {
        let t = row.ticket();
        let r = &t.record;
        let effective = crate::domain::void::effective(events);
        let last = effective
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::Contact { .. }))
            .map(|e| {
                format!(
                    "{} {}",
                    e.at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                    crate::output::tickets::describe(e, lang)
                )
            })
            .unwrap_or_else(|| lang.t("(还没有联系记录)", "(no contact yet)").to_string());
        let phone = r.phone.as_deref().unwrap_or("");
        Call {
            ticket: t.id.clone(),
            citizen: sanitize(r.complainant.as_deref().unwrap_or("")),
            phone: sanitize(&if reveal {
                phone.to_string()
            } else {
                mask_phone(phone)
            }),
            unit: sanitize(t.unit()),
            title: sanitize(r.title.as_deref().unwrap_or("")),
            deadline: t.deadline.map(|d| d.to_string()).unwrap_or_default(),
            last: sanitize(&last),
        }
    }
}

fn headers(lang: Lang) -> [&'static str; 9] {
    [
        lang.t("序号", "No."),
        lang.t("工单编号", "Ticket"),
        lang.t("诉求人", "Citizen"),
        lang.t("联系电话", "Phone"),
        lang.t("承办单位", "Unit"),
        lang.t("诉求标题", "Title"),
        lang.t("承诺时限", "Deadline"),
        lang.t("上次联系", "Last contact"),
        lang.t("本次结果", "This call"),
    ]
}

fn cells(i: usize, c: &Call) -> [String; 9] {
    [
        (i + 1).to_string(),
        c.ticket.clone(),
        c.citizen.clone(),
        c.phone.clone(),
        c.unit.clone(),
        c.title.clone(),
        c.deadline.clone(),
        c.last.clone(),
        String::new(),
    ]
}

/// A page to print: a block per call, with a line to write the outcome on.
pub fn text(calls: &[Call], day: chrono::NaiveDate, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {day}   {} {}",
        lang.t("今日联系清单", "Calls for"),
        calls.len(),
        lang.t("件", "tickets")
    );
    if calls.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            lang.t(
                "本月待联系的工单都已联系上",
                "every ticket due a call this month was reached"
            )
        );
        return s;
    }
    for (i, c) in calls.iter().enumerate() {
        let _ = writeln!(s, "\n{}", "─".repeat(72));
        let _ = writeln!(
            s,
            "{:>3}. {}  {}  {}   {} {}",
            i + 1,
            fit(&c.ticket, 14),
            fit(&c.citizen, 10),
            c.phone,
            lang.t("时限", "deadline"),
            c.deadline
        );
        let _ = writeln!(s, "     {}  {}", fit(&c.unit, 18), truncate(&c.title, 44));
        for (k, line) in wrap(&c.last, 62).iter().enumerate() {
            let label = if k == 0 {
                lang.t("上次:", "Last:  ")
            } else {
                "      "
            };
            let _ = writeln!(s, "     {label}{line}");
        }
        let _ = writeln!(
            s,
            "     {}□ {}  □ {}  {}________________________",
            lang.t("结果:", "Result: "),
            lang.t("已联系上", "reached"),
            lang.t("未联系上", "not reached"),
            lang.t("说明:", "said: ")
        );
    }
    s
}

/// As CSV (UTF-8 with BOM, so that Excel reads the Chinese).
pub fn csv(calls: &[Call], lang: Lang, path: &Path) -> anyhow::Result<()> {
    crate::output::export::write_atomically(path, |tmp| {
        use std::io::Write as _;
        let mut f = std::fs::File::create(tmp)?;
        f.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(f);
        w.write_record(headers(lang))?;
        for (i, c) in calls.iter().enumerate() {
            w.write_record(cells(i, c))?;
        }
        w.flush()?;
        Ok(())
    })
}

/// As a workbook to print: one sheet on A4 landscape, one page wide, the header row frozen
/// and repeated on every page, 序号 a number, room to write the outcome.
pub fn xlsx(calls: &[Call], lang: Lang, path: &Path) -> anyhow::Result<()> {
    crate::output::export::write_atomically(path, |tmp| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new()
            .set_bold()
            .set_border(rust_xlsxwriter::FormatBorder::Thin);
        let wrap = rust_xlsxwriter::Format::new()
            .set_text_wrap()
            .set_align(rust_xlsxwriter::FormatAlign::Top)
            .set_border(rust_xlsxwriter::FormatBorder::Thin);
        let s = wb.add_worksheet();
        s.set_name(lang.t("今日联系清单", "Calls"))?;
        for (c, (h, w)) in headers(lang).iter().zip(XLSX_WIDTHS).enumerate() {
            s.write_with_format(0, c as u16, *h, &bold)?;
            s.set_column_width(c as u16, w)?;
        }
        s.set_freeze_panes(1, 0)?;
        s.set_landscape();
        s.set_paper_size(9); // A4
        s.set_print_fit_to_pages(1, 0);
        s.set_repeat_rows(0, 0)?;
        s.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
        s.set_header(format!("&L{}&R&P / &N", lang.t("今日联系清单", "Calls")));
        for (i, call) in calls.iter().enumerate() {
            let row = 1 + i as u32;
            s.write_number_with_format(row, 0, (i + 1) as f64, &wrap)?;
            for (c, v) in cells(i, call).iter().enumerate().skip(1) {
                s.write_with_format(row, c as u16, v, &wrap)?;
            }
        }
        wb.save(tmp)?;
        Ok(())
    })
}

/// Column widths of the printed list (characters): about 150 in all, one A4 landscape page
/// wide at a readable scale.
const XLSX_WIDTHS: [f64; 9] = [5.0, 15.0, 8.0, 13.0, 14.0, 26.0, 11.0, 30.0, 28.0];
