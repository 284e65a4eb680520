//! Undo of one's own last entry: which events of the last action entered here may still be
//! voided, and why not. Pure: the ticket's log and "now" are given.

use crate::domain::event::{Event, EventKind, VoidTarget};
use chrono::{DateTime, Duration, Utc};

/// How long after entering it one may undo one's own entry.
pub const WINDOW_MINUTES: i64 = 10;
/// The reason every undo gives (the void's `reason`).
pub const REASON: &str = "录入错误,撤销";

/// Why there is nothing to undo.
#[derive(Debug, Clone, PartialEq)]
pub enum NoUndo {
    /// This operator entered nothing on this workstation.
    Nothing,
    /// The last action was itself a void (an undo, or `x` in the timeline).
    WasVoid,
    /// The entry has been voided already.
    AlreadyVoided,
    /// The entry is no longer in the ticket's log.
    Gone,
    /// It was entered longer ago than the window allows (when it was entered).
    TooOld(DateTime<Utc>),
}

/// The positions in `log` (application order) of the events `targets` name, if every one
/// may still be undone at `now`.
pub fn undoable(
    log: &[Event],
    targets: &[VoidTarget],
    now: DateTime<Utc>,
) -> Result<Vec<usize>, NoUndo> {
    if targets.is_empty() {
        return Err(NoUndo::Nothing);
    }
    let voided = crate::domain::void::voided_by(log);
    let mut found = Vec::new();
    for t in targets {
        let i = log.iter().position(|e| t.matches(e)).ok_or(NoUndo::Gone)?;
        found.push(i);
    }
    if found
        .iter()
        .all(|&i| matches!(log[i].kind, EventKind::Void { .. }))
    {
        return Err(NoUndo::WasVoid);
    }
    found.retain(|&i| !matches!(log[i].kind, EventKind::Void { .. }));
    if found.iter().any(|&i| voided[i].is_some()) {
        return Err(NoUndo::AlreadyVoided);
    }
    for &i in &found {
        let entered = entered_at(&log[i]);
        if now - entered > Duration::minutes(WINDOW_MINUTES) {
            return Err(NoUndo::TooOld(entered));
        }
    }
    Ok(found)
}

/// When an event was entered (its `recorded_at`, else its `at`).
pub fn entered_at(e: &Event) -> DateTime<Utc> {
    e.recorded_at.unwrap_or(e.at).with_timezone(&Utc)
}

/// The voids that undo the events at `found` of `log`, the latest first (so that each void
/// leaves a log the rules accept).
pub fn voids(log: &[Event], found: &[usize], now: DateTime<Utc>, tz: chrono_tz::Tz) -> Vec<Event> {
    let mut order = found.to_vec();
    order.sort_unstable();
    order
        .iter()
        .rev()
        .map(|&i| {
            let target = &log[i];
            Event::new(
                &target.ticket,
                now.with_timezone(&tz).fixed_offset(),
                EventKind::Void {
                    target: VoidTarget::of(target),
                    reason: REASON.to_string(),
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, h, m, s).unwrap()
    }

    fn ev(kind: EventKind, when: DateTime<Utc>) -> Event {
        let mut e = Event::new("T1", when.fixed_offset(), kind);
        e.recorded_at = Some(when.fixed_offset());
        e
    }

    fn note(when: DateTime<Utc>) -> Event {
        ev(EventKind::Note, when).with_note(Some("x".into()))
    }

    #[test]
    fn an_entry_is_undoable_for_ten_minutes_and_not_a_second_more() {
        let log = vec![note(at(10, 0, 0))];
        let t = [VoidTarget::of(&log[0])];
        assert_eq!(undoable(&log, &t, at(10, 10, 0)), Ok(vec![0]));
        assert_eq!(
            undoable(&log, &t, at(10, 10, 1)),
            Err(NoUndo::TooOld(at(10, 0, 0)))
        );
    }

    #[test]
    fn a_void_a_voided_entry_and_a_missing_one_are_not_undone() {
        let log = vec![note(at(10, 0, 0))];
        let target = VoidTarget::of(&log[0]);
        let void = ev(
            EventKind::Void {
                target: target.clone(),
                reason: REASON.into(),
            },
            at(10, 1, 0),
        );
        let with_void = vec![log[0].clone(), void.clone()];
        let now = at(10, 2, 0);
        assert_eq!(
            undoable(&with_void, &[VoidTarget::of(&void)], now),
            Err(NoUndo::WasVoid)
        );
        assert_eq!(
            undoable(&with_void, std::slice::from_ref(&target), now),
            Err(NoUndo::AlreadyVoided)
        );
        assert_eq!(undoable(&[], &[target], now), Err(NoUndo::Gone));
        assert_eq!(undoable(&log, &[], now), Err(NoUndo::Nothing));
    }

    #[test]
    fn an_action_of_two_events_is_voided_latest_first() {
        let log = vec![note(at(10, 0, 0)), note(at(10, 0, 5))];
        let targets: Vec<VoidTarget> = log.iter().map(VoidTarget::of).collect();
        let found = undoable(&log, &targets, at(10, 3, 0)).unwrap();
        let v = voids(&log, &found, at(10, 3, 0), chrono_tz::Asia::Shanghai);
        let named: Vec<_> = v
            .iter()
            .map(|e| match &e.kind {
                EventKind::Void { target, reason } => {
                    assert_eq!(reason, REASON);
                    target.at
                }
                _ => panic!("not a void"),
            })
            .collect();
        assert_eq!(named, vec![log[1].at, log[0].at]);
    }
}
