//! 记录联系: a call, visit, SMS or chat; reached or not; who; what was said.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Channel, Event, EventKind, Outcome};
use crate::tui::form::{Field, Form};

pub const SPEC: Spec = Spec {
    title: ("记录联系", "Record a contact"),
    fields,
    events,
    time_of_day: true,
    needs,
};

fn fields(c: &Ctx) -> Vec<Field> {
    let channels = Channel::ALL
        .iter()
        .map(|ch| crate::labels::channel(*ch, c.lang).to_string())
        .collect();
    let outcomes = vec![c.l("已联系上", "reached"), c.l("未联系上", "not reached")];
    vec![
        Field::choice("channel", &c.l("方式", "Channel"), channels, 0).hint("← →"),
        Field::choice("outcome", &c.l("结果", "Outcome"), outcomes, 0).hint("← →"),
        Field::text("person", &c.l("联系对象", "Spoke to"), ""),
        Field::text("note", &c.l("沟通内容", "Note"), "").long(3),
        c.when.clone(),
    ]
}

/// A reached contact says what the citizen was told; an unreached one needs nothing more.
fn needs(f: &Form) -> Option<&'static str> {
    let reached = f.field("outcome").map_or(0, Field::selected) == 0;
    (reached && f.get("note").is_empty()).then_some("note")
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    let outcome = if r.choice("outcome") == 0 {
        Outcome::Reached
    } else {
        Outcome::Unreached
    };
    Ok(vec![r
        .event(EventKind::Contact {
            channel: Channel::ALL[r.choice("channel").min(Channel::ALL.len() - 1)],
            outcome,
            contact_person: r.text("person"),
        })
        .with_note(r.text("note"))])
}
