//! `report --format xlsx`: a workbook ready to send upward — summary, by unit, overdue
//! tickets, tickets awaiting contact, look-back flags. Every sheet has its header in the
//! interface language on a frozen first row, set column widths, and real numbers (rates as
//! percentages), so that it opens cleanly in Excel and WPS.

use crate::domain::dashboard::misses;
use crate::domain::figures::{Counts, Figure, FigureKind, Report};
use crate::domain::review::Review;
use crate::i18n::Lang;
use crate::labels;
use crate::ledger::TicketRow;
use crate::output::report::count_rows;
use crate::text::sanitize;
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// What the workbook holds besides the report.
pub struct Sheets<'a> {
    pub report: &'a Report,
    pub overdue: &'a [TicketRow],
    pub awaiting_contact: &'a [TicketRow],
    pub review: &'a Review,
    /// The 13 months up to the report's as-of date, for the 趋势 sheet.
    pub trend: &'a crate::domain::dashboard::Dashboard,
    pub tz: Tz,
}

/// The sheet names, in order.
pub fn sheet_names(lang: Lang) -> [&'static str; 6] {
    [
        lang.t("汇总", "Summary"),
        lang.t("按单位", "By unit"),
        lang.t("超期工单", "Overdue"),
        lang.t("待联系工单", "To contact"),
        lang.t("回头看", "Look-back"),
        crate::output::trend_sheet::name(lang),
    ]
}

struct Formats {
    header: Format,
    pct: Format,
    int: Format,
}

fn formats() -> Formats {
    Formats {
        header: Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_align(FormatAlign::Center),
        pct: Format::new().set_num_format("0.00%"),
        int: Format::new().set_num_format("0"),
    }
}

/// A new sheet named `name` with `headers` (and their widths) on a frozen first row.
fn sheet<'w>(
    wb: &'w mut Workbook,
    name: &str,
    headers: &[(&str, f64)],
    f: &Formats,
) -> Result<&'w mut Worksheet, XlsxError> {
    let s = wb.add_worksheet();
    s.set_name(name)?;
    for (c, (h, w)) in headers.iter().enumerate() {
        s.write_with_format(0, c as u16, *h, &f.header)?;
        s.set_column_width(c as u16, *w)?;
    }
    s.set_freeze_panes(1, 0)?;
    Ok(s)
}

fn rate(s: &mut Worksheet, row: u32, col: u16, fig: &Figure, f: &Formats) -> Result<(), XlsxError> {
    match fig.rate {
        Some(r) => s.write_with_format(row, col, r, &f.pct)?,
        None => s.write(row, col, "—")?,
    };
    Ok(())
}

fn summary(wb: &mut Workbook, x: &Sheets, lang: Lang, f: &Formats) -> Result<(), XlsxError> {
    let r = x.report;
    let s = sheet(
        wb,
        sheet_names(lang)[0],
        &[
            (lang.t("项目", "Item"), 26.0),
            (lang.t("数值", "Value"), 24.0),
            (lang.t("分子", "Numerator"), 10.0),
            (lang.t("分母", "Denominator"), 10.0),
        ],
        f,
    )?;
    s.write(1, 0, lang.t("统计期间", "Period"))?;
    s.write(1, 1, format!("{} — {}", r.period.from, r.period.to))?;
    s.write(2, 0, lang.t("截至", "As of"))?;
    s.write(2, 1, r.as_of.to_string())?;
    let mut row = 3;
    for k in FigureKind::ALL {
        let fig = k.of(r);
        s.write(row, 0, labels::figure(k, lang))?;
        rate(s, row, 1, fig, f)?;
        s.write_with_format(row, 2, fig.numerator as f64, &f.int)?;
        s.write_with_format(row, 3, fig.denominator as f64, &f.int)?;
        row += 1;
    }
    let mut counts = count_rows(lang, &r.counts);
    counts.push((
        lang.t("本期吹哨", "Whistles in period"),
        r.counts.whistles_in_period,
    ));
    for (name, v) in counts {
        s.write(row, 0, name)?;
        s.write_with_format(row, 1, v as f64, &f.int)?;
        row += 1;
    }
    Ok(())
}

