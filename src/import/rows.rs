//! Turning rows of an export (through a profile) into events, as DOMAIN.md says: a new ticket
//! becomes a `ticket` event at its 受理时间, an unsatisfied + reasonable one also a `dispatch`; a
//! changed row adds a `ticket` event with the changed fields; a ledger's signed / contacted /
//! resolved columns bring their history along.

use super::profile::Profile;
use super::table::{Cell, Row, Table};
use super::Problem;
use crate::domain::event::{Channel, Event, EventKind, Outcome, Satisfaction, TicketRecord};
use crate::domain::repeat::trim_text;
use crate::domain::ticket::Ticket;
use crate::i18n::Msg;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap};

/// One row read through a profile.
#[derive(Debug, Clone)]
pub struct RowData {
    pub number: usize,
    pub id: String,
    pub record: TicketRecord,
    pub dispatched_at: Option<DateTime<FixedOffset>>,
    pub signed_at: Option<DateTime<FixedOffset>>,
    pub deadline: Option<NaiveDate>,
    pub plan: Option<String>,
    pub last_contact_at: Option<DateTime<FixedOffset>>,
    pub resolved_at: Option<DateTime<FixedOffset>>,
}

struct Binder<'a> {
    profile: &'a Profile,
    bound: BTreeMap<String, (usize, String)>,
    tz: Tz,
}

impl Binder<'_> {
    fn cell<'r>(&self, row: &'r Row, field: &str) -> Option<(&'r Cell, &str)> {
        let (i, header) = self.bound.get(field)?;
        match row.cells.get(*i) {
            None | Some(Cell::Empty) => None,
            Some(c) => Some((c, header.as_str())),
        }
    }
    fn text(&self, row: &Row, field: &str) -> Option<String> {
        match self.cell(row, field) {
            Some((c, _)) => c
                .text()
                .map(|s| trim_text(&s).to_string())
                .filter(|s| !s.is_empty()),
            None => self.profile.defaults.get(field).cloned(),
        }
    }
    fn header(&self, field: &str) -> String {
        self.bound
            .get(field)
            .map_or_else(|| field.to_string(), |(_, h)| h.clone())
    }
    fn time(&self, row: &Row, field: &str) -> Result<Option<DateTime<FixedOffset>>, Problem> {
        match self.cell(row, field) {
            None => Ok(None),
            Some((c, h)) => self
                .profile
                .parse_time(c, self.tz)
                .map(Some)
                .map_err(|m| Problem::row(row.number, Some(h), m)),
        }
    }
}

