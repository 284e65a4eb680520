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

    fn take_back(&mut self, o: &Whistles) {
        self.whistles = self.whistles.saturating_sub(o.whistles);
        self.summons = self.summons.saturating_sub(o.summons);
        self.responded_in_time = self.responded_in_time.saturating_sub(o.responded_in_time);
        self.resolved = self.resolved.saturating_sub(o.resolved);
        self.revisited = self.revisited.saturating_sub(o.revisited);
        self.satisfied = self.satisfied.saturating_sub(o.satisfied);
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

/// What one ticket adds to a report. `ReportBuilder` adds it; `LiveReport` keeps it, to take
/// it back when the ticket changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Part {
    /// Its key for repeat complaints (a record with a receiving time).
    pub repeat_key: Option<RepeatKey>,
    /// Its whistles in the period (street-wide, dispatched or not).
    whistles: Whistles,
    /// Signing accuracy, for the unit of the first dispatch: whether the first answer was a
    /// sign by that unit (first dispatched in the period, answered).
    signing: Option<(String, bool)>,
    /// The unit it is with (the latest dispatch's) and what it adds there and to the total.
    counted: Option<(String, UnitReport)>,
}

impl Part {
    /// Whether it adds nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == Part::default()
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

    /// The period and the date it is as of.
    pub fn period(&self) -> (Period, NaiveDate) {
        (self.period, self.as_of)
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
        let part = self.part(id, events);
        self.add_part(id, part);
    }

    /// What one ticket's events (in application order) add to this report.
    pub fn part(&self, id: &str, events: &[Event]) -> Part {
        // Nothing of it before the cut-off: it has no record as of then and counts nowhere
        // (the dashboard's older months skip most tickets here).
        if events
            .first()
            .is_none_or(|e| e.instant() >= cutoff(self.tz, self.as_of))
        {
            return Part::default();
        }
        self.part_of_facts(&facts(id, events, self.tz, self.period, self.as_of))
    }

    /// Adds a ticket already settled before the period: every event of it (`last` the latest)
    /// before the period begins, not in progress at the end, no deadline in the period. Such a
    /// ticket counts only as a repeat key and in the counts of its state, which this adds
    /// without evaluating it again; `whole` is the ticket after all its events. Returns false,
    /// adding nothing, when the ticket is not settled (then `add` evaluates it).
    pub fn add_settled(&mut self, whole: &Ticket, last: DateTime<Utc>) -> bool {
        if self.explain.is_some() {
            return false;
        }
        match self.settled_part(whole, last) {
            Some(part) => {
                self.add_part(&whole.id, part);
                true
            }
            None => false,
        }
    }

    /// What a ticket settled before the period adds (see `add_settled`); None when it is not
    /// settled (its events must be evaluated: `part`).
    pub fn settled_part(&self, whole: &Ticket, last: DateTime<Utc>) -> Option<Part> {
        let settled = last < day_start(self.tz, self.period.from)
            && last < cutoff(self.tz, self.as_of)
            && whole.state != Some(State::InProgress)
            && whole.deadline.is_none_or(|d| !self.period.contains(d));
        if !settled {
            return None;
        }
        let mut part = Part::default();
        if !whole.has_record {
            return Some(part);
        }
        part.repeat_key = repeat_key(whole);
        if let Some(state) = whole.state {
            let unit = whole.latest_dispatch_unit.clone().unwrap_or_default();
            let mut one = UnitReport::default();
            one.counts.count_state(state);
            part.counted = Some((unit, one));
        }
        Some(part)
    }

    pub fn add_facts(&mut self, f: &Facts) {
        let part = self.part_of_facts(f);
        self.add_part(&f.ticket.id, part);
    }

