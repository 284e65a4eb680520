//! Corrections (DOMAIN.md "Corrections (void)"): which events a ticket's `void`s annul, and the
//! checks a new `void` must pass. A voided event is treated as never recorded by every rule,
//! figure and review, at every as-of date; the timeline still shows it, marked.

use super::event::{Event, EventKind};
use super::ticket::Refusal;
use std::borrow::{Borrow, Cow};

/// For each event (application order), the index of the `void` that annuls it.
///
/// The log is one that was accepted, so each void names exactly one event; should a stored log
/// hold an ambiguous target anyway, the first event not yet voided is taken.
pub fn voided_by<E: Borrow<Event>>(events: &[E]) -> Vec<Option<usize>> {
    let mut out = vec![None; events.len()];
    for (i, e) in events.iter().enumerate() {
        let EventKind::Void { target, .. } = &e.borrow().kind else {
            continue;
        };
        if let Some(j) = events.iter().enumerate().position(|(j, x)| {
            out[j].is_none() && voidable(x.borrow()) && target.matches(x.borrow())
        }) {
            out[j] = Some(i);
        }
    }
    out
}

/// The log the rules see: the events (application order) without those voided. The `void`
/// events stay (they change no state, and the look-back lists them).
pub fn effective(events: &[Event]) -> Cow<'_, [Event]> {
    if !has_voids(events) {
        return Cow::Borrowed(events);
    }
    let by = voided_by(events);
    Cow::Owned(
        events
            .iter()
            .zip(by)
            .filter(|(_, v)| v.is_none())
            .map(|(e, _)| e.clone())
            .collect(),
    )
}

/// Whether any event is a void (most tickets have none: the rules then read the log as it is).
pub fn has_voids<E: Borrow<Event>>(events: &[E]) -> bool {
    events
        .iter()
        .any(|e| matches!(e.borrow().kind, EventKind::Void { .. }))
}

/// Events a void may name: neither ticket records nor voids.
pub fn voidable(e: &Event) -> bool {
    !matches!(e.kind, EventKind::Ticket(_) | EventKind::Void { .. })
}

/// Checks every void of a log (application order), in order, against the events before it
/// (earlier voids applied). Returns which event each void annuls, or the position of the first
/// void refused and why.
pub fn check_voids(events: &[&Event]) -> Result<Vec<Option<usize>>, (usize, Refusal)> {
    let mut out: Vec<Option<usize>> = vec![None; events.len()];
    for (i, e) in events.iter().enumerate() {
        let EventKind::Void { target, .. } = &e.kind else {
            continue;
        };
        match target.event_type.as_str() {
            "ticket" => return Err((i, Refusal::VoidOfRecord)),
            "void" => return Err((i, Refusal::VoidOfVoid)),
            _ => {}
        }
        let matches: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, x)| voidable(x) && target.matches(x))
            .map(|(j, _)| j)
            .collect();
        let j = match matches.as_slice() {
            [] => return Err((i, Refusal::VoidNoTarget)),
            [j] => *j,
            many => return Err((i, Refusal::VoidAmbiguous(many.len()))),
        };
        if events[j].instant() > e.instant() {
            return Err((i, Refusal::VoidBeforeTarget));
        }
        if let Some(k) = out[j] {
            return Err((
                i,
                Refusal::VoidAlreadyVoided {
                    by: crate::domain::time_text::as_written(&events[k].at),
                },
            ));
        }
        out[j] = Some(i);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Event {
        Event::from_json_str(s).unwrap()
    }

    #[test]
    fn a_void_annuls_the_event_it_names_and_only_that_one() {
        let log = vec![
            ev(
                r#"{"ticket":"1","type":"contact","at":"2026-10-01T10:00:00+08:00","channel":"phone","outcome":"unreached","recorded_at":"2026-10-01T10:00:05+08:00"}"#,
            ),
            ev(
                r#"{"ticket":"1","type":"contact","at":"2026-10-01T10:00:00+08:00","channel":"phone","outcome":"reached","recorded_at":"2026-10-01T10:01:00+08:00"}"#,
            ),
            ev(
                r#"{"ticket":"1","type":"void","at":"2026-10-01T10:01:00+08:00","reason":"结果填错","target":{"type":"contact","at":"2026-10-01T02:00:00Z","recorded_at":"2026-10-01T10:00:05+08:00"}}"#,
            ),
        ];
        assert_eq!(voided_by(&log), vec![Some(2), None, None]);
        let eff = effective(&log);
        assert_eq!(eff.len(), 2);
        assert!(matches!(
            eff[0].kind,
            EventKind::Contact {
                outcome: crate::domain::event::Outcome::Reached,
                ..
            }
        ));
        let refs: Vec<&Event> = log.iter().collect();
        assert_eq!(check_voids(&refs).unwrap(), vec![Some(2), None, None]);
    }

    #[test]
    fn refused_voids_say_why() {
        let c = ev(
            r#"{"ticket":"1","type":"contact","at":"2026-10-01T10:00:00+08:00","channel":"phone","outcome":"reached"}"#,
        );
        let c2 = ev(
            r#"{"ticket":"1","type":"contact","at":"2026-10-01T10:00:00+08:00","channel":"sms","outcome":"reached"}"#,
        );
        let v = |t: &str, at: &str| {
            ev(&format!(
                r#"{{"ticket":"1","type":"void","at":"{at}","reason":"r","target":{{"type":"{t}","at":"2026-10-01T10:00:00+08:00"}}}}"#
            ))
        };
        let late = v("contact", "2026-10-02T10:00:00+08:00");
        let early = v("contact", "2026-10-01T09:00:00+08:00");
        let none = v("sign", "2026-10-02T10:00:00+08:00");
        let of_void = v("void", "2026-10-02T10:00:00+08:00");
        assert_eq!(
            check_voids(&[&c, &none]).unwrap_err().1,
            Refusal::VoidNoTarget
        );
        assert_eq!(
            check_voids(&[&early, &c]).unwrap_err().1,
            Refusal::VoidBeforeTarget
        );
        assert_eq!(
            check_voids(&[&c, &c2, &late]).unwrap_err().1,
            Refusal::VoidAmbiguous(2)
        );
        assert_eq!(
            check_voids(&[&c, &late, &late.clone()]).unwrap_err(),
            (
                2,
                Refusal::VoidAlreadyVoided {
                    by: crate::domain::time_text::as_written(&late.at)
                }
            )
        );
        assert_eq!(
            check_voids(&[&c, &of_void]).unwrap_err().1,
            Refusal::VoidOfVoid
        );
    }
}
