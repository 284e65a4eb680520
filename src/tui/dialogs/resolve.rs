//! 解决: the problem is solved; by default the call that tells the citizen is recorded too.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Channel, Event, EventKind, Outcome};
use crate::tui::form::Field;

pub const SPEC: Spec = Spec {
    title: ("解决", "Resolve"),
    fields,
    events,
    time_of_day: true,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    let tell = vec![
        c.l(
            "同时记录告知结果的电话",
            "also record the call that tells the result",
        ),
        c.l("不记录", "do not record"),
    ];
    vec![
        Field::text("note", &c.l("解决情况", "Note"), "").long(3),
        Field::choice("tell", &c.l("告知诉求人", "Tell citizen"), tell, 0).hint("← →"),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    let mut v = vec![r.event(EventKind::Resolve).with_note(r.text("note"))];
    if r.choice("tell") == 0 {
        // The call that tells the citizen, at the same moment (after the resolve in the log;
        // a later `at` would lie in the future when entered now).
        let told = r.lang.t("告知办理结果", "told the citizen the result");
        v.push(
            r.event(EventKind::Contact {
                channel: Channel::Phone,
                outcome: Outcome::Reached,
                contact_person: None,
            })
            .with_note(Some(told.to_string())),
        );
    }
    Ok(v)
}
