//! Tickets that did not come through the hotline (brought to a community workstation, or found
//! by the community first): their ids and the events that start them.

use super::event::{Event, EventKind, Source, TicketRecord};
use chrono::{DateTime, FixedOffset};

/// The id prefix of a hand-added ticket received on `at`'s local date: `L` + YYYYMMDD. The
/// city's ids are all digits, so an `L` id never collides with one; a three-digit sequence
/// follows (see `Ledger::record_new_ticket`).
pub fn id_prefix(at: &DateTime<FixedOffset>) -> String {
    format!("L{}", at.format("%Y%m%d"))
}

/// The events that start a hand-added ticket: its record (received at `at`, a reasonable
/// demand, `source` not the hotline) and, unless `dispatch` is false, its dispatch to the
/// record's unit at the same instant, so it is tracked like a hotline ticket from then on.
pub fn events(
    id: &str,
    mut record: TicketRecord,
    source: Source,
    at: DateTime<FixedOffset>,
    dispatch: bool,
) -> Vec<Event> {
    record.received_at = Some(at);
    record.reasonable = Some(true);
    record.source = Some(source);
    let unit = record.unit.clone();
    let mut out = vec![Event::new(id, at, EventKind::Ticket(Box::new(record)))];
    if let (true, Some(unit)) = (dispatch, unit) {
        out.push(Event::new(id, at, EventKind::Dispatch { unit }));
    }
    out
}

/// The longest name (unit, person, street, category) and the longest free text accepted
/// from a person (the command line uses the same limits).
pub const MAX_NAME: usize = 100;
pub const MAX_TEXT: usize = 4_000;

/// What is wrong with one field of a hand-added ticket's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Blank,
    TooLong {
        len: usize,
        max: usize,
    },
    ControlCharacters,
    /// A phone number holds only digits, `+`, `-` and spaces (and at least one digit).
    NotAPhone,
}

/// The fields a person fills for a hand-added ticket: key, longest length, required.
pub const FIELDS: [(&str, usize, bool); 9] = [
    ("title", MAX_TEXT, true),
    ("unit", MAX_NAME, true),
    ("complainant", MAX_NAME, false),
    ("phone", MAX_NAME, false),
    ("street", MAX_NAME, false),
    ("community", MAX_NAME, false),
    ("address", MAX_TEXT, false),
    ("category", MAX_NAME, false),
    ("content", MAX_TEXT, false),
];

/// Whether `p` can be a phone number as people write them.
pub fn is_phone(p: &str) -> bool {
    p.chars().any(|c| c.is_ascii_digit())
        && p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
}

/// The first field of `record` a person got wrong, in the form's order, and what is wrong.
pub fn check(record: &TicketRecord) -> Result<(), (&'static str, Problem)> {
    for (key, max, required) in FIELDS {
        let value = record.text(key).map(|v| v.trim()).unwrap_or("");
        if value.is_empty() {
            if required {
                return Err((key, Problem::Blank));
            }
            continue;
        }
        if value.chars().any(crate::text::is_unsafe) {
            return Err((key, Problem::ControlCharacters));
        }
        let len = value.chars().count();
        if len > max {
            return Err((key, Problem::TooLong { len, max }));
        }
        if key == "phone" && !is_phone(value) {
            return Err((key, Problem::NotAPhone));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_checked_field_by_field_in_the_forms_order() {
        let ok = TicketRecord {
            title: Some("楼道灯不亮".into()),
            unit: Some("新金社区".into()),
            phone: Some("+86 139-0000 1234".into()),
            ..Default::default()
        };
        assert_eq!(check(&ok), Ok(()));
        let bad = |f: &dyn Fn(&mut TicketRecord)| {
            let mut r = ok.clone();
            f(&mut r);
            check(&r)
        };
        assert_eq!(
            bad(&|r| r.phone = Some("abc123".into())),
            Err(("phone", Problem::NotAPhone))
        );
        assert_eq!(
            bad(&|r| r.phone = Some("+-".into())),
            Err(("phone", Problem::NotAPhone))
        );
        assert_eq!(
            bad(&|r| r.unit = Some("单".repeat(101))),
            Err(("unit", Problem::TooLong { len: 101, max: 100 }))
        );
        assert_eq!(
            bad(&|r| r.unit = Some(" ".into())),
            Err(("unit", Problem::Blank))
        );
        assert_eq!(
            bad(&|r| r.street = Some("江浦\u{1b}[31m".into())),
            Err(("street", Problem::ControlCharacters))
        );
        assert_eq!(bad(&|r| r.unit = Some("单".repeat(100))), Ok(()));
    }

    #[test]
    fn an_id_prefix_is_the_local_date_and_the_events_start_and_dispatch() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T23:30:00+08:00").unwrap();
        assert_eq!(id_prefix(&at), "L20261201");
        let record = TicketRecord {
            unit: Some("新金社区".into()),
            title: Some("楼道灯不亮".into()),
            ..Default::default()
        };
        let e = events("L20261201001", record.clone(), Source::WalkIn, at, true);
        assert_eq!(e.len(), 2);
        match &e[0].kind {
            EventKind::Ticket(r) => {
                assert_eq!(r.source, Some(Source::WalkIn));
                assert_eq!(r.received_at, Some(at));
                assert_eq!(r.reasonable, Some(true));
            }
            k => panic!("not a ticket: {k:?}"),
        }
        assert!(matches!(&e[1].kind, EventKind::Dispatch { unit } if unit == "新金社区"));
        assert_eq!(events("x", record, Source::Proactive, at, false).len(), 1);
    }
}
