//! 回访评价: the citizen's verdict; unsatisfied takes the ticket up again with a deadline.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind, Satisfaction};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("回访评价", "Revisit"),
    fields,
    events,
    time_of_day: true,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    let verdicts = Satisfaction::ALL
        .iter()
        .map(|s| crate::labels::satisfaction(*s, c.lang).to_string())
        .collect();
    vec![
        Field::choice("satisfaction", &c.l("评价", "Verdict"), verdicts, 0).hint("← →"),
        Field::date("deadline", &c.l("新时限", "New deadline"), "")
            .hint(c.lang.t("不满意时必填", "required when unsatisfied")),
        Field::text("note", &c.l("备注", "Note"), ""),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    let i = r.choice("satisfaction").min(Satisfaction::ALL.len() - 1);
    Ok(vec![r
        .event(EventKind::Revisit {
            satisfaction: Satisfaction::ALL[i],
            deadline: r.date("deadline")?,
        })
        .with_note(r.text("note"))])
}
