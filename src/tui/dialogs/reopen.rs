//! 重新办理: a resolved ticket taken up again, with a new deadline and why.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("重新办理", "Reopen"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    super::deadline_and_reason(c, ("理由", "Reason"))
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r.event(EventKind::Reopen {
        deadline: r.required_date("deadline")?,
        reason: r.get("reason"),
    })])
}
