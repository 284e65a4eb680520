//! 备注: a note on the ticket.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("备注", "Note"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    vec![
        Field::text("note", &c.l("备注", "Note"), "")
            .required()
            .long(3),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r.event(EventKind::Note).with_note(r.text("note"))])
}
