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
use crate::i18n::{Lang, Msg};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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

/// The events rows stand for, and what the user is told before they are written.
#[derive(Debug, Default)]
pub struct RowEvents {
    pub events: Vec<(usize, Event)>,
    /// Rows that add nothing: everything they stand for is stored already, or came in an
    /// earlier row of the file.
    pub already: usize,
    /// The tickets the store held before whose record rows change, with the fields changed.
    pub updates: Updates,
}

/// Changes to the records of tickets already stored: ticket → the fields changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Updates(pub BTreeMap<String, BTreeSet<&'static str>>);

impl Updates {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many tickets change.
    pub fn tickets(&self) -> usize {
        self.0.len()
    }

    /// Each field changed with how many tickets it changes, in the record's order.
    pub fn fields(&self) -> Vec<(&'static str, usize)> {
        let mut n: BTreeMap<&'static str, usize> = BTreeMap::new();
        for f in self.0.values().flatten() {
            *n.entry(f).or_default() += 1;
        }
        let order = |f: &str| FIELD_ORDER.iter().position(|x| *x == f);
        let mut out: Vec<(&'static str, usize)> = n.into_iter().collect();
        out.sort_by_key(|(f, _)| order(f));
        out
    }

    /// "承办单位 2816 件、标题 3 件" / "unit 2816, title 3".
    pub fn fields_text(&self, lang: Lang) -> String {
        self.fields()
            .iter()
            .map(|(f, n)| {
                let name = crate::labels::record_field(f, lang);
                match lang {
                    Lang::Zh => format!("{name} {n} 件"),
                    Lang::En => format!("{name} {n}"),
                }
            })
            .collect::<Vec<_>>()
            .join(lang.t("、", ", "))
    }
}

/// The record's fields in log order (as `TicketRecord::present_fields` lists them).
const FIELD_ORDER: [&str; 15] = [
    "received_at",
    "complainant",
    "phone",
    "street",
    "community",
    "address",
    "category",
    "title",
    "content",
    "unit",
    "closed_at",
    "reply",
    "satisfaction",
    "reasonable",
    "source",
];

/// One ticket as the rows so far leave it: its state, whether the store held its record, and
/// (from the first event other than a record) a hash of each event it holds, stored or from
/// earlier rows.
struct Known {
    t: Ticket,
    stored_record: bool,
    keys: Option<HashSet<u64>>,
}

impl Known {
    /// Takes `e` into the ticket; whether it is new (not stored, not from an earlier row).
    /// `stored` gives the ticket's stored events when they are first needed.
    fn take(&mut self, e: &Event, tz: Tz, stored: &mut dyn FnMut(&str) -> Vec<Event>) -> bool {
        let _ = self.t.apply(e, tz);
        if matches!(e.kind, EventKind::Ticket(_)) {
            // A new record or the changes of one: never stored as it is.
            return true;
        }
        self.keys
            .get_or_insert_with(|| stored(&e.ticket).iter().map(key).collect())
            .insert(key(e))
    }
}

/// A hash of an event's normalised form (DOMAIN's equality), for counting what is stored.
fn key(e: &Event) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    e.normalized_key().hash(&mut h);
    h.finish()
}

/// The events rows stand for, given what is stored (`stored(id)` returns a ticket's events in
/// application order). `now` is the moment of import.
pub fn row_events(
    rows: &[RowData],
    tz: Tz,
    now: DateTime<Utc>,
    stored: &mut dyn FnMut(&str) -> Vec<Event>,
) -> RowEvents {
    let now = now.with_timezone(&tz).fixed_offset();
    let mut known: HashMap<String, Known> = HashMap::new();
    let mut out = RowEvents::default();
    for r in rows {
        let k = known.entry(r.id.clone()).or_insert_with(|| {
            let t = Ticket::from_events(&r.id, tz, &stored(&r.id));
            Known {
                stored_record: t.has_record,
                t,
                keys: None,
            }
        });
        let mut fresh = false;
        let mut emit = |k: &mut Known, e: Event| {
            fresh |= k.take(&e, tz, stored);
            out.events.push((r.number, e));
        };
        if !k.t.has_record {
            let at = r.record.received_at.unwrap_or(now);
            emit(
                k,
                event(&r.id, at, EventKind::Ticket(Box::new(r.record.clone()))),
            );
            let unhappy = r.record.satisfaction == Some(Satisfaction::Unsatisfied)
                && r.record.reasonable == Some(true);
            if unhappy || r.signed_at.is_some() {
                if let Some(unit) = &r.record.unit {
                    let at = r.dispatched_at.or(r.signed_at).unwrap_or(now);
                    emit(
                        k,
                        event(&r.id, at, EventKind::Dispatch { unit: unit.clone() }),
                    );
                }
            }
        } else if let Some(changes) = k.t.record.changes_from(&r.record) {
            if k.stored_record {
                let fields = out.updates.0.entry(r.id.clone()).or_default();
                fields.extend(changes.present_fields());
            }
            emit(k, event(&r.id, now, EventKind::Ticket(Box::new(changes))));
        }
        history_events(r, k, &mut emit);
        if !fresh {
            out.already += 1;
        }
    }
    out
}

/// What a ledger's signed / contacted / resolved columns of row `r` stand for.
fn history_events(r: &RowData, k: &mut Known, emit: &mut dyn FnMut(&mut Known, Event)) {
    if let (Some(at), Some(deadline)) = (r.signed_at, r.deadline) {
        let unit =
            k.t.latest_dispatch_unit
                .clone()
                .or(r.record.unit.clone())
                .unwrap_or_default();
        let plan = r.plan.clone();
        emit(
            k,
            event(
                &r.id,
                at,
                EventKind::Sign {
                    unit,
                    deadline,
                    plan,
                },
            ),
        );
    }
    if let Some(at) = r.last_contact_at {
        emit(
            k,
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
        emit(k, event(&r.id, at, EventKind::Resolve));
    }
}
