//! Pop-ups over the main view: dialogs, prompts, help, the month's tasks, the welcome screen.

use super::{centered, theme};
use crate::i18n::Lang;
use crate::text::{fit, sanitize, truncate, width, wrap};
use crate::tui::app::{review_text, task_text, App, ListState, Popup, View};
use crate::tui::form::{FieldKind, Form};
use crate::tui::keymap::KeyContext;
use crate::tui::text_view::TextView;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App, p: &Popup, area: Rect) {
    match p {
        Popup::Dialog(d) => {
            let title = if d.ticket.is_empty() {
                format!(" {} ", d.kind.title(app.lang))
            } else {
                format!(" {} · {} ", d.kind.title(app.lang), sanitize(&d.ticket))
            };
            draw_form(
                f,
                app,
                &title,
                &d.form,
                d.error.as_deref(),
                d.confirm_discard,
                area,
            );
        }
        // The search sits at the bottom, over the key bar: the results it filters stay in
        // sight above it as it is typed.
        Popup::Prompt(crate::tui::app::PromptKind::Search, form) => {
            let title = format!(
                " {} ",
                app.lang.t(
                    "搜索 · 边输边筛 · Enter 保留 · Esc 清除",
                    "Search · filters as you type · Enter keeps · Esc clears"
                )
            );
            let h = (form.fields.iter().map(|x| x.lines).sum::<u16>() + 2).min(area.height);
            let bottom = Rect {
                y: area.bottom().saturating_sub(h),
                height: h,
                ..area
            };
            draw_form(f, app, &title, form, None, false, bottom);
        }
        Popup::Prompt(_, form) => draw_form(f, app, "", form, None, false, area),
        Popup::Help => draw_help(f, app, area),
        Popup::MonthTasks(tasks, state) => draw_tasks(f, app, tasks, state, area),
        Popup::Review(review, state) => draw_review(f, app, review, state, area),
        Popup::Welcome => draw_welcome(f, app, area),
        Popup::Event(view) => draw_event(f, app, view, area),
        Popup::Tickets(list) => draw_tickets(f, app, list, area),
        Popup::Undo(_, lines) => draw_undo(f, app, lines, area),
    }
}

fn frame_block(f: &mut Frame, rect: Rect, title: &str) -> Rect {
    // The rows of the pop-up (and one above and below) cleared from the main view's left
    // border to its right one: nothing of the screen behind shows beside the pop-up's border.
    // (Not over the header and the key bar, the first and last rows, unless it covers them.)
    let area = f.area();
    let x = (area.x + 1).min(rect.x);
    let right = area.right().saturating_sub(1).max(rect.right());
    let y = rect.y.saturating_sub(1).max(area.y + 1).min(rect.y);
    let bottom = (rect.bottom() + 1)
        .min(area.bottom().saturating_sub(1))
        .max(rect.bottom());
    let margin = Rect {
        x,
        y,
        width: right - x,
        height: bottom - y,
    };
    super::cut_wide_edges(f.buffer_mut(), margin);
    f.render_widget(Clear, margin);
    // Over the header and tabs (or the message and key bar) there is no border to keep.
    let buf = f.buffer_mut();
    for y in margin.top()..margin.bottom() {
        if y < area.y + 2 || y + 2 >= area.bottom() {
            for x in [area.x, area.right().saturating_sub(1)] {
                buf[(x, y)].reset();
            }
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title.to_string(), theme::title()));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    inner
}

