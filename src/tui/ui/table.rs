//! The pane tables: columns chosen per pane, dropped by priority when the terminal is narrow.

use super::theme;
use crate::domain::ticket::State;
use crate::i18n::Lang;
use crate::ledger::{Pane, TicketRow};
use crate::output::tickets::days_label;
use crate::text::{fit, sanitize};
use crate::tui::app::App;
use chrono_tz::Tz;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Mark,
    /// The state in words (未派发 for a record never dispatched), with 超期 when overdue.
    State,
    Received,
    Id,
    Unit,
    Category,
    Title,
    Deadline,
    Days,
    LastContact,
    MonthContacts,
    Dispatched,
    ResolvedOn,
    OnTime,
}

impl Col {
    /// Width in cells (the title column takes what is left).
    fn width(self) -> usize {
        match self {
            Col::Mark => 6,
            Col::State => 11,
            Col::Received => 10,
            Col::Id => 13,
            Col::Unit => 14,
            Col::Category => 8,
            Col::Title => 12,
            Col::Deadline => 10,
            Col::Days => 9,
            Col::LastContact => 11,
            Col::MonthContacts => 4,
            Col::Dispatched => 11,
            Col::ResolvedOn => 10,
            Col::OnTime => 4,
        }
    }
    /// Lower goes first when the room runs out.
    fn priority(self) -> u8 {
        match self {
            Col::MonthContacts | Col::OnTime => 1,
            Col::Category => 2,
            Col::Deadline => 3,
            Col::LastContact | Col::Dispatched | Col::Received => 4,
            _ => 9,
        }
    }
    fn title(self, lang: Lang) -> &'static str {
        match self {
            Col::Mark | Col::State => lang.t("状态", "State"),
            Col::Received => lang.t("受理时间", "Received"),
            Col::Id => lang.t("工单编号", "Ticket"),
            Col::Unit => lang.t("承办单位", "Unit"),
            Col::Category => lang.t("分类", "Category"),
            Col::Title => lang.t("诉求标题", "Title"),
            Col::Deadline => lang.t("承诺时限", "Deadline"),
            Col::Days => lang.t("剩余/超期", "Left"),
            Col::LastContact => lang.t("最近联系", "Last call"),
            Col::MonthContacts => lang.t("本月", "Mo."),
            Col::Dispatched => lang.t("派发时间", "Dispatched"),
            Col::ResolvedOn => lang.t("解决日期", "Resolved"),
            Col::OnTime => lang.t("按时", "Ok?"),
        }
    }
    fn value(self, r: &TicketRow, lang: Lang, tz: Tz, today: chrono::NaiveDate) -> String {
        let t = r.ticket();
        // This year's times without the year (`12-04 01:20`), an earlier year's as its date:
        // a 2025 ticket never reads like this year's.
        let short = |x: Option<chrono::DateTime<chrono::Utc>>| {
            x.map(|x| {
                let s = crate::domain::time_text::short(tz, &x, today);
                if s.len() > 11 {
                    x.with_timezone(&tz).format("%Y-%m-%d").to_string()
                } else {
                    s
                }
            })
            .unwrap_or_default()
        };
        match self {
            Col::Mark => match t.state {
                Some(State::Returned) => lang.t("已退回", "return").to_string(),
                _ => crate::labels::state(State::AwaitingSign, lang).to_string(),
            },
            Col::State => crate::output::tickets::state_label(r, lang),
            Col::Received => t
                .record
                .received_at
                .map(|x| x.with_timezone(&tz).format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            Col::Id => t.id.clone(),
            Col::Unit => t.unit().to_string(),
            Col::Category => t.record.category.clone().unwrap_or_default(),
            Col::Title => t.record.title.clone().unwrap_or_default(),
            Col::Deadline => t.deadline.map(|d| d.to_string()).unwrap_or_default(),
            Col::Days => days_label(r, lang),
            // Due a call and only unreached ones this month: say so, not just a time.
            Col::LastContact if r.facts.awaiting_contact && r.contacts_this_month > 0 => {
                format!(
                    "{}×{}",
                    lang.t("未联系上", "unreached "),
                    r.contacts_this_month
                )
            }
            Col::LastContact => short(t.last_contact),
            Col::MonthContacts => r.contacts_this_month.to_string(),
            Col::Dispatched => short(t.latest_dispatch_at),
            Col::ResolvedOn => t
                .resolution_date(tz)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            Col::OnTime => match (t.resolution_date(tz), t.deadline) {
                (Some(r), Some(d)) if r <= d => lang.t("是", "yes").to_string(),
                (Some(_), Some(_)) => lang.t("否", "no").to_string(),
                _ => String::new(),
            },
        }
    }
}