    /// What one evaluated ticket adds.
    fn part_of_facts(&self, f: &Facts) -> Part {
        let (tz, period, as_of) = (self.tz, self.period, self.as_of);
        let t = &f.ticket;
        let mut part = Part::default();
        if !t.has_record {
            return part;
        }
        part.repeat_key = repeat_key(t);
        part.whistles = f.whistles;
        let Some(state) = t.state else { return part };
        // Signing accuracy, counted for the unit of the first dispatch.
        if let (Some((first_at, first_unit)), Some(answer)) = (&t.first_dispatch, &t.first_answer) {
            if period.contains(local_date(tz, first_at)) {
                let accurate = matches!(answer, FirstAnswer::Sign(u) if u == first_unit);
                part.signing = Some((first_unit.clone(), accurate));
            }
        }
        let unit = t.latest_dispatch_unit.clone().unwrap_or_default();
        let mut one = UnitReport::default();
        if f.due_period_month {
            one.monthly_contact_rate.add(f.met_period_month);
        }
        if let Some(deadline) = t.deadline {
            let resolved = t.resolution_date(tz);
            if period.contains(deadline) && (resolved.is_some() || deadline < as_of) {
                one.on_time_resolution_rate
                    .add(resolved.is_some_and(|r| r <= deadline));
            }
        }
        if let Some(satisfied) = f.revisit_satisfied {
            one.revisit_satisfaction_rate.add(satisfied);
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
        part.counted = Some((unit, one));
        part
    }

    /// Adds a ticket's part: its counts, its repeat key, and (explaining) its cohort entries.
    fn add_part(&mut self, id: &str, mut part: Part) {
        if self.explain.is_some() {
            self.note_part(id, &part);
        }
        self.take(&part, true);
        if let Some(k) = part.repeat_key.take() {
            self.repeat_keys.push(k);
        }
    }

    /// The cohort entries of a ticket's part, for the figure explained.
    fn note_part(&mut self, id: &str, part: &Part) {
        let w = part.whistles;
        for i in 0..w.summons {
            self.note(
                FigureKind::WhistleResponseRate,
                id,
                "",
                i < w.responded_in_time,
            );
            self.note(FigureKind::WhistleResolutionRate, id, "", i < w.resolved);
        }
        for i in 0..w.revisited {
            self.note(FigureKind::WhistleSatisfactionRate, id, "", i < w.satisfied);
        }
        if let Some((unit, accurate)) = &part.signing {
            self.note(FigureKind::SigningAccuracy, id, unit, *accurate);
        }
        let Some((unit, one)) = &part.counted else {
            return;
        };
        for (kind, f) in [
            (FigureKind::MonthlyContactRate, one.monthly_contact_rate),
            (
                FigureKind::OnTimeResolutionRate,
                one.on_time_resolution_rate,
            ),
            (
                FigureKind::RevisitSatisfactionRate,
                one.revisit_satisfaction_rate,
            ),
        ] {
            if f.denominator > 0 {
                self.note(kind, id, unit, f.numerator > 0);
            }
        }
    }

    /// Adds (`add`) or takes back (`!add`) a part's counts, everything but its repeat key.
    pub fn take(&mut self, part: &Part, add: bool) {
        if add {
            self.whistles.absorb(&part.whistles);
        } else {
            self.whistles.take_back(&part.whistles);
        }
        if let Some((unit, accurate)) = &part.signing {
            let mut one = Figure::default();
            one.add(*accurate);
            combine(&mut self.total.signing_accuracy, &one, add);
            combine(&mut self.unit(unit).signing_accuracy, &one, add);
        }
        if let Some((unit, one)) = &part.counted {
            merge_signed(&mut self.total, one, add);
            merge_signed(self.unit(unit), one, add);
        }
    }

    /// Takes in what another builder of the same period and date gathered (tickets split
    /// between threads): the same report as if one builder had seen them all.
    pub fn absorb(&mut self, other: ReportBuilder) {
        merge(&mut self.total, &other.total);
        combine(
            &mut self.total.signing_accuracy,
            &other.total.signing_accuracy,
            true,
        );
        for (name, u) in other.units {
            let mine = self.unit(&name);
            merge(mine, &u);
            combine(&mut mine.signing_accuracy, &u.signing_accuracy, true);
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
        let keys = std::mem::take(&mut self.repeat_keys);
        let (report, repeat_cohort) = self.report_over(&keys);
        let mut cohort = std::mem::take(&mut self.cohort);
        cohort.extend(repeat_cohort);
        let good = self.explain.is_none_or(FigureKind::higher_is_better);
        cohort.sort_by(|a, b| {
            (a.hit == good, &a.ticket, &a.unit).cmp(&(b.hit == good, &b.ticket, &b.unit))
        });
        (report, cohort)
    }

    /// The report of what was added, over the repeat keys given (and, explaining repeat
    /// complaints, that figure's cohort).
    pub fn report_over(&self, keys: &[RepeatKey]) -> (Report, Vec<CohortEntry>) {
        let repeats = find_repeats(keys, self.tz);
        let mut repeat = Figure::default();
        let mut cohort = Vec::new();
        for k in keys {
            if self.period.contains(local_date(self.tz, &k.received_at)) {
                let hit = repeats.contains_key(&k.id);
                repeat.add(hit);
                if self.explain == Some(FigureKind::RepeatComplaintRate) {
                    cohort.push(CohortEntry {
                        ticket: k.id.clone(),
                        unit: String::new(),
                        hit,
                    });
                }
            }
        }
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
                .values()
                .filter(|u| u.is_listed())
                .cloned()
                .collect(),
        };
        (report, cohort)
    }
}

/// A ticket's key for repeat complaints, when its record has a receiving time.
fn repeat_key(t: &Ticket) -> Option<RepeatKey> {
    let r = t.record.received_at?;
    Some(RepeatKey::new(
        &t.id,
        r.with_timezone(&Utc),
        t.record.phone.as_deref(),
        t.record.category.as_deref(),
        t.record.address.as_deref(),
    ))
}

/// Adds `b` to `a` (or takes it back: `!add`).
fn combine(a: &mut Figure, b: &Figure, add: bool) {
    *a = if add {
        Figure::new(a.numerator + b.numerator, a.denominator + b.denominator)
    } else {
        Figure::new(
            a.numerator.saturating_sub(b.numerator),
            a.denominator.saturating_sub(b.denominator),
        )
    };
}

fn merge(into: &mut UnitReport, one: &UnitReport) {
    merge_signed(into, one, true);
}

/// Adds `one`'s figures (not signing accuracy: counted apart) and counts to `into`, or takes
/// them back (`!add`).
fn merge_signed(into: &mut UnitReport, one: &UnitReport, add: bool) {
    combine(
        &mut into.monthly_contact_rate,
        &one.monthly_contact_rate,
        add,
    );
    combine(
        &mut into.on_time_resolution_rate,
        &one.on_time_resolution_rate,
        add,
    );
    combine(
        &mut into.revisit_satisfaction_rate,
        &one.revisit_satisfaction_rate,
        add,
    );
    let (a, b) = (&mut into.counts, &one.counts);
    let f = |x: &mut u64, y: u64| *x = if add { *x + y } else { x.saturating_sub(y) };
    f(&mut a.awaiting_sign, b.awaiting_sign);
    f(&mut a.returned, b.returned);
    f(&mut a.in_progress, b.in_progress);
    f(&mut a.overdue, b.overdue);
    f(&mut a.awaiting_contact, b.awaiting_contact);
    f(&mut a.resolved, b.resolved);
    f(&mut a.dispatched_in_period, b.dispatched_in_period);
    f(&mut a.resolved_in_period, b.resolved_in_period);
    f(&mut a.extensions_in_period, b.extensions_in_period);
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
