//! 延期: a new deadline and why.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("延期", "Extend"),
    fields,
    events,
};

fn fields(c: &Ctx) -> Vec<Field> {
    vec![
        Field::date("deadline", &c.l("新时限", "New deadline"), "")
            .required()
            .hint("YYYY-MM-DD"),
        Field::text("reason", &c.l("延期理由", "Reason"), "").required(),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r.event(EventKind::Extend {
        deadline: r.required_date("deadline")?,
        reason: r.get("reason"),
    })])
}
