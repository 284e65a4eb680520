//! One ticket: its record (phone masked until revealed) and its timeline, newest first.

use super::theme;
use crate::output::tickets::{days_label, state_label, timeline};
use crate::text::{mask_phone, sanitize, truncate, width, wrap};
use crate::tui::app::{App, View};
use ratatui::layout::{Constraint, Layout, Rect};
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
    let rec = &t.record;
    let inner_w = area.width.saturating_sub(2) as usize;
    let label_w = 10;
    let value_w = inner_w.saturating_sub(label_w + 1).max(4);
    let mut lines: Vec<Line> = Vec::new();
    let mut field = |k: &str, v: Option<String>, max_lines: usize| {
        let Some(v) = v.filter(|v| !v.trim().is_empty()) else {
            return;
        };
        let v = sanitize(&v);
        let pad = label_w.saturating_sub(width(k));
        for (i, part) in wrap(&v, value_w).into_iter().take(max_lines).enumerate() {
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
        if *reveal_phone {
            p.to_string()
        } else {
            mask_phone(p)
        }
    });
    let deadline = t
        .deadline
        .map(|d| format!("{d}  {}", days_label(row, lang)));
    field(lang.t("状态", "State"), Some(state_label(row, lang)), 1);
    field(lang.t("承办单位", "Unit"), Some(t.unit().to_string()), 1);
    field(lang.t("承诺时限", "Deadline"), deadline, 1);
    field(lang.t("诉求标题", "Title"), rec.title.clone(), 1);
    field(lang.t("诉求分类", "Category"), rec.category.clone(), 1);
    let who = match (&rec.complainant, phone) {
        (Some(c), Some(p)) => Some(format!("{c}  {p}")),
        (c, p) => c.clone().or(p),
    };
    field(lang.t("诉求人", "Citizen"), who, 1);
    field(lang.t("诉求地址", "Address"), rec.address.clone(), 1);
    let tall = area.height >= 30;
    field(
        lang.t("诉求内容", "Content"),
        rec.content.clone(),
        if tall { 4 } else { 2 },
    );
    if tall {
        field(lang.t("答复内容", "Reply"), rec.reply.clone(), 2);
    }
    let record_h = (lines.len() as u16 + 2).min(area.height.saturating_sub(5));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(record_h), Constraint::Min(3)]).areas(area);
    let title = format!(" {} {} ", lang.t("工单", "Ticket"), sanitize(&t.id));
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, theme::title())),
        ),
        top,
    );
    let visible = bottom.height.saturating_sub(2) as usize;
    let selected = (*selected).min(events.len().saturating_sub(1));
    // The selected row stays in view.
    let start = selected.saturating_sub(visible.saturating_sub(1));
    let inner = bottom.width.saturating_sub(2) as usize;
    let marks = timeline(events, lang);
    let timeline: Vec<Line> = events
        .iter()
        .zip(&marks)
        .rev()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(row, (e, (text, voided)))| {
            let when = e.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
            let text = truncate(text, inner.saturating_sub(18));
            let style = match (row == selected, *voided) {
                (true, _) => theme::selected(),
                (false, true) => theme::dim().add_modifier(ratatui::style::Modifier::CROSSED_OUT),
                (false, false) => Default::default(),
            };
            Line::from(vec![
                Span::styled(format!("{when}  "), theme::dim()),
                Span::styled(text, style),
            ])
        })
        .collect();
    let title = format!(
        " {} ({}{}) ",
        lang.t("办理记录,最新在前", "Timeline, newest first"),
        events.len(),
        if start > 0 {
            format!(", +{start}")
        } else {
            String::new()
        }
    );
    f.render_widget(
        Paragraph::new(timeline).block(Block::default().borders(Borders::ALL).title(title)),
        bottom,
    );
}
