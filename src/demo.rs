//! `genban demo`: a realistic street's worth of tickets with histories, generated relative to
//! today from the word lists in `assets/demo.toml`. Deterministic for a given seed and date.
//! Every event goes through the ledger's rules like any other.

use crate::domain::event::{
    Channel, Event, EventKind, Outcome, Satisfaction, Source, TicketRecord,
};
use crate::domain::time::{add_months, local_date, local_instant, month_start};
use crate::ledger::{ApplyOutcome, Ledger, LedgerError};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Words {
    street: String,
    district: String,
    surnames: Vec<String>,
    operators: Vec<String>,
    communities: Vec<String>,
    bureaus: Vec<String>,
    estates: Vec<String>,
    contact_people: Vec<String>,
    return_reasons: Vec<String>,
    extend_reasons: Vec<String>,
    resolve_notes: Vec<String>,
    notes: Vec<String>,
    categories: Vec<Category>,
}

#[derive(Debug, Deserialize)]
struct Category {
    name: String,
    unit: String,
    titles: Vec<String>,
    content: String,
    plans: Vec<String>,
    months: Vec<u32>,
}

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

struct Gen<'a> {
    w: &'a Words,
    rng: Rng,
    tz: Tz,
    now: DateTime<Utc>,
    events: Vec<(usize, Event)>,
}

impl Gen<'_> {
    fn t(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.tz).fixed_offset()
    }
    fn push(&mut self, id: &str, at: DateTime<Utc>, kind: EventKind, note: Option<String>) -> bool {
        if at > self.now {
            return false;
        }
        let mut e = Event::new(id, self.t(at), kind).with_note(note);
        e.operator = Some(self.rng.pick(&self.w.operators).clone());
        let n = self.events.len() + 1;
        self.events.push((n, e));
        true
    }
    /// A working-hours instant on a local date.
    fn on(&mut self, d: NaiveDate) -> DateTime<Utc> {
        let h = 9 + self.rng.below(9) as u32;
        let m = self.rng.below(60) as u32;
        local_instant(self.tz, d.and_hms_opt(h, m, 0).expect("time"))
    }
    /// A contact's time as it can really have been: `t` when it has passed, else now if now is
    /// within working hours (08:00–21:00), else none (the call is not made yet).
    fn by_now(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if t <= self.now {
            return Some(t);
        }
        let h = self.now.with_timezone(&self.tz).hour();
        (8..21).contains(&h).then_some(self.now)
    }
    fn day(&self, t: DateTime<Utc>) -> NaiveDate {
        local_date(self.tz, &t)
    }
    fn phone(&mut self) -> String {
        let p = [3, 5, 7, 8, 9][self.rng.below(5) as usize];
        format!("1{p}{:09}", self.rng.below(1_000_000_000))
    }
}