fn draw_form(
    f: &mut Frame,
    app: &App,
    title: &str,
    form: &Form,
    error: Option<&str>,
    confirm: bool,
    area: Rect,
) {
    let lang = app.lang;
    let w = area.width.saturating_sub(4).min(76);
    let rows: u16 = form.fields.iter().map(|x| x.lines).sum();
    // A refusal wraps over as many rows as it needs (never cut), below the fields.
    let refusal: Vec<String> = match error.filter(|_| !confirm) {
        Some(e) => wrap(&sanitize(e), w.saturating_sub(2).max(1) as usize),
        None => Vec::new(),
    };
    let extra = refusal.len().saturating_sub(1) as u16;
    // (The search at the bottom shows its field alone: its title holds the keys.)
    let h = (rows + 5 + extra).min(area.height);
    let rect = centered(area, w, h);
    let inner = frame_block(f, rect, title);
    let label_w = form
        .fields
        .iter()
        .map(|x| width(&x.label))
        .max()
        .unwrap_or(4)
        + 1;
    let room = (inner.width as usize).saturating_sub(label_w + 1);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let (field_lines, at) = field_rows(field, focused, label_w, room);
        if let Some((row, col)) = at.filter(|_| focused && field.is_editable()) {
            let y = lines.len() + row;
            if inner.width > 0 && (y as u16) < inner.height {
                let col = (label_w + 1 + col).min(inner.width as usize - 1);
                cursor = Some(Position {
                    x: inner.x + col as u16,
                    y: inner.y + y as u16,
                });
            }
        }
        lines.extend(field_lines);
    }
    lines.push(pick_line(
        &form.fields[form.focus],
        lang,
        inner.width as usize,
    ));
    if refusal.is_empty() {
        lines.push(footer_line(app, form, error, confirm, inner.width as usize));
    } else {
        lines.extend(
            refusal
                .into_iter()
                .map(|l| Line::from(Span::styled(l, theme::error()))),
        );
    }
    f.render_widget(Paragraph::new(lines), inner);
    if let Some(c) = cursor {
        if !confirm {
            f.set_cursor_position(c);
        }
    }
}

/// A field's rows (its label on the first) and, when focused, the cursor's (row, column)
/// within them. One-line fields scroll sideways around the cursor; long ones wrap over their
/// rows with the cursor's row in view.
fn field_rows(
    field: &crate::tui::form::Field,
    focused: bool,
    label_w: usize,
    room: usize,
) -> (Vec<Line<'static>>, Option<(usize, usize)>) {
    let label_style = if focused {
        theme::focus()
    } else {
        theme::dim()
    };
    let value_style = if field.all_selected {
        theme::selected()
    } else if focused {
        theme::header()
    } else {
        Default::default()
    };
    if field.lines > 1 {
        let (rows, (crow, ccol)) = field.rows(room);
        let n = field.lines as usize;
        let first = if focused {
            (crow + 1).saturating_sub(n)
        } else {
            0
        };
        let more = rows.len() > first + n;
        let mut out = Vec::new();
        for k in 0..n {
            let label = if k == 0 {
                fit(&field.label, label_w)
            } else {
                " ".repeat(label_w)
            };
            let mut text = sanitize(rows.get(first + k).map_or("", String::as_str));
            if k + 1 == n && more && !focused {
                text = truncate(&format!("{text}…"), room);
            }
            if k == 0 && field.value.is_empty() && !field.hint.is_empty() {
                text = field.hint.clone();
            }
            let style = if k == 0 && field.value.is_empty() {
                theme::dim()
            } else {
                value_style
            };
            out.push(Line::from(vec![
                Span::styled(label, label_style),
                Span::raw(" "),
                Span::styled(truncate(&text, room), style),
            ]));
        }
        return (out, Some((crow - first, ccol)));
    }
    // A long value scrolls sideways around the cursor (by display width).
    let (value, cursor_col) = if focused {
        let (part, col) = field.window(room);
        (sanitize(&part), col)
    } else {
        (sanitize(&field.value), 0)
    };
    let shown = match &field.kind {
        FieldKind::Choice { .. } => format!("< {value} >"),
        _ => value.clone(),
    };
    let mut spans = vec![
        Span::styled(fit(&field.label, label_w), label_style),
        Span::raw(" "),
        Span::styled(truncate(&shown, room), value_style),
    ];
    let used = width(&shown);
    if !field.hint.is_empty() && used + 2 + width(&field.hint) <= room {
        spans.push(Span::styled(format!("  {}", field.hint), theme::dim()));
    }
    (vec![Line::from(spans)], Some((0, cursor_col)))
}

fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    // The context under the help overlay.
    let ctx = match app.view {
        View::List => KeyContext::List,
        View::Detail { .. } => KeyContext::Detail,
        View::Board => KeyContext::Board,
    };
    let items: Vec<(String, String)> = app
        .keys
        .help(ctx)
        .iter()
        .map(|(a, keys)| {
            (
                keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(" "),
                a.describe(lang).to_string(),
            )
        })
        .collect();
    // Two columns where 70 fit, more when the rows would not fit the height (each at least
    // 24 wide), so that every key is on screen; the note below only where there is room.
    let rows_room = area.height.saturating_sub(2) as usize;
    let mut cols = if area.width >= 70 { 2 } else { 1 };
    while items.len().div_ceil(cols) > rows_room && area.width as usize / (cols + 1) >= 24 {
        cols += 1;
    }
    let per_col = items.len().div_ceil(cols);
    let h = (per_col as u16 + 5).min(area.height);
    let w = area.width.saturating_sub(4).min(100);
    let rect = centered(area, w, h);
    let title = format!(" {} · {} ", lang.t("按键帮助", "Keys"), ctx.title(lang));
    let inner = frame_block(f, rect, &title);
    let col_w = inner.width as usize / cols;
    let key_w = items
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(4)
        .min(col_w / 2);
    let mut lines = Vec::new();
    for r in 0..per_col {
        let mut spans = Vec::new();
        for c in 0..cols {
            if let Some((k, d)) = items.get(c * per_col + r) {
                spans.push(Span::styled(fit(k, key_w), theme::title()));
                spans.push(Span::raw(" "));
                spans.push(Span::raw(fit(d, col_w.saturating_sub(key_w + 1))));
            }
        }
        lines.push(Line::from(spans));
    }
    // The dialog keys as the key map has them.
    use crate::tui::keymap::Action::{Cancel, NextChoice, NextField, Save};
    let dialog_keys = key_hints(
        app,
        KeyContext::Dialog,
        &[Save, Cancel, NextField, NextChoice],
    );
    let note = format!(
        "{}: {dialog_keys}. {}",
        KeyContext::Dialog.title(lang),
        lang.t(
            "按键可在配置目录的 keys.toml 中修改。",
            "Change keys in keys.toml in the config directory."
        )
    );
    let note = crate::text::wrap(&note, inner.width as usize);
    // A blank line before the note when there is room for it and the whole note.
    if lines.len() + 1 + note.len() <= inner.height as usize {
        lines.push(Line::raw(""));
    }
    // The keys first: the note only in the rows they leave.
    let room = (inner.height as usize).saturating_sub(lines.len());
    for l in note.into_iter().take(room) {
        lines.push(Line::from(Span::styled(l, theme::dim())));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_tasks(
    f: &mut Frame,
    app: &App,
    m: &crate::ledger::MonthTasks,
    state: &ListState,
    area: Rect,
) {
    let scroll = state.selected;
    let lang = app.lang;
    // `scroll` is the selected ticket row; `k` counts ticket rows as they are laid out.
    let (mut k, mut selected_line) = (0, 0);
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2);
    let rect = centered(area, w, h);
    let title = format!(
        " {} {} ",
        lang.t("本月任务", "This month's tasks"),
        m.month.from.format("%Y-%m")
    );
    let inner = frame_block(f, rect, &title);
    let iw = inner.width as usize;
    let mut lines = vec![Line::from(Span::styled(
        match lang {
            Lang::Zh => format!(
                "本月待联系 {} 件 · 本月到期 {} 件 · 已超期 {} 件 · 待签收 {} 件",
                m.to_contact.len(),
                m.deadlines.len(),
                m.overdue.len(),
                m.to_sign.len()
            ),
            Lang::En => format!(
                "{} to contact · {} deadlines this month · {} overdue · {} to sign",
                m.to_contact.len(),
                m.deadlines.len(),
                m.overdue.len(),
                m.to_sign.len()
            ),
        },
        theme::header(),
    ))];
    for (title, rows, style) in [
        (lang.t("已超期", "Overdue"), &m.overdue, theme::overdue()),
        (
            lang.t("本月待联系", "Due a contact this month"),
            &m.to_contact,
            theme::awaiting(),
        ),
        (
            lang.t("本月到期", "Deadlines this month"),
            &m.deadlines,
            Default::default(),
        ),
        (
            crate::labels::pane(crate::ledger::Pane::AwaitingSign, lang),
            &m.to_sign,
            Default::default(),
        ),
    ] {
        let kept: Vec<String> = rows
            .iter()
            .map(|r| task_text(r, lang))
            .filter(|t| state.keeps(t))
            .collect();
        // Filtered, a heading says how many of its rows are kept.
        let count = if state.filter.is_empty() {
            rows.len().to_string()
        } else {
            format!("{}/{}", kept.len(), rows.len())
        };
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            format!("■ {title} {count}"),
            style,
        )));
        for text in kept {
            let line = Line::raw(truncate(&text, iw));
            lines.push(if k == scroll {
                selected_line = lines.len();
                line.style(theme::selected())
            } else {
                line
            });
            k += 1;
        }
    }
    let visible = inner.height.saturating_sub(1) as usize;
    let mut shown: Vec<Line> = lines
        .into_iter()
        .skip(first_shown(selected_line, visible))
        .take(visible)
        .collect();
    shown.push(list_footer(app, state, k, iw));
    f.render_widget(Paragraph::new(shown), inner);
}

