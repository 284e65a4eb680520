//! 吹哨响应: a summoned department answers, and says whether its part is resolved.

use super::{Ctx, Reading, Spec};
use crate::domain::event::{Event, EventKind, VoidTarget};
use crate::i18n::Lang;
use crate::tui::form::{Field, Form};
use chrono::{DateTime, FixedOffset};

pub const SPEC: Spec = Spec {
    title: ("部门响应", "Department's answer"),
    fields,
    events,
    time_of_day: false,
    needs: super::nothing_more,
};

fn fields(c: &Ctx) -> Vec<Field> {
    let yes_no = vec![
        c.l("未解决", "not yet"),
        c.l("已解决其部分", "resolved its part"),
    ];
    vec![
        Field::choice(
            "department",
            &c.l("部门", "Department"),
            c.ticket.summoned.clone(),
            0,
        )
        .hint("← →"),
        Field::choice("resolved", &c.l("办理结果", "Its part"), yes_no, 0).hint("← →"),
        Field::text("note", &c.l("答复", "Answer"), "").long(2),
        c.when.clone(),
    ]
}

fn events(r: &Reading) -> Result<Vec<Event>, String> {
    let department = r.get("department");
    if let Some(msg) = too_early(r.log, &department, r.at, r.lang) {
        return Err(msg);
    }
    Ok(vec![r
        .event(EventKind::WhistleResponse {
            department,
            resolved: Some(r.choice("resolved") == 1),
        })
        .with_note(r.text("note"))])
}

/// Why an answer of `department` entered at `at` is refused: no whistle of `log` (voided ones
/// left out) summons the department strictly before `at`, though one does at or after it. The
/// message gives that whistle's time to the second, in the zone of `at`. Entry only: the log's
/// rules (DOMAIN.md) are unchanged, so old logs still import.
pub fn too_early(
    log: &[Event],
    department: &str,
    at: DateTime<FixedOffset>,
    lang: Lang,
) -> Option<String> {
    let voids: Vec<&VoidTarget> = log
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Void { target, .. } => Some(target),
            _ => None,
        })
        .collect();
    let summons: Vec<&Event> = log
        .iter()
        .filter(|e| match &e.kind {
            EventKind::Whistle { departments } => {
                departments.iter().any(|d| d.trim() == department.trim())
                    && !voids.iter().any(|v| v.matches(e))
            }
            _ => false,
        })
        .collect();
    if summons.iter().any(|w| w.at < at) {
        return None;
    }
    let first = summons.iter().map(|w| w.at).min()?;
    let when = first.with_timezone(at.offset()).format("%Y-%m-%d %H:%M:%S");
    let department = department.trim();
    Some(match lang {
        Lang::Zh => format!(
            "「{department}」的响应时间须晚于吹哨时间 {when}(同一秒也不行),请改时间或稍后再记"
        ),
        Lang::En => format!(
            "{department}'s answer must come after the whistle at {when} (the same second is too early): change the time or enter it a moment later"
        ),
    })
}

/// The events of `log` that no void annuls.
fn standing(log: &[Event]) -> Vec<&Event> {
    let by = crate::domain::void::voided_by(log);
    log.iter()
        .zip(by)
        .filter(|(_, v)| v.is_none())
        .map(|(e, _)| e)
        .collect()
}

/// The departments of the latest whistle (voided ones left out) that have not answered it,
/// in the whistle's order.
pub fn waiting(log: &[Event]) -> Vec<String> {
    let events = standing(log);
    let Some((i, departments)) = events
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, e)| match &e.kind {
            EventKind::Whistle { departments } => Some((i, departments)),
            _ => None,
        })
    else {
        return Vec::new();
    };
    departments
        .iter()
        .filter(|d| answer_after(&events[i + 1..], d).is_none())
        .cloned()
        .collect()
}

/// When `department` answered the latest whistle that summoned it, if it did.
pub fn answered(log: &[Event], department: &str) -> Option<DateTime<FixedOffset>> {
    let events = standing(log);
    let i = events.iter().rposition(|e| match &e.kind {
        EventKind::Whistle { departments } => {
            departments.iter().any(|d| d.trim() == department.trim())
        }
        _ => false,
    })?;
    answer_after(&events[i + 1..], department)
}

fn answer_after(events: &[&Event], department: &str) -> Option<DateTime<FixedOffset>> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::WhistleResponse { department: d, .. } if d.trim() == department.trim() => {
            Some(e.at)
        }
        _ => None,
    })
}

/// Pre-selects the department to answer for: `preferred` (the board's selected summons) when
/// it was summoned, else the first that has not answered the latest whistle.
pub fn propose(form: &mut Form, log: &[Event], preferred: Option<&str>) {
    let summoned = match form.field("department").map(|f| &f.kind) {
        Some(crate::tui::form::FieldKind::Choice { options, .. }) => options.clone(),
        _ => return,
    };
    let pick = preferred
        .map(str::to_string)
        .into_iter()
        .chain(waiting(log))
        .find_map(|d| summoned.iter().position(|s| s.trim() == d.trim()));
    if let Some(i) = pick {
        form.preset_choice("department", i);
    }
}

/// The question asked before a second answer of the same department to one whistle.
pub fn second_answer(department: &str, at: DateTime<FixedOffset>, lang: Lang) -> String {
    let when = at.format("%Y-%m-%d %H:%M:%S");
    match lang {
        Lang::Zh => format!(
            "「{department}」已于 {when} 响应过这次吹哨。再按 Enter 仍记录第二条响应,或换一个部门"
        ),
        Lang::En => format!(
            "{department} already answered this whistle at {when}. Enter again to record a second answer, or choose another department"
        ),
    }
}
