//! The clear-to-zero look-back (清零行动 / 回头看): rules that flag fake contacts, late
//! resolutions and repeat complaints over a period, as of a date (DOMAIN.md).

use super::event::{Event, EventKind, Outcome};
use super::figures::cutoff;
use super::repeat::{find_repeats, normalize_phone, RepeatKey};
use super::ticket::{State, Ticket};
use super::time::{local_date, Period};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The rules, in the order they are listed.
pub const RULES: [&str; 9] = [
    "late_recorded_contact",
    "contact_outside_hours",
    "bulk_recorded_contacts",
    "contact_then_repeat",
    "late_resolution",
    "open_past_deadline",
    "extended_more_than_once",
    "reopened",
    "repeat_complaint",
];

/// The thresholds (settings, with DOMAIN.md's defaults).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub late_record_hours: i64,
    pub day_starts: NaiveTime,
    pub day_ends: NaiveTime,
    pub bulk_count: usize,
    pub bulk_seconds: i64,
    pub repeat_after_contact_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            late_record_hours: 72,
            day_starts: NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
            day_ends: NaiveTime::from_hms_opt(21, 0, 0).expect("time"),
            bulk_count: 5,
            bulk_seconds: 120,
            repeat_after_contact_days: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Flag {
    pub ticket: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Review {
    pub period: super::figures::PeriodJson,
    pub as_of: NaiveDate,
    pub rules: BTreeMap<&'static str, Vec<Flag>>,
}

struct Contact {
    ticket: String,
    at: DateTime<Utc>,
    recorded: DateTime<Utc>,
    operator: Option<String>,
    reached: bool,
}

/// Collects tickets, then applies the rules.
pub struct ReviewBuilder {
    tz: Tz,
    period: Period,
    as_of: NaiveDate,
    th: Thresholds,
    flags: BTreeMap<&'static str, BTreeMap<String, String>>,
    contacts: Vec<Contact>,
    keys: Vec<RepeatKey>,
}

impl ReviewBuilder {
    pub fn new(tz: Tz, period: Period, as_of: NaiveDate, th: Thresholds) -> ReviewBuilder {
        ReviewBuilder {
            tz,
            period,
            as_of,
            th,
            flags: RULES.iter().map(|r| (*r, BTreeMap::new())).collect(),
            contacts: Vec::new(),
            keys: Vec::new(),
        }
    }

    fn flag(&mut self, rule: &'static str, id: &str, detail: String) {
        self.flags
            .get_mut(rule)
            .expect("known rule")
            .entry(id.to_string())
            .or_insert(detail);
    }

    /// Adds one ticket's events (application order).
    pub fn add(&mut self, id: &str, events: &[Event]) {
        let (tz, period) = (self.tz, self.period);
        let cut = cutoff(tz, self.as_of);
        let events: Vec<&Event> = events.iter().filter(|e| e.instant() < cut).collect();
        let t = Ticket::from_events(id, tz, events.iter().copied());
        if !t.has_record {
            return;
        }
        if let Some(r) = t.record.received_at {
            self.keys.push(RepeatKey::new(
                id,
                r.with_timezone(&Utc),
                t.record.phone.as_deref(),
                t.record.category.as_deref(),
                t.record.address.as_deref(),
            ));
        }
        let in_period = |e: &Event| period.contains(local_date(tz, &e.at));
        let mut extends = 0;
        for e in &events {
            match &e.kind {
                EventKind::Contact { outcome, .. } => {
                    let at = e.instant();
                    let recorded = e.recorded_at.map_or(at, |r| r.with_timezone(&Utc));
                    if in_period(e) {
                        let late = recorded - at;
                        if late > Duration::hours(self.th.late_record_hours) {
                            self.flag(
                                "late_recorded_contact",
                                id,
                                format!(
                                    "contact at {} recorded {} hours later",
                                    e.at.to_rfc3339(),
                                    late.num_hours()
                                ),
                            );
                        }
                        let local = e.at.with_timezone(&tz).time();
                        let local = local.with_nanosecond(0).unwrap_or(local);
                        if local < self.th.day_starts || local >= self.th.day_ends {
                            self.flag(
                                "contact_outside_hours",
                                id,
                                format!("contact at {} local time", local.format("%H:%M:%S")),
                            );
                        }
                    }
                    self.contacts.push(Contact {
                        ticket: id.to_string(),
                        at,
                        recorded,
                        operator: e.operator.clone(),
                        reached: *outcome == Outcome::Reached,
                    });
                }
                EventKind::Extend { .. } => extends += 1,
                EventKind::Reopen { .. } if in_period(e) => {
                    self.flag("reopened", id, format!("reopened at {}", e.at.to_rfc3339()));
                }
                EventKind::Revisit {
                    satisfaction: super::event::Satisfaction::Unsatisfied,
                    ..
                } if in_period(e) => {
                    self.flag(
                        "reopened",
                        id,
                        format!("unsatisfied revisit at {}", e.at.to_rfc3339()),
                    );
                }
                _ => {}
            }
        }
        if extends >= 2 && events.iter().any(|e| in_period(e)) {
            self.flag(
                "extended_more_than_once",
                id,
                format!("{extends} extensions"),
            );
        }
        if let (Some(done), Some(deadline)) = (t.resolution_date(tz), t.deadline) {
            if period.contains(done) && done > deadline {
                self.flag(
                    "late_resolution",
                    id,
                    format!("resolved {done}, deadline {deadline}"),
                );
            }
        }
        if t.state == Some(State::InProgress) && t.is_overdue(self.as_of) {
            let d = t.deadline.expect("overdue has a deadline");
            self.flag(
                "open_past_deadline",
                id,
                format!("deadline {d}, {} days overdue", (self.as_of - d).num_days()),
            );
        }
    }

    pub fn finish(mut self) -> Review {
        let (tz, period) = (self.tz, self.period);
        // Bulk entry: a run of contacts one operator recorded within a short window.
        let mut by_op: HashMap<&str, Vec<&Contact>> = HashMap::new();
        for c in &self.contacts {
            if let Some(op) = c.operator.as_deref() {
                by_op.entry(op).or_default().push(c);
            }
        }
        let mut bulk: Vec<(String, String)> = Vec::new();
        for (op, mut list) in by_op {
            list.sort_by_key(|c| c.recorded);
            let mut start = 0;
            for end in 0..list.len() {
                while (list[end].recorded - list[start].recorded).num_seconds()
                    > self.th.bulk_seconds
                {
                    start += 1;
                }
                let window = &list[start..=end];
                if window.len() >= self.th.bulk_count
                    && window
                        .iter()
                        .any(|c| period.contains(local_date(tz, &c.at)))
                {
                    for c in window {
                        bulk.push((
                            c.ticket.clone(),
                            format!(
                                "{} contacts recorded by {op} within {} s",
                                window.len(),
                                self.th.bulk_seconds
                            ),
                        ));
                    }
                }
            }
        }
        for (id, d) in bulk {
            self.flag("bulk_recorded_contacts", &id, d);
        }
        // Repeats, and reached contacts followed by a repeat complaint from the same phone.
        let repeats = find_repeats(&self.keys, tz);
        let mut repeat_by_phone: HashMap<String, Vec<&RepeatKey>> = HashMap::new();
        let mut phone_of: HashMap<&str, &str> = HashMap::new();
        for k in &self.keys {
            phone_of.insert(&k.id, &k.phone);
            if repeats.contains_key(&k.id) && !k.phone.is_empty() {
                repeat_by_phone.entry(k.phone.clone()).or_default().push(k);
            }
        }
        let mut flags = Vec::new();
        for k in &self.keys {
            if let Some(of) = repeats.get(&k.id) {
                if period.contains(local_date(tz, &k.received_at)) {
                    flags.push(("repeat_complaint", k.id.clone(), format!("repeats {of}")));
                }
            }
        }
        for c in self
            .contacts
            .iter()
            .filter(|c| c.reached && period.contains(local_date(tz, &c.at)))
        {
            let Some(phone) = phone_of.get(c.ticket.as_str()).filter(|p| !p.is_empty()) else {
                continue;
            };
            let norm = normalize_phone(phone);
            if let Some(list) = repeat_by_phone.get(&norm) {
                let day = local_date(tz, &c.at);
                if let Some(r) = list.iter().find(|r| {
                    let gap = (local_date(tz, &r.received_at) - day).num_days();
                    r.received_at > c.at && gap <= self.th.repeat_after_contact_days
                }) {
                    flags.push((
                        "contact_then_repeat",
                        c.ticket.clone(),
                        format!("repeat complaint {} followed the contact", r.id),
                    ));
                }
            }
        }
        for (rule, id, d) in flags {
            self.flag(rule, &id, d);
        }
        Review {
            period: super::figures::PeriodJson {
                from: self.period.from,
                to: self.period.to,
            },
            as_of: self.as_of,
            rules: self
                .flags
                .into_iter()
                .map(|(rule, m)| {
                    (
                        rule,
                        m.into_iter()
                            .map(|(ticket, detail)| Flag { ticket, detail })
                            .collect(),
                    )
                })
                .collect(),
        }
    }
}
