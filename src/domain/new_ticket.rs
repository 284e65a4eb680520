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

#[cfg(test)]
mod tests {
    use super::*;

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
