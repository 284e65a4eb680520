//! The supervision board (督办看板): the dashboard with the unit league, the open summons, the
//! hotspots and the topics, each a tab with its own selection. State only: `ui::board` draws
//! it, `App::update_board` moves it.

use crate::domain::dashboard::{sort_league, Dashboard, LeagueSort};
use crate::domain::figures::{FigureKind, UnitReport};
use crate::domain::supervision::Supervision;
use crate::i18n::Lang;
use crate::ledger::Ledger;
use crate::output::dashboard::TREND_FIGURES;
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

    /// Moves to the next (or previous) tab.
    pub fn switch(&mut self, forward: bool) {
        let n = Tab::ALL.len();
        let i = self.tab.index() + if forward { 1 } else { n - 1 };
        self.tab = Tab::ALL[i % n];
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
