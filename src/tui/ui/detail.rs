//! One ticket: its record (phone masked until revealed) and its timeline, newest first.

use super::theme;
use crate::output::tickets::{days_label, state_label, timeline};
use crate::text::{mask_phone, sanitize, truncate, width, wrap};
use crate::tui::app::{App, View};
use crate::tui::keymap::{Action, KeyContext};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    let tz = app.ledger.tz();
    let View::Detail {
        selected,
        reveal_phone,
        ..
    } = &app.view
    else {
        return;
    };
    let Some((row, events)) = &app.detail else {
        f.render_widget(
            Paragraph::new(lang.t(" 找不到这个工单。", " This ticket is not in the store."))
                .block(Block::default().borders(Borders::ALL)),
            area,
        );
        return;
    };
    let t = row.ticket();
    // A long text cut here ends with `…` and the key that shows the record whole.
    let more = app
        .keys
        .first_key(KeyContext::Detail, Action::ShowRecord)
        .map(|k| format!("… {k} {}", lang.t("看全文", "for all of it")))
        .unwrap_or_else(|| "…".to_string());
    // The rows the record's two long texts get: what the screen has left after the other
    // fields and the first timeline rows, shared between them.
    let short = record_lines(row, *reveal_phone, area, lang, tz, &more, (0, 0)).len();
    let value_w = (area.width.saturating_sub(2) as usize)
        .saturating_sub(11)
        .max(4);
    let budget =
        (area.height.saturating_sub(2) as usize).saturating_sub(short + 2 + events.len().min(4));
    let rec = &t.record;
    let long = share(
        text_rows(rec.content.as_deref(), value_w),
        text_rows(rec.reply.as_deref(), value_w),
        budget,
    );
    let mut lines = record_lines(row, *reveal_phone, area, lang, tz, &more, long);
    // The timeline follows the record in the same view, newest first; the view scrolls as a
    // whole so that the selected event stays in sight (and the record while it fits).
    let inner = area.width.saturating_sub(2) as usize;
    let selected_line = push_timeline(&mut lines, events, (*selected, app.today), lang, tz, inner);
    let visible = area.height.saturating_sub(2) as usize;
    let start = (selected_line + 1).saturating_sub(visible.max(1));
    let title = format!(
        " {} {} · {} {}/{}{} ",
        lang.t("工单", "Ticket"),
        sanitize(&t.id),
        lang.t("办理记录", "timeline"),
        (*selected + 1).min(events.len()),
        events.len(),
        if start > 0 {
            format!(" ↓{start}")
        } else {
            String::new()
        }
    );
    let shown: Vec<Line> = lines.into_iter().skip(start).take(visible).collect();
    f.render_widget(
        Paragraph::new(shown).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, theme::title())),
        ),
        area,
    );
}

/// Appends the timeline (newest first) to `lines`; returns the line of the selected event.
fn push_timeline(
    lines: &mut Vec<Line<'static>>,
    events: &[crate::domain::event::Event],
    // The selected row and today (the year of an entry time is left out within it).
    selected: (usize, chrono::NaiveDate),
    lang: crate::i18n::Lang,
    tz: chrono_tz::Tz,
    inner: usize,
) -> usize {
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        format!(
            "{} ({})",
            lang.t("办理记录,最新在前", "Timeline, newest first"),
            events.len()
        ),
        theme::title(),
    )));
    let (selected, today) = selected;
    let selected = selected.min(events.len().saturating_sub(1));
    let marks = timeline(events, lang);
    let mut selected_line = lines.len();
    for (row, (e, (text, voided))) in events.iter().zip(&marks).rev().enumerate() {
        let at = e.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
        // Who entered it, and when when that is not when it happened.
        let mut who = e.operator.as_deref().map(sanitize).unwrap_or_default();
        // (Only an hour or more later: a minute's typing is not worth saying.)
        if let Some(r) = e.recorded_at.map(|r| r.to_utc()) {
            if crate::domain::time_text::entered_late(&e.instant(), &r) {
                let r = crate::domain::time_text::short(tz, &r, today);
                who = format!("{who} {}{r}", lang.t("录入于", "entered "));
            }
        }
        let who = who.trim().to_string();
        let room = inner.saturating_sub(18 + if who.is_empty() { 0 } else { width(&who) + 2 });
        let style = match (row == selected, *voided) {
            (true, _) => theme::selected(),
            (false, true) => theme::dim().add_modifier(ratatui::style::Modifier::CROSSED_OUT),
            (false, false) => Default::default(),
        };
        if row == selected {
            selected_line = lines.len();
        }
        let mut spans = vec![
            Span::styled(format!("{at}  "), theme::dim()),
            Span::styled(truncate(text, room.max(4)), style),
        ];
        if !who.is_empty() {
            spans.push(Span::styled(format!("  {who}"), theme::dim()));
        }
        lines.push(Line::from(spans));
    }
    selected_line
}