fn by_unit(wb: &mut Workbook, x: &Sheets, lang: Lang, f: &Formats) -> Result<(), XlsxError> {
    let unit_figures = [
        FigureKind::SigningAccuracy,
        FigureKind::MonthlyContactRate,
        FigureKind::OnTimeResolutionRate,
        FigureKind::RevisitSatisfactionRate,
    ];
    let mut headers = vec![
        (lang.t("承办单位", "Unit"), 24.0),
        (lang.t("失分", "Misses"), 8.0),
    ];
    headers.extend(
        unit_figures
            .iter()
            .map(|k| (labels::figure(*k, lang), 14.0)),
    );
    headers.extend(
        count_rows(lang, &Counts::default())
            .into_iter()
            .map(|(k, _)| (k, 10.0)),
    );
    let s = sheet(wb, sheet_names(lang)[1], &headers, f)?;
    for (i, u) in x.report.by_unit.iter().enumerate() {
        let row = 1 + i as u32;
        s.write(row, 0, sanitize(&u.unit))?;
        s.write_with_format(row, 1, misses(u) as f64, &f.int)?;
        for (c, k) in unit_figures.iter().enumerate() {
            if let Some(fig) = k.of_unit(u) {
                rate(s, row, 2 + c as u16, fig, f)?;
            }
        }
        for (c, (_, v)) in count_rows(lang, &u.counts).into_iter().enumerate() {
            s.write_with_format(row, 6 + c as u16, v as f64, &f.int)?;
        }
    }
    Ok(())
}

/// One row a ticket: id, unit, category, title, deadline, days left (negative: overdue), last
/// contact, contacts this month.
fn tickets(
    wb: &mut Workbook,
    name: &str,
    rows: &[TicketRow],
    tz: Tz,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    let s = sheet(
        wb,
        name,
        &[
            (lang.t("工单编号", "Ticket"), 16.0),
            (lang.t("承办单位", "Unit"), 20.0),
            (lang.t("诉求分类", "Category"), 12.0),
            (lang.t("诉求标题", "Title"), 36.0),
            (lang.t("承诺时限", "Deadline"), 12.0),
            (lang.t("剩余天数", "Days left"), 10.0),
            (lang.t("最近联系", "Last contact"), 18.0),
            (lang.t("本月联系次数", "Contacts this month"), 12.0),
        ],
        f,
    )?;
    for (i, r) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        let t = r.ticket();
        let text = |v: Option<&String>| sanitize(v.map_or("", String::as_str));
        s.write(row, 0, sanitize(&t.id))?;
        s.write(row, 1, sanitize(t.unit()))?;
        s.write(row, 2, text(t.record.category.as_ref()))?;
        s.write(row, 3, text(t.record.title.as_ref()))?;
        s.write(
            row,
            4,
            t.deadline.map(|d| d.to_string()).unwrap_or_default(),
        )?;
        if let Some(d) = r.days_left {
            s.write_with_format(row, 5, d as f64, &f.int)?;
        }
        let last = t
            .last_contact
            .map(|c| c.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string());
        s.write(row, 6, last.unwrap_or_default())?;
        s.write_with_format(row, 7, r.contacts_this_month as f64, &f.int)?;
    }
    Ok(())
}

fn look_back(wb: &mut Workbook, x: &Sheets, lang: Lang, f: &Formats) -> Result<(), XlsxError> {
    let s = sheet(
        wb,
        sheet_names(lang)[4],
        &[
            (lang.t("规则", "Rule"), 30.0),
            (lang.t("工单编号", "Ticket"), 16.0),
            (lang.t("说明", "Detail"), 60.0),
        ],
        f,
    )?;
    let mut row = 1;
    for rule in crate::domain::review::RULES {
        for flag in &x.review.rules[rule] {
            s.write(row, 0, labels::rule(rule, lang))?;
            s.write(row, 1, sanitize(&flag.ticket))?;
            s.write(row, 2, sanitize(&flag.detail.text(lang)))?;
            row += 1;
        }
    }
    Ok(())
}

/// Writes the workbook.
pub fn write(x: &Sheets, lang: Lang, path: &Path) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let f = formats();
    summary(&mut wb, x, lang, &f)?;
    by_unit(&mut wb, x, lang, &f)?;
    let names = sheet_names(lang);
    tickets(&mut wb, names[2], x.overdue, x.tz, lang, &f)?;
    tickets(&mut wb, names[3], x.awaiting_contact, x.tz, lang, &f)?;
    look_back(&mut wb, x, lang, &f)?;
    crate::output::trend_sheet::write(&mut wb, x.trend, lang)?;
    wb.save(path)
}
