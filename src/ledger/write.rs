//! Writing: each event is checked against the ticket's log (the one gate, duplicates, the
//! rules, voids), then committed with what the log derives, as one transaction.

use super::{ApplyOutcome, Ledger, LedgerError, RefusedLine};
use crate::domain::event::{Event, EventKind};
use crate::domain::summary::derive;
use crate::domain::ticket::{Refusal, Ticket};

use crate::store::TicketChange;
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap, HashSet};

impl Ledger {
    /// Records one event made in the program: stamps `recorded_at` and the operator, checks it,
    /// commits it and flushes. Nothing is written when it is refused.
    pub fn record(&self, e: Event) -> Result<(), LedgerError> {
        self.record_all(vec![e])
    }

    /// Applies events (each with its line number) as one action. Duplicates of stored events
    /// or of earlier lines are skipped. When any is refused, nothing is written unless
    /// `skip_refused`. `dry_run` checks only.
    pub fn apply(
        &self,
        lines: Vec<(usize, Event)>,
        dry_run: bool,
        skip_refused: bool,
    ) -> Result<ApplyOutcome, LedgerError> {
        self.apply_with(lines, dry_run, skip_refused, &mut |_, _| {})
    }

    /// As `apply`, reporting progress as (tickets checked, tickets in all).
    pub fn apply_with(
        &self,
        lines: Vec<(usize, Event)>,
        dry_run: bool,
        skip_refused: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ApplyOutcome, LedgerError> {
        self.apply_chained(lines, None, dry_run, skip_refused, progress)
    }

    /// As `apply_with`, for a log that may carry its whole chain from the genesis (`seqs[i]`
    /// the number of `lines[i]`). Into an empty store, when every event is taken (none
    /// refused, none a duplicate), each ticket's events are checked and stored in the order of
    /// their numbers and the store keeps that chain: the same numbers, links and head.
    /// Otherwise the events are chained on after the head, as `apply_with` does.
    pub fn apply_chained(
        &self,
        lines: Vec<(usize, Event)>,
        seqs: Option<Vec<u64>>,
        dry_run: bool,
        skip_refused: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ApplyOutcome, LedgerError> {
        if !dry_run {
            self.writable()?;
        }
        // One writer at a time: the check below and its commit see the same store.
        let _writing = self.shared.write.lock().unwrap_or_else(|p| p.into_inner());
        let seq_of = match seqs {
            Some(seqs) if seqs.len() == lines.len() && self.holds_no_event()? => Some(
                lines
                    .iter()
                    .zip(seqs)
                    .map(|((line, _), seq)| (*line, seq))
                    .collect(),
            ),
            _ => None,
        };
        self.apply_held(lines, seq_of, dry_run, skip_refused, progress)
    }

    /// Whether the store holds no event (no ticket, an empty chain).
    fn holds_no_event(&self) -> Result<bool, LedgerError> {
        Ok(self.store.ticket_count()? == 0 && self.store.chain_head()?.is_none_or(|h| h.seq == 0))
    }

    /// `apply_chained`, the write lock held by the caller; `seq_of` gives each line's chain
    /// number when the chain is to be kept.
    fn apply_held(
        &self,
        lines: Vec<(usize, Event)>,
        seq_of: Option<HashMap<usize, u64>>,
        dry_run: bool,
        skip_refused: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ApplyOutcome, LedgerError> {
        let tz = self.tz();
        let mut out = ApplyOutcome::default();
        let mut by_ticket: BTreeMap<String, Vec<(usize, Event, u128)>> = BTreeMap::new();
        let mut seen_keys: HashSet<u128> = HashSet::new();
        for (line, e) in lines {
            // The one gate: an event is stored only in the form the reader reads back.
            let e = match e.through_gate() {
                Ok(e) => e,
                Err(why) => {
                    out.refused.push(RefusedLine {
                        line,
                        ticket: e.ticket.clone(),
                        event_type: e.kind.type_name(),
                        refusal: Refusal::Malformed(why.0),
                    });
                    continue;
                }
            };
            let key = key_hash(&e);
            if !seen_keys.insert(key) {
                out.duplicates += 1;
                continue;
            }
            by_ticket
                .entry(e.ticket.clone())
                .or_default()
                .push((line, e, key));
        }
        let total = by_ticket.len();
        let mut changes = Vec::new();
        for (n, (id, mut new)) in by_ticket.into_iter().enumerate() {
            if n % 1000 == 0 {
                progress(n, total);
            }
            if let Some(seq_of) = &seq_of {
                // A kept chain: the ticket's events in the order they were stored.
                new.sort_by_key(|(line, _, _)| seq_of.get(line).copied());
            }
            let stored = self.store.events(&id)?;
            let stored_keys: HashSet<u128> = stored.iter().map(key_hash).collect();
            let mut fresh: Vec<(usize, Event)> = Vec::new();
            for (line, e, key) in new {
                if stored_keys.contains(&key) {
                    out.duplicates += 1;
                } else {
                    fresh.push((line, e));
                }
            }
            if fresh.is_empty() {
                continue;
            }
            let (accepted, refused) = replay(&id, &stored, fresh, tz);
            out.refused.extend(refused);
            if accepted.is_empty() {
                continue;
            }
            let expected_events = stored.len();
            let chain_at = match &seq_of {
                Some(seq_of) => accepted
                    .iter()
                    .filter_map(|(l, _)| seq_of.get(l))
                    .copied()
                    .collect(),
                None => Vec::new(),
            };
            let accepted: Vec<Event> = accepted.into_iter().map(|(_, e)| e).collect();
            let mut all: Vec<Event> = stored;
            all.extend(accepted.iter().cloned());
            out.added += accepted.len();
            changes.push(TicketChange {
                derived: derive(&id, &all, tz),
                id,
                expected_events,
                new_events: accepted,
                chain_at,
            });
        }
        progress(total, total);
        let whole = seq_of
            .as_ref()
            .is_some_and(|s| out.refused.is_empty() && out.duplicates == 0 && out.added == s.len());
        if !whole {
            // Not every event of the chain is taken: it is chained on after the head.
            for c in &mut changes {
                c.chain_at.clear();
            }
        }
        out.tickets_touched = changes.len();
        out.refused.sort_by_key(|r| r.line);
        if dry_run || (!out.refused.is_empty() && !skip_refused) {
            return Ok(out);
        }
        self.store.commit(&changes)?;
        self.committed(changes.into_iter().map(|c| c.id).collect());
        Ok(out)
    }

    /// Records several events of one action in one transaction (all or nothing).
    pub fn record_all(&self, events: Vec<Event>) -> Result<(), LedgerError> {
        let lines = self.stamped(events);
        let entered: Vec<Event> = lines.iter().map(|(_, e)| e.clone()).collect();
        let out = self.apply(lines, false, false)?;
        match out.refused.into_iter().next() {
            Some(r) => Err(LedgerError::Refused(r.refusal)),
            None => {
                self.entered(&entered);
                Ok(())
            }
        }
    }

    /// After an action is committed: remembered for `undo`. The action is saved whatever
    /// happens here, so it is not reported as failed: a store that cannot keep this small
    /// record fails the next write anyway, and an undo always shows what it would void first.
    fn entered(&self, events: &[Event]) {
        if self.remember_entry(events).is_err() {
            self.forget_entry();
        }
    }

    /// Records a ticket that did not come through the hotline, under the first free id of
    /// `prefix` + a three-digit sequence (`events` makes the ticket's events for an id). The
    /// id is chosen and the events committed with every other writer held off, so two
    /// tickets added at once never share an id. Returns the id.
    pub fn record_new_ticket(
        &self,
        prefix: &str,
        events: impl Fn(&str) -> Vec<Event>,
    ) -> Result<String, LedgerError> {
        self.writable()?;
        let _writing = self.shared.write.lock().unwrap_or_else(|p| p.into_inner());
        for seq in 1..=9999 {
            let id = format!("{prefix}{seq:03}");
            if !self.events(&id)?.is_empty() {
                continue;
            }
            let lines = self.stamped(events(&id));
            let entered: Vec<Event> = lines.iter().map(|(_, e)| e.clone()).collect();
            let out = match self.apply_held(lines, None, false, false, &mut |_, _| {}) {
                // Taken where this writer cannot see it: by another workstation meanwhile, or
                // by another street (a street's role sees only its own): the next one.
                Err(LedgerError::Store(e)) if taken_unseen(&e) => continue,
                other => other?,
            };
            return match out.refused.into_iter().next() {
                Some(r) => Err(LedgerError::Refused(r.refusal)),
                None => {
                    self.entered(&entered);
                    Ok(id)
                }
            };
        }
        Err(LedgerError::Refused(Refusal::Malformed(
            crate::i18n::Msg::new(
                format!("{prefix}:当天的编号已用完"),
                format!("{prefix}: no free sequence number left"),
            ),
        )))
    }

    /// Events as entered here: `recorded_at` from the real clock (never the date evaluated
    /// as of, `--today`) and the configured operator, numbered as lines.
    fn stamped(&self, events: Vec<Event>) -> Vec<(usize, Event)> {
        let stamp = crate::domain::time::now_millis()
            .with_timezone(&self.tz())
            .fixed_offset();
        let operator = self.operator();
        events
            .into_iter()
            .enumerate()
            .map(|(i, mut e)| {
                e.recorded_at.get_or_insert(stamp);
                if e.operator.is_none() {
                    e.operator = operator.clone();
                }
                (i, e)
            })
            .collect()
    }
}

/// Checks a ticket's log (application order, `Some(i)` marking the i-th new event): first
/// its voids, then the log without the voided events. Returns the position of the first
/// event refused and why.
pub(super) fn check_log(
    id: &str,
    all: &[(Option<usize>, &Event)],
    tz: Tz,
) -> Result<(), (usize, Refusal)> {
    let events: Vec<&Event> = all.iter().map(|(_, e)| *e).collect();
    let voided = crate::domain::void::check_voids(&events)?;
    let mut t = Ticket::new(id);
    for (k, e) in events.iter().enumerate() {
        if voided[k].is_none() {
            t.apply(e, tz).map_err(|r| (k, r))?;
        }
    }
    Ok(())
}

/// Stored events and new ones in application order; stored first at equal instants.
fn merged<'a>(stored: &'a [Event], fresh: &'a [(usize, Event)]) -> Vec<(Option<usize>, &'a Event)> {
    let mut all: Vec<(Option<usize>, &Event)> = stored.iter().map(|e| (None, e)).collect();
    all.extend(fresh.iter().enumerate().map(|(i, (_, e))| (Some(i), e)));
    all.sort_by_key(|(_, e)| e.instant());
    all
}

/// Which new event to refuse when a stored one no longer fits, and why: a new void without
/// which the stored event passes, else the latest new event before it.
fn blame_stored(
    id: &str,
    stored: &[Event],
    fresh: &[(usize, Event)],
    failed: &Event,
    why: Refusal,
    tz: Tz,
) -> (usize, Refusal) {
    let leaves = Refusal::LeavesInvalid {
        event: failed.kind.type_name(),
        at: crate::domain::time_text::second(tz, &failed.instant()),
        why: Box::new(why),
    };
    let still_fails = |without: usize| {
        let rest: Vec<(usize, Event)> = fresh
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != without)
            .map(|(_, x)| x.clone())
            .collect();
        let all = merged(stored, &rest);
        match check_log(id, &all, tz) {
            Ok(()) => false,
            Err((pos, _)) => std::ptr::eq(all[pos].1, failed) || all[pos].1 == failed,
        }
    };
    let voids = fresh
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, (_, e))| matches!(e.kind, EventKind::Void { .. }));
    for (i, _) in voids {
        if !still_fails(i) {
            return (i, leaves);
        }
    }
    let before = fresh
        .iter()
        .enumerate()
        .filter(|(_, (_, e))| e.instant() <= failed.instant())
        .max_by_key(|(_, (_, e))| e.instant())
        .map_or(0, |(i, _)| i);
    (before, leaves)
}

