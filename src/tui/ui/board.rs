//! The supervision board: its tabs, and the selected tab's lines with the selected row
//! highlighted and kept in view.

use super::theme;
use crate::text::{sanitize, truncate};
use crate::tui::app::App;
use crate::tui::board::{Board, Tab};
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
    // The filter being typed (or kept), with the keys that end it.
    if board.typing {
        title.push_str(&format!(
            "· {}: {}▏ Enter {} · Esc {} ",
            lang.t("筛选", "filter"),
            sanitize(&board.filter),
            lang.t("保留", "keeps"),
            lang.t("清除", "clears")
        ));
    } else if !board.filter.is_empty() {
        title.push_str(&format!(
            "· {}「{}」 ",
            lang.t("筛选", "filter "),
            sanitize(&board.filter)
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme::title()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = board.lines(lang, app.ledger.tz());
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
    // A past month says which; this month's board needs no word (the header says 本月).
    match b.current {
        true => format!(" {} ", tabs.join("·")),
        false => format!(" {} ·{} ", b.month_label(lang), tabs.join("·")),
    }
}
