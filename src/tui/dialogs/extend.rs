//! 延期: a new deadline and why.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("延期", "Extend"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    super::deadline_and_reason(c, ("延期理由", "Reason"))
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r.event(EventKind::Extend {
        deadline: r.required_date("deadline")?,
        reason: r.get("reason"),
    })])
}