/// Replays a ticket's stored events with new ones in application order, checking each new one.
/// Returns the accepted new events with their lines (in the order given) and the refused lines.
fn replay(
    id: &str,
    stored: &[Event],
    mut fresh: Vec<(usize, Event)>,
    tz: Tz,
) -> (Vec<(usize, Event)>, Vec<RefusedLine>) {
    let mut refused = Vec::new();
    loop {
        let all = merged(stored, &fresh);
        let (i, refusal) = match check_log(id, &all, tz) {
            Ok(()) => return (fresh, refused),
            Err((pos, r)) => match all[pos] {
                (Some(i), e) => (i, before_history(r, e, &all)),
                (None, e) => blame_stored(id, stored, &fresh, e, r, tz),
            },
        };
        let (line, e) = fresh.remove(i);
        refused.push(RefusedLine {
            line,
            ticket: e.ticket.clone(),
            event_type: e.kind.type_name(),
            refusal,
        });
        if fresh.is_empty() {
            return (Vec::new(), refused);
        }
    }
}

/// "No record" for an event dated before the ticket's first record says so.
fn before_history(r: Refusal, e: &Event, all: &[(Option<usize>, &Event)]) -> Refusal {
    if r != Refusal::NoRecord {
        return r;
    }
    match all
        .iter()
        .find(|(_, x)| matches!(x.kind, EventKind::Ticket(_)) && x.instant() > e.instant())
    {
        Some((_, first)) => Refusal::BeforeHistory {
            first: crate::domain::time_text::as_written(&first.at),
        },
        None => r,
    }
}

/// A 128-bit hash of an event's normalised form (`Event::normalized_key`): duplicates are
/// found by it, so a large import keeps 16 bytes per event instead of its text.
fn key_hash(e: &Event) -> u128 {
    use std::hash::{Hash, Hasher};
    let key = e.normalized_key();
    let half = |salt: u8| {
        let mut h = std::hash::DefaultHasher::new();
        salt.hash(&mut h);
        key.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// Whether a new ticket's commit was refused because its id is taken by a ticket the writer
/// did not see (written meanwhile, or another street's).
fn taken_unseen(e: &crate::store::StoreError) -> bool {
    use crate::store::{DbProblem, StoreError};
    matches!(
        e,
        StoreError::Conflict(_)
            | StoreError::Database {
                problem: DbProblem::OtherStreetsTicket,
                ..
            }
    )
}
