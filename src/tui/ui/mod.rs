//! Drawing: a pure function of `&App`. One file per view or pop-up.

mod board;
mod detail;
mod popups;
mod table;
pub mod theme;

use crate::i18n::Lang;
use crate::ledger::Pane;
use crate::text::{sanitize, truncate, width};
use crate::tui::app::{App, View};
use crate::tui::keymap::{Action, KeyContext};
use chrono::Datelike;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Draws the whole app.
/// Below this the screen says it is too small instead of drawing a broken layout.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

pub fn render(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = match app.lang {
            Lang::Zh => format!(
                "窗口太小({}×{}):请放大到至少 {MIN_WIDTH}×{MIN_HEIGHT}",
                area.width, area.height
            ),
            Lang::En => format!(
                "The window is too small ({}×{}): make it at least {MIN_WIDTH}×{MIN_HEIGHT}",
                area.width, area.height
            ),
        };
        let lines: Vec<Line> = crate::text::wrap(&text, area.width.max(1) as usize)
            .into_iter()
            .map(Line::raw)
            .collect();
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let filter_rows = if filter_text(app).is_some() { 1 } else { 0 };
    let [head, tabs, filter, main, message, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(filter_rows),
        Constraint::Min(3),
        Constraint::Length(message_lines(app, area.width).len().max(1) as u16),
        Constraint::Length(1),
    ])
    .areas(area);
    match app.banner() {
        Some(why) => f.render_widget(
            Paragraph::new(Line::from(Span::styled(
                truncate(&sanitize(&why), area.width as usize),
                theme::error(),
            ))),
            head,
        ),
        None => draw_header(f, app, head),
    }
    draw_tabs(f, app, tabs);
    if let Some(t) = filter_text(app) {
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(
                truncate(&t, area.width as usize),
                theme::awaiting(),
            ))),
            filter,
        );
    }
    match &app.view {
        View::List => table::draw(f, app, main),
        View::Detail { .. } => detail::draw(f, app, main),
        View::Board => board::draw(f, app, main),
    }
    draw_message(f, app, message);
    draw_keys(f, app, keys);
    for p in &app.popups {
        popups::draw(f, app, p, area);
    }
}

fn weekday(lang: Lang, d: chrono::NaiveDate) -> &'static str {
    let i = d.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::Zh => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
    }
}

fn draw_header(f: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    // Who is at the keyboard, at the right.
    let who = match app.ledger.operator() {
        Some(name) => Span::styled(
            format!(" {} {} ", lang.t("操作员", "operator"), sanitize(&name)),
            theme::dim(),
        ),
        None => Span::styled(
            format!(" {} ", lang.t("未设操作员", "no operator")),
            theme::overdue(),
        ),
    };
    let who_w = width(&who.content);
    let room = area.width as usize;
    // The figures with long names and fractions, long names, short names, then without the
    // weekday: the first that leaves room for the operator.
    let choices = [
        (true, true, true),
        (true, false, true),
        (false, false, true),
        (false, false, false),
    ];
    // Else the first that fits without the operator, else the narrowest (a figure is never
    // cut before its `%`).
    let all: Vec<Vec<Span>> = choices
        .iter()
        .map(|&(long, fractions, weekday)| header_figures(app, long, fractions, weekday))
        .collect();
    let spans = all
        .iter()
        .find(|spans| spans_width(spans) + who_w <= room)
        .or_else(|| all.iter().find(|spans| spans_width(spans) <= room))
        .or(all.last())
        .cloned()
        .unwrap_or_default();
    let used = spans_width(&spans);
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    if who_w <= room.saturating_sub(used) {
        let w = who_w as u16;
        let right = Rect {
            x: area.x + area.width - w,
            width: w,
            ..area
        };
        f.render_widget(Paragraph::new(Line::from(who)), right);
    }
}

fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(|s| width(&s.content)).sum()
}

