//! 吹哨响应: a summoned department answers, and says whether its part is resolved.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("部门响应", "Department's answer"),
    fields,
    events,
};

fn fields(c: &Ctx) -> Vec<Field> {
    let yes_no = vec![
        c.l("未解决", "not yet"),
        c.l("已解决其部分", "resolved its part"),
    ];
    vec![
        Field::choice(
            "department",
            &c.l("部门", "Department"),
            c.ticket.summoned.clone(),
            0,
        )
        .hint("← →"),
        Field::choice("resolved", &c.l("办理结果", "Its part"), yes_no, 0).hint("← →"),
        Field::text("note", &c.l("答复", "Answer"), "").long(2),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r
        .event(EventKind::WhistleResponse {
            department: r.get("department"),
            resolved: Some(r.choice("resolved") == 1),
        })
        .with_note(r.text("note"))])
}
