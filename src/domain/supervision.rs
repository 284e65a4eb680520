//! What the district follows beyond the figures: the open summons of 一哨联办, the hotspots that
//! propose the month's topic (每月一办), and the topics with their tickets.
//!
//! Each is built from every ticket's events (application order, voided ones included: voids
//! are taken out here), as of a cut-off instant.

use super::event::{Event, EventKind, Satisfaction};
use super::repeat::{repeat_ids, trim_text, RepeatKey};
use super::ticket::{State, Ticket};
use super::time::{local_date, Period};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashSet};

/// A department summoned by a ticket's latest whistle that has not answered yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summons {
    pub ticket: String,
    pub title: String,
    pub department: String,
    pub whistled_at: DateTime<Utc>,
    /// Departments of the same whistle that have answered.
    pub answered: Vec<String>,
}

impl Summons {
    /// How long it has waited, in whole hours, at `now`.
    pub fn hours_waiting(&self, now: DateTime<Utc>) -> i64 {
        (now - self.whistled_at).num_hours()
    }
}

/// One ticket's open summons: the departments of its latest whistle (before `cut`) without a
/// response after it, while the ticket is not resolved. An earlier whistle's unanswered departments are misses of the figures,
/// no longer open: a later whistle closes the window of the one before.
pub fn open_summons(id: &str, events: &[Event], tz: Tz, cut: DateTime<Utc>) -> Vec<Summons> {
    let events = &*super::void::effective(events);
    let events: Vec<&Event> = events.iter().filter(|e| e.instant() < cut).collect();
    let ticket = Ticket::from_events(id, tz, events.iter().copied());
    summons_of(&events, &ticket)
}

/// `open_summons` of a ticket's events as of the cut-off (voids taken out) and its state.
fn summons_of(events: &[&Event], ticket: &Ticket) -> Vec<Summons> {
    let Some(w) = events
        .iter()
        .rposition(|e| matches!(e.kind, EventKind::Whistle { .. }))
    else {
        return Vec::new();
    };
    let EventKind::Whistle { departments } = &events[w].kind else {
        return Vec::new();
    };
    if ticket.state == Some(State::Resolved) {
        return Vec::new();
    }
    let whistled_at = events[w].instant();
    let answered: Vec<String> = events[w + 1..]
        .iter()
        .filter(|e| e.instant() > whistled_at)
        .filter_map(|e| match &e.kind {
            EventKind::WhistleResponse { department, .. } => Some(department.trim().to_string()),
            _ => None,
        })
        .collect();
    let title = ticket.record.title.clone().unwrap_or_default();
    let mut seen = HashSet::new();
    departments
        .iter()
        .map(|d| d.trim().to_string())
        .filter(|d| seen.insert(d.clone()) && !answered.contains(d))
        .map(|department| Summons {
            ticket: ticket.id.clone(),
            title: title.clone(),
            department,
            whistled_at,
            answered: answered.clone(),
        })
        .collect()
}

/// Open summons longest waiting first (those past 24 hours lead by construction).
pub fn sort_summons(s: &mut [Summons]) {
    s.sort_by(|a, b| {
        (a.whistled_at, &a.ticket, &a.department).cmp(&(b.whistled_at, &b.ticket, &b.department))
    });
}

/// A group of tickets that share a place and a kind of problem, or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotspot {
    /// `category · community`, or the address.
    pub key: String,
    pub by_address: bool,
    pub tickets: Vec<String>,
    /// Tickets of the group that repeat an earlier complaint (figure 4's rule).
    pub repeats: usize,
    /// Tickets of the group with an unsatisfied revisit.
    pub unsatisfied: usize,
}

/// What hotspots need of one ticket.
#[derive(Debug, Clone)]
pub struct HotspotTicket {
    pub key: RepeatKey,
    pub community: String,
    pub unsatisfied: bool,
}

