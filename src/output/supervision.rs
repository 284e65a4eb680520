//! Open summons, hotspots and topics as lines of text: `genban whistles`, `hotspots`,
//! `topics`, and the app's board.

use crate::domain::supervision::{Hotspot, Summons, Topic};
use crate::i18n::Lang;
use crate::text::{fit, sanitize, truncate};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A header and one line per open summons (past 24 hours marked).
pub fn summons_lines(s: &[Summons], now: DateTime<Utc>, tz: Tz, lang: Lang) -> Vec<String> {
    let mut out = vec![format!(
        "{}{}{}{}{}",
        fit(lang.t("工单编号", "Ticket"), 16),
        fit(lang.t("未响应部门", "Not answered"), 18),
        fit(lang.t("吹哨时间", "Whistled"), 18),
        fit(lang.t("已等待", "Waiting"), 12),
        lang.t("诉求标题", "Title"),
    )];
    for x in s {
        let hours = x.hours_waiting(now);
        let waited = crate::domain::time_text::waited(chrono::Duration::hours(hours), lang);
        let waited = if hours >= 24 {
            format!("{waited} ⚠")
        } else {
            waited
        };
        out.push(format!(
            "{}{}{}{}{}{}",
            fit(&sanitize(&x.ticket), 16),
            fit(&sanitize(&x.department), 16),
            "  ",
            fit(
                &x.whistled_at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                18
            ),
            fit(&waited, 12),
            truncate(&sanitize(&x.title), 30)
        ));
    }
    out
}

/// A header and one line per hotspot.
pub fn hotspot_lines(h: &[Hotspot], lang: Lang) -> Vec<String> {
    let mut out = vec![format!(
        "{}{}{}{}",
        fit(
            lang.t("分类 · 社区 / 地址", "Category · community / address"),
            40
        ),
        fit(lang.t("工单", "Tickets"), 8),
        fit(lang.t("重复", "Repeats"), 8),
        lang.t("回访不满意", "Unsatisfied revisits"),
    )];
    for g in h {
        let key = if g.by_address {
            format!("⌂ {}", g.key)
        } else {
            g.key.clone()
        };
        out.push(format!(
            "{}{}{}{}{}",
            fit(&sanitize(&key), 38),
            "  ",
            fit(&g.tickets.len().to_string(), 8),
            fit(&g.repeats.to_string(), 8),
            g.unsatisfied
        ));
    }
    out
}

/// Each topic's line, then its tickets indented; `(line, ticket)` so that a ticket's line can
/// be opened.
pub fn topic_lines(t: &[Topic], tz: Tz, lang: Lang) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for topic in t {
        out.push((
            format!(
                "■ {}   {} {} · {} {}   {} {}",
                sanitize(&topic.name),
                lang.t("工单", "tickets"),
                topic.tickets.len(),
                lang.t("已解决", "resolved"),
                topic.resolved(),
                lang.t("始于", "since"),
                topic.since.with_timezone(&tz).format("%Y-%m-%d")
            ),
            None,
        ));
        for (id, title, resolved) in &topic.tickets {
            let mark = if *resolved { "✓" } else { "·" };
            out.push((
                format!(
                    "  {mark} {}{}",
                    fit(&sanitize(id), 16),
                    truncate(&sanitize(title), 40)
                ),
                Some(id.clone()),
            ));
        }
    }
    out
}

/// Lines as one text, with a line when there is nothing.
pub fn text(lines: &[String], empty: &str) -> String {
    if lines.len() <= 1 {
        return format!("{empty}\n");
    }
    lines
        .iter()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect()
}
