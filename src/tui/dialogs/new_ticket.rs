//! 新增工单: a ticket that did not come through the hotline (a walk-in at the community
//! workstation, or found by the community first), dispatched to its unit at once. The id
//! (`L` + date + sequence) is chosen when it is saved (`Ledger::record_new_ticket`).

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, Source, TicketRecord};
use crate::domain::new_ticket;
use crate::tui::form::{Field, Form};

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
        Field::text("phone", &c.l("联系电话", "Phone"), "")
            .hint(c.lang.t("数字、+、- 和空格", "digits, +, - and spaces")),
        Field::text("street", &c.l("街道", "Street"), ""),
        Field::text("community", &c.l("社区", "Community"), ""),
        Field::text("address", &c.l("诉求地址", "Address"), ""),
        Field::pick("category", &c.l("诉求分类", "Category"), Vec::new(), ""),
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
        street: r.text("street"),
        community: r.text("community"),
        address: r.text("address"),
        category: r.text("category"),
        content: r.text("content"),
        ..Default::default()
    };
    // The same checks as `genban new` (and every other entry): lengths, control characters,
    // a phone number that is one.
    if let Err((key, problem)) = new_ticket::check(&record) {
        r.fault.set(Some(key));
        return Err(crate::labels::new_ticket_problem(key, &problem, r.lang));
    }
    let source = SOURCES[r.choice("source").min(SOURCES.len() - 1)];
    Ok(new_ticket::events(r.id, record, source, r.at, true))
}

/// The category field offering the categories the store knows (type to filter; a new one is
/// saved after a confirmation).
pub fn offer_categories(form: &mut Form, categories: &[String], lang: crate::i18n::Lang) {
    if let Some(f) = form.fields.iter_mut().find(|f| f.key == "category") {
        *f = Field::pick(
            "category",
            lang.t("诉求分类", "Category"),
            categories.to_vec(),
            "",
        )
        .hint(lang.t(
            "输入筛选已有分类;新分类需再按 Enter 确认",
            "type to filter the categories; a new one asks once",
        ));
    }
}