impl HotspotTicket {
    /// The ticket's part, or None when it has no record with a received time.
    pub fn of(id: &str, events: &[Event], tz: Tz, cut: DateTime<Utc>) -> Option<HotspotTicket> {
        let events = &*super::void::effective(events);
        let events: Vec<&Event> = events.iter().filter(|e| e.instant() < cut).collect();
        let t = Ticket::from_events(id, tz, events.iter().copied());
        HotspotTicket::from_seen(&events, &t)
    }

    /// `of` a ticket's events as of the cut-off (voids taken out) and its state.
    fn from_seen(events: &[&Event], t: &Ticket) -> Option<HotspotTicket> {
        let r = &t.record;
        let received = r.received_at?.with_timezone(&Utc);
        let revisit_unsatisfied = events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::Revisit {
                    satisfaction: Satisfaction::Unsatisfied,
                    ..
                }
            )
        });
        Some(HotspotTicket {
            key: RepeatKey::new(
                &t.id,
                received,
                r.phone.as_deref(),
                r.category.as_deref(),
                r.address.as_deref(),
            ),
            community: trim_text(r.community.as_deref().unwrap_or("")).to_string(),
            // The hotline's own verdict is unsatisfied for nearly every ticket sent back: only
            // a revisit after the second handling tells.
            unsatisfied: revisit_unsatisfied,
        })
    }
}

/// Groups the tickets received in `window` by category × community and by address (an
/// address group needs two tickets or more), largest first: most tickets, then repeats, then
/// unsatisfied, then kind-and-place groups before addresses, then the key.
pub fn hotspots(all: &[HotspotTicket], tz: Tz, window: Period) -> Vec<Hotspot> {
    let keys: Vec<RepeatKey> = all.iter().map(|t| t.key.clone()).collect();
    let repeats = repeat_ids(&keys, tz);
    let mut groups: BTreeMap<(bool, String), Hotspot> = BTreeMap::new();
    for t in all
        .iter()
        .filter(|t| window.contains(local_date(tz, &t.key.received_at)))
    {
        let mut add = |by_address: bool, key: String| {
            let g = groups.entry((by_address, key.clone())).or_insert(Hotspot {
                key,
                by_address,
                tickets: Vec::new(),
                repeats: 0,
                unsatisfied: 0,
            });
            g.tickets.push(t.key.id.clone());
            g.repeats += usize::from(repeats.contains(&t.key.id));
            g.unsatisfied += usize::from(t.unsatisfied);
        };
        if !t.key.category.is_empty() || !t.community.is_empty() {
            add(false, format!("{} · {}", t.key.category, t.community));
        }
        if !t.key.address.is_empty() {
            add(true, t.key.address.clone());
        }
    }
    let mut out: Vec<Hotspot> = groups
        .into_values()
        .filter(|g| !g.by_address || g.tickets.len() >= 2)
        .collect();
    out.sort_by(|a, b| {
        (b.tickets.len(), b.repeats, b.unsatisfied)
            .cmp(&(a.tickets.len(), a.repeats, a.unsatisfied))
            .then_with(|| (a.by_address, &a.key).cmp(&(b.by_address, &b.key)))
    });
    out
}

/// A monthly topic and the tickets escalated to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub name: String,
    /// (ticket, title, resolved) in id order.
    pub tickets: Vec<(String, String, bool)>,
    /// When the first ticket was escalated to it.
    pub since: DateTime<Utc>,
}

impl Topic {
    pub fn resolved(&self) -> usize {
        self.tickets.iter().filter(|t| t.2).count()
    }
}

/// Gathers topics: each ticket's `escalate` events (before `cut`) put it under their topic.
#[derive(Debug, Default)]
pub struct TopicsBuilder {
    topics: BTreeMap<String, Topic>,
}

impl TopicsBuilder {
    pub fn add(&mut self, id: &str, events: &[Event], tz: Tz, cut: DateTime<Utc>) {
        let events = &*super::void::effective(events);
        let events: Vec<&Event> = events.iter().filter(|e| e.instant() < cut).collect();
        let t = Ticket::from_events(id, tz, events.iter().copied());
        self.add_seen(&events, &t);
    }

