//! 新增工单: a ticket that did not come through the hotline (a walk-in at the community
//! workstation, or found by the community first), dispatched to its unit at once. The id
//! (`L` + date + sequence) is chosen when it is saved (`Ledger::record_new_ticket`).

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, Source, TicketRecord};
use crate::domain::new_ticket;
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("新增工单", "New ticket"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

/// The sources a hand-added ticket may have, in the choice's order.
const SOURCES: [Source; 2] = [Source::WalkIn, Source::Proactive];

fn fields(c: &Ctx) -> Vec<Field> {
    let sources = SOURCES
        .iter()
        .map(|s| crate::labels::source(*s, c.lang).to_string())
        .collect();
    vec![
        Field::text("title", &c.l("诉求标题", "Title"), "").required(),
        Field::pick("unit", &c.l("承办单位", "Unit"), c.units.to_vec(), "")
            .required()
            .hint(
                c.lang
                    .t("输入筛选,← → ↑ ↓ 选择", "type to filter, ← → ↑ ↓ to choose"),
            ),
        Field::choice("source", &c.l("来源", "Source"), sources, 0).hint("← →"),
        Field::text("complainant", &c.l("诉求人", "Citizen"), ""),
        Field::text("phone", &c.l("联系电话", "Phone"), ""),
        Field::text("address", &c.l("诉求地址", "Address"), ""),
        Field::text("category", &c.l("诉求分类", "Category"), ""),
        Field::text("content", &c.l("诉求内容", "Content"), "").long(3),
        Field::date("at", &c.l("受理时间", "Received"), &c.when.value).hint("YYYY-MM-DD HH:MM"),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    let record = TicketRecord {
        title: r.text("title"),
        unit: r.text("unit"),
        complainant: r.text("complainant"),
        phone: r.text("phone"),
        address: r.text("address"),
        category: r.text("category"),
        content: r.text("content"),
        ..Default::default()
    };
    let source = SOURCES[r.choice("source").min(SOURCES.len() - 1)];
    Ok(new_ticket::events(r.id, record, source, r.at, true))
}