/// Fills the ledger with `n` tickets received over the last thirteen months (so that a month
/// has the same month a year before to compare with).
pub fn generate(ledger: &Ledger, n: usize, seed: u64) -> Result<ApplyOutcome, LedgerError> {
    let w: Words =
        toml::from_str(include_str!("../assets/demo.toml")).expect("assets/demo.toml parses");
    let tz = ledger.tz();
    let now = ledger.now();
    let today = local_date(tz, &now);
    let mut g = Gen {
        w: &w,
        rng: Rng(seed),
        tz,
        now,
        events: Vec::new(),
    };
    let mut earlier: Vec<(String, String, String)> = Vec::new(); // phone, category, address
    let mut out = ApplyOutcome::default();
    for i in 0..n {
        // Written a batch of tickets at a time: memory bounded by the batch, not by `n`.
        if i > 0 && i % BATCH == 0 {
            merge(
                &mut out,
                ledger.apply(std::mem::take(&mut g.events), false, true)?,
            );
        }
        let cat = g.rng.pick(&w.categories);
        // Most within the last eight months (the open work), the rest back to thirteen.
        let age = if g.rng.chance(75) {
            3 + g.rng.below(235) as i64
        } else {
            238 + g.rng.below(160) as i64
        };
        let received_day = today - Duration::days(age);
        let received = g.on(received_day);
        let (mut side, source, id) = source_and_id(seed, i, received_day);
        let estate = g.rng.pick(&w.estates).clone();
        let address = format!(
            "{}{}{}{}幢{}单元{}室",
            w.district,
            w.street,
            estate,
            1 + g.rng.below(30),
            1 + g.rng.below(4),
            101 + g.rng.below(18) * 100 + g.rng.below(4)
        );
        let community = g.rng.pick(&w.communities).clone();
        let unit = if cat.unit == "community" {
            community.clone()
        } else {
            cat.unit.clone()
        };
        // Some citizens complain again about the same thing: a repeat complaint.
        let (phone, address) = if !earlier.is_empty() && g.rng.chance(8) {
            let (p, _, a) = g.rng.pick(&earlier).clone();
            (p, a)
        } else {
            (g.phone(), address)
        };
        earlier.push((phone.clone(), cat.name.clone(), address.clone()));
        let dispatched = g.rng.chance(80);
        let closed = received + Duration::hours(30 + g.rng.below(100) as i64);
        let record = TicketRecord {
            received_at: Some(g.t(received)),
            complainant: Some(format!(
                "{}{}",
                g.rng.pick(&w.surnames),
                if g.rng.chance(50) { "先生" } else { "女士" }
            )),
            phone: Some(phone),
            street: Some(w.street.clone()),
            community: Some(community),
            address: Some(address.clone()),
            category: Some(cat.name.clone()),
            title: Some(g.rng.pick(&cat.titles).replace("{estate}", &estate)),
            content: Some(cat.content.replace("{address}", &address)),
            unit: Some(unit.clone()),
            closed_at: Some(g.t(closed)),
            reply: Some("已转相关部门处理,来电人对处理结果不认可。".into()),
            satisfaction: Some(if dispatched {
                Satisfaction::Unsatisfied
            } else {
                *g.rng.pick(&Satisfaction::ALL)
            }),
            reasonable: Some(dispatched || g.rng.chance(30)),
            source: None,
        };
        let record = off_hotline(record, source);
        let dispatched = dispatched || source != Source::Hotline;
        g.push(&id, received, EventKind::Ticket(Box::new(record)), None);
        if !dispatched || closed > now {
            continue;
        }
        if let Some(signed_at) = follow_up(&mut g, &id, &unit, cat, closed, today) {
            joint_work(&mut g, &mut side, &id, cat, signed_at);
        }
    }
    let events = std::mem::take(&mut g.events);
    merge(&mut out, ledger.apply(events, false, true)?);
    Ok(out)
}

/// Tickets generated and written together.
const BATCH: usize = 20_000;

/// Adds one batch's outcome to the whole.
fn merge(all: &mut ApplyOutcome, batch: ApplyOutcome) {
    all.added += batch.added;
    all.duplicates += batch.duplicates;
    all.refused.extend(batch.refused);
    all.tickets_touched += batch.tickets_touched;
}