/// The header's left part: the date and this month's three figures.
fn header_figures(app: &App, long: bool, fractions: bool, day: bool) -> Vec<Span<'static>> {
    let lang = app.lang;
    let left = if day {
        format!(
            " {} {} {} ",
            lang.t("跟办", "genban"),
            app.today,
            weekday(lang, app.today)
        )
    } else {
        format!(" {} {} ", lang.t("跟办", "genban"), app.today)
    };
    let names: [&str; 3] = if long {
        [
            lang.t("签收准确率", "signing accuracy"),
            lang.t("按月联系率", "monthly contact"),
            lang.t("限时办结率", "on-time resolution"),
        ]
    } else {
        [
            lang.t("签收", "sign"),
            lang.t("联系", "contact"),
            lang.t("办结", "on time"),
        ]
    };
    let mut spans = vec![
        Span::styled(left, theme::title()),
        Span::raw(lang.t("本月 ", "this month: ")),
    ];
    match &app.figures {
        Some(r) => {
            let figs = [
                &r.signing_accuracy,
                &r.monthly_contact_rate,
                &r.on_time_resolution_rate,
            ];
            for (i, (n, fig)) in names.iter().zip(figs).enumerate() {
                if i > 0 {
                    spans.push(Span::raw(" · "));
                }
                spans.push(Span::raw(format!("{n} ")));
                spans.push(Span::styled(fig.percent(), theme::header()));
                if fractions {
                    spans.push(Span::styled(
                        format!(" ({}/{})", fig.numerator, fig.denominator),
                        theme::dim(),
                    ));
                }
            }
        }
        None => spans.push(Span::styled(lang.t("计算中…", "computing…"), theme::dim())),
    }
    spans
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    // Roomy, then tight, then only the number and count of the tabs not shown: the first
    // that fits (six tabs with four-digit counts do not fit 80 columns roomy).
    let spans = (0..3)
        .map(|tight| tab_spans(app, tight))
        .find(|s| spans_width(s) <= area.width as usize)
        .unwrap_or_else(|| tab_spans(app, 2));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn tab_spans(app: &App, tight: u8) -> Vec<Span<'static>> {
    let lang = app.lang;
    let mut spans = Vec::new();
    for (i, p) in Pane::ALL.iter().enumerate() {
        let active = *p == app.pane && app.filter.query.is_none();
        let name = crate::labels::pane(*p, lang);
        let label = match tight {
            0 => format!(" {} {name} {} ", i + 1, app.tab_count(*p)),
            _ if active || tight == 1 => format!("{} {name} {}", i + 1, app.tab_count(*p)),
            _ => format!("{}:{}", i + 1, app.tab_count(*p)),
        };
        let style = if active {
            theme::active_tab()
        } else if *p == Pane::Overdue && app.count(*p) > 0 {
            theme::overdue()
        } else {
            Style::default()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::styled(
            if tight == 0 { " " } else { "│" },
            theme::dim(),
        ));
    }
    spans
}

fn filter_text(app: &App) -> Option<String> {
    let lang = app.lang;
    let mut parts = Vec::new();
    if let Some(q) = &app.filter.query {
        parts.push(format!("{}「{}」", lang.t("搜索", "search "), sanitize(q)));
    }
    if let Some(u) = &app.filter.unit {
        parts.push(format!("{}「{}」", lang.t("单位", "unit "), sanitize(u)));
    }
    if let Some(c) = &app.filter.category {
        parts.push(format!(
            "{}「{}」",
            lang.t("分类", "category "),
            sanitize(c)
        ));
    }
    (!parts.is_empty()).then(|| {
        format!(
            " {}: {}   (x {})",
            lang.t("筛选", "Filter"),
            parts.join(" "),
            lang.t("清除", "clears")
        )
    })
}

/// The message wrapped to the width: up to three rows above the key bar (a refusal at the
/// key is read whole), cut with `…` only beyond them.
fn message_lines(app: &App, cols: u16) -> Vec<String> {
    let Some((text, _)) = &app.message else {
        return Vec::new();
    };
    let w = (cols as usize).saturating_sub(1).max(1);
    let mut lines = crate::text::wrap(&sanitize(text), w);
    if lines.len() > 3 {
        lines.truncate(3);
        lines[2] = truncate(&format!("{}…", lines[2]), w);
    }
    lines
}

fn draw_message(f: &mut Frame, app: &App, area: Rect) {
    if let Some((_, error)) = &app.message {
        let style = if *error { theme::error() } else { theme::ok() };
        let lines: Vec<Line> = message_lines(app, area.width)
            .into_iter()
            .map(|l| Line::from(Span::styled(format!(" {l}"), style)))
            .collect();
        f.render_widget(Paragraph::new(lines), area);
    }
}