fn draw_welcome(f: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    let rect = centered(area, area.width.saturating_sub(4).min(78), 14);
    let inner = frame_block(f, rect, lang.t(" 欢迎使用跟办 ", " Welcome to genban "));
    let store = app.ledger.location();
    // The keys as the key map has them, so that each one shown works.
    use crate::tui::keymap::Action::{Close, Help, Quit};
    let hint = key_hints(app, KeyContext::Popup, &[Close, Quit, Help]);
    let lines = match lang {
        Lang::Zh => vec![
            "这个库还是空的。先把市12345系统导出的工单导进来:".to_string(),
            String::new(),
            "  genban import 工单导出.xlsx        (也可以是 CSV、GBK CSV、JSON)".to_string(),
            "  genban import 事件日志.jsonl       (从备份恢复)".to_string(),
            String::new(),
            "或者先用演示数据看看:".to_string(),
            "  genban demo".to_string(),
            String::new(),
            format!("数据库: {store}"),
            hint,
        ],
        Lang::En => vec![
            "This store is empty. Import the city 12345 export first:".to_string(),
            String::new(),
            "  genban import export.xlsx        (or CSV, GBK CSV, JSON)".to_string(),
            "  genban import events.jsonl       (restore a backup)".to_string(),
            String::new(),
            "Or look around with demo data:".to_string(),
            "  genban demo".to_string(),
            String::new(),
            format!("Store: {store}"),
            hint,
        ],
    };
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::raw(truncate(&l, inner.width as usize)))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// A list of tickets to open (a cohort, a hotspot): its header, then one line a ticket.
fn draw_tickets(f: &mut Frame, app: &App, list: &crate::tui::app::TicketList, area: Rect) {
    let w = area.width.saturating_sub(4).min(110);
    let h = (list.header.len() + list.lines.len() + 3).min(area.height.saturating_sub(2) as usize)
        as u16;
    let rect = centered(area, w, h.max(5));
    let title = format!(" {} · {} ", sanitize(&list.title), list.lines.len());
    let inner = frame_block(f, rect, &title);
    let iw = inner.width as usize;
    let mut lines: Vec<Line> = list
        .header
        .iter()
        .map(|l| Line::styled(truncate(&sanitize(l), iw), theme::title()))
        .collect();
    let visible = (inner.height as usize)
        .saturating_sub(1 + list.header.len())
        .max(1);
    let kept: Vec<&String> = list.lines.iter().filter(|l| list.state.keeps(l)).collect();
    let selected = list.state.selected;
    let first = first_shown(selected, visible);
    for (i, l) in kept.iter().enumerate().skip(first).take(visible) {
        let line = Line::raw(truncate(l, iw));
        lines.push(if i == selected {
            line.style(theme::selected())
        } else {
            line
        });
    }
    while lines.len() + 1 < inner.height as usize {
        lines.push(Line::raw(""));
    }
    lines.push(list_footer(app, &list.state, kept.len(), iw));
    f.render_widget(Paragraph::new(lines), inner);
}

