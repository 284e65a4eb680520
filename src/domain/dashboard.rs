//! The district's view: this month so far and each of the last 12 months beside the same month
//! a year before, today's dispatches, tickets by source, and the unit league worst first.

use super::event::{Event, EventKind, Source};
use super::figures::{Counts, FigureKind, Report, UnitReport};
use super::ticket::{State, Ticket};
use super::time::{day_end, local_date, Period};
use chrono::{Datelike, Months, NaiveDate};
use chrono_tz::Tz;
use std::cmp::Ordering;

/// How many months the trends show (this month so far and the 12 before it).
pub const MONTHS: usize = 13;

/// One month of the trends and the same month a year before.
#[derive(Debug, Clone)]
pub struct MonthRow {
    pub month: Period,
    pub now: Report,
    pub year_ago: Report,
}

/// What one pass over the tickets counts besides the reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Tickets whose latest dispatch is dated today, and how many of them are signed.
    pub dispatched_today: u64,
    pub signed_today: u64,
    /// Tickets with a record, by source (hotline, walk-in, proactive).
    pub by_source: [u64; 3],
    /// Meetings (居民议事, not voided) held this month up to today.
    pub meetings_this_month: u64,
}

impl Tally {
    /// Adds one ticket (events in application order, voided ones included) as of `today`.
    pub fn add(&mut self, id: &str, events: &[Event], tz: Tz, today: NaiveDate) {
        let events = &*super::void::effective(events);
        let cut = day_end(tz, today);
        let n = events.iter().take_while(|e| e.instant() < cut).count();
        let t = Ticket::from_events(id, tz, &events[..n]);
        if !t.has_record {
            return;
        }
        self.meetings_this_month += meetings_in_month(&events[..n], tz, today);
        let source = t.record.source.unwrap_or_default();
        let i = Source::ALL.iter().position(|s| *s == source).unwrap_or(0);
        self.by_source[i] += 1;
        let dispatched_today = t
            .latest_dispatch_at
            .is_some_and(|d| local_date(tz, &d) == today);
        if dispatched_today {
            self.dispatched_today += 1;
            let signed = events[..n].iter().any(|e| {
                matches!(e.kind, EventKind::Sign { .. }) && local_date(tz, &e.at) == today
            });
            if signed && matches!(t.state, Some(State::InProgress | State::Resolved)) {
                self.signed_today += 1;
            }
        }
    }
}

/// How many of `events` (effective, up to the end of `today`) are meetings held in today's
/// month.
fn meetings_in_month(events: &[Event], tz: Tz, today: NaiveDate) -> u64 {
    let month = Period::month_of(today);
    events
        .iter()
        .filter(|e| {
            matches!(e.kind, EventKind::Meeting { .. }) && local_date(tz, &e.at) >= month.from
        })
        .count() as u64
}

/// The dashboard as of a day.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub today: NaiveDate,
    /// Oldest first; the last is this month so far.
    pub months: Vec<MonthRow>,
    pub tally: Tally,
}

impl Dashboard {
    /// The periods to report, each with its as-of date: the `MONTHS` months ending with this
    /// one (complete months as of their last day, this one as of today), then the same months
    /// a year before (this month's as of the same day a year before).
    pub fn periods(today: NaiveDate) -> Vec<(Period, NaiveDate)> {
        let this = Period::month_of(today);
        let back = |d: NaiveDate, m: u32| d.checked_sub_months(Months::new(m)).unwrap_or(d);
        let mut now = Vec::new();
        for k in (0..MONTHS as u32).rev() {
            let month = Period::month_of(back(this.from, k));
            now.push((month, if k == 0 { today } else { month.to }));
        }
        let ago = now
            .iter()
            .map(|(m, a)| (Period::month_of(back(m.from, 12)), back(*a, 12)))
            .collect::<Vec<_>>();
        now.into_iter().chain(ago).collect()
    }

    /// Puts the reports of `periods(today)` (in that order) together.
    pub fn assemble(today: NaiveDate, reports: Vec<Report>, tally: Tally) -> Dashboard {
        let mut reports = reports;
        let ago = reports.split_off(reports.len() / 2);
        let months = reports
            .into_iter()
            .zip(ago)
            .map(|(now, year_ago)| MonthRow {
                month: Period {
                    from: now.period.from,
                    to: now.period.to,
                },
                now,
                year_ago,
            })
            .collect();
        Dashboard {
            today,
            months,
            tally,
        }
    }

    /// This month so far.
    pub fn current(&self) -> &MonthRow {
        self.months.last().expect("a dashboard has months")
    }

    /// The states now (this month's report as of today).
    pub fn counts(&self) -> &Counts {
        &self.current().now.counts
    }

    /// One figure's monthly values, oldest first (None: nothing counted that month).
    pub fn series(&self, figure: FigureKind) -> Vec<Option<f64>> {
        self.months.iter().map(|m| figure.of(&m.now).rate).collect()
    }

    /// Tickets received each month (the repeat rate's cohort), oldest first.
    pub fn received(&self) -> Vec<u64> {
        self.months
            .iter()
            .map(|m| m.now.repeat_complaint_rate.denominator)
            .collect()
    }

    /// Tickets first dispatched each month, oldest first.
    pub fn dispatched(&self) -> Vec<u64> {
        self.months
            .iter()
            .map(|m| m.now.counts.dispatched_in_period)
            .collect()
    }
}

/// The columns the unit league sorts by, each worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeagueSort {
    /// Items missed over the four unit figures (the default: who drags the street down).
    #[default]
    Misses,
    Figure(FigureKind),
    Overdue,
    AwaitingContact,
}

