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
pub const RULES: [&str; 10] = [
    "late_recorded_contact",
    "contact_outside_hours",
    "bulk_recorded_contacts",
    "contact_then_repeat",
    "late_resolution",
    "open_past_deadline",
    "extended_more_than_once",
    "reopened",
    "repeat_complaint",
    "voided_record",
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

/// Why a ticket was flagged. JSON carries it as English text (`detail`); people read it in
/// their language through `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    LateRecord {
        at: String,
        hours: i64,
    },
    OutsideHours {
        time: String,
    },
    Bulk {
        operator: String,
        count: usize,
        seconds: i64,
    },
    ContactThenRepeat {
        repeat: String,
    },
    LateResolution {
        done: NaiveDate,
        deadline: NaiveDate,
    },
    OpenPastDeadline {
        deadline: NaiveDate,
        days: i64,
    },
    Extended {
        count: u32,
    },
    Reopened {
        at: String,
    },
    UnsatisfiedRevisit {
        at: String,
    },
    Repeat {
        of: String,
    },
    Voided {
        event: String,
        at: String,
        reason: String,
    },
}

impl Detail {
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Lang::{En, Zh};
        match (self, lang) {
            (Detail::LateRecord { at, hours }, En) => {
                format!("contact at {at} recorded {hours} hours later")
            }
            (Detail::LateRecord { at, hours }, Zh) => format!("{at} 的联系,{hours} 小时后才录入"),
            (Detail::OutsideHours { time }, En) => format!("contact at {time} local time"),
            (Detail::OutsideHours { time }, Zh) => format!("联系时间 {time}"),
            (
                Detail::Bulk {
                    count,
                    operator,
                    seconds,
                },
                En,
            ) => {
                format!("one of {count}+ contacts recorded by {operator} within {seconds} s")
            }
            (
                Detail::Bulk {
                    count,
                    operator,
                    seconds,
                },
                Zh,
            ) => {
                format!("{operator} 在 {seconds} 秒内录入 {count} 条以上联系")
            }
            (Detail::ContactThenRepeat { repeat }, En) => {
                format!("repeat complaint {repeat} followed the contact")
            }
            (Detail::ContactThenRepeat { repeat }, Zh) => format!("联系后又被重复投诉({repeat})"),
            (Detail::LateResolution { done, deadline }, En) => {
                format!("resolved {done}, deadline {deadline}")
            }
            (Detail::LateResolution { done, deadline }, Zh) => {
                format!("{done} 解决,时限 {deadline}")
            }
            (Detail::OpenPastDeadline { deadline, days }, En) => {
                format!("deadline {deadline}, {days} days overdue")
            }
            (Detail::OpenPastDeadline { deadline, days }, Zh) => {
                format!("时限 {deadline},超期 {days} 天")
            }
            (Detail::Extended { count }, En) => format!("{count} extensions"),
            (Detail::Extended { count }, Zh) => format!("延期 {count} 次"),
            (Detail::Reopened { at }, En) => format!("reopened at {at}"),
            (Detail::Reopened { at }, Zh) => format!("{at} 重新办理"),
            (Detail::UnsatisfiedRevisit { at }, En) => format!("unsatisfied revisit at {at}"),
            (Detail::UnsatisfiedRevisit { at }, Zh) => format!("{at} 回访不满意"),
            (Detail::Repeat { of }, En) => format!("repeats {of}"),
            (Detail::Repeat { of }, Zh) => format!("重复 {of}"),
            (Detail::Voided { event, at, reason }, En) => {
                format!("{event} at {at} voided: {reason}")
            }
            (Detail::Voided { event, at, reason }, Zh) => format!(
                "撤销了 {at} 的「{}」:{reason}",
                super::ticket::event_zh(event)
            ),
        }
    }
}

impl Serialize for Detail {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text(crate::i18n::Lang::En))
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Flag {
    pub ticket: String,
    pub detail: Detail,
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
    /// The ticket's phone as of A, normalised (empty when none).
    phone: String,
}

/// Collects tickets, then applies the rules.
pub struct ReviewBuilder {
    tz: Tz,
    period: Period,
    as_of: NaiveDate,
    th: Thresholds,
    flags: BTreeMap<&'static str, BTreeMap<String, Detail>>,
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

