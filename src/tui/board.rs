//! The supervision board (督办看板): the dashboard with the unit league, the open summons, the
//! hotspots and the topics, each a tab with its own selection. State only: `ui::board` draws
//! it, `App::update_board` moves it.

use crate::domain::dashboard::{sort_league, Dashboard, LeagueSort};
use crate::domain::figures::{FigureKind, UnitReport};
use crate::domain::supervision::Supervision;
use crate::i18n::Lang;
use crate::ledger::Ledger;
use crate::output::dashboard::{self as dash, TREND_FIGURES};
use crate::output::supervision as sup;
use crate::text::sanitize;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Dashboard,
    Whistles,
    Hotspots,
    Topics,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Dashboard, Tab::Whistles, Tab::Hotspots, Tab::Topics];
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Tab::Dashboard => lang.t("仪表盘", "Dashboard"),
            Tab::Whistles => lang.t("吹哨未响应", "Open summons"),
            Tab::Hotspots => lang.t("热点(近三月)", "Hotspots (3 months)"),
            Tab::Topics => lang.t("每月一办专题", "Monthly topics"),
        }
    }
    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// What Enter does on the selected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// List the figure's cohort.
    Figure(FigureKind),
    /// Filter the panes to the unit.
    Unit(String),
    /// Open the ticket.
    Ticket(String),
    /// List the hotspot's tickets.
    Hotspot(usize),
    Nothing,
}

#[derive(Debug, Clone)]
pub struct Board {
    pub tab: Tab,
    /// The selected row of each tab.
    pub selected: [usize; 4],
    pub dashboard: Dashboard,
    /// This month's units in `sort` order.
    pub league: Vec<UnitReport>,
    pub sort: LeagueSort,
    pub sup: Supervision,
    pub now: DateTime<Utc>,
    /// Typed after `/`: only the rows of the tab holding it are listed (cleared on a new tab).
    pub filter: String,
    /// Whether keys go to the filter (after `/`, until Enter or Esc).
    pub typing: bool,
    /// Whether it is this month's board (else a past month's, as of its last day).
    pub current: bool,
}

impl Board {
    /// Reads everything the board shows as of `today` (one pass over the store).
    pub fn load(ledger: &Ledger, today: NaiveDate, sort: LeagueSort) -> anyhow::Result<Board> {
        let (dashboard, sup) = ledger.board(today)?;
        let mut league = dashboard.current().now.by_unit.clone();
        sort_league(&mut league, sort);
        Ok(Board {
            tab: Tab::Dashboard,
            selected: [0; 4],
            dashboard,
            league,
            sort,
            sup,
            now: ledger.now(),
            filter: String::new(),
            typing: false,
            current: today == ledger.clock.today(),
        })
    }

    /// The selectable rows of the tab shown.
    pub fn rows(&self) -> usize {
        match self.tab {
            Tab::Dashboard => TREND_FIGURES.len() + self.league.len(),
            Tab::Whistles => self.sup.summons.len(),
            Tab::Hotspots => self.sup.hotspots.len(),
            Tab::Topics => self.sup.topics.iter().map(|t| 1 + t.tickets.len()).sum(),
        }
    }

    pub fn selected(&self) -> usize {
        self.selected[self.tab.index()]
    }

    pub fn select(&mut self, row: usize) {
        let last = self.rows().saturating_sub(1);
        self.selected[self.tab.index()] = row.min(last);
    }

    /// Moves to the next (or previous) tab (its filter cleared).
    pub fn switch(&mut self, forward: bool) {
        let n = Tab::ALL.len();
        let i = self.tab.index() + if forward { 1 } else { n - 1 };
        self.tab = Tab::ALL[i % n];
        self.filter.clear();
        self.typing = false;
    }

    /// Whether the filter keeps a row shown as `text`.
    pub fn keeps(&self, text: &str) -> bool {
        self.filter.is_empty() || crate::domain::search::Query::new(&self.filter).in_text(text)
    }

    /// The selectable rows the filter keeps, in order.
    pub fn kept_rows(&self, lang: Lang, tz: chrono_tz::Tz) -> Vec<usize> {
        self.lines(lang, tz)
            .into_iter()
            .filter_map(|(_, r)| r)
            .collect()
    }

    /// The tab's lines, each with the selectable row it is (None: a heading or a blank).
    pub fn lines(&self, lang: Lang, tz: chrono_tz::Tz) -> Vec<(String, Option<usize>)> {
        let b = self;
        let lines = match b.tab {
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
                        b.league_title(lang),
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
        };
        // Rows the filter leaves out are not listed (headings and blanks stay).
        lines
            .into_iter()
            .filter(|(text, row)| row.is_none() || b.keeps(text))
            .collect()
    }

    /// The league's heading: this month, or the month shown.
    fn league_title(&self, lang: Lang) -> String {
        if self.current {
            return lang
                .t("单位排名,本月", "Unit league, this month")
                .to_string();
        }
        let month = self.dashboard.today.format("%Y-%m");
        format!("{} {month}", lang.t("单位排名,", "Unit league,"))
    }

    /// The month shown, for the title: `2026-10` (`[` and `]` move it).
    pub fn month_label(&self, _lang: Lang) -> String {
        self.dashboard.today.format("%Y-%m").to_string()
    }

    /// Orders the league by the next column.
    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        sort_league(&mut self.league, self.sort);
    }

    /// The department of the open summons selected in the 吹哨未响应 tab, when it is one of
    /// ticket `id`'s.
    pub fn summons_department(&self, id: &str) -> Option<String> {
        if self.tab != Tab::Whistles {
            return None;
        }
        self.sup
            .summons
            .get(self.selected())
            .filter(|s| s.ticket == id)
            .map(|s| s.department.clone())
    }

    /// What the selected row is.
    pub fn target(&self) -> Target {
        let sel = self.selected();
        match self.tab {
            Tab::Dashboard => match TREND_FIGURES.get(sel) {
                Some(f) => Target::Figure(*f),
                None => self
                    .league
                    .get(sel - TREND_FIGURES.len())
                    .map_or(Target::Nothing, |u| Target::Unit(u.unit.clone())),
            },
            Tab::Whistles => self
                .sup
                .summons
                .get(sel)
                .map_or(Target::Nothing, |s| Target::Ticket(s.ticket.clone())),
            Tab::Hotspots if sel < self.sup.hotspots.len() => Target::Hotspot(sel),
            Tab::Hotspots => Target::Nothing,
            Tab::Topics => {
                let mut row = 0;
                for t in &self.sup.topics {
                    if sel == row {
                        return Target::Nothing;
                    }
                    if let Some((id, _, _)) = t.tickets.get(sel - row - 1) {
                        return Target::Ticket(id.clone());
                    }
                    row += 1 + t.tickets.len();
                }
                Target::Nothing
            }
        }
    }
}

/// The name of a league column, for the message after a sort.
pub fn sort_name(s: LeagueSort, lang: Lang) -> String {
    match s {
        LeagueSort::Misses => lang.t("按失分", "by misses").to_string(),
        LeagueSort::Figure(f) => {
            format!("{} {}", lang.t("按", "by"), crate::labels::figure(f, lang))
        }
        LeagueSort::Overdue => lang.t("按超期", "by overdue").to_string(),
        LeagueSort::AwaitingContact => lang.t("按待联系", "by awaiting contact").to_string(),
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