/// The last line of a list pop-up: where the selection is (`38/4144`), the filter being
/// typed or kept, and the keys, from the key map.
fn list_footer(app: &App, state: &ListState, n: usize, w: usize) -> Line<'static> {
    use crate::tui::keymap::Action::{Bottom, Close, Down, Open, PageDown, Search};
    let lang = app.lang;
    let at = format!("{}/{n}", (state.selected + 1).min(n));
    let text = if state.typing {
        format!(
            "{at} · {}: {}▏ · Enter {} · Esc {}",
            lang.t("筛选", "filter"),
            sanitize(&state.filter),
            lang.t("保留", "keeps"),
            lang.t("清除", "clears")
        )
    } else {
        let k = |a| app.keys.first_key(KeyContext::Popup, a).unwrap_or_default();
        let filter = if state.filter.is_empty() {
            String::new()
        } else {
            format!(
                " · {}「{}」",
                lang.t("筛选", "filter "),
                sanitize(&state.filter)
            )
        };
        format!(
            "{at}{filter} · {} {} · {} {} · {}/{}/{} {} · {} {}",
            k(Open),
            lang.t("打开", "open"),
            k(Close),
            Close.describe(lang),
            k(Down),
            k(PageDown),
            k(Bottom),
            lang.t("移动", "move"),
            k(Search),
            lang.t("筛选", "filter"),
        )
    };
    Line::from(Span::styled(truncate(&text, w), theme::dim()))
}

fn draw_review(
    f: &mut Frame,
    app: &App,
    r: &crate::domain::review::Review,
    state: &ListState,
    area: Rect,
) {
    let lang = app.lang;
    let scroll = state.selected;
    let w = area.width.saturating_sub(4).min(110);
    let h = area.height.saturating_sub(2);
    let rect = centered(area, w, h);
    let title = format!(
        " {} {} — {} ",
        lang.t("回头看", "Look-back"),
        r.period.from,
        r.period.to
    );
    let inner = frame_block(f, rect, &title);
    let iw = inner.width as usize;
    let mut lines = Vec::new();
    let (mut k, mut selected_line) = (0, 0);
    for rule in crate::domain::review::RULES {
        let flags = &r.rules[rule];
        let style = if flags.is_empty() {
            theme::dim()
        } else {
            theme::awaiting()
        };
        let kept: Vec<String> = flags
            .iter()
            .map(|fl| review_text(fl, lang))
            .filter(|t| state.keeps(t))
            .collect();
        let count = if state.filter.is_empty() {
            flags.len().to_string()
        } else {
            format!("{}/{}", kept.len(), flags.len())
        };
        lines.push(Line::from(Span::styled(
            format!("■ {} {count}", crate::output::report::rule_name(rule, lang)),
            style,
        )));
        for text in kept {
            let line = Line::raw(truncate(&text, iw));
            lines.push(if k == scroll {
                selected_line = lines.len();
                line.style(theme::selected())
            } else {
                line
            });
            k += 1;
        }
    }
    let visible = inner.height.saturating_sub(1) as usize;
    let mut shown: Vec<Line> = lines
        .into_iter()
        .skip(first_shown(selected_line, visible))
        .take(visible)
        .collect();
    shown.push(list_footer(app, state, k, iw));
    f.render_widget(Paragraph::new(shown), inner);
}