/// Reads every row; rows that cannot be read are returned as problems.
pub fn read_rows(table: &Table, profile: &Profile, tz: Tz) -> (Vec<RowData>, Vec<Problem>) {
    let b = Binder {
        profile,
        bound: profile.bind(&table.headers),
        tz: profile.tz(tz),
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for row in &table.rows {
        match read_row(&b, row) {
            Ok(r) => out.push(r),
            Err(p) => problems.push(p),
        }
    }
    (out, problems)
}

fn read_row(b: &Binder, row: &Row) -> Result<RowData, Problem> {
    let id = b.text(row, "id").ok_or_else(|| {
        Problem::row(
            row.number,
            Some(&b.header("id")),
            Msg::new("没有工单编号", "no ticket id"),
        )
    })?;
    if id.chars().any(char::is_control) {
        return Err(Problem::row(
            row.number,
            Some(&b.header("id")),
            Msg::new("工单编号含控制字符", "the id holds control characters"),
        ));
    }
    let mut r = TicketRecord {
        received_at: b.time(row, "received_at")?,
        closed_at: b.time(row, "closed_at")?,
        ..Default::default()
    };
    for f in crate::domain::event::RECORD_TEXT_FIELDS {
        r.set_text(f, b.text(row, f));
    }
    // A phone masked by an export (`138****5678`) is no phone: it never replaces one.
    if r.phone.as_deref().is_some_and(|p| p.contains('*')) {
        r.phone = None;
    }
    if let Some(s) = b.text(row, "satisfaction") {
        r.satisfaction = Some(
            b.profile
                .satisfaction(&s)
                .map_err(|m| Problem::row(row.number, Some(&b.header("satisfaction")), m))?,
        );
    }
    if let Some(s) = b.text(row, "reasonable") {
        r.reasonable = Some(
            b.profile
                .reasonable(&s)
                .map_err(|m| Problem::row(row.number, Some(&b.header("reasonable")), m))?,
        );
    }
    let dispatched_at = b.time(row, "dispatched_at")?;
    if let (Some(d), Some(rec)) = (dispatched_at, r.received_at) {
        if d < rec {
            return Err(Problem::row(
                row.number,
                Some(&b.header("dispatched_at")),
                Msg::new(
                    format!("派发时间 {d} 早于受理时间 {rec}"),
                    format!("派发时间 {d} is before 受理时间 {rec}"),
                ),
            ));
        }
    }
    let signed_at = b.time(row, "signed_at")?;
    let deadline = match b.cell(row, "deadline") {
        None => None,
        Some((c, h)) => Some(
            b.profile
                .parse_day(c, b.tz)
                .map_err(|m| Problem::row(row.number, Some(h), m))?,
        ),
    };
    if signed_at.is_some() && deadline.is_none() {
        return Err(Problem::row(
            row.number,
            Some(&b.header("deadline")),
            Msg::new(
                "已签收的工单需要承诺时限",
                "a signed ticket needs its committed deadline",
            ),
        ));
    }
    Ok(RowData {
        number: row.number,
        id,
        record: r,
        dispatched_at,
        signed_at,
        deadline,
        plan: b.text(row, "plan"),
        last_contact_at: b.time(row, "last_contact_at")?,
        resolved_at: b.time(row, "resolved_at")?,
    })
}

fn event(id: &str, at: DateTime<FixedOffset>, kind: EventKind) -> Event {
    Event {
        ticket: id.to_string(),
        at,
        operator: None,
        recorded_at: None,
        note: None,
        kind,
    }
}

/// The events rows stand for, given what is stored (`stored(id)` returns a ticket's events in
/// application order). `now` is the moment of import.
pub fn row_events(
    rows: &[RowData],
    tz: Tz,
    now: DateTime<Utc>,
    stored: &mut dyn FnMut(&str) -> Vec<Event>,
) -> Vec<(usize, Event)> {
    let now = now.with_timezone(&tz).fixed_offset();
    let mut known: HashMap<String, Ticket> = HashMap::new();
    let mut out = Vec::new();
    for r in rows {
        let t = known
            .entry(r.id.clone())
            .or_insert_with(|| Ticket::from_events(&r.id, tz, &stored(&r.id)));
        let mut emit = |t: &mut Ticket, e: Event| {
            let _ = t.apply(&e, tz);
            out.push((r.number, e));
        };
        if !t.has_record {
            let at = r.record.received_at.unwrap_or(now);
            emit(
                t,
                event(&r.id, at, EventKind::Ticket(Box::new(r.record.clone()))),
            );
            let unhappy = r.record.satisfaction == Some(Satisfaction::Unsatisfied)
                && r.record.reasonable == Some(true);
            if unhappy || r.signed_at.is_some() {
                if let Some(unit) = &r.record.unit {
                    let at = r.dispatched_at.or(r.signed_at).unwrap_or(now);
                    emit(
                        t,
                        event(&r.id, at, EventKind::Dispatch { unit: unit.clone() }),
                    );
                }
            }
        } else if let Some(changes) = t.record.changes_from(&r.record) {
            emit(t, event(&r.id, now, EventKind::Ticket(Box::new(changes))));
        }
        if let (Some(at), Some(deadline)) = (r.signed_at, r.deadline) {
            let unit = t
                .latest_dispatch_unit
                .clone()
                .or(r.record.unit.clone())
                .unwrap_or_default();
            emit(
                t,
                event(
                    &r.id,
                    at,
                    EventKind::Sign {
                        unit,
                        deadline,
                        plan: r.plan.clone(),
                    },
                ),
            );
        }
        if let Some(at) = r.last_contact_at {
            emit(
                t,
                event(
                    &r.id,
                    at,
                    EventKind::Contact {
                        channel: Channel::Other,
                        outcome: Outcome::Reached,
                        contact_person: None,
                    },
                ),
            );
        }
        if let Some(at) = r.resolved_at {
            emit(t, event(&r.id, at, EventKind::Resolve));
        }
    }
    out
}
