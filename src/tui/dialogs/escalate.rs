//! 每月一办: raise the ticket to a monthly topic of the working group.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind};
use crate::tui::form::{Field, Form};

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

/// The topic field offering the topics the store knows (type to filter; a new one is saved
/// after a confirmation).
pub fn offer_topics(form: &mut Form, topics: &[String], lang: crate::i18n::Lang) {
    if let Some(f) = form.fields.iter_mut().find(|f| f.key == "topic") {
        *f = Field::pick("topic", lang.t("专题", "Topic"), topics.to_vec(), "")
            .required()
            .hint(lang.t(
                "输入筛选已有专题,↑↓ 选择;新专题需再按 Enter 确认",
                "type to filter the topics, ↑↓ to choose; a new one asks once",
            ));
    }
}