/// A text whole (an event, a ticket's record): wrapped by display width, scrolled by rows,
/// with where it is (`38/152`) and the keys that move it.
fn draw_event(f: &mut Frame, app: &App, view: &TextView, area: Rect) {
    use crate::tui::keymap::Action::{Bottom, Close, Down, PageDown, Top, Up};
    let lang = app.lang;
    let w = TextView::box_width(area.width);
    let rows = view.rows(area.width);
    let visible = TextView::visible(area.height).min(rows.len()).max(1);
    let h = (visible as u16 + 3).min(area.height);
    let rect = centered(area, w, h);
    let inner = frame_block(f, rect, &format!(" {} ", sanitize(&view.title)));
    let start = view.scroll.min(rows.len().saturating_sub(visible));
    let end = (start + visible).min(rows.len());
    let mut shown: Vec<Line> = rows[start..end].iter().cloned().map(Line::raw).collect();
    let k = |a| app.keys.first_key(KeyContext::Popup, a).unwrap_or_default();
    let more = if end < rows.len() {
        lang.t(" ↓还有", " ↓more")
    } else {
        ""
    };
    let footer = format!(
        "{end}/{}{more} · {} {} · {}/{} {}/{} {}/{} {}",
        rows.len(),
        k(Close),
        Close.describe(lang),
        k(Down),
        k(Up),
        k(PageDown),
        app.keys
            .first_key(KeyContext::Popup, crate::tui::keymap::Action::PageUp)
            .unwrap_or_default(),
        k(Top),
        k(Bottom),
        lang.t("滚动", "scroll")
    );
    shown.push(Line::from(Span::styled(
        truncate(&footer, inner.width as usize),
        theme::dim(),
    )));
    f.render_widget(Paragraph::new(shown), inner);
}

/// What an undo will void, and the keys that void it or not.
fn draw_undo(f: &mut Frame, app: &App, events: &[String], area: Rect) {
    let lang = app.lang;
    let w = area.width.saturating_sub(4).min(90);
    let wrapped_w = (w.saturating_sub(2) as usize).max(1);
    let mut lines: Vec<Line> = vec![Line::raw(lang.t(
        "将撤销您的上一条录入(原因:录入错误,撤销):",
        "This voids your last entry (reason 录入错误,撤销):",
    ))];
    lines.extend(
        events
            .iter()
            .flat_map(|l| wrap(&sanitize(l), wrapped_w))
            .map(Line::raw),
    );
    lines.push(Line::raw(""));
    let k = |a| app.keys.first_key(KeyContext::Popup, a).unwrap_or_default();
    use crate::tui::keymap::Action::{Close, Open};
    lines.push(Line::from(Span::styled(
        format!(
            "{} {} · {} {}",
            k(Open),
            lang.t("撤销", "void it"),
            k(Close),
            lang.t("不撤销", "keep it")
        ),
        theme::dim(),
    )));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, w, h);
    let inner = frame_block(f, rect, lang.t(" 撤销上一条录入 ", " Undo my last entry "));
    f.render_widget(Paragraph::new(lines), inner);
}