    /// `add` of a ticket's events as of the cut-off (voids taken out) and its state.
    fn add_seen(&mut self, events: &[&Event], t: &Ticket) {
        let topics: Vec<(&str, DateTime<Utc>)> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Escalate { topic } => Some((topic.trim(), e.instant())),
                _ => None,
            })
            .collect();
        let resolved = t.state == Some(State::Resolved);
        let title = t.record.title.clone().unwrap_or_default();
        let id = t.id.as_str();
        for (name, at) in topics {
            let topic = self.topics.entry(name.to_string()).or_insert(Topic {
                name: name.to_string(),
                tickets: Vec::new(),
                since: at,
            });
            topic.since = topic.since.min(at);
            if !topic.tickets.iter().any(|(x, _, _)| x == id) {
                topic
                    .tickets
                    .push((id.to_string(), title.clone(), resolved));
            }
        }
    }

    /// Topics newest first; tickets in id order.
    pub fn finish(self) -> Vec<Topic> {
        let mut out: Vec<Topic> = self.topics.into_values().collect();
        for t in &mut out {
            t.tickets.sort();
        }
        out.sort_by(|a, b| b.since.cmp(&a.since).then_with(|| a.name.cmp(&b.name)));
        out
    }
}

/// The three together, as of a day (what the board shows).
#[derive(Debug, Clone, Default)]
pub struct Supervision {
    pub summons: Vec<Summons>,
    pub hotspots: Vec<Hotspot>,
    pub topics: Vec<Topic>,
}

/// Builds a `Supervision` from every ticket in one pass.
pub struct SupervisionBuilder {
    tz: Tz,
    cut: DateTime<Utc>,
    window: Period,
    summons: Vec<Summons>,
    spots: Vec<HotspotTicket>,
    topics: TopicsBuilder,
}

impl SupervisionBuilder {
    /// As of `today`; hotspots over the three calendar months ending with today's.
    pub fn new(tz: Tz, today: chrono::NaiveDate) -> SupervisionBuilder {
        let from = super::time::month_start(today)
            .checked_sub_months(chrono::Months::new(2))
            .unwrap_or(today);
        SupervisionBuilder {
            tz,
            cut: super::time::day_end(tz, today),
            window: Period { from, to: today },
            summons: Vec::new(),
            spots: Vec::new(),
            topics: TopicsBuilder::default(),
        }
    }

    /// Adds one ticket: its events as of the cut-off and its state, worked out once for the
    /// three lists.
    pub fn add(&mut self, id: &str, events: &[Event]) {
        let effective = super::void::effective(events);
        let seen: Vec<&Event> = effective
            .iter()
            .filter(|e| e.instant() < self.cut)
            .collect();
        if seen.is_empty() {
            return;
        }
        let t = Ticket::from_events(id, self.tz, seen.iter().copied());
        self.summons.extend(summons_of(&seen, &t));
        self.spots.extend(HotspotTicket::from_seen(&seen, &t));
        self.topics.add_seen(&seen, &t);
    }

