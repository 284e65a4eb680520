//! 签收: the unit signs and commits a deadline (presets fill it), with a plan.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::domain::time::add_months;
use crate::tui::form::{Field, Form};
use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;

pub const SPEC: Spec = Spec {
    title: ("签收", "Sign"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

const PRESETS: [(&str, &str); 6] = [
    ("自定", "custom"),
    ("+7天", "+7 days"),
    ("+1月", "+1 month"),
    ("+3月", "+3 months"),
    ("+6月", "+6 months"),
    ("+7月", "+7 months"),
];

/// The deadline a preset gives from `from`.
pub fn preset_deadline(i: usize, from: NaiveDate) -> Option<NaiveDate> {
    match i {
        1 => Some(from + Duration::days(7)),
        2 => Some(add_months(from, 1)),
        3 => Some(add_months(from, 3)),
        4 => Some(add_months(from, 6)),
        5 => Some(add_months(from, 7)),
        _ => None,
    }
}

fn fields(c: &Ctx) -> Vec<Field> {
    let presets = PRESETS.iter().map(|(z, e)| c.l(z, e)).collect();
    vec![
        Field::text("unit", &c.l("签收单位", "Unit"), c.ticket.unit()).required(),
        Field::choice("preset", &c.l("时限预设", "Preset"), presets, 0).hint("← →"),
        Field::date("deadline", &c.l("承诺时限", "Deadline"), "")
            .required()
            .hint("YYYY-MM-DD"),
        Field::text("plan", &c.l("办理计划", "Plan"), "").long(3),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    Ok(vec![r.event(EventKind::Sign {
        unit: r.get("unit"),
        deadline: r.required_date("deadline")?,
        plan: r.text("plan"),
    })])
}

/// A preset chosen: the deadline follows from the time of the sign.
pub fn on_choice_changed(form: &mut Form, tz: Tz) {
    let i = form.field("preset").map_or(0, Field::selected);
    let from = crate::domain::time::parse_local(&form.get("at"), tz)
        .map(|t| t.date_naive())
        .unwrap_or_else(|| Utc::now().with_timezone(&tz).date_naive());
    if let Some(d) = preset_deadline(i, from) {
        if let Some(f) = form.field_mut("deadline") {
            f.set(&d.to_string());
        }
    }
}
