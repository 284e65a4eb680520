//! The reports, the dashboard, the board and the look-back, each one pass over the tickets'
//! facts.

use super::Ledger;
use crate::domain::event::Event;
use crate::domain::figures::{Report, ReportBuilder};
use crate::domain::time::Period;
use crate::store::StoreError;
use chrono::NaiveDate;

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
        let mut n = 0;
        let mut reports = self.reports(&[(period, as_of)], &mut |_, _| {
            n += 1;
            tick(n);
        })?;
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
    /// `periods`; `visit` also sees every ticket's events (application order). This thread
    /// reads the store and hands chunks of tickets to a worker per core, each with its own
    /// builders (merged at the end), so that reading and evaluating overlap.
    pub fn reports(
        &self,
        periods: &[(Period, NaiveDate)],
        visit: &mut dyn FnMut(&str, &[Event]),
    ) -> Result<Vec<Report>, StoreError> {
        type Chunk = Vec<(String, Vec<Event>)>;
        const CHUNK: usize = 1_024;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let tz = self.tz();
        let builders = || -> Vec<ReportBuilder> {
            periods
                .iter()
                .map(|(p, a)| ReportBuilder::new(tz, *p, *a))
                .collect()
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(threads);
        let rx = std::sync::Mutex::new(rx);
        let (read, sets) = std::thread::scope(|s| {
            let tx = tx;
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (rx, builders) = (&rx, &builders);
                    s.spawn(move || {
                        let mut set = builders();
                        // The lock is held only to take the next chunk.
                        while let Ok(chunk) = rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|r| r.recv().map_err(|_| ()))
                        {
                            for (id, evs) in &chunk {
                                for b in set.iter_mut() {
                                    b.add(id, evs);
                                }
                            }
                        }
                        set
                    })
                })
                .collect();
            let mut chunk: Chunk = Vec::with_capacity(CHUNK);
            let read = self.store.for_each_facts(&mut |id, f| {
                let evs = f.events;
                visit(id, &evs);
                chunk.push((id.to_string(), evs));
                if chunk.len() >= CHUNK {
                    let _ = tx.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)));
                }
                Ok(())
            });
            let _ = tx.send(chunk);
            drop(tx);
            let sets: Vec<Vec<ReportBuilder>> = workers
                .into_iter()
                .map(|w| w.join().expect("a report worker does not panic"))
                .collect();
            (read, sets)
        });
        read?;
        let mut sets = sets.into_iter();
        let mut all = sets.next().unwrap_or_else(builders);
        for other in sets {
            for (a, b) in all.iter_mut().zip(other) {
                a.absorb(b);
            }
        }
        Ok(all.into_iter().map(ReportBuilder::finish).collect())
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
        let reports = self.reports(&Dashboard::periods(today), &mut |id, evs| {
            tally.add(id, evs, tz, today);
            visit(id, evs);
        })?;
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
}
