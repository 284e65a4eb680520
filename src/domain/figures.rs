//! The figures of DOMAIN.md: signing accuracy, monthly contact rate, on-time resolution rate,
//! repeat complaint rate, the state counts, and the report that holds them.

use super::event::{Event, EventKind, Outcome};
use super::repeat::{find_repeats, RepeatKey};
use super::ticket::{FirstAnswer, State, Ticket};
use super::time::{day_end, day_start, local_date, Period};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;

/// numerator / denominator, with the rate rounded half away from zero to 4 decimals,
/// `null` when the cohort is empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Figure {
    pub numerator: u64,
    pub denominator: u64,
    pub rate: Option<f64>,
}

impl Figure {
    pub fn new(numerator: u64, denominator: u64) -> Figure {
        Figure {
            numerator,
            denominator,
            rate: rate(numerator, denominator),
        }
    }
    fn add(&mut self, hit: bool) {
        self.denominator += 1;
        if hit {
            self.numerator += 1;
        }
        self.rate = rate(self.numerator, self.denominator);
    }
    /// As a percentage for people, e.g. `78.95%`, or `—` for an empty cohort.
    pub fn percent(&self) -> String {
        match self.rate {
            Some(r) => format!("{:.2}%", r * 100.0),
            None => "—".to_string(),
        }
    }
}

/// The exact fraction rounded half away from zero to 4 decimals.
pub fn rate(numerator: u64, denominator: u64) -> Option<f64> {
    if denominator == 0 {
        return None;
    }
    let (n, d) = (numerator as u128, denominator as u128);
    let k = (2 * n * 10_000 + d) / (2 * d);
    Some(k as f64 / 10_000.0)
}

/// The figures of a report, by their DOMAIN.md key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FigureKind {
    SigningAccuracy,
    MonthlyContactRate,
    OnTimeResolutionRate,
    RepeatComplaintRate,
    RevisitSatisfactionRate,
    WhistleResponseRate,
    WhistleResolutionRate,
    WhistleSatisfactionRate,
}

impl FigureKind {
    pub const ALL: [FigureKind; 8] = [
        FigureKind::SigningAccuracy,
        FigureKind::MonthlyContactRate,
        FigureKind::OnTimeResolutionRate,
        FigureKind::RepeatComplaintRate,
        FigureKind::RevisitSatisfactionRate,
        FigureKind::WhistleResponseRate,
        FigureKind::WhistleResolutionRate,
        FigureKind::WhistleSatisfactionRate,
    ];
    pub fn code(self) -> &'static str {
        match self {
            FigureKind::SigningAccuracy => "signing_accuracy",
            FigureKind::MonthlyContactRate => "monthly_contact_rate",
            FigureKind::OnTimeResolutionRate => "on_time_resolution_rate",
            FigureKind::RepeatComplaintRate => "repeat_complaint_rate",
            FigureKind::RevisitSatisfactionRate => "revisit_satisfaction_rate",
            FigureKind::WhistleResponseRate => "whistle_response_rate",
            FigureKind::WhistleResolutionRate => "whistle_resolution_rate",
            FigureKind::WhistleSatisfactionRate => "whistle_satisfaction_rate",
        }
    }
    /// The key, or a short form (`signing`, `contact`, `on_time`, `repeat`, `revisit`,
    /// `whistle_response`, `whistle_resolution`, `whistle_satisfaction`).
    pub fn parse(s: &str) -> Option<FigureKind> {
        let s = s.trim().replace('-', "_");
        FigureKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.short() == s)
    }
    /// The short name `parse` also takes.
    pub fn short(self) -> &'static str {
        match self {
            FigureKind::SigningAccuracy => "signing",
            FigureKind::MonthlyContactRate => "contact",
            FigureKind::OnTimeResolutionRate => "on_time",
            FigureKind::RepeatComplaintRate => "repeat",
            FigureKind::RevisitSatisfactionRate => "revisit",
            FigureKind::WhistleResponseRate => "whistle_response",
            FigureKind::WhistleResolutionRate => "whistle_resolution",
            FigureKind::WhistleSatisfactionRate => "whistle_satisfaction",
        }
    }
    /// Whether a hit is good (all but the repeat complaint rate).
    pub fn higher_is_better(self) -> bool {
        self != FigureKind::RepeatComplaintRate
    }
    /// This figure in a report (street-wide).
    pub fn of(self, r: &Report) -> &Figure {
        match self {
            FigureKind::SigningAccuracy => &r.signing_accuracy,
            FigureKind::MonthlyContactRate => &r.monthly_contact_rate,
            FigureKind::OnTimeResolutionRate => &r.on_time_resolution_rate,
            FigureKind::RepeatComplaintRate => &r.repeat_complaint_rate,
            FigureKind::RevisitSatisfactionRate => &r.revisit_satisfaction_rate,
            FigureKind::WhistleResponseRate => &r.whistle_response_rate,
            FigureKind::WhistleResolutionRate => &r.whistle_resolution_rate,
            FigureKind::WhistleSatisfactionRate => &r.whistle_satisfaction_rate,
        }
    }
    /// This figure for one unit (None: the figure is street-wide only).
    pub fn of_unit(self, u: &UnitReport) -> Option<&Figure> {
        match self {
            FigureKind::SigningAccuracy => Some(&u.signing_accuracy),
            FigureKind::MonthlyContactRate => Some(&u.monthly_contact_rate),
            FigureKind::OnTimeResolutionRate => Some(&u.on_time_resolution_rate),
            FigureKind::RevisitSatisfactionRate => Some(&u.revisit_satisfaction_rate),
            _ => None,
        }
    }
}

