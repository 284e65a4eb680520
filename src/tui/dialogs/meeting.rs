//! 居民议事: residents, the community, the property company and experts met on the ticket and
//! agreed a decision (and perhaps a plan). The participants are taken like a whistle's
//! departments: from the usual parties, the ticket's unit, the departments summoned and the
//! known units (Space takes each; a new name is typed and taken the same way).

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("居民议事", "Resident meeting"),
    fields,
    events,
    time_of_day: true,
    needs: super::nothing_more,
};

/// The longest participant's name (as on the command line).
const MAX_NAME: usize = 100;

fn fields(c: &Ctx) -> Vec<Field> {
    let mut known: Vec<String> = crate::labels::meeting_roles(c.lang)
        .iter()
        .map(|r| r.to_string())
        .collect();
    let unit = c.ticket.unit().to_string();
    let others = c.ticket.summoned.iter().chain(c.units);
    for name in std::iter::once(&unit).chain(others) {
        if !name.trim().is_empty() && !known.contains(name) {
            known.push(name.clone());
        }
    }
    vec![
        Field::multi("participants", &c.l("参与方", "Participants"), known)
            .required()
            .hint(c.lang.t(
                "输入筛选,← → 移动,空格选中",
                "type to filter, ← → to move, Space to take",
            )),
        Field::text("decision", &c.l("议定事项", "Decision"), "")
            .required()
            .long(3),
        Field::text("plan", &c.l("实施方案", "Plan"), "").long(2),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    let participants = r
        .form
        .field("participants")
        .map(Field::names)
        .unwrap_or_default();
    if participants.is_empty() {
        return Err(r
            .lang
            .t(
                "请至少选择或填写一个参与方",
                "take at least one participant",
            )
            .into());
    }
    if let Some(long) = participants.iter().find(|p| p.chars().count() > MAX_NAME) {
        let n = long.chars().count();
        return Err(match r.lang {
            crate::i18n::Lang::Zh => format!("参与方名称太长({n} > {MAX_NAME})"),
            crate::i18n::Lang::En => format!("a participant's name is too long ({n} > {MAX_NAME})"),
        });
    }
    Ok(vec![r.event(EventKind::Meeting {
        participants,
        decision: r.get("decision"),
        plan: r.text("plan"),
    })])
}
