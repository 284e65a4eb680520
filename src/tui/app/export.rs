//! `X`: what is on screen (the pane as filtered, the search results, or the tickets of a
//! list pop-up: month tasks, look-back, a figure's cohort, a hotspot) to a workbook in the
//! export directory (where genban was started), with every field of the record as
//! `genban export` writes it. The app says where it went.

use super::{lists, App, Popup};
use crate::domain::ticket::Ticket;
use crate::output::ticket_sheet;
use std::path::PathBuf;

impl App {
    pub(super) fn export_shown(&mut self) -> anyhow::Result<()> {
        let lang = self.lang;
        let (what, tickets) = match self.popups.last() {
            Some(p) if lists::list_state(p).is_some() => {
                let ids = lists::popup_tickets(p, lang);
                let what = match p {
                    Popup::MonthTasks(..) => lang.t("本月任务", "tasks"),
                    Popup::Review(..) => lang.t("回头看", "look-back"),
                    _ => lang.t("清单", "list"),
                };
                (what.to_string(), self.tickets_of(&ids)?)
            }
            Some(_) => return Ok(()),
            None => {
                let what = match &self.filter.query {
                    Some(_) => lang.t("搜索结果", "search").to_string(),
                    None => crate::labels::pane(self.pane, lang).to_string(),
                };
                let tickets = self.rows.iter().map(|r| r.ticket().clone()).collect();
                (what, tickets)
            }
        };
        if tickets.is_empty() {
            self.say(
                lang.t("这里没有可导出的工单", "nothing here to export"),
                true,
            );
            return Ok(());
        }
        let path = self.export_path(&what);
        let mut wb = ticket_sheet::workbook(&tickets, &self.ledger, false, lang)?;
        crate::output::export::write_atomically(&path, |tmp| {
            wb.save(tmp)?;
            Ok(())
        })?;
        self.say(
            format!(
                "{} {} {} → {}",
                lang.t("已导出", "exported"),
                tickets.len(),
                lang.t("件工单", "tickets"),
                path.display()
            ),
            false,
        );
        Ok(())
    }

    /// The tickets of `ids` as of today, in that order (ids no longer in the store left out).
    fn tickets_of(&self, ids: &[String]) -> anyhow::Result<Vec<Ticket>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(f) = self.ledger.facts(id)? {
                let row = crate::ledger::TicketRow::of(id, &f.events, self.ledger.tz(), self.today);
                out.push(row.ticket().clone());
            }
        }
        Ok(out)
    }

    /// `跟办-办理中-20261207-124501.xlsx` in the export directory.
    fn export_path(&self, what: &str) -> PathBuf {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let name = format!("{}-{what}-{stamp}.xlsx", self.lang.t("跟办", "genban"));
        self.export_dir
            .join(crate::text::sanitize(&name).replace(['/', '\\'], "_"))
    }
}