/// One counted item of a figure's cohort: the ticket, the unit it counts for, and whether it
/// is a hit (the numerator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CohortEntry {
    pub ticket: String,
    pub unit: String,
    pub hit: bool,
}

/// Tickets by state and flag, as of the report's date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub awaiting_sign: u64,
    pub returned: u64,
    pub in_progress: u64,
    pub overdue: u64,
    pub awaiting_contact: u64,
    pub resolved: u64,
    pub dispatched_in_period: u64,
    pub resolved_in_period: u64,
    pub extensions_in_period: u64,
}

impl Counts {
    fn is_zero(&self) -> bool {
        *self == Counts::default()
    }

    /// Counts one ticket in its state.
    fn count_state(&mut self, state: State) {
        match state {
            State::AwaitingSign => self.awaiting_sign += 1,
            State::Returned => self.returned += 1,
            State::InProgress => self.in_progress += 1,
            State::Resolved => self.resolved += 1,
        }
    }
}

/// The street's counts: a unit's, and the whistles (street-wide only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TotalCounts {
    #[serde(flatten)]
    pub counts: Counts,
    pub whistles_in_period: u64,
}

impl std::ops::Deref for TotalCounts {
    type Target = Counts;
    fn deref(&self) -> &Counts {
        &self.counts
    }
}

/// Figures 6 and 7 of one ticket: its whistles in the period, their summons, and the
/// whistles judged by a revisit after them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Whistles {
    pub whistles: u64,
    pub summons: u64,
    pub responded_in_time: u64,
    pub resolved: u64,
    /// Figure 7's cohort: whistles with a revisit strictly after them (by A).
    pub revisited: u64,
    /// Of those, the whistles whose first revisit after them was satisfied or basically so.
    pub satisfied: u64,
}

impl Whistles {
    fn absorb(&mut self, o: &Whistles) {
        self.whistles += o.whistles;
        self.summons += o.summons;
        self.responded_in_time += o.responded_in_time;
        self.resolved += o.resolved;
        self.revisited += o.revisited;
        self.satisfied += o.satisfied;
    }
}

/// Figure 7 of one whistle (`events[i]`, events in application order, cut at A): whether the
/// first revisit of the ticket strictly after the whistle's instant was satisfied or basically
/// satisfied; None without one.
fn revisit_after(events: &[Event], i: usize) -> Option<bool> {
    let at = events[i].instant();
    events[i + 1..]
        .iter()
        .filter(|r| r.instant() > at)
        .find_map(|r| match &r.kind {
            EventKind::Revisit { satisfaction, .. } => {
                Some(*satisfaction != super::event::Satisfaction::Unsatisfied)
            }
            _ => None,
        })
}

