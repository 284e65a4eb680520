//! 退回: the unit says the ticket is not theirs, and why.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("退回", "Return"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    vec![
        Field::text("unit", &c.l("退回单位", "Unit"), c.ticket.unit()).required(),
        Field::text("reason", &c.l("退回理由", "Reason"), "")
            .required()
            .long(3),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r.event(EventKind::Return {
        unit: r.get("unit"),
        reason: r.get("reason"),
    })])
}
