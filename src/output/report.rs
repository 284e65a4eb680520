//! The report as readable text (Chinese by default); the workbook is `workbook`.

use crate::domain::figures::{Counts, Figure, FigureKind, Report};
use crate::i18n::Lang;
use crate::text::fit;
use std::fmt::Write;

/// The figures of a report with their names, in the report's order.
fn figures(r: &Report, lang: Lang) -> Vec<(&'static str, &Figure)> {
    FigureKind::ALL
        .into_iter()
        .map(|k| (crate::labels::figure(k, lang), k.of(r)))
        .collect()
}

fn figure_line(name: &str, f: &Figure) -> String {
    format!(
        "  {}{:>9}   ({} / {})",
        fit(name, 24),
        f.percent(),
        f.numerator,
        f.denominator
    )
}

/// The counts of a report with their names (the states and panes as `labels` names them),
/// in the report's order.
pub fn count_rows(lang: Lang, c: &Counts) -> Vec<(&'static str, u64)> {
    use crate::domain::ticket::State;
    use crate::labels::{pane, state};
    use crate::ledger::Pane;
    vec![
        (state(State::AwaitingSign, lang), c.awaiting_sign),
        (state(State::Returned, lang), c.returned),
        (state(State::InProgress, lang), c.in_progress),
        (pane(Pane::Overdue, lang), c.overdue),
        (pane(Pane::AwaitingContact, lang), c.awaiting_contact),
        (state(State::Resolved, lang), c.resolved),
        (
            lang.t("本期派发", "dispatched in period"),
            c.dispatched_in_period,
        ),
        (
            lang.t("本期解决", "resolved in period"),
            c.resolved_in_period,
        ),
        (
            lang.t("本期延期", "extensions in period"),
            c.extensions_in_period,
        ),
    ]
}

/// "统计期间 FROM — TO   截至 AS_OF".
fn period_line(r: &Report, lang: Lang) -> String {
    format!(
        "{} {} — {}   {} {}",
        lang.t("统计期间", "Period"),
        r.period.from,
        r.period.to,
        lang.t("截至", "as of"),
        r.as_of
    )
}

/// A readable summary.
pub fn text(r: &Report, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", period_line(r, lang));
    let _ = writeln!(s);
    for (name, f) in figures(r, lang) {
        let _ = writeln!(s, "{}", figure_line(name, f));
    }
    let _ = writeln!(s);
    let counts: Vec<String> = count_rows(lang, &r.counts)
        .into_iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let _ = writeln!(s, "  {}", counts[..6].join("  "));
    let _ = writeln!(
        s,
        "  {}  {} {}",
        counts[6..].join("  "),
        lang.t("本期吹哨", "whistles in period"),
        r.counts.whistles_in_period
    );
    if !r.by_unit.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{}{}{}{}{}{}{}",
            fit(lang.t("承办单位", "Unit"), 22),
            fit(lang.t("签收准确", "Signing"), 10),
            fit(lang.t("按月联系", "Contact"), 10),
            fit(lang.t("限时办结", "On time"), 10),
            fit(lang.t("办理中", "Open"), 8),
            fit(lang.t("超期", "Overdue"), 8),
            lang.t("待联系", "To call"),
        );
        for u in &r.by_unit {
            let _ = writeln!(
                s,
                "{}{}{}{}{}{}{}",
                fit(&crate::text::sanitize(&u.unit), 22),
                fit(&u.signing_accuracy.percent(), 10),
                fit(&u.monthly_contact_rate.percent(), 10),
                fit(&u.on_time_resolution_rate.percent(), 10),
                fit(&u.counts.in_progress.to_string(), 8),
                fit(&u.counts.overdue.to_string(), 8),
                u.counts.awaiting_contact
            );
        }
    }
    s
}

/// A figure and its cohort: every item counted, the misses first, each with its ticket.
pub fn explain_text(
    r: &Report,
    figure: FigureKind,
    cohort: &[crate::domain::figures::CohortEntry],
    lang: Lang,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", period_line(r, lang));
    let name = crate::labels::figure(figure, lang);
    let _ = writeln!(s, "{}", figure_line(name, figure.of(r)));
    let good = figure.higher_is_better();
    let misses = cohort.iter().filter(|c| c.hit != good).count();
    let _ = writeln!(
        s,
        "\n{} {misses}",
        lang.t("需处理(未达标)", "To act on (misses)")
    );
    for (i, c) in cohort.iter().enumerate() {
        if i == misses {
            let _ = writeln!(
                s,
                "\n{} {}",
                lang.t("已达标", "Hits"),
                cohort.len() - misses
            );
        }
        let _ = writeln!(
            s,
            "  {}  {}{}",
            fit(&crate::text::sanitize(&c.ticket), 16),
            fit(&crate::text::sanitize(&c.unit), 20),
            crate::labels::cohort_outcome(figure, c.hit, lang)
        );
    }
    s
}

/// The look-back as readable text.
pub fn review_text(r: &crate::domain::review::Review, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} — {}   {} {}",
        lang.t("清零行动 回头看", "Look-back"),
        r.period.from,
        r.period.to,
        lang.t("截至", "as of"),
        r.as_of
    );
    for rule in crate::domain::review::RULES {
        let name = rule_name(rule, lang);
        let flags = &r.rules[rule];
        let _ = writeln!(s, "\n■ {name}: {}", flags.len());
        for f in flags {
            let _ = writeln!(
                s,
                "  {}  {}",
                crate::text::sanitize(&f.ticket),
                crate::text::sanitize(&f.detail.text(lang))
            );
        }
    }
    s
}

/// A look-back rule's name for people.
pub fn rule_name(rule: &str, lang: Lang) -> &'static str {
    crate::labels::rule(rule, lang)
}