/// 一哨联办 (figures 6 and 7) on one ticket's events (application order, voids applied, cut at A).
pub fn whistles(events: &[Event], tz: Tz, period: Period) -> Whistles {
    let mut w = Whistles::default();
    for (i, e) in events.iter().enumerate() {
        let EventKind::Whistle { departments } = &e.kind else {
            continue;
        };
        if !period.contains(local_date(tz, &e.at)) {
            continue;
        }
        w.whistles += 1;
        if let Some(satisfied) = revisit_after(events, i) {
            w.revisited += 1;
            w.satisfied += u64::from(satisfied);
        }
        let mut summoned: Vec<&str> = departments.iter().map(|d| d.trim()).collect();
        summoned.sort_unstable();
        summoned.dedup();
        for d in summoned {
            w.summons += 1;
            // A response counts up to the next whistle that summons the same department.
            let next = events[i + 1..].iter().find(|x| {
                matches!(&x.kind, EventKind::Whistle { departments } if departments.iter().any(|n| n.trim() == d))
            });
            let answers: Vec<&Event> = events
                .iter()
                .filter(|r| {
                    matches!(&r.kind, EventKind::WhistleResponse { department, .. } if department.trim() == d)
                        && r.instant() > e.instant()
                        && next.is_none_or(|n| r.instant() <= n.instant())
                })
                .collect();
            if let Some(first) = answers.iter().map(|r| r.instant()).min() {
                if first - e.instant() <= chrono::Duration::hours(24) {
                    w.responded_in_time += 1;
                }
            }
            if answers.iter().any(|r| {
                matches!(
                    r.kind,
                    EventKind::WhistleResponse {
                        resolved: Some(true),
                        ..
                    }
                )
            }) {
                w.resolved += 1;
            }
        }
    }
    w
}