/// The most useful keys of a context, for the bottom bar.
pub fn bar_actions(ctx: KeyContext) -> &'static [Action] {
    match ctx {
        KeyContext::List => &[
            Action::Help,
            Action::Quit,
            Action::Open,
            Action::Sign,
            Action::Dispatch,
            Action::Contact,
            Action::Resolve,
            Action::Extend,
            Action::Revisit,
            Action::Reopen,
            Action::Whistle,
            Action::Search,
            Action::Board,
            Action::NewTicket,
            Action::NextPane,
        ],
        KeyContext::Detail => &[
            Action::Back,
            Action::Sign,
            Action::Dispatch,
            Action::Contact,
            Action::Resolve,
            Action::Extend,
            Action::Revisit,
            Action::Reopen,
            Action::Note,
            Action::Whistle,
            Action::Respond,
            Action::Escalate,
            Action::ShowEvent,
            Action::ShowRecord,
            Action::Void,
            Action::Meeting,
            Action::RevealPhone,
            Action::Help,
        ],
        KeyContext::Dialog => &[
            Action::Save,
            Action::Cancel,
            Action::NextField,
            Action::NextChoice,
        ],
        KeyContext::Popup => &[Action::Close, Action::Open, Action::Down, Action::Up],
        KeyContext::Board => &[
            Action::Back,
            Action::Open,
            Action::NextPane,
            Action::Sort,
            Action::Escalate,
            Action::Refresh,
            Action::Help,
        ],
    }
}

fn draw_keys(f: &mut Frame, app: &App, area: Rect) {
    let ctx = app.context();
    let mut spans = Vec::new();
    let mut used = 0;
    // Only what applies here: the ticket's state, the selected event, the focused field.
    for a in bar_actions(ctx).iter().filter(|a| app.applies(**a)) {
        // Going back names both its keys (`Esc/q`): `q` quits only from the list.
        let k = match a {
            Action::Back | Action::Close => app.keys.keys_label(ctx, *a, 2),
            _ => app.keys.first_key(ctx, *a),
        };
        if let Some(k) = k {
            let item = format!(" {k} {} ", a.describe(app.lang));
            let w = width(&item);
            if used + w > area.width as usize {
                break;
            }
            used += w;
            spans.push(Span::styled(format!(" {k}"), theme::title()));
            spans.push(Span::styled(
                format!(" {} ", a.describe(app.lang)),
                theme::dim(),
            ));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Before a pop-up covers `rect`: a double-width character of the screen behind that the
/// pop-up's left or right edge would cut in half becomes a space, so that the terminal does
/// not erase the pop-up's border along with the half it keeps.
pub fn cut_wide_edges(buf: &mut ratatui::buffer::Buffer, rect: Rect) {
    let bounds = buf.area;
    let rect = rect.intersection(bounds);
    if rect.is_empty() {
        return;
    }
    for y in rect.top()..rect.bottom() {
        // A wide character starting just left of the pop-up spills into its first column.
        if rect.x > bounds.x && width(buf[(rect.x - 1, y)].symbol()) > 1 {
            buf[(rect.x - 1, y)].set_symbol(" ");
        }
        // One starting in the pop-up's last column spills out of it.
        let last = rect.right() - 1;
        if width(buf[(last, y)].symbol()) > 1 && last + 1 < bounds.right() {
            buf[(last, y)].set_symbol(" ");
            buf[(last + 1, y)].set_symbol(" ");
        }
    }
}

/// Cells whose double-width character has its second half covered by something else (what
/// `cut_wide_edges` prevents): `(x, y)` of each.
pub fn covered_wide_cells(buf: &ratatui::buffer::Buffer) -> Vec<(u16, u16)> {
    let a = buf.area;
    let mut out = Vec::new();
    for y in a.top()..a.bottom() {
        for x in a.left()..a.right().saturating_sub(1) {
            if width(buf[(x, y)].symbol()) > 1 && !matches!(buf[(x + 1, y)].symbol(), " " | "") {
                out.push((x, y));
            }
        }
    }
    out
}

/// A rectangle of at most `w` × `h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