fn columns(pane: Pane, search: bool) -> Vec<Col> {
    use Col::*;
    if search {
        return vec![
            Id,
            State,
            Unit,
            Category,
            Title,
            Deadline,
            Days,
            LastContact,
        ];
    }
    match pane {
        Pane::AwaitingSign => vec![Mark, Id, Unit, Category, Title, Dispatched],
        Pane::InProgress => vec![
            Id,
            Unit,
            Category,
            Title,
            Deadline,
            Days,
            LastContact,
            MonthContacts,
        ],
        Pane::AwaitingContact => vec![Id, Unit, Category, Title, Days, LastContact, MonthContacts],
        Pane::Overdue => vec![Id, Unit, Category, Title, Deadline, Days, LastContact],
        Pane::Resolved => vec![Id, Unit, Category, Title, Deadline, ResolvedOn, OnTime],
        Pane::All => vec![Id, State, Unit, Category, Title, Received, Deadline],
    }
}

/// Fits the columns into `room` cells: drops low-priority ones until the title has 12 cells,
/// then gives the title what is left.
fn layout(mut cols: Vec<Col>, room: usize) -> Vec<(Col, usize)> {
    loop {
        let fixed: usize = cols
            .iter()
            .filter(|c| **c != Col::Title)
            .map(|c| c.width())
            .sum();
        let spacing = cols.len().saturating_sub(1);
        let left = room.saturating_sub(fixed + spacing);
        if left >= Col::Title.width() || cols.len() <= 3 {
            return cols
                .iter()
                .map(|c| {
                    (
                        *c,
                        if *c == Col::Title {
                            left.max(4)
                        } else {
                            c.width()
                        },
                    )
                })
                .collect();
        }
        let drop = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.priority() < 9)
            .min_by_key(|(_, c)| c.priority())
            .map(|(i, _)| i);
        match drop {
            Some(i) => {
                cols.remove(i);
            }
            None => {
                return cols.iter().map(|c| (*c, c.width())).collect();
            }
        }
    }
}

fn row_style(r: &TicketRow) -> Style {
    let t = r.ticket();
    if r.facts.overdue {
        theme::overdue()
    } else if t.state == Some(State::Returned) {
        theme::returned()
    } else if r.facts.awaiting_contact {
        theme::awaiting()
    } else {
        Style::default()
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    let tz = app.ledger.tz();
    let search = app.filter.query.is_some();
    // Where the cursor is ("12/85") and the order, in the title.
    let position = if app.rows.is_empty() {
        "0".to_string()
    } else {
        format!("{}/{}", app.selected + 1, app.rows.len())
    };
    let title = format!(
        " {} {position} · {} ",
        if search {
            lang.t("搜索结果", "Search results")
        } else {
            crate::labels::pane(app.pane, lang)
        },
        app.sort.name(lang)
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    if app.rows.is_empty() {
        let text = if app.pane == Pane::All && app.reading_all() && !search {
            lang.t("正在读取全部工单……", "Reading every ticket…")
        } else if search || !app.filter.is_empty() {
            lang.t(
                "没有符合筛选条件的工单。按 x 清除筛选。",
                "No ticket matches the filter. Press x to clear it.",
            )
        } else {
            match app.pane {
                Pane::AwaitingSign => lang.t("没有待签收的工单。", "Nothing awaits signing."),
                Pane::AwaitingContact => lang.t(
                    "本月需要联系的工单都已联系。",
                    "Everyone due a call this month has been reached.",
                ),
                Pane::Overdue => lang.t("没有超期的工单。", "Nothing is overdue."),
                _ => lang.t("这里还没有工单。", "No tickets here yet."),
            }
        };
        f.render_widget(
            Paragraph::new(Line::from(format!(" {text}"))).block(block),
            area,
        );
        return;
    }
    let cols = layout(columns(app.pane, search), inner.width as usize);
    let header = Row::new(cols.iter().map(|(c, w)| Cell::from(fit(c.title(lang), *w))))
        .style(theme::header());
    // Only the rows on screen are built: a pane can hold thousands.
    let visible = (inner.height as usize).saturating_sub(1).max(1);
    // The app keeps the offset; a frame of another size only shifts what it shows.
    let offset = crate::tui::app::keep_in_view(
        app.offset.min(app.rows.len().saturating_sub(1)),
        app.selected,
        visible,
    );
    let rows = app.rows.iter().skip(offset).take(visible).map(|r| {
        Row::new(
            cols.iter()
                .map(|(c, w)| Cell::from(fit(&sanitize(&c.value(r, lang, tz, app.today)), *w))),
        )
        .style(row_style(r))
    });
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|(_, w)| Constraint::Length(*w as u16))
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme::selected());
    let mut state = TableState::default().with_selected(Some(app.selected - offset));
    f.render_stateful_widget(table, area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_terminals_drop_low_priority_columns_first() {
        let wide = layout(columns(Pane::InProgress, false), 118);
        assert_eq!(wide.len(), 8);
        let narrow = layout(columns(Pane::InProgress, false), 78);
        assert!(!narrow.iter().any(|(c, _)| *c == Col::MonthContacts));
        assert!(narrow.iter().any(|(c, _)| *c == Col::Days));
        let total: usize = narrow.iter().map(|(_, w)| w).sum::<usize>() + narrow.len() - 1;
        assert!(total <= 78, "{total}");
        assert!(crate::text::width(&fit("大顶山花园太阳能路灯损坏", 9)) == 9);
    }
}