/// Figure 5 of one ticket: whether the latest revisit dated in the period (events cut at A)
/// was satisfied or basically satisfied; None without one.
pub fn revisit_in_period(events: &[Event], tz: Tz, period: Period) -> Option<bool> {
    events
        .iter()
        .rev()
        .filter(|e| period.contains(local_date(tz, &e.at)))
        .find_map(|e| match &e.kind {
            EventKind::Revisit { satisfaction, .. } => {
                Some(*satisfaction != super::event::Satisfaction::Unsatisfied)
            }
            _ => None,
        })
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeriodJson {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct UnitReport {
    pub unit: String,
    pub signing_accuracy: Figure,
    pub monthly_contact_rate: Figure,
    pub on_time_resolution_rate: Figure,
    pub revisit_satisfaction_rate: Figure,
    pub counts: Counts,
}

impl UnitReport {
    fn is_listed(&self) -> bool {
        self.signing_accuracy.denominator > 0
            || self.monthly_contact_rate.denominator > 0
            || self.on_time_resolution_rate.denominator > 0
            || self.revisit_satisfaction_rate.denominator > 0
            || !self.counts.is_zero()
    }
}

/// `report --format json`, field for field.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub period: PeriodJson,
    pub as_of: NaiveDate,
    pub signing_accuracy: Figure,
    pub monthly_contact_rate: Figure,
    pub on_time_resolution_rate: Figure,
    pub repeat_complaint_rate: Figure,
    pub revisit_satisfaction_rate: Figure,
    pub whistle_response_rate: Figure,
    pub whistle_resolution_rate: Figure,
    pub whistle_satisfaction_rate: Figure,
    pub counts: TotalCounts,
    pub by_unit: Vec<UnitReport>,
}

/// Whether a ticket is due a contact in `month` and whether it was met by `cutoff`.
/// `events` are in application order and already limited to the as-of cutoff.
pub fn contact_due_and_met(events: &[Event], tz: Tz, month: Period, id: &str) -> (bool, bool) {
    let start = day_start(tz, month.from);
    let end = day_end(tz, month.to);
    let before = Ticket::from_events(id, tz, events.iter().take_while(|e| e.instant() < start));
    if before.state != Some(State::InProgress) {
        return (false, false);
    }
    let met = events.iter().any(|e| {
        let t = e.instant();
        t >= start
            && t < end
            && matches!(
                e.kind,
                EventKind::Contact {
                    outcome: Outcome::Reached,
                    ..
                }
            )
    });
    (true, met)
}

/// What the figures need of one ticket, evaluated for a period as of a date.
#[derive(Debug, Clone)]
pub struct Facts {
    pub ticket: Ticket,
    pub due_period_month: bool,
    pub met_period_month: bool,
    pub awaiting_contact: bool,
    pub overdue: bool,
    pub extensions_in_period: u64,
    /// Figure 5: the latest revisit in the period was satisfied (None: no revisit in it).
    pub revisit_satisfied: Option<bool>,
    /// Figures 6 and 7: the ticket's whistles in the period.
    pub whistles: Whistles,
}

/// The cut-off instant of "as of A": events strictly before it count.
pub fn cutoff(tz: Tz, as_of: NaiveDate) -> DateTime<Utc> {
    day_end(tz, as_of)
}

/// Evaluates one ticket. `events` are in application order, voided ones included (voids are
/// retroactive, so they are taken out before any cut-off, which is applied here).
pub fn facts(id: &str, events: &[Event], tz: Tz, period: Period, as_of: NaiveDate) -> Facts {
    let events = &*super::void::effective(events);
    let cut = cutoff(tz, as_of);
    let n = events.iter().take_while(|e| e.instant() < cut).count();
    let events = &events[..n];
    let ticket = Ticket::from_events(id, tz, events);
    let period_month = Period::month_of(period.to);
    let as_of_month = Period::month_of(as_of);
    let (due_p, met_p) = contact_due_and_met(events, tz, period_month, id);
    // Usually the same month (a pane, or this month's report as of today): evaluate it once.
    let (due_a, met_a) = if as_of_month == period_month {
        (due_p, met_p)
    } else {
        contact_due_and_met(events, tz, as_of_month, id)
    };
    let awaiting_contact = due_a && !met_a && ticket.state == Some(State::InProgress);
    let extensions_in_period = events
        .iter()
        .filter(|e| {
            matches!(e.kind, EventKind::Extend { .. }) && period.contains(local_date(tz, &e.at))
        })
        .count() as u64;
    Facts {
        revisit_satisfied: revisit_in_period(events, tz, period),
        whistles: whistles(events, tz, period),
        overdue: ticket.is_overdue(as_of),
        ticket,
        due_period_month: due_p,
        met_period_month: met_p,
        awaiting_contact,
        extensions_in_period,
    }
}

/// Accumulates tickets into a report.
pub struct ReportBuilder {
    tz: Tz,
    period: Period,
    as_of: NaiveDate,
    total: UnitReport,
    units: BTreeMap<String, UnitReport>,
    repeat_keys: Vec<RepeatKey>,
    whistles: Whistles,
    explain: Option<FigureKind>,
    cohort: Vec<CohortEntry>,
}

impl ReportBuilder {
    pub fn new(tz: Tz, period: Period, as_of: NaiveDate) -> ReportBuilder {
        ReportBuilder {
            tz,
            period,
            as_of,
            total: UnitReport::default(),
            units: BTreeMap::new(),
            repeat_keys: Vec::new(),
            whistles: Whistles::default(),
            explain: None,
            cohort: Vec::new(),
        }
    }

    /// Also keeps the cohort of `figure`: every item it counts (see `finish_with_cohort`).
    pub fn explaining(mut self, figure: FigureKind) -> ReportBuilder {
        self.explain = Some(figure);
        self
    }

    fn note(&mut self, figure: FigureKind, ticket: &str, unit: &str, hit: bool) {
        if self.explain == Some(figure) {
            self.cohort.push(CohortEntry {
                ticket: ticket.to_string(),
                unit: unit.to_string(),
                hit,
            });
        }
    }

    /// Adds one ticket's events (in application order).
    pub fn add(&mut self, id: &str, events: &[Event]) {
        // Nothing of it before the cut-off: it has no record as of then and counts nowhere
        // (the dashboard's older months skip most tickets here).
        if events
            .first()
            .is_none_or(|e| e.instant() >= cutoff(self.tz, self.as_of))
        {
            return;
        }
        let f = facts(id, events, self.tz, self.period, self.as_of);
        self.add_facts(&f);
    }

    /// Adds a ticket already settled before the period: every event of it (`last` the latest)
    /// before the period begins, not in progress at the end, no deadline in the period. Such a
    /// ticket counts only as a repeat key and in the counts of its state, which this adds
    /// without evaluating it again; `whole` is the ticket after all its events. Returns false,
    /// adding nothing, when the ticket is not settled (then `add` evaluates it).
    pub fn add_settled(&mut self, whole: &Ticket, last: DateTime<Utc>) -> bool {
        let settled = last < day_start(self.tz, self.period.from)
            && last < cutoff(self.tz, self.as_of)
            && whole.state != Some(State::InProgress)
            && whole.deadline.is_none_or(|d| !self.period.contains(d));
        if !settled || self.explain.is_some() {
            return false;
        }
        if !whole.has_record {
            return true;
        }
        self.add_repeat_key(whole);
        let Some(state) = whole.state else {
            return true;
        };
        let unit = whole.latest_dispatch_unit.clone().unwrap_or_default();
        let mut one = UnitReport::default();
        let c = &mut one.counts;
        c.count_state(state);
        merge(&mut self.total, &one);
        merge(self.unit(&unit), &one);
        true
    }

    /// The ticket's key for repeat complaints, when it has a receiving time.
    fn add_repeat_key(&mut self, t: &Ticket) {
        if let Some(r) = t.record.received_at {
            self.repeat_keys.push(RepeatKey::new(
                &t.id,
                r.with_timezone(&Utc),
                t.record.phone.as_deref(),
                t.record.category.as_deref(),
                t.record.address.as_deref(),
            ));
        }
    }

    pub fn add_facts(&mut self, f: &Facts) {
        let (tz, period, as_of) = (self.tz, self.period, self.as_of);
        let t = &f.ticket;
        if !t.has_record {
            return;
        }
        self.add_repeat_key(t);
        // Whistles count street-wide, dispatched or not.
        self.whistles.absorb(&f.whistles);
        let w = f.whistles;
        for i in 0..w.summons {
            self.note(
                FigureKind::WhistleResponseRate,
                &t.id,
                "",
                i < w.responded_in_time,
            );
            self.note(FigureKind::WhistleResolutionRate, &t.id, "", i < w.resolved);
        }
        for i in 0..w.revisited {
            self.note(
                FigureKind::WhistleSatisfactionRate,
                &t.id,
                "",
                i < w.satisfied,
            );
        }
        let Some(state) = t.state else { return };
        // Signing accuracy, counted for the unit of the first dispatch.
        if let Some((first_at, first_unit)) = &t.first_dispatch {
            let in_period = period.contains(local_date(tz, first_at));
            if in_period {
                if let Some(answer) = &t.first_answer {
                    let accurate = matches!(answer, FirstAnswer::Sign(u) if u == first_unit);
                    self.total.signing_accuracy.add(accurate);
                    self.unit(first_unit).signing_accuracy.add(accurate);
                    self.note(FigureKind::SigningAccuracy, &t.id, first_unit, accurate);
                }
            }
        }
        let unit = t.latest_dispatch_unit.clone().unwrap_or_default();
        let mut one = UnitReport::default();
        if f.due_period_month {
            one.monthly_contact_rate.add(f.met_period_month);
            self.note(
                FigureKind::MonthlyContactRate,
                &t.id,
                &unit,
                f.met_period_month,
            );
        }
        if let Some(deadline) = t.deadline {
            let resolved = t.resolution_date(tz);
            if period.contains(deadline) && (resolved.is_some() || deadline < as_of) {
                let on_time = resolved.is_some_and(|r| r <= deadline);
                one.on_time_resolution_rate.add(on_time);
                self.note(FigureKind::OnTimeResolutionRate, &t.id, &unit, on_time);
            }
        }
        if let Some(satisfied) = f.revisit_satisfied {
            one.revisit_satisfaction_rate.add(satisfied);
            self.note(FigureKind::RevisitSatisfactionRate, &t.id, &unit, satisfied);
        }
        let c = &mut one.counts;
        c.count_state(state);
        c.overdue += f.overdue as u64;
        c.awaiting_contact += f.awaiting_contact as u64;
        if let Some((first_at, _)) = &t.first_dispatch {
            c.dispatched_in_period += period.contains(local_date(tz, first_at)) as u64;
        }
        if let Some(d) = t.resolution_date(tz) {
            c.resolved_in_period += period.contains(d) as u64;
        }
        c.extensions_in_period += f.extensions_in_period;
        merge(&mut self.total, &one);
        merge(self.unit(&unit), &one);
    }

    /// Takes in what another builder of the same period and date gathered (tickets split
    /// between threads): the same report as if one builder had seen them all.
    pub fn absorb(&mut self, other: ReportBuilder) {
        let add = |a: &mut Figure, b: &Figure| {
            *a = Figure::new(a.numerator + b.numerator, a.denominator + b.denominator);
        };
        merge(&mut self.total, &other.total);
        add(
            &mut self.total.signing_accuracy,
            &other.total.signing_accuracy,
        );
        for (name, u) in other.units {
            let mine = self.unit(&name);
            merge(mine, &u);
            add(&mut mine.signing_accuracy, &u.signing_accuracy);
        }
        self.repeat_keys.extend(other.repeat_keys);
        self.whistles.absorb(&other.whistles);
        self.cohort.extend(other.cohort);
    }

    fn unit(&mut self, unit: &str) -> &mut UnitReport {
        self.units
            .entry(unit.to_string())
            .or_insert_with(|| UnitReport {
                unit: unit.to_string(),
                ..Default::default()
            })
    }

    pub fn finish(self) -> Report {
        self.finish_with_cohort().0
    }

    /// The report and the cohort of the figure explained (misses first, then by ticket id;
    /// empty unless `explaining`).
    pub fn finish_with_cohort(mut self) -> (Report, Vec<CohortEntry>) {
        let repeats = find_repeats(&self.repeat_keys, self.tz);
        let mut repeat = Figure::default();
        let keys = std::mem::take(&mut self.repeat_keys);
        for k in &keys {
            if self.period.contains(local_date(self.tz, &k.received_at)) {
                let hit = repeats.contains_key(&k.id);
                repeat.add(hit);
                self.note(FigureKind::RepeatComplaintRate, &k.id, "", hit);
            }
        }
        let mut cohort = std::mem::take(&mut self.cohort);
        let good = self.explain.is_none_or(FigureKind::higher_is_better);
        cohort.sort_by(|a, b| {
            (a.hit == good, &a.ticket, &a.unit).cmp(&(b.hit == good, &b.ticket, &b.unit))
        });
        repeat.rate = rate(repeat.numerator, repeat.denominator);
        let report = Report {
            period: PeriodJson {
                from: self.period.from,
                to: self.period.to,
            },
            as_of: self.as_of,
            signing_accuracy: self.total.signing_accuracy,
            monthly_contact_rate: self.total.monthly_contact_rate,
            on_time_resolution_rate: self.total.on_time_resolution_rate,
            repeat_complaint_rate: repeat,
            revisit_satisfaction_rate: self.total.revisit_satisfaction_rate,
            whistle_response_rate: Figure::new(
                self.whistles.responded_in_time,
                self.whistles.summons,
            ),
            whistle_resolution_rate: Figure::new(self.whistles.resolved, self.whistles.summons),
            whistle_satisfaction_rate: Figure::new(
                self.whistles.satisfied,
                self.whistles.revisited,
            ),
            counts: TotalCounts {
                counts: self.total.counts,
                whistles_in_period: self.whistles.whistles,
            },
            // BTreeMap<String, _> iterates in byte order, which for UTF-8 is code point order.
            by_unit: self
                .units
                .into_values()
                .filter(UnitReport::is_listed)
                .collect(),
        };
        (report, cohort)
    }
}

fn merge(into: &mut UnitReport, one: &UnitReport) {
    let add = |a: &mut Figure, b: &Figure| {
        *a = Figure::new(a.numerator + b.numerator, a.denominator + b.denominator);
    };
    add(&mut into.monthly_contact_rate, &one.monthly_contact_rate);
    add(
        &mut into.on_time_resolution_rate,
        &one.on_time_resolution_rate,
    );
    add(
        &mut into.revisit_satisfaction_rate,
        &one.revisit_satisfaction_rate,
    );
    let (a, b) = (&mut into.counts, &one.counts);
    a.awaiting_sign += b.awaiting_sign;
    a.returned += b.returned;
    a.in_progress += b.in_progress;
    a.overdue += b.overdue;
    a.awaiting_contact += b.awaiting_contact;
    a.resolved += b.resolved;
    a.dispatched_in_period += b.dispatched_in_period;
    a.resolved_in_period += b.resolved_in_period;
    a.extensions_in_period += b.extensions_in_period;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_parse_by_key_and_short_name() {
        for k in FigureKind::ALL {
            assert_eq!(FigureKind::parse(k.code()), Some(k));
            assert_eq!(FigureKind::parse(k.short()), Some(k));
        }
        assert_eq!(
            FigureKind::parse("on-time"),
            Some(FigureKind::OnTimeResolutionRate)
        );
        assert_eq!(FigureKind::parse("speed"), None);
    }

    #[test]
    fn rates_round_half_away_from_zero_from_the_exact_fraction() {
        assert_eq!(rate(15, 19), Some(0.7895));
        assert_eq!(rate(1, 8), Some(0.125));
        assert_eq!(rate(1, 20000), Some(0.0001)); // 0.00005 rounds up
        assert_eq!(rate(1, 20001), Some(0.0));
        assert_eq!(rate(2, 3), Some(0.6667));
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(5, 5), Some(1.0));
    }
}
