//! 吹哨 (一哨联办): summon several departments at once, chosen from the known units and the
//! departments summoned before (Space takes each; a new name is typed and taken the same way).

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("吹哨 · 一哨联办", "Whistle"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    let mut known: Vec<String> = c.units.to_vec();
    for d in &c.ticket.summoned {
        if !known.contains(d) {
            known.push(d.clone());
        }
    }
    vec![
        Field::multi("departments", &c.l("召集部门", "Departments"), known)
            .required()
            .hint(c.lang.t(
                "输入筛选,← → 移动,空格选中",
                "type to filter, ← → to move, Space to take",
            )),
        Field::text("note", &c.l("事由", "Why"), "").long(2),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    let departments = r
        .form
        .field("departments")
        .map(Field::names)
        .unwrap_or_default();
    if departments.is_empty() {
        return Err(r
            .lang
            .t("请至少选择一个部门", "take at least one department")
            .into());
    }
    Ok(vec![r
        .event(EventKind::Whistle { departments })
        .with_note(r.text("note"))])
}