impl LeagueSort {
    pub const CYCLE: [LeagueSort; 7] = [
        LeagueSort::Misses,
        LeagueSort::Figure(FigureKind::SigningAccuracy),
        LeagueSort::Figure(FigureKind::MonthlyContactRate),
        LeagueSort::Figure(FigureKind::OnTimeResolutionRate),
        LeagueSort::Figure(FigureKind::RevisitSatisfactionRate),
        LeagueSort::Overdue,
        LeagueSort::AwaitingContact,
    ];
    /// The next column in `CYCLE`.
    pub fn next(self) -> LeagueSort {
        let i = Self::CYCLE.iter().position(|c| *c == self).unwrap_or(0);
        Self::CYCLE[(i + 1) % Self::CYCLE.len()]
    }
}

/// Items a unit missed: denominators minus numerators over its four figures.
pub fn misses(u: &UnitReport) -> u64 {
    [
        &u.signing_accuracy,
        &u.monthly_contact_rate,
        &u.on_time_resolution_rate,
        &u.revisit_satisfaction_rate,
    ]
    .iter()
    .map(|f| f.denominator - f.numerator)
    .sum()
}

/// Rates ascending with empty cohorts last (worst first).
fn worst_rate(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Sorts units worst first by `by`; ties by misses, then by name.
pub fn sort_league(units: &mut [UnitReport], by: LeagueSort) {
    units.sort_by(|a, b| {
        let first = match by {
            LeagueSort::Misses => Ordering::Equal,
            LeagueSort::Figure(f) => worst_rate(
                f.of_unit(a).and_then(|x| x.rate),
                f.of_unit(b).and_then(|x| x.rate),
            ),
            LeagueSort::Overdue => b.counts.overdue.cmp(&a.counts.overdue),
            LeagueSort::AwaitingContact => {
                b.counts.awaiting_contact.cmp(&a.counts.awaiting_contact)
            }
        };
        first
            .then_with(|| misses(b).cmp(&misses(a)))
            .then_with(|| a.unit.cmp(&b.unit))
    });
}

/// The year of a month as shown (`2026-12`).
pub fn month_label(p: &Period) -> String {
    format!("{}-{:02}", p.from.year(), p.from.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::figures::Figure;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_are_thirteen_months_and_the_same_months_a_year_before() {
        let p = Dashboard::periods(d("2028-02-29"));
        assert_eq!(p.len(), 2 * MONTHS);
        assert_eq!(p[0].0.from, d("2027-02-01"));
        assert_eq!(p[0].1, d("2027-02-28"));
        assert_eq!(
            p[MONTHS - 1],
            (Period::month_of(d("2028-02-01")), d("2028-02-29"))
        );
        // This month a year before, as of the same day (29 February becomes the 28th).
        assert_eq!(
            p[2 * MONTHS - 1],
            (Period::month_of(d("2027-02-01")), d("2027-02-28"))
        );
        assert_eq!(p[MONTHS].0.from, d("2026-02-01"));
    }

    #[test]
    fn the_tally_counts_the_meetings_of_todays_month_up_to_today_by_local_date() {
        let ev = |at: &str| {
            Event::from_json_str(&format!(
                r#"{{"ticket":"T1","type":"meeting","at":"{at}","participants":["居民代表"],"decision":"d"}}"#
            ))
            .unwrap()
        };
        let mut log = vec![Event::from_json_str(
            r#"{"ticket":"T1","type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"甲"}"#,
        )
        .unwrap()];
        log.extend([
            ev("2026-10-31T23:59:59+08:00"), // last month
            ev("2026-10-31T16:30:00Z"),      // 1 November, 00:30 local
            ev("2026-11-29T12:00:00+08:00"), // today
            ev("2026-11-30T09:00:00+08:00"), // after today
        ]);
        let mut t = Tally::default();
        t.add("T1", &log, crate::domain::time::DEFAULT_TZ, d("2026-11-29"));
        assert_eq!(t.meetings_this_month, 2);
        let mut oct = Tally::default();
        oct.add("T1", &log, crate::domain::time::DEFAULT_TZ, d("2026-10-31"));
        assert_eq!(oct.meetings_this_month, 1);
    }

    #[test]
    fn the_league_puts_the_worst_first() {
        let unit = |name: &str, contact: (u64, u64), overdue: u64| UnitReport {
            unit: name.into(),
            monthly_contact_rate: Figure::new(contact.0, contact.1),
            counts: Counts {
                overdue,
                ..Default::default()
            },
            ..Default::default()
        };
        let mut units = vec![
            unit("甲", (9, 10), 0),
            unit("乙", (1, 4), 1),
            unit("丙", (0, 0), 3),
            unit("丁", (5, 10), 0),
        ];
        sort_league(&mut units, LeagueSort::Misses);
        let names = |u: &[UnitReport]| u.iter().map(|x| x.unit.clone()).collect::<Vec<_>>();
        assert_eq!(names(&units), ["丁", "乙", "甲", "丙"]);
        sort_league(
            &mut units,
            LeagueSort::Figure(FigureKind::MonthlyContactRate),
        );
        assert_eq!(names(&units), ["乙", "丁", "甲", "丙"]);
        sort_league(&mut units, LeagueSort::Overdue);
        assert_eq!(names(&units), ["丙", "乙", "丁", "甲"]);
        assert_eq!(LeagueSort::AwaitingContact.next(), LeagueSort::Misses);
    }
}