    fn flag(&mut self, rule: &'static str, id: &str, detail: Detail) {
        self.flags
            .get_mut(rule)
            .expect("known rule")
            .entry(id.to_string())
            .or_insert(detail);
    }

    /// Adds one ticket's events (application order, voided ones included).
    pub fn add(&mut self, id: &str, events: &[Event]) {
        let (tz, period) = (self.tz, self.period);
        let cut = cutoff(tz, self.as_of);
        self.voids(id, events, cut);
        let events = super::void::effective(events);
        let events: Vec<&Event> = events.iter().filter(|e| e.instant() < cut).collect();
        let t = Ticket::from_events(id, tz, events.iter().copied());
        if !t.has_record {
            return;
        }
        let phone = t
            .record
            .phone
            .as_deref()
            .map(normalize_phone)
            .unwrap_or_default();
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
                    self.contact(id, e, *outcome == Outcome::Reached, &phone, in_period(e));
                }
                EventKind::Extend { .. } => extends += 1,
                EventKind::Reopen { .. } if in_period(e) => {
                    self.flag(
                        "reopened",
                        id,
                        Detail::Reopened {
                            at: super::time_text::minute(self.tz, &e.instant()),
                        },
                    );
                }
                EventKind::Revisit {
                    satisfaction: super::event::Satisfaction::Unsatisfied,
                    ..
                } if in_period(e) => {
                    self.flag(
                        "reopened",
                        id,
                        Detail::UnsatisfiedRevisit {
                            at: super::time_text::minute(self.tz, &e.instant()),
                        },
                    );
                }
                _ => {}
            }
        }
        if extends >= 2 && events.iter().any(|e| in_period(e)) {
            self.flag(
                "extended_more_than_once",
                id,
                Detail::Extended { count: extends },
            );
        }
        if let (Some(done), Some(deadline)) = (t.resolution_date(tz), t.deadline) {
            if period.contains(done) && done > deadline {
                self.flag(
                    "late_resolution",
                    id,
                    Detail::LateResolution { done, deadline },
                );
            }
        }
        if t.state == Some(State::InProgress) && t.is_overdue(self.as_of) {
            let d = t.deadline.expect("overdue has a deadline");
            self.flag(
                "open_past_deadline",
                id,
                Detail::OpenPastDeadline {
                    deadline: d,
                    days: (self.as_of - d).num_days(),
                },
            );
        }
    }

    /// A contact: the late-entry and out-of-hours rules when it is dated in the period, and
    /// kept for the rules over every ticket (bulk entry, contact then repeat).
    fn contact(&mut self, id: &str, e: &Event, reached: bool, phone: &str, in_period: bool) {
        let tz = self.tz;
        let at = e.instant();
        let recorded = e.recorded_at.map_or(at, |r| r.with_timezone(&Utc));
        if in_period {
            let late = recorded - at;
            if late > Duration::hours(self.th.late_record_hours) {
                self.flag(
                    "late_recorded_contact",
                    id,
                    Detail::LateRecord {
                        at: super::time_text::second(tz, &at),
                        hours: late.num_hours(),
                    },
                );
            }
            let local = e.at.with_timezone(&tz).time();
            let local = local.with_nanosecond(0).unwrap_or(local);
            if local < self.th.day_starts || local >= self.th.day_ends {
                self.flag(
                    "contact_outside_hours",
                    id,
                    Detail::OutsideHours {
                        time: super::time_text::second(tz, &at),
                    },
                );
            }
        }
        self.contacts.push(Contact {
            ticket: id.to_string(),
            at,
            recorded,
            operator: e.operator.clone(),
            reached,
            phone: phone.to_string(),
        });
    }

    /// `voided_record`: the ticket's voids dated in the period (and up to A). In a raw log a
    /// void's target is the event it annuls; in a ticket's facts (voids applied) that event is
    /// gone and the void names it with the event's own `at`.
    fn voids(&mut self, id: &str, events: &[Event], cut: DateTime<Utc>) {
        if !super::void::has_voids(events) {
            return;
        }
        let by = super::void::voided_by(events);
        // The first voided event (in the log's order) names the ticket's flag.
        let mut found = Vec::new();
        for (i, void) in events.iter().enumerate() {
            let EventKind::Void { reason, target } = &void.kind else {
                continue;
            };
            if void.instant() >= cut || !self.period.contains(local_date(self.tz, &void.at)) {
                continue;
            }
            let (event, at) = match by.iter().position(|v| *v == Some(i)) {
                Some(j) => (events[j].kind.type_name().to_string(), events[j].at),
                None => (target.event_type.clone(), target.at),
            };
            found.push((at.with_timezone(&Utc), i, event, at, reason.clone()));
        }
        found.sort_by_key(|f| (f.0, f.1));
        if let Some((_, _, event, at, reason)) = found.into_iter().next() {
            self.flag(
                "voided_record",
                id,
                Detail::Voided {
                    event,
                    at: super::time_text::as_written(&at),
                    reason,
                },
            );
        }
    }

    /// `bulk_recorded_contacts`: contacts in the period that belong to a burst, 5 or more
    /// contacts of one operator whose `recorded_at` lie within 120 s. Linear after sorting:
    /// each start of a burst window marks its range in a difference array.
    fn bulk(&mut self) {
        let (tz, period) = (self.tz, self.period);
        let mut by_op: HashMap<&str, Vec<&Contact>> = HashMap::new();
        for c in &self.contacts {
            if let Some(op) = c.operator.as_deref().filter(|o| !o.trim().is_empty()) {
                by_op.entry(op).or_default().push(c);
            }
        }
        let mut flags: Vec<(String, Detail)> = Vec::new();
        for (op, mut list) in by_op {
            list.sort_by_key(|c| c.recorded);
            let n = list.len();
            let mut cover = vec![0i64; n + 1];
            let mut end = 0;
            for start in 0..n {
                end = end.max(start);
                while end + 1 < n
                    && (list[end + 1].recorded - list[start].recorded).num_milliseconds()
                        <= self.th.bulk_seconds * 1000
                {
                    end += 1;
                }
                if end + 1 - start >= self.th.bulk_count {
                    cover[start] += 1;
                    cover[end + 1] -= 1;
                }
            }
            let mut depth = 0;
            for (k, c) in list.iter().enumerate() {
                depth += cover[k];
                if depth > 0 && period.contains(local_date(tz, &c.at)) {
                    flags.push((
                        c.ticket.clone(),
                        Detail::Bulk {
                            operator: op.to_string(),
                            count: self.th.bulk_count,
                            seconds: self.th.bulk_seconds,
                        },
                    ));
                }
            }
        }
        for (id, d) in flags {
            self.flag("bulk_recorded_contacts", &id, d);
        }
    }

    pub fn finish(mut self) -> Review {
        let (tz, period) = (self.tz, self.period);
        self.bulk();
        // Repeats, and reached contacts followed by a repeat complaint from the same phone.
        let repeats = find_repeats(&self.keys, tz);
        let mut repeat_by_phone: HashMap<&str, Vec<&RepeatKey>> = HashMap::new();
        for k in &self.keys {
            if repeats.contains_key(&k.id) && !k.phone.is_empty() {
                repeat_by_phone.entry(&k.phone).or_default().push(k);
            }
        }
        for list in repeat_by_phone.values_mut() {
            list.sort_by_key(|k| k.received_at);
        }
        let mut flags = Vec::new();
        for k in &self.keys {
            if let Some(of) = repeats.get(&k.id) {
                if period.contains(local_date(tz, &k.received_at)) {
                    flags.push((
                        "repeat_complaint",
                        k.id.clone(),
                        Detail::Repeat { of: of.clone() },
                    ));
                }
            }
        }
        for c in self
            .contacts
            .iter()
            .filter(|c| c.reached && !c.phone.is_empty() && period.contains(local_date(tz, &c.at)))
        {
            let Some(list) = repeat_by_phone.get(c.phone.as_str()) else {
                continue;
            };
            // The earliest repeat of another ticket received strictly after the contact.
            let from = list.partition_point(|r| r.received_at <= c.at);
            let day = local_date(tz, &c.at);
            if let Some(r) = list[from..].iter().find(|r| r.id != c.ticket) {
                let gap = (local_date(tz, &r.received_at) - day).num_days();
                if gap <= self.th.repeat_after_contact_days {
                    flags.push((
                        "contact_then_repeat",
                        c.ticket.clone(),
                        Detail::ContactThenRepeat {
                            repeat: r.id.clone(),
                        },
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
