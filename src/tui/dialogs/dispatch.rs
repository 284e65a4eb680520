//! 派发: to a unit picked from the known ones (a new name is confirmed first).

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("派发", "Dispatch"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    vec![
        Field::pick("unit", &c.l("派发至", "Unit"), c.units.to_vec(), "")
            .required()
            .hint(
                c.lang
                    .t("输入筛选,← → ↑ ↓ 选择", "type to filter, ← → ↑ ↓ to choose"),
            ),
        Field::text("note", &c.l("说明", "Note"), ""),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r
        .event(EventKind::Dispatch {
            unit: r.get("unit"),
        })
        .with_note(r.text("note"))])
}
