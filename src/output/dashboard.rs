//! The dashboard as text: `genban dashboard`, and the lines the app's dashboard view draws.

use crate::domain::dashboard::{misses, month_label, Dashboard};
use crate::domain::event::Source;
use crate::domain::figures::{Figure, FigureKind, Report, UnitReport};
use crate::i18n::Lang;
use crate::labels;
use crate::text::{fit, sanitize};
use std::fmt::Write;

/// The figures the trends show, in order.
pub const TREND_FIGURES: [FigureKind; 5] = [
    FigureKind::SigningAccuracy,
    FigureKind::MonthlyContactRate,
    FigureKind::OnTimeResolutionRate,
    FigureKind::RepeatComplaintRate,
    FigureKind::RevisitSatisfactionRate,
];

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of a series scaled between its own least and greatest value (a gap is a
/// space; a flat series sits in the middle, a series of zeros at the bottom).
pub fn sparkline(values: &[Option<f64>]) -> String {
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let lo = known.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi - lo < 1e-9 && hi.abs() < 1e-9 => BARS[0],
            Some(_) if hi - lo < 1e-9 => BARS[3],
            Some(x) => BARS[(((x - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

/// The change from a year before, in percentage points or a count (`—` when either is absent).
fn change(now: Option<f64>, ago: Option<f64>, percent: bool) -> String {
    match (now, ago) {
        (Some(n), Some(a)) if percent => format!("{:+.2}", (n - a) * 100.0),
        (Some(n), Some(a)) => format!("{:+}", (n - a) as i64),
        _ => "—".to_string(),
    }
}

/// The header lines: the date, today's dispatches and this month's meetings, the states, the
/// sources and the whistles.
pub fn header_lines(d: &Dashboard, lang: Lang) -> Vec<String> {
    let c = d.counts();
    let t = &d.tally;
    let states = [
        (
            labels::pane(crate::ledger::Pane::AwaitingSign, lang),
            c.awaiting_sign,
        ),
        (lang.t("已退回", "Returned"), c.returned),
        (
            labels::pane(crate::ledger::Pane::InProgress, lang),
            c.in_progress,
        ),
        (labels::pane(crate::ledger::Pane::Overdue, lang), c.overdue),
        (
            labels::pane(crate::ledger::Pane::AwaitingContact, lang),
            c.awaiting_contact,
        ),
        (
            labels::pane(crate::ledger::Pane::Resolved, lang),
            c.resolved,
        ),
    ]
    .iter()
    .map(|(k, v)| format!("{k} {v}"))
    .collect::<Vec<_>>()
    .join(" · ");
    let sources = Source::ALL
        .iter()
        .zip(t.by_source)
        .map(|(s, n)| format!("{} {n}", labels::source(*s, lang)))
        .collect::<Vec<_>>()
        .join(" · ");
    vec![
        format!(
            "{} {}   {} {} · {} {}   {} {}",
            lang.t("截至", "As of"),
            d.today,
            lang.t("今日派发", "Dispatched today"),
            t.dispatched_today,
            lang.t("已签收", "signed"),
            t.signed_today,
            lang.t("本月议事", "Meetings this month"),
            t.meetings_this_month
        ),
        format!("{}: {states}", lang.t("状态", "States")),
        format!("{}: {sources}", lang.t("来源", "Sources")),
        whistle_line(d, lang),
    ]
}

/// This month's whistles and their three figures (一哨一考核: response, resolution,
/// satisfaction).
fn whistle_line(d: &Dashboard, lang: Lang) -> String {
    let r = &d.current().now;
    format!(
        "{} {} · {} {} · {} {} · {} {}",
        lang.t("本月吹哨", "Whistles this month"),
        r.counts.whistles_in_period,
        lang.t("按时响应", "answered in time"),
        with_counts(&r.whistle_response_rate),
        lang.t("解决", "resolved"),
        with_counts(&r.whistle_resolution_rate),
        lang.t("满意", "satisfied"),
        with_counts(&r.whistle_satisfaction_rate),
    )
}

/// The trend lines: each figure and the monthly volumes with a sparkline over the months,
/// this month's value, the same month a year before, and the change.
pub fn trend_lines(d: &Dashboard, lang: Lang) -> Vec<String> {
    let first = d.months.first().map(|m| month_label(&m.month));
    let last = month_label(&d.current().month);
    // Chinese names are short: the whole table fits in 80 columns.
    let name_w = lang.pick(12, 26);
    // Each column ends with a space of its own: a long fraction is cut, never run into the
    // next column.
    let mut out = vec![format!(
        "{}{}  {} {} {}",
        fit(lang.t("指标", "Figure"), name_w),
        fit(&format!("{} → {last}", first.unwrap_or_default()), 18),
        fit(lang.t("本月", "This month"), 18),
        fit(lang.t("去年同期", "A year before"), 18),
        lang.t("同比", "Change"),
    )];
    let cur = d.current();
    for f in TREND_FIGURES {
        let (now, ago) = (f.of(&cur.now), f.of(&cur.year_ago));
        out.push(format!(
            "{}{}  {} {} {}",
            fit(labels::figure(f, lang), name_w),
            fit(&sparkline(&d.series(f)), 18),
            fit(&with_counts(now), 18),
            fit(&with_counts(ago), 18),
            change(now.rate, ago.rate, true)
        ));
    }
    let received = |r: &Report| r.repeat_complaint_rate.denominator;
    let dispatched = |r: &Report| r.counts.dispatched_in_period;
    let volumes = [
        (
            lang.t("受理量", "Received"),
            d.received(),
            received(&cur.now),
            received(&cur.year_ago),
        ),
        (
            lang.t("派发量", "Dispatched"),
            d.dispatched(),
            dispatched(&cur.now),
            dispatched(&cur.year_ago),
        ),
    ];
    for (name, series, now, ago) in volumes {
        let floats: Vec<Option<f64>> = series.iter().map(|v| Some(*v as f64)).collect();
        out.push(format!(
            "{}{}  {} {} {}",
            fit(name, name_w),
            fit(&sparkline(&floats), 18),
            fit(&now.to_string(), 18),
            fit(&ago.to_string(), 18),
            change(Some(now as f64), Some(ago as f64), false)
        ));
    }
    out
}

fn with_counts(f: &Figure) -> String {
    format!("{} ({}/{})", f.percent(), f.numerator, f.denominator)
}

/// The league's header and one line per unit (in the order given), names in `unit_w` cells.
pub fn league_lines(units: &[UnitReport], lang: Lang, unit_w: usize) -> Vec<String> {
    let mut out = vec![format!(
        "{}{}{}{}{}{}{}{}",
        fit(lang.t("承办单位", "Unit"), unit_w),
        fit(lang.t("失分", "Misses"), 7),
        fit(lang.t("签收准确", "Signing"), 10),
        fit(lang.t("按月联系", "Contact"), 10),
        fit(lang.t("限时办结", "On time"), 10),
        fit(lang.t("回访满意", "Revisit"), 10),
        fit(lang.t("超期", "Overdue"), 6),
        lang.t("待联系", "To call"),
    )];
    for u in units {
        // The name cut one cell short: it never runs into the misses.
        out.push(format!(
            "{} {}{}{}{}{}{}{}",
            fit(&sanitize(&u.unit), unit_w.saturating_sub(1)),
            fit(&misses(u).to_string(), 7),
            fit(&u.signing_accuracy.percent(), 10),
            fit(&u.monthly_contact_rate.percent(), 10),
            fit(&u.on_time_resolution_rate.percent(), 10),
            fit(&u.revisit_satisfaction_rate.percent(), 10),
            fit(&u.counts.overdue.to_string(), 6),
            u.counts.awaiting_contact
        ));
    }
    out
}

/// The month-by-month table: each month's three figures and volumes beside a year before.
pub fn month_lines(d: &Dashboard, lang: Lang) -> Vec<String> {
    let mut out = vec![format!(
        "{}{}{}{}{}",
        fit(lang.t("月份", "Month"), 10),
        fit(lang.t("签收准确(去年)", "Signing (a year before)"), 26),
        fit(lang.t("按月联系(去年)", "Contact (a year before)"), 26),
        fit(lang.t("限时办结(去年)", "On time (a year before)"), 26),
        lang.t("受理/派发(去年)", "Received/dispatched (a year before)"),
    )];
    for m in d.months.iter().rev() {
        let pair = |f: FigureKind| {
            format!(
                "{} ({})",
                f.of(&m.now).percent(),
                f.of(&m.year_ago).percent()
            )
        };
        out.push(format!(
            "{}{}{}{}{}/{} ({}/{})",
            fit(&month_label(&m.month), 10),
            fit(&pair(FigureKind::SigningAccuracy), 26),
            fit(&pair(FigureKind::MonthlyContactRate), 26),
            fit(&pair(FigureKind::OnTimeResolutionRate), 26),
            m.now.repeat_complaint_rate.denominator,
            m.now.counts.dispatched_in_period,
            m.year_ago.repeat_complaint_rate.denominator,
            m.year_ago.counts.dispatched_in_period,
        ));
    }
    out
}

/// `genban dashboard` as text.
pub fn text(d: &Dashboard, league: &[UnitReport], lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", lang.t("跟办 · 仪表盘", "genban · dashboard"));
    for l in header_lines(d, lang) {
        let _ = writeln!(s, "{l}");
    }
    let _ = writeln!(s);
    for l in trend_lines(d, lang) {
        let _ = writeln!(s, "{}", l.trim_end());
    }
    let _ = writeln!(s);
    for l in month_lines(d, lang) {
        let _ = writeln!(s, "{}", l.trim_end());
    }
    let _ = writeln!(
        s,
        "\n{} ({})",
        lang.t("单位排名,本月", "Unit league, this month"),
        lang.t("差者在前", "worst first")
    );
    // Whole names on paper.
    let unit_w = league
        .iter()
        .map(|u| crate::text::width(&sanitize(&u.unit)) + 2)
        .max()
        .unwrap_or(0)
        .clamp(18, 40);
    for l in league_lines(league, lang, unit_w) {
        let _ = writeln!(s, "{}", l.trim_end());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_scales_to_its_own_range() {
        assert_eq!(sparkline(&[Some(0.5), Some(1.0), None, Some(0.75)]), "▁█ ▅");
        assert_eq!(sparkline(&[Some(3.0), Some(3.0)]), "▄▄");
        assert_eq!(sparkline(&[Some(0.0), Some(0.0), None]), "▁▁ ");
        assert_eq!(sparkline(&[None]), " ");
    }
}
