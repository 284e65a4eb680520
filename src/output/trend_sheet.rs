//! The report workbook's 趋势 (trend) sheet: the dashboard's 13 months of each trend figure and
//! of the volumes beside the same months a year before, as numbers, with a native Excel line
//! chart of each, so that the paper sent upward shows the trend at a glance.

use crate::domain::dashboard::{month_label, Dashboard};
use crate::domain::figures::{FigureKind, Report};
use crate::i18n::Lang;
use crate::labels;
use crate::output::dashboard::TREND_FIGURES;
use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// The sheet's name.
pub fn name(lang: Lang) -> &'static str {
    lang.t("趋势", "Trends")
}

/// How to read a month's value from its report.
type Reading = Box<dyn Fn(&Report) -> Option<f64>>;

/// One series pair of the sheet: its title and how to read a month's value.
struct Series {
    title: String,
    value: Reading,
    percent: bool,
}

fn series(lang: Lang) -> Vec<Series> {
    let mut out: Vec<Series> = TREND_FIGURES
        .iter()
        .map(|&f| Series {
            title: labels::figure(f, lang).to_string(),
            value: Box::new(move |r: &Report| FigureKind::of(f, r).rate),
            percent: true,
        })
        .collect();
    out.push(Series {
        title: lang.t("受理量", "Received").to_string(),
        value: Box::new(|r: &Report| Some(r.repeat_complaint_rate.denominator as f64)),
        percent: false,
    });
    out.push(Series {
        title: lang.t("派发量", "Dispatched").to_string(),
        value: Box::new(|r: &Report| Some(r.counts.dispatched_in_period as f64)),
        percent: false,
    });
    out
}

/// Writes the sheet: column A the months, then for each series two columns (this year, the
/// year before), and a chart of each pair below the table.
pub fn write(wb: &mut Workbook, d: &Dashboard, lang: Lang) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let pct = Format::new().set_num_format("0.00%");
    let int = Format::new().set_num_format("0");
    let sheet_name = name(lang);
    let all = series(lang);
    let s = wb.add_worksheet();
    s.set_name(sheet_name)?;
    s.write_with_format(0, 0, lang.t("月份", "Month"), &header)?;
    s.set_column_width(0, 10)?;
    s.set_row_height(0, 32)?;
    let ago = lang.t("(去年同期)", " (a year before)");
    for (k, x) in all.iter().enumerate() {
        let c = 1 + 2 * k as u16;
        s.write_with_format(0, c, &x.title, &header)?;
        s.write_with_format(0, c + 1, format!("{}{ago}", x.title), &header)?;
        s.set_column_width(c, 12)?;
        s.set_column_width(c + 1, 12)?;
    }
    s.set_freeze_panes(1, 1)?;
    for (i, m) in d.months.iter().enumerate() {
        let row = 1 + i as u32;
        s.write(row, 0, month_label(&m.month))?;
        for (k, x) in all.iter().enumerate() {
            let c = 1 + 2 * k as u16;
            let f = if x.percent { &pct } else { &int };
            for (off, r) in [(0, &m.now), (1, &m.year_ago)] {
                if let Some(v) = (x.value)(r) {
                    s.write_number_with_format(row, c + off, v, f)?;
                }
            }
        }
    }
    charts(s, sheet_name, &all, d.months.len() as u32, lang)
}

/// A line chart per series pair, two to a row, below the table.
fn charts(
    s: &mut Worksheet,
    sheet: &str,
    all: &[Series],
    months: u32,
    lang: Lang,
) -> Result<(), XlsxError> {
    let first_row = months + 3;
    for (k, x) in all.iter().enumerate() {
        let c = 1 + 2 * k as u16;
        let mut chart = Chart::new(ChartType::Line);
        chart.title().set_name(&x.title);
        for (off, label) in [
            (0, lang.t("本年", "this year")),
            (1, lang.t("去年同期", "a year before")),
        ] {
            chart
                .add_series()
                .set_name(label)
                .set_categories((sheet, 1, 0, months, 0))
                .set_values((sheet, 1, c + off, months, c + off));
        }
        if x.percent {
            chart.y_axis().set_num_format("0%");
        }
        chart.set_width(480).set_height(260);
        let row = first_row + (k as u32 / 2) * 14;
        let col = if k % 2 == 0 { 0 } else { 8 };
        s.insert_chart(row, col, &chart)?;
    }
    Ok(())
}
