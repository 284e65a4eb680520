//! 每月一办: raise the ticket to a monthly topic of the working group.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("每月一办", "Monthly topic"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    vec![
        Field::text("topic", &c.l("专题", "Topic"), "").required(),
        Field::text("note", &c.l("说明", "Note"), ""),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r
        .event(EventKind::Escalate {
            topic: r.get("topic"),
        })
        .with_note(r.text("note"))])
}
