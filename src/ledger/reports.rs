//! The reports, the dashboard, the board and the look-back, each one pass over the tickets'
//! facts.

use super::Ledger;
use crate::domain::event::Event;
use crate::domain::figures::{Report, ReportBuilder};
use crate::domain::live_report::LiveReport;
use crate::domain::ticket::Ticket;
use crate::domain::ticket_facts::TicketFacts;
use crate::domain::time::Period;
use crate::store::StoreError;
use chrono::NaiveDate;
use chrono::{DateTime, Utc};

impl Ledger {
    /// The report for a period as of a date.
    pub fn report(&self, period: Period, as_of: NaiveDate) -> Result<Report, StoreError> {
        self.report_with(period, as_of, &mut |_| {})
    }

    /// As `report`, calling `tick` once per ticket read.
    pub fn report_with(
        &self,
        period: Period,
        as_of: NaiveDate,
        tick: &mut dyn FnMut(usize),
    ) -> Result<Report, StoreError> {
        // Read on this thread, evaluated on every core (see `reports`).
        let mut reports = self.reports(&[(period, as_of)], Visit::Count(tick))?;
        Ok(reports.pop().expect("one report per period"))
    }

    /// The report and the cohort of one figure: every item it counts, misses first.
    pub fn explain(
        &self,
        period: Period,
        as_of: NaiveDate,
        figure: crate::domain::figures::FigureKind,
    ) -> Result<(Report, Vec<crate::domain::figures::CohortEntry>), StoreError> {
        let mut b = ReportBuilder::new(self.tz(), period, as_of).explaining(figure);
        self.store.for_each_facts(&mut |id, f| {
            b.add(id, &f.events);
            Ok(())
        })?;
        Ok(b.finish_with_cohort())
    }

    /// Several reports in one pass over the store (the dashboard's months), in the order of
    /// `periods`; `visit` also sees every ticket's events (application order).
    pub fn reports(
        &self,
        periods: &[(Period, NaiveDate)],
        visit: Visit,
    ) -> Result<Vec<Report>, StoreError> {
        let tz = self.tz();
        let builders = || -> Vec<ReportBuilder> {
            periods
                .iter()
                .map(|(p, a)| ReportBuilder::new(tz, *p, *a))
                .collect()
        };
        let mut all = builders();
        for other in self.gather(&builders, visit)? {
            for (a, b) in all.iter_mut().zip(other) {
                a.absorb(b);
            }
        }
        Ok(all.into_iter().map(ReportBuilder::finish).collect())
    }

    /// The report of a period as of a date, kept to be brought up to date ticket by ticket
    /// (`LiveReport::set`): the app's header.
    pub fn live_report(&self, period: Period, as_of: NaiveDate) -> Result<LiveReport, StoreError> {
        let tz = self.tz();
        let make = || LiveReport::new(tz, period, as_of);
        let mut all = make();
        for other in self.gather(&make, Visit::Count(&mut |_| {}))? {
            all.absorb(other);
        }
        Ok(all)
    }