/// The ticket's record, one field a line (long texts wrapped over a few lines).
fn record_lines(
    row: &crate::ledger::TicketRow,
    reveal_phone: bool,
    area: Rect,
    lang: crate::i18n::Lang,
    tz: chrono_tz::Tz,
    more: &str,
    long: (usize, usize),
) -> Vec<Line<'static>> {
    let t = row.ticket();
    let rec = &t.record;
    let inner_w = area.width.saturating_sub(2) as usize;
    let label_w = 10;
    let value_w = inner_w.saturating_sub(label_w + 1).max(4);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut field = |k: &str, v: Option<String>, max_lines: usize| {
        let Some(v) = v.filter(|v| !v.trim().is_empty()) else {
            return;
        };
        let parts = wrapped(&v, value_w);
        let cut = parts.len() > max_lines;
        let pad = label_w.saturating_sub(width(k));
        for (i, part) in parts.into_iter().take(max_lines).enumerate() {
            let part = if cut && i + 1 == max_lines {
                format!(
                    "{}{more}",
                    cut_to(&part, value_w.saturating_sub(width(more)))
                )
            } else {
                part
            };
            let label = if i == 0 {
                format!("{k}{}", " ".repeat(pad))
            } else {
                " ".repeat(label_w)
            };
            lines.push(Line::from(vec![
                Span::styled(label, theme::dim()),
                Span::raw(" "),
                Span::raw(part),
            ]));
        }
    };
    let phone = rec.phone.as_deref().map(|p| {
        if reveal_phone {
            p.to_string()
        } else {
            mask_phone(p)
        }
    });
    let deadline = t
        .deadline
        .map(|d| format!("{d}  {}", days_label(row, lang)));
    let when = |x: Option<chrono::DateTime<chrono::FixedOffset>>| {
        x.map(|x| x.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
    };
    field(lang.t("状态", "State"), Some(state_label(row, lang)), 1);
    field(lang.t("承办单位", "Unit"), Some(t.unit().to_string()), 1);
    field(lang.t("承诺时限", "Deadline"), deadline, 1);
    field(
        lang.t("派发时间", "Dispatched"),
        when(t.latest_dispatch_at.map(|d| d.fixed_offset())),
        1,
    );
    field(lang.t("诉求标题", "Title"), rec.title.clone(), 2);
    field(lang.t("诉求分类", "Category"), rec.category.clone(), 1);
    let who = match (&rec.complainant, phone) {
        (Some(c), Some(p)) => Some(format!("{c}  {p}")),
        (c, p) => c.clone().or(p),
    };
    field(lang.t("诉求人", "Citizen"), who, 1);
    field(lang.t("诉求地址", "Address"), rec.address.clone(), 2);
    let place = [&rec.street, &rec.community]
        .iter()
        .filter_map(|x| x.as_deref())
        .collect::<Vec<_>>()
        .join(" · ");
    field(lang.t("街道/社区", "Street"), Some(place), 1);
    field(lang.t("受理时间", "Received"), when(rec.received_at), 1);
    if let Some(src) = rec
        .source
        .filter(|s| *s != crate::domain::event::Source::Hotline)
    {
        field(
            lang.t("来源", "Source"),
            Some(crate::labels::source(src, lang).to_string()),
            1,
        );
    }
    // Long texts get more lines on a tall screen; the whole event shows with Enter.
    field(lang.t("诉求内容", "Content"), rec.content.clone(), long.0);
    field(lang.t("办结时间", "Closed"), when(rec.closed_at), 1);
    field(lang.t("答复内容", "Reply"), rec.reply.clone(), long.1);
    let verdict = rec.satisfaction.map(|x| {
        let s = crate::labels::satisfaction(x, lang);
        match rec.reasonable {
            Some(true) => format!("{s} · {}", lang.t("合理诉求", "reasonable")),
            Some(false) => format!("{s} · {}", lang.t("非合理诉求", "not reasonable")),
            None => s.to_string(),
        }
    });
    field(lang.t("满意度", "Verdict"), verdict, 1);
    lines
}

/// The first graphemes of `s` that fit in `max` cells (no mark added).
fn cut_to(s: &str, max: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        w += width(g);
        if w > max {
            break;
        }
        out.push_str(g);
    }
    out
}

/// A value's rows in `w` cells: line breaks as breaks, control characters made visible.
fn wrapped(v: &str, w: usize) -> Vec<String> {
    let v = v.replace("\r\n", "\n").replace('\r', "\n");
    v.trim_end()
        .split('\n')
        .flat_map(|p| wrap(&sanitize(p), w))
        .collect()
}

fn text_rows(v: Option<&str>, w: usize) -> usize {
    v.filter(|v| !v.trim().is_empty())
        .map_or(0, |v| wrapped(v, w).len())
}

/// Rows for two texts needing `a` and `b` within `budget`: each whole when both fit, else
/// the shorter whole if it takes at most half and the other the rest, else half each; never
/// fewer than two (the detail then scrolls, and `t` shows them whole).
fn share(a: usize, b: usize, budget: usize) -> (usize, usize) {
    let half = budget / 2;
    let (x, y) = if a + b <= budget {
        (a, b)
    } else if a <= half {
        (a, budget - a)
    } else if b <= half {
        (budget - b, b)
    } else {
        (half, budget - half)
    };
    (x.max(2), y.max(2))
}