/// Whether ticket `i` came through the hotline, and its id (an `L` id when not), from a side
/// generator so that the hotline tickets stay as they were for a seed.
fn source_and_id(seed: u64, i: usize, received_day: NaiveDate) -> (Rng, Source, String) {
    let mut side = Rng(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let source = match side.below(100) {
        0..=3 => Source::WalkIn,
        4..=5 => Source::Proactive,
        _ => Source::Hotline,
    };
    let id = if source == Source::Hotline {
        format!("{}{:05}", received_day.format("%Y%m%d"), 100 + i)
    } else {
        format!("L{}{:03}", received_day.format("%Y%m%d"), 1 + i)
    };
    (side, source, id)
}

/// A ticket brought in or found by the community: no hotline verdict, handled from the start.
fn off_hotline(record: TicketRecord, source: Source) -> TicketRecord {
    if source == Source::Hotline {
        return record;
    }
    TicketRecord {
        closed_at: None,
        reply: None,
        satisfaction: None,
        reasonable: Some(true),
        source: Some(source),
        ..record
    }
}

/// The second handling of a dispatched ticket; the time it was signed, if it was.
fn follow_up(
    g: &mut Gen,
    id: &str,
    unit: &str,
    cat: &Category,
    closed: DateTime<Utc>,
    today: NaiveDate,
) -> Option<DateTime<Utc>> {
    let mut s = dispatch_and_sign(g, id, unit, cat, closed, today)?;
    let ext_at = extension(g, id, &mut s, today);
    let resolve_day = resolution_day(g, &s, ext_at, today);
    monthly_contacts(g, id, s.at, resolve_day, today);
    if let Some(rd) = resolve_day {
        resolve_and_revisit(g, id, rd, today);
    }
    Some(s.at)
}

/// 一哨联办 and 每月一办 for some signed tickets (drawn from `side`, so that the rest of the
/// demo stays as it was): a whistle to two district bureaus a few days after signing, each
/// answering mostly within a day; and some raised to their category's monthly topic.
fn joint_work(g: &mut Gen, side: &mut Rng, id: &str, cat: &Category, signed_at: DateTime<Utc>) {
    let w = g.w;
    if side.chance(10) {
        let day = g.day(signed_at) + Duration::days(1 + side.below(8) as i64);
        let at = g.on(day).max(signed_at + Duration::hours(1));
        let first = side.pick(&w.bureaus).clone();
        let mut second = side.pick(&w.bureaus).clone();
        if second == first {
            second = w.bureaus
                [(w.bureaus.iter().position(|b| *b == first).unwrap_or(0) + 1) % w.bureaus.len()]
            .clone();
        }
        let departments = vec![first, second];
        if g.push(
            id,
            at,
            EventKind::Whistle {
                departments: departments.clone(),
            },
            None,
        ) {
            for d in departments {
                if side.chance(80) {
                    let after = Duration::hours(2 + side.below(30) as i64);
                    let resolved = Some(side.chance(60));
                    let k = EventKind::WhistleResponse {
                        department: d,
                        resolved,
                    };
                    g.push(id, at + after, k, Some("已到场会商,明确分工".into()));
                }
            }
        }
    }
    if side.chance(5) {
        let at = signed_at + Duration::days(3 + side.below(20) as i64);
        let topic = format!("{}专项整治", cat.name);
        g.push(id, at, EventKind::Escalate { topic }, None);
    }
}

/// A signed ticket, as the later stages need it.
struct Signed {
    at: DateTime<Utc>,
    day: NaiveDate,
    deadline: NaiveDate,
    months: u32,
}

/// The dispatch (and for a few a return and a re-dispatch) and the unit's sign: the sign's
/// time, local date, deadline and committed months, or None when the ticket stops before.
fn dispatch_and_sign(
    g: &mut Gen,
    id: &str,
    unit: &str,
    cat: &Category,
    closed: DateTime<Utc>,
    today: NaiveDate,
) -> Option<Signed> {
    let w = g.w;
    let mut at = closed + Duration::hours(16 + g.rng.below(20) as i64);
    if !g.push(
        id,
        at,
        EventKind::Dispatch {
            unit: unit.to_string(),
        },
        None,
    ) {
        return None;
    }
    // The newest ones wait for the unit to sign, or came back returned and wait to be re-routed.
    if (today - g.day(at)).num_days() <= 6 {
        if g.rng.chance(30) {
            let reason = g.rng.pick(&w.return_reasons).clone();
            g.push(
                id,
                at + Duration::hours(3),
                EventKind::Return {
                    unit: unit.to_string(),
                    reason,
                },
                None,
            );
            return None;
        }
        if g.rng.chance(50) {
            return None;
        }
    }
    let mut unit = unit.to_string();
    // A few are not the unit's: returned, then re-dispatched to a district bureau.
    if g.rng.chance(9) {
        at += Duration::hours(5 + g.rng.below(40) as i64);
        let reason = g.rng.pick(&w.return_reasons).clone();
        if !g.push(
            id,
            at,
            EventKind::Return {
                unit: unit.clone(),
                reason,
            },
            None,
        ) {
            return None;
        }
        at += Duration::hours(3 + g.rng.below(48) as i64);
        unit = g.rng.pick(&w.bureaus).clone();
        if !g.push(id, at, EventKind::Dispatch { unit: unit.clone() }, None) {
            return None;
        }
    }
    at += Duration::hours(2 + g.rng.below(40) as i64);
    let sign_day = g.day(at);
    let months = *g.rng.pick(&cat.months);
    let deadline = if months == 0 {
        sign_day + Duration::days(7)
    } else {
        add_months(sign_day, months)
    };
    let plan = Some(g.rng.pick(&cat.plans).clone());
    if !g.push(
        id,
        at,
        EventKind::Sign {
            unit: unit.clone(),
            deadline,
            plan,
        },
        None,
    ) {
        return None;
    }
    Some(Signed {
        at,
        day: sign_day,
        deadline,
        months,
    })
}

/// An extension for some long ones: the local date it was made, if it was.
fn extension(g: &mut Gen, id: &str, s: &mut Signed, today: NaiveDate) -> Option<NaiveDate> {
    let w = g.w;
    let mut ext_at: Option<NaiveDate> = None;
    // An extension for some long ones.
    if s.months >= 3 && g.rng.chance(18) {
        let ext_day = s.day + Duration::days(20 + g.rng.below(40) as i64);
        if ext_day <= today && ext_day < s.deadline {
            let new_deadline = add_months(s.deadline, 1 + g.rng.below(2) as u32);
            let reason = g.rng.pick(&w.extend_reasons).clone();
            let t = g.on(ext_day);
            if g.push(
                id,
                t,
                EventKind::Extend {
                    deadline: new_deadline,
                    reason,
                },
                None,
            ) {
                s.deadline = new_deadline;
                ext_at = Some(ext_day);
            }
        }
    }
    ext_at
}

/// Whether and when it gets resolved (on time mostly, late or open past its deadline for a
/// few), never before an extension nor after today.
fn resolution_day(
    g: &mut Gen,
    s: &Signed,
    ext_at: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    // Whether and when it gets resolved.
    let late = g.rng.chance(5);
    let stays_open_past_deadline = g.rng.chance(4);
    if s.deadline < today {
        if stays_open_past_deadline {
            None
        } else if late {
            Some(s.deadline + Duration::days(1 + g.rng.below(20) as i64))
        } else {
            let span = (s.deadline - s.day).num_days().max(1);
            Some(s.day + Duration::days(1 + g.rng.below(span as u64) as i64))
        }
    } else if g.rng.chance(25) {
        let span = (today - s.day).num_days().max(1);
        Some(s.day + Duration::days(1 + g.rng.below(span as u64) as i64))
    } else {
        None
    }
    .map(|d| ext_at.map_or(d, |e| d.max(e + Duration::days(1))))
    .filter(|d| *d <= today)
}

/// A contact at least once each calendar month while open (mostly), some unreached first,
/// and a note now and then.
fn monthly_contacts(
    g: &mut Gen,
    id: &str,
    signed_at: DateTime<Utc>,
    resolve_day: Option<NaiveDate>,
    today: NaiveDate,
) {
    let w = g.w;
    // A contact at least once each calendar month while open (mostly).
    let end = resolve_day.unwrap_or(today);
    let mut m = month_start(g.day(signed_at));
    while m <= end {
        let first = if m == month_start(g.day(signed_at)) {
            g.day(signed_at)
        } else {
            m
        };
        let last_day = crate::domain::time::month_end(m).min(end);
        let this_month = m == month_start(today) && resolve_day.is_none();
        let skip = if this_month {
            g.rng.chance(30)
        } else {
            g.rng.chance(3)
        };
        if !skip && first <= last_day {
            let span = (last_day - first).num_days().max(0) as u64;
            let d = first + Duration::days(g.rng.below(span + 1) as i64);
            if g.rng.chance(15) {
                let t = g.on(d).max(signed_at + Duration::minutes(10));
                let k = EventKind::Contact {
                    channel: Channel::Phone,
                    outcome: Outcome::Unreached,
                    contact_person: None,
                };
                let in_hours = (8..21).contains(&t.with_timezone(&g.tz).hour());
                if let Some(t) = g.by_now(t).filter(|_| in_hours) {
                    g.push(id, t, k, Some("电话无人接听".into()));
                }
            }
            let t = g.on(d) + Duration::minutes(30);
            let channel = *g.rng.pick(&[
                Channel::Phone,
                Channel::Phone,
                Channel::Visit,
                Channel::Wechat,
            ]);
            let person = Some(g.rng.pick(&w.contact_people).clone());
            let k = EventKind::Contact {
                channel,
                outcome: Outcome::Reached,
                contact_person: person,
            };
            if let Some(t) = g.by_now(t).filter(|t| *t > signed_at) {
                g.push(id, t, k, Some("告知办理进展".into()));
            }
        }
        if g.rng.chance(6) {
            let t = g.on(first);
            let note = Some(g.rng.pick(&w.notes).clone());
            if let Some(t) = g.by_now(t).filter(|t| *t > signed_at) {
                g.push(id, t, EventKind::Note, note);
            }
        }
        m = add_months(m, 1);
    }
}

/// The resolve and the call that tells the citizen, then the revisit: satisfied mostly, or
/// unsatisfied and followed up again.
fn resolve_and_revisit(g: &mut Gen, id: &str, rd: NaiveDate, today: NaiveDate) {
    let w = g.w;
    let t = local_instant(g.tz, rd.and_hms_opt(17, 30, 0).expect("time"));
    let note = Some(g.rng.pick(&w.resolve_notes).clone());
    if !g.push(id, t, EventKind::Resolve, note) {
        return;
    }
    let k = EventKind::Contact {
        channel: Channel::Phone,
        outcome: Outcome::Reached,
        contact_person: Some("本人".into()),
    };
    g.push(
        id,
        t + Duration::minutes(20),
        k,
        Some("告知办理结果".into()),
    );
    let rv = rd + Duration::days(2 + g.rng.below(4) as i64);
    if rv > today {
        return;
    }
    let t = g.on(rv);
    if g.rng.chance(12) {
        let nd = add_months(rv, 1);
        let k = EventKind::Revisit {
            satisfaction: Satisfaction::Unsatisfied,
            deadline: Some(nd),
        };
        if !g.push(id, t, k, Some("诉求人反映问题仍未彻底解决".into())) {
            return;
        }
        // Followed up again: a call each month, and mostly solved by the new deadline.
        let mut m = month_start(rv);
        while m <= today.min(nd) {
            let d = (m + Duration::days(g.rng.below(20) as i64)).max(rv + Duration::days(1));
            if d <= today
                && d <= crate::domain::time::month_end(m)
                && !(m == month_start(today) && g.rng.chance(30))
            {
                let t = g.on(d);
                let k = EventKind::Contact {
                    channel: Channel::Phone,
                    outcome: Outcome::Reached,
                    contact_person: Some("本人".into()),
                };
                g.push(id, t, k, Some("告知二次整改进展".into()));
            }
            m = add_months(m, 1);
        }
        if nd < today && g.rng.chance(85) {
            let span = (nd - rv).num_days().max(2) as u64;
            let d = rv + Duration::days(1 + g.rng.below(span - 1) as i64);
            let t = local_instant(g.tz, d.and_hms_opt(18, 40, 0).expect("time"));
            g.push(id, t, EventKind::Resolve, Some("二次整改完成".into()));
        }
    } else {
        let s = if g.rng.chance(70) {
            Satisfaction::Satisfied
        } else {
            Satisfaction::BasicallySatisfied
        };
        g.push(
            id,
            t,
            EventKind::Revisit {
                satisfaction: s,
                deadline: None,
            },
            None,
        );
    }
}