/// The last line of a form: the discard question, the refusal, or the keys that apply.
fn footer_line(
    app: &App,
    form: &Form,
    error: Option<&str>,
    confirm: bool,
    w: usize,
) -> Line<'static> {
    let lang = app.lang;
    if confirm {
        return Line::from(Span::styled(
            lang.t(
                "放弃已填写的内容吗? y 放弃 / n 继续填写",
                "Discard what you typed? y discard / n keep editing",
            ),
            theme::error(),
        ));
    }
    if let Some(e) = error {
        return Line::from(Span::styled(truncate(&sanitize(e), w), theme::error()));
    }
    let k = |a| {
        app.keys
            .first_key(KeyContext::Dialog, a)
            .unwrap_or_default()
    };
    use crate::tui::keymap::Action::*;
    // Built from the key map, and only what applies to the focused field.
    let mut hints: Vec<String> = [Save, Cancel, NextField]
        .iter()
        .filter(|a| **a != NextField || form.fields.len() > 1)
        .map(|a| format!("{} {}", k(*a), a.describe(lang)))
        .collect();
    if !matches!(
        form.fields[form.focus].kind,
        FieldKind::Text | FieldKind::Date
    ) {
        hints.push(format!(
            "{}/{} {}",
            k(PrevChoice),
            k(NextChoice),
            lang.t("选项", "choices")
        ));
    }
    Line::from(Span::styled(hints.join("  "), theme::dim()))
}

/// The line under a form: a focused pick field's candidates (type to filter, ← → / ↑ ↓ move
/// the highlight, Enter takes it), else blank.
fn pick_line(focused: &crate::tui::form::Field, lang: Lang, w: usize) -> Line<'static> {
    if !matches!(focused.kind, FieldKind::Pick { .. }) {
        return Line::raw("");
    }
    let m = focused.matches();
    let mut spans = Vec::new();
    if focused.is_multi() {
        let taken = focused.chosen_list();
        let text = if taken.is_empty() {
            lang.t("空格选中", "Space takes").to_string()
        } else {
            format!("✓ {}", sanitize(&taken.join("、")))
        };
        spans.push(Span::styled(format!("{text} | "), theme::selected()));
    }
    if m.is_empty() && focused.is_multi() {
        spans.push(Span::styled(
            lang.t(
                "没有匹配项:空格把所输入的作为新名称",
                "no match: Space takes what is typed as a new name",
            ),
            theme::dim(),
        ));
        return clip_line(spans, w);
    }
    if m.is_empty() {
        return Line::from(Span::styled(
            truncate(
                lang.t(
                    "没有匹配项:保存时会确认是否为新名称",
                    "no match: saving asks whether it is a new name",
                ),
                w,
            ),
            theme::dim(),
        ));
    }
    let sel = focused.selected().min(m.len() - 1);
    let first = sel.saturating_sub(5);
    spans.push(Span::styled(
        format!("{} {}/{}: ", lang.t("候选", "match"), sel + 1, m.len()),
        theme::dim(),
    ));
    for (i, name) in m.iter().enumerate().skip(first).take(12) {
        if i > first {
            spans.push(Span::styled(" · ", theme::dim()));
        }
        let taken = focused.chosen_list().contains(name);
        let name = if taken {
            format!("✓{}", sanitize(name))
        } else {
            sanitize(name)
        };
        if i == sel {
            spans.push(Span::styled(format!("[{name}]"), theme::selected()));
        } else {
            spans.push(Span::styled(name, theme::dim()));
        }
    }
    clip_line(spans, w)
}

/// "key name · key name" for `actions` in `ctx`, from the key map (those bound to a key).
fn key_hints(app: &App, ctx: KeyContext, actions: &[crate::tui::keymap::Action]) -> String {
    actions
        .iter()
        .filter_map(|a| {
            app.keys
                .first_key(ctx, *a)
                .map(|k| format!("{k} {}", a.describe(app.lang)))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The first line to show so that line `selected` is in view (with the lines before it while
/// they fit).
fn first_shown(selected: usize, visible: usize) -> usize {
    (selected + 1).saturating_sub(visible.max(1))
}

/// Cuts a line of spans to `max` cells (by display width).
fn clip_line(spans: Vec<Span<'static>>, max: usize) -> Line<'static> {
    let mut out = Vec::new();
    let mut used = 0;
    for sp in spans {
        let w = width(&sp.content);
        if used + w <= max {
            used += w;
            out.push(sp);
        } else {
            let rest = truncate(&sp.content, max - used);
            out.push(Span::styled(rest, sp.style));
            break;
        }
    }
    Line::from(out)
}