    /// One pass over the store: this thread reads it and hands chunks of tickets to a worker
    /// per core, each gathering into its own `make()` (merged by the caller), so that reading
    /// and evaluating overlap. With `Visit::Count` the workers also decode the facts.
    fn gather<G: Gather>(
        &self,
        make: &(dyn Fn() -> G + Sync),
        visit: Visit,
    ) -> Result<Vec<G>, StoreError> {
        let threads = crate::parallel::threads();
        let tz = self.tz();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(threads);
        let rx = std::sync::Mutex::new(rx);
        let location = &self.location();
        let (read, sets) = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let rx = &rx;
                    s.spawn(move || evaluate(rx, make(), location, tz))
                })
                .collect();
            let read = self.read_chunks(visit, tx);
            let sets: Vec<Result<G, StoreError>> = workers
                .into_iter()
                .map(|w| w.join().expect("a report worker does not panic"))
                .collect();
            (read, sets)
        });
        read?;
        sets.into_iter().collect()
    }

    /// Reads every ticket's facts into chunks for the workers.
    fn read_chunks(
        &self,
        visit: Visit,
        tx: std::sync::mpsc::SyncSender<Chunk>,
    ) -> Result<(), StoreError> {
        let mut chunk: Chunk = Vec::with_capacity(CHUNK);
        let send = |chunk: &mut Chunk, item| {
            chunk.push(item);
            if chunk.len() >= CHUNK {
                let _ = tx.send(std::mem::replace(chunk, Vec::with_capacity(CHUNK)));
            }
        };
        match visit {
            Visit::Count(tick) => {
                let mut n = 0;
                self.store.for_each_facts_encoded(&mut |id, bytes| {
                    n += 1;
                    tick(n);
                    send(&mut chunk, (id.to_string(), Facts::Encoded(bytes.to_vec())));
                    Ok(())
                })?;
            }
            Visit::Events(visit) => {
                self.store.for_each_facts(&mut |id, f| {
                    visit(id, &f.events);
                    send(&mut chunk, (id.to_string(), Facts::Decoded(f.events)));
                    Ok(())
                })?;
            }
        }
        let _ = tx.send(chunk);
        Ok(())
    }

    /// The dashboard as of `today`, in one pass over the store.
    pub fn dashboard(
        &self,
        today: NaiveDate,
    ) -> Result<crate::domain::dashboard::Dashboard, StoreError> {
        self.dashboard_visiting(today, &mut |_, _| {})
    }

    /// The dashboard and the open summons, hotspots and topics (the board), in one pass.
    pub fn board(
        &self,
        today: NaiveDate,
    ) -> Result<
        (
            crate::domain::dashboard::Dashboard,
            crate::domain::supervision::Supervision,
        ),
        StoreError,
    > {
        let mut b = crate::domain::supervision::SupervisionBuilder::new(self.tz(), today);
        let d = self.dashboard_visiting(today, &mut |id, evs| b.add(id, evs))?;
        Ok((d, b.finish()))
    }

    /// The dashboard, `visit` seeing every ticket too.
    fn dashboard_visiting(
        &self,
        today: NaiveDate,
        visit: &mut dyn FnMut(&str, &[Event]),
    ) -> Result<crate::domain::dashboard::Dashboard, StoreError> {
        use crate::domain::dashboard::{Dashboard, Tally};
        let tz = self.tz();
        let mut tally = Tally::default();
        let reports = self.reports(
            &Dashboard::periods(today),
            Visit::Events(&mut |id, evs| {
                tally.add(id, evs, tz, today);
                visit(id, evs);
            }),
        )?;
        Ok(Dashboard::assemble(today, reports, tally))
    }

    /// Open summons, hotspots and topics as of `today`, in one pass over the store.
    pub fn supervision(
        &self,
        today: NaiveDate,
    ) -> Result<crate::domain::supervision::Supervision, StoreError> {
        let mut b = crate::domain::supervision::SupervisionBuilder::new(self.tz(), today);
        self.store.for_each_facts(&mut |id, f| {
            b.add(id, &f.events);
            Ok(())
        })?;
        Ok(b.finish())
    }

    /// The clear-to-zero look-back for a period as of a date.
    pub fn review(
        &self,
        period: Period,
        as_of: NaiveDate,
        th: crate::domain::review::Thresholds,
    ) -> Result<crate::domain::review::Review, StoreError> {
        let mut b = crate::domain::review::ReviewBuilder::new(self.tz(), period, as_of, th);
        self.store.for_each_facts(&mut |id, f| {
            b.add(id, &f.events);
            Ok(())
        })?;
        Ok(b.finish())
    }

    /// The units tickets are with now, sorted.
    pub fn units(&self) -> Result<Vec<String>, StoreError> {
        self.store.units()
    }

    /// The categories of the tickets' records, sorted.
    pub fn categories(&self) -> Result<Vec<String>, StoreError> {
        self.store.categories()
    }

    /// The monthly topics tickets were raised to (voided raises left out), sorted.
    pub fn topic_names(&self) -> Result<Vec<String>, StoreError> {
        let mut names = std::collections::BTreeSet::new();
        self.store.for_each_facts(&mut |_, facts| {
            for e in &facts.events {
                if let crate::domain::event::EventKind::Escalate { topic } = &e.kind {
                    if !names.contains(topic) {
                        names.insert(topic.clone());
                    }
                }
            }
            Ok(())
        })?;
        Ok(names.into_iter().collect())
    }
}

/// What the reading thread does besides reading, in `Ledger::reports`.
pub enum Visit<'a> {
    /// Counts the tickets read (the workers decode their facts).
    Count(&'a mut dyn FnMut(usize)),
    /// Sees every ticket's events.
    Events(&'a mut dyn FnMut(&str, &[Event])),
}

/// A ticket's facts as the reader hands them over.
enum Facts {
    Encoded(Vec<u8>),
    Decoded(Vec<Event>),
}

type Chunk = Vec<(String, Facts)>;
const CHUNK: usize = 1_024;

/// A worker: takes chunks until the reader is done, adding each ticket to its builders.
/// After an unreadable record it only drains the channel, so the reader never waits on it.
fn evaluate<G: Gather>(
    rx: &std::sync::Mutex<std::sync::mpsc::Receiver<Chunk>>,
    mut set: G,
    location: &str,
    tz: chrono_tz::Tz,
) -> Result<G, StoreError> {
    let mut failed = None;
    // The lock is held only to take the next chunk.
    while let Ok(chunk) = rx
        .lock()
        .map_err(|_| ())
        .and_then(|r| r.recv().map_err(|_| ()))
    {
        for (id, f) in chunk {
            if failed.is_some() {
                break;
            }
            let events = match f {
                Facts::Decoded(e) => e,
                Facts::Encoded(bytes) => match TicketFacts::decode(&id, &bytes) {
                    Ok(f) => f.events,
                    Err(e) => {
                        failed = Some(StoreError::Corrupt {
                            path: location.into(),
                            detail: format!("ticket {id}: {e}"),
                        });
                        break;
                    }
                },
            };
            // The ticket after all its events, once: the builders of periods it was settled
            // before take it from this instead of evaluating it again.
            let whole = crate::domain::ticket::Ticket::from_events(&id, tz, &events);
            let last = events.last().map(|e| e.instant());
            set.add_ticket(&id, &events, &whole, last);
        }
    }
    failed.map_or(Ok(set), Err)
}

/// What a worker of `Ledger::gather` adds each ticket to.
trait Gather: Send {
    /// `whole`: the ticket after all its events; `last`: the latest event's instant.
    fn add_ticket(
        &mut self,
        id: &str,
        events: &[Event],
        whole: &Ticket,
        last: Option<DateTime<Utc>>,
    );
}

impl Gather for Vec<ReportBuilder> {
    fn add_ticket(
        &mut self,
        id: &str,
        events: &[Event],
        whole: &Ticket,
        last: Option<DateTime<Utc>>,
    ) {
        for b in self.iter_mut() {
            if !last.is_some_and(|l| b.add_settled(whole, l)) {
                b.add(id, events);
            }
        }
    }
}

impl Gather for LiveReport {
    fn add_ticket(
        &mut self,
        id: &str,
        events: &[Event],
        whole: &Ticket,
        last: Option<DateTime<Utc>>,
    ) {
        self.add(id, events, whole, last);
    }
}
