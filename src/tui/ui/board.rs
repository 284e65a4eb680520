//! The supervision board: its tabs, and the selected tab's lines with the selected row
//! highlighted and kept in view.

use super::theme;
use crate::output::dashboard as dash;
use crate::output::supervision as sup;
use crate::text::{sanitize, truncate};
use crate::tui::app::App;
use crate::tui::board::{sort_name, Board, Tab};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    let Some(board) = app.board.as_deref() else {
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", lang.t("督办看板", "Supervision board")),
            theme::title(),
        ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let text = lang.t(
            "正在统计(逐月统计全部工单,数据多时需要几秒)…",
            "Reading every ticket month by month (a few seconds on a large store)…",
        );
        f.render_widget(Paragraph::new(Line::styled(text, theme::dim())), inner);
        return;
    };
    let mut title = tabs_title(app, board);
    if app.board_loading() {
        title.push_str(lang.t("· 更新中… ", "· updating… "));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme::title()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = tab_lines(app, board);
    let w = inner.width as usize;
    let visible = inner.height as usize;
    // The selected row's line, and the first line shown so that it is in view (with the
    // lines before it while they fit).
    let sel_line = lines
        .iter()
        .position(|(_, row)| *row == Some(board.selected()))
        .unwrap_or(0);
    let first = (sel_line + 1).saturating_sub(visible.max(1));
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(first)
        .take(visible)
        .map(|(text, row)| {
            let text = truncate(&text, w);
            match row {
                Some(r) if r == board.selected() => Line::styled(text, theme::selected()),
                Some(_) => Line::raw(text),
                None => Line::styled(text, theme::dim()),
            }
        })
        .collect();
    f.render_widget(Paragraph::new(shown), inner);
}

fn tabs_title(app: &App, b: &Board) -> String {
    let lang = app.lang;
    let count = |t: Tab| match t {
        Tab::Dashboard => String::new(),
        Tab::Whistles => format!(" {}", b.sup.summons.len()),
        Tab::Hotspots => format!(" {}", b.sup.hotspots.len()),
        Tab::Topics => format!(" {}", b.sup.topics.len()),
    };
    let tabs: Vec<String> = Tab::ALL
        .iter()
        .map(|t| {
            if *t == b.tab {
                format!("【{}{}】", t.title(lang), count(*t))
            } else {
                format!(" {}{} ", t.title(lang), count(*t))
            }
        })
        .collect();
    format!(" {} ", tabs.join("·"))
}

/// The tab's lines, each with the selectable row it is (None: a heading or a blank).
fn tab_lines(app: &App, b: &Board) -> Vec<(String, Option<usize>)> {
    let lang = app.lang;
    let tz = app.ledger.tz();
    match b.tab {
        Tab::Dashboard => {
            let mut out: Vec<(String, Option<usize>)> = dash::header_lines(&b.dashboard, lang)
                .into_iter()
                .map(|l| (l, None))
                .collect();
            out.push((String::new(), None));
            for (i, l) in dash::trend_lines(&b.dashboard, lang)
                .into_iter()
                .enumerate()
            {
                let row = (1..=dash::TREND_FIGURES.len()).contains(&i).then(|| i - 1);
                out.push((l, row));
            }
            out.push((String::new(), None));
            out.push((
                format!(
                    "{} · {} · {}",
                    lang.t("单位排名,本月", "Unit league, this month"),
                    sort_name(b.sort, lang),
                    lang.t("Enter 筛选该单位", "Enter filters the panes to it")
                ),
                None,
            ));
            for (i, l) in dash::league_lines(&b.league, lang, 18)
                .into_iter()
                .enumerate()
            {
                let row = (i > 0).then(|| dash::TREND_FIGURES.len() + i - 1);
                out.push((l, row));
            }
            out
        }
        Tab::Whistles => numbered(
            sup::summons_lines(&b.sup.summons, b.now, tz, lang),
            lang.t("没有未响应的吹哨", "no summons waiting for an answer"),
        ),
        Tab::Hotspots => numbered(
            sup::hotspot_lines(&b.sup.hotspots, lang),
            lang.t(
                "近三个月没有工单 · E 把选中热点升级为每月一办",
                "no tickets in the last three months",
            ),
        ),
        Tab::Topics => {
            let lines = sup::topic_lines(&b.sup.topics, tz, lang);
            if lines.is_empty() {
                return vec![(
                    lang.t(
                        "还没有专题:在工单上按 E,或在「热点」页选中热点按 E",
                        "no topics yet: E on a ticket, or on a hotspot",
                    )
                    .to_string(),
                    None,
                )];
            }
            lines
                .into_iter()
                .enumerate()
                .map(|(i, (l, _))| (sanitize(&l), Some(i)))
                .collect()
        }
    }
}

/// A header line and rows 0, 1, … (or the `empty` line alone).
fn numbered(lines: Vec<String>, empty: &str) -> Vec<(String, Option<usize>)> {
    if lines.len() <= 1 {
        return vec![(empty.to_string(), None)];
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| (l, i.checked_sub(1)))
        .collect()
}