    pub fn finish(mut self) -> Supervision {
        sort_summons(&mut self.summons);
        Supervision {
            hotspots: hotspots(&self.spots, self.tz, self.window),
            summons: self.summons,
            topics: self.topics.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::DEFAULT_TZ;

    fn ev(line: &str) -> Event {
        Event::from_json_str(line).unwrap()
    }

    fn log(id: &str, rest: &[&str]) -> Vec<Event> {
        let mut v = vec![ev(&format!(
            r#"{{"ticket":"{id}","type":"ticket","at":"2026-11-01T09:00:00+08:00","unit":"甲","title":"路灯","received_at":"2026-11-01T09:00:00+08:00","category":"路灯","community":"东门社区","address":"东门1号","phone":"13800000001"}}"#
        ))];
        v.extend(
            rest.iter()
                .map(|r| ev(&format!(r#"{{"ticket":"{id}",{r}}}"#))),
        );
        v
    }

    #[test]
    fn only_the_latest_whistle_is_open_and_an_answer_closes_its_department() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let events = log(
            "A",
            &[
                r#""type":"whistle","at":"2026-11-02T10:00:00+08:00","departments":["水务"]"#,
                r#""type":"whistle","at":"2026-11-03T10:00:00+08:00","departments":["城管"," 住建","城管"]"#,
                r#""type":"whistle_response","at":"2026-11-04T10:00:00+08:00","department":"城管""#,
            ],
        );
        let open = open_summons("A", &events, DEFAULT_TZ, t("2026-11-05T00:00:00+08:00"));
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].department, "住建");
        assert_eq!(open[0].answered, ["城管"]);
        assert_eq!(open[0].hours_waiting(t("2026-11-04T10:00:00+08:00")), 24);
        // Before the answer both were open; before the second whistle, the first.
        assert_eq!(
            open_summons("A", &events, DEFAULT_TZ, t("2026-11-04T09:00:00+08:00")).len(),
            2
        );
        let first = open_summons("A", &events, DEFAULT_TZ, t("2026-11-03T09:00:00+08:00"));
        assert_eq!(first[0].department, "水务");
    }

    #[test]
    fn hotspots_group_by_place_and_kind_and_by_address_largest_first() {
        let cut = Utc::now();
        let a = log("A", &[]);
        let mut b = log(
            "B",
            &[
                r#""type":"revisit","at":"2026-11-20T10:00:00+08:00","satisfaction":"unsatisfied","deadline":"2026-12-01""#,
            ],
        );
        // B is a later complaint of the same phone: a repeat.
        b[0] = ev(
            r#"{"ticket":"B","type":"ticket","at":"2026-11-10T09:00:00+08:00","unit":"甲","received_at":"2026-11-10T09:00:00+08:00","category":"路灯","community":"东门社区","address":"东门1号","phone":"13800000001"}"#,
        );
        let c = vec![ev(
            r#"{"ticket":"C","type":"ticket","at":"2026-11-11T09:00:00+08:00","unit":"乙","received_at":"2026-11-11T09:00:00+08:00","category":"噪音","community":"西门社区","address":"西门9号"}"#,
        )];
        let all: Vec<HotspotTicket> = [("A", a), ("B", b), ("C", c)]
            .iter()
            .filter_map(|(id, e)| HotspotTicket::of(id, e, DEFAULT_TZ, cut))
            .collect();
        let window = Period::month_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        let h = hotspots(&all, DEFAULT_TZ, window);
        assert_eq!(h.len(), 3, "{h:?}"); // 路灯·东门, 东门1号, 噪音·西门 (西门9号 alone is no group)
        assert_eq!(h[0].key, "路灯 · 东门社区");
        assert_eq!(
            (h[0].tickets.len(), h[0].repeats, h[0].unsatisfied),
            (2, 1, 1)
        );
        assert!(h[1].by_address && h[1].key == "东门1号");
        assert_eq!(h[2].tickets, ["C"]);
    }

    #[test]
    fn topics_gather_their_tickets_and_count_the_resolved() {
        let cut = Utc::now();
        let mut b = TopicsBuilder::default();
        b.add(
            "A",
            &log(
                "A",
                &[r#""type":"escalate","at":"2026-11-05T10:00:00+08:00","topic":" 路灯 ""#],
            ),
            DEFAULT_TZ,
            cut,
        );
        b.add(
            "B",
            &log(
                "B",
                &[r#""type":"escalate","at":"2026-11-06T10:00:00+08:00","topic":"路灯""#],
            ),
            DEFAULT_TZ,
            cut,
        );
        b.add("C", &log("C", &[]), DEFAULT_TZ, cut);
        let t = b.finish();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].name, "路灯");
        assert_eq!(t[0].tickets.len(), 2);
        assert_eq!(t[0].resolved(), 0);
    }
}
