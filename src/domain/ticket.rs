//! A ticket's state, derived from its events, and the rules of what each event may do.

use super::event::{Event, EventKind, Outcome, Satisfaction, TicketRecord};
use super::time::local_date;
use crate::i18n::Lang;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::fmt;

/// The follow-up state of a dispatched ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    AwaitingSign,
    Returned,
    InProgress,
    Resolved,
}

impl State {
    pub const ALL: [State; 4] = [
        State::AwaitingSign,
        State::Returned,
        State::InProgress,
        State::Resolved,
    ];
    pub fn code(self) -> &'static str {
        match self {
            State::AwaitingSign => "awaiting_sign",
            State::Returned => "returned",
            State::InProgress => "in_progress",
            State::Resolved => "resolved",
        }
    }
    /// The state's name (the domain's own words, DOMAIN.md; `labels` shows them).
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            State::AwaitingSign => lang.t("待签收", "to sign"),
            State::Returned => lang.t("已退回", "returned"),
            State::InProgress => lang.t("办理中", "in progress"),
            State::Resolved => lang.t("已解决", "resolved"),
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// Why an event was refused. Shown to the specialist; `message` gives it in either language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoRecord,
    FirstRecordNeedsUnit,
    WrongState {
        event: &'static str,
        state: Option<State>,
        allowed: &'static [Option<State>],
    },
    NeverSigned,
    UnitMismatch {
        event: &'static str,
        given: String,
        expected: String,
    },
    DeadlineBeforeSign {
        deadline: NaiveDate,
        sign_date: NaiveDate,
    },
    RevisitNeedsDeadline,
    RevisitDeadlineNotAllowed,
    NotSummoned(String),
    /// A response to a ticket that has no whistle.
    NoWhistle,
    Malformed(crate::i18n::Msg),
    /// `at` is later than `recorded_at`: nothing can be entered before it happened.
    EnteredBeforeHappened {
        at: String,
        recorded_at: String,
    },
    /// The event is dated before the ticket's first record.
    BeforeHistory {
        first: String,
    },
    VoidOfRecord,
    VoidOfVoid,
    VoidNoTarget,
    VoidAmbiguous(usize),
    VoidBeforeTarget,
    VoidAlreadyVoided {
        by: String,
    },
    /// Voiding (or inserting) this event would leave a later event of the ticket invalid.
    LeavesInvalid {
        event: &'static str,
        at: String,
        why: Box<Refusal>,
    },
}

fn state_name(s: Option<State>, lang: Lang) -> &'static str {
    match s {
        None => lang.t("未派发", "not dispatched"),
        Some(s) => s.name(lang),
    }
}

impl Refusal {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::EnteredBeforeHappened { .. }
            | Refusal::BeforeHistory { .. }
            | Refusal::VoidOfRecord
            | Refusal::VoidOfVoid
            | Refusal::VoidNoTarget
            | Refusal::VoidAmbiguous(_)
            | Refusal::VoidBeforeTarget
            | Refusal::VoidAlreadyVoided { .. }
            | Refusal::LeavesInvalid { .. } => self.correction_message(lang),
            _ => self.rule_message(lang),
        }
    }

    /// Refusals of the state rules.
    fn rule_message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::NoRecord, Lang::Zh) => "没有该工单的记录(请先导入工单)".into(),
            (Refusal::NoRecord, Lang::En) => {
                "no record of this ticket (import the ticket first)".into()
            }
            (Refusal::FirstRecordNeedsUnit, Lang::Zh) => "工单的第一条记录必须有承办单位".into(),
            (Refusal::FirstRecordNeedsUnit, Lang::En) => {
                "the first record of a ticket must carry `unit`".into()
            }
            (
                Refusal::WrongState {
                    event,
                    state,
                    allowed,
                },
                l,
            ) => {
                let allowed: Vec<&str> = allowed.iter().map(|s| state_name(*s, l)).collect();
                match l {
                    Lang::Zh => format!(
                        "工单当前为「{}」,不能{};只有「{}」状态可以",
                        state_name(*state, l),
                        event_zh(event),
                        allowed.join("」「")
                    ),
                    Lang::En => format!(
                        "the ticket is {}: `{}` is allowed only when it is {}",
                        state_name(*state, l),
                        event,
                        allowed.join(" or ")
                    ),
                }
            }
            (Refusal::NeverSigned, Lang::Zh) => "工单尚未签收,不能记录联系".into(),
            (Refusal::NeverSigned, Lang::En) => {
                "the ticket was never signed: a contact needs a sign first".into()
            }
            (
                Refusal::UnitMismatch {
                    event,
                    given,
                    expected,
                },
                Lang::Zh,
            ) => format!(
                "{}单位「{given}」不是最近派发的单位「{expected}」",
                event_zh(event)
            ),
            (
                Refusal::UnitMismatch {
                    event,
                    given,
                    expected,
                },
                Lang::En,
            ) => format!("`{event}` by {given}, but the latest dispatch went to {expected}"),
            (
                Refusal::DeadlineBeforeSign {
                    deadline,
                    sign_date,
                },
                Lang::Zh,
            ) => format!("承诺时限 {deadline} 早于签收日期 {sign_date}"),
            (
                Refusal::DeadlineBeforeSign {
                    deadline,
                    sign_date,
                },
                Lang::En,
            ) => format!("deadline {deadline} is before the signing date {sign_date}"),
            (Refusal::RevisitNeedsDeadline, Lang::Zh) => "回访不满意须给出新的承诺时限".into(),
            (Refusal::RevisitNeedsDeadline, Lang::En) => {
                "an unsatisfied revisit needs a new `deadline`".into()
            }
            (Refusal::RevisitDeadlineNotAllowed, Lang::Zh) => {
                "只有回访不满意时才能给出新时限".into()
            }
            (Refusal::RevisitDeadlineNotAllowed, Lang::En) => {
                "a `deadline` is allowed only on an unsatisfied revisit".into()
            }
            (Refusal::NotSummoned(d), Lang::Zh) => format!("「{d}」没有被吹哨召集"),
            (Refusal::NotSummoned(d), Lang::En) => {
                format!("{d} was not summoned by an earlier whistle")
            }
            (Refusal::NoWhistle, Lang::Zh) => "该工单还没有吹哨召集部门".into(),
            (Refusal::NoWhistle, Lang::En) => "the ticket has summoned no department yet".into(),
            (Refusal::Malformed(m), l) => m.get(l).to_string(),
            (other, l) => other.correction_message(l),
        }
    }

    /// Refusals of times and corrections.
    fn correction_message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::EnteredBeforeHappened { at, recorded_at }, Lang::Zh) => {
                format!("发生时间 {at} 晚于录入时间 {recorded_at}:不能录入尚未发生的事")
            }
            (Refusal::EnteredBeforeHappened { at, recorded_at }, Lang::En) => format!(
                "`at` {at} is later than `recorded_at` {recorded_at}: nothing can be entered before it happens"
            ),
            (Refusal::BeforeHistory { first }, Lang::Zh) => {
                format!("时间早于该工单的第一条记录({first})")
            }
            (Refusal::BeforeHistory { first }, Lang::En) => {
                format!("the time is earlier than the ticket's first record ({first})")
            }
            (Refusal::VoidOfRecord, Lang::Zh) => "工单记录不能撤销".into(),
            (Refusal::VoidOfRecord, Lang::En) => "a ticket record cannot be voided".into(),
            (Refusal::VoidOfVoid, Lang::Zh) => "撤销记录本身不能再撤销".into(),
            (Refusal::VoidOfVoid, Lang::En) => "a void cannot be voided".into(),
            (Refusal::VoidNoTarget, Lang::Zh) => "该工单没有与之对应的记录(类型和时间)".into(),
            (Refusal::VoidNoTarget, Lang::En) => {
                "the ticket has no event of that type at that time".into()
            }
            (Refusal::VoidAmbiguous(n), Lang::Zh) => {
                format!("有 {n} 条记录与之对应,请给出录入时间(recorded_at)以区分")
            }
            (Refusal::VoidAmbiguous(n), Lang::En) => {
                format!("{n} events match the target: give its `recorded_at` to tell them apart")
            }
            (Refusal::VoidBeforeTarget, Lang::Zh) => "撤销时间早于被撤销的记录".into(),
            (Refusal::VoidBeforeTarget, Lang::En) => {
                "the void is dated before the event it annuls".into()
            }
            (Refusal::VoidAlreadyVoided { by }, Lang::Zh) => {
                format!("该记录已被撤销({by})")
            }
            (Refusal::VoidAlreadyVoided { by }, Lang::En) => {
                format!("that event is already voided (by the void at {by})")
            }
            (Refusal::LeavesInvalid { event, at, why }, Lang::Zh) => format!(
                "会使其后 {at} 的「{}」失效:{}(请先撤销那一条)",
                event_zh(event),
                why.message(Lang::Zh)
            ),
            (Refusal::LeavesInvalid { event, at, why }, Lang::En) => format!(
                "it would leave the later `{event}` at {at} invalid: {} (void that one first)",
                why.message(Lang::En)
            ),
            (other, l) => other.rule_message(l),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// The Chinese name of an event type.
pub fn event_zh(ty: &str) -> &'static str {
    super::event::type_name_in(ty, Lang::Zh)
}

/// The first answer of a unit after the first dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstAnswer {
    Sign(String),
    Return,
}

/// A ticket as its events leave it.
#[derive(Debug, Clone, Default)]
pub struct Ticket {
    pub id: String,
    pub record: TicketRecord,
    pub has_record: bool,
    pub state: Option<State>,
    pub first_dispatch: Option<(DateTime<Utc>, String)>,
    pub latest_dispatch_unit: Option<String>,
    /// When the latest dispatch was made (a re-dispatch moves it).
    pub latest_dispatch_at: Option<DateTime<Utc>>,
    pub first_answer: Option<FirstAnswer>,
    pub signed: bool,
    pub latest_sign_date: Option<NaiveDate>,
    /// The effective deadline.
    pub deadline: Option<NaiveDate>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub last_contact: Option<DateTime<Utc>>,
    pub last_reached: Option<DateTime<Utc>>,
    pub summoned: Vec<String>,
    pub extensions: u32,
    pub events: u32,
}

const ANY_DISPATCHABLE: &[Option<State>] =
    &[None, Some(State::AwaitingSign), Some(State::Returned)];
const AWAITING: &[Option<State>] = &[Some(State::AwaitingSign)];
const IN_PROGRESS: &[Option<State>] = &[Some(State::InProgress)];
const RESOLVED: &[Option<State>] = &[Some(State::Resolved)];

impl Ticket {
    pub fn new(id: &str) -> Ticket {
        Ticket {
            id: id.to_string(),
            ..Default::default()
        }
    }

    /// Builds a ticket from events already accepted, in application order.
    pub fn from_events<'a>(
        id: &str,
        tz: Tz,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Ticket {
        let events: Vec<&Event> = events.into_iter().collect();
        let voided = if super::void::has_voids(&events) {
            super::void::voided_by(&events)
        } else {
            vec![None; events.len()]
        };
        let mut t = Ticket::new(id);
        for (e, v) in events.into_iter().zip(voided) {
            // Stored events were all accepted once; a refusal here cannot happen, and if the
            // store held one anyway it is skipped rather than crash the view.
            if v.is_none() {
                let _ = t.apply(e, tz);
            }
        }
        t
    }

    fn check_state(
        &self,
        event: &'static str,
        allowed: &'static [Option<State>],
    ) -> Result<(), Refusal> {
        if allowed.contains(&self.state) {
            Ok(())
        } else {
            Err(Refusal::WrongState {
                event,
                state: self.state,
                allowed,
            })
        }
    }

    fn check_unit(&self, event: &'static str, unit: &str) -> Result<(), Refusal> {
        let expected = self.latest_dispatch_unit.clone().unwrap_or_default();
        if unit.trim() == expected.trim() {
            Ok(())
        } else {
            Err(Refusal::UnitMismatch {
                event,
                given: unit.to_string(),
                expected,
            })
        }
    }

    fn check_deadline(&self, deadline: NaiveDate) -> Result<(), Refusal> {
        match self.latest_sign_date {
            Some(s) if deadline < s => Err(Refusal::DeadlineBeforeSign {
                deadline,
                sign_date: s,
            }),
            _ => Ok(()),
        }
    }

    /// Whether an event of type `event` may be recorded in the ticket's present state (the
    /// state part of `check`: what the app asks before it opens a dialog).
    pub fn allows(&self, event: &'static str) -> Result<(), Refusal> {
        if event == "whistle_response" && self.has_record && self.summoned.is_empty() {
            // Before any department is named nobody can answer (an event names its department,
            // and `check` says that one was not summoned).
            return Err(Refusal::NoWhistle);
        }
        self.state_allows(event)
    }

    fn state_allows(&self, event: &'static str) -> Result<(), Refusal> {
        if event == "ticket" {
            return Ok(());
        }
        if !self.has_record {
            return Err(Refusal::NoRecord);
        }
        match event {
            "dispatch" => self.check_state(event, ANY_DISPATCHABLE),
            "return" | "sign" => self.check_state(event, AWAITING),
            "contact" if !self.signed => Err(Refusal::NeverSigned),
            "extend" | "resolve" => self.check_state(event, IN_PROGRESS),
            "revisit" | "reopen" => self.check_state(event, RESOLVED),
            _ => Ok(()),
        }
    }

    /// Checks an event against the current state; nothing changes when it is refused.
    pub fn check(&self, e: &Event, tz: Tz) -> Result<(), Refusal> {
        let ty = e.kind.type_name();
        if let Some(r) = e.recorded_at {
            if r.with_timezone(&Utc) < e.instant() {
                return Err(Refusal::EnteredBeforeHappened {
                    at: super::time_text::second(tz, &e.instant()),
                    recorded_at: super::time_text::second(tz, &r.to_utc()),
                });
            }
        }
        if let EventKind::Ticket(r) = &e.kind {
            if !self.has_record && r.unit.as_deref().is_none_or(|u| u.trim().is_empty()) {
                return Err(Refusal::FirstRecordNeedsUnit);
            }
            return Ok(());
        }
        // The state part, shared with what the app asks before it opens a dialog.
        self.state_allows(ty)?;
        match &e.kind {
            EventKind::Return { unit, .. } => self.check_unit(ty, unit),
            EventKind::Sign { unit, deadline, .. } => {
                self.check_unit(ty, unit)?;
                let d = local_date(tz, &e.at);
                if *deadline < d {
                    return Err(Refusal::DeadlineBeforeSign {
                        deadline: *deadline,
                        sign_date: d,
                    });
                }
                Ok(())
            }
            EventKind::Extend { deadline, .. } | EventKind::Reopen { deadline, .. } => {
                self.check_deadline(*deadline)
            }
            EventKind::Revisit {
                satisfaction,
                deadline,
            } => match (satisfaction, deadline) {
                (Satisfaction::Unsatisfied, None) => Err(Refusal::RevisitNeedsDeadline),
                (Satisfaction::Unsatisfied, Some(d)) => self.check_deadline(*d),
                (_, Some(_)) => Err(Refusal::RevisitDeadlineNotAllowed),
                (_, None) => Ok(()),
            },
            EventKind::WhistleResponse { department, .. } => {
                if self.summoned.iter().any(|d| d.trim() == department.trim()) {
                    Ok(())
                } else {
                    Err(Refusal::NotSummoned(department.clone()))
                }
            }
            EventKind::Ticket(_)
            | EventKind::Dispatch { .. }
            | EventKind::Contact { .. }
            | EventKind::Resolve
            | EventKind::Whistle { .. }
            | EventKind::Escalate { .. }
            | EventKind::Note
            | EventKind::Meeting { .. }
            | EventKind::Void { .. } => Ok(()),
        }
    }

    /// Applies an event after checking it.
    pub fn apply(&mut self, e: &Event, tz: Tz) -> Result<(), Refusal> {
        self.check(e, tz)?;
        let at = e.instant();
        self.events += 1;
        match &e.kind {
            EventKind::Ticket(r) => {
                self.record.merge(r);
                self.has_record = true;
            }
            EventKind::Dispatch { unit } => {
                if self.first_dispatch.is_none() {
                    self.first_dispatch = Some((at, unit.clone()));
                }
                self.latest_dispatch_unit = Some(unit.clone());
                self.latest_dispatch_at = Some(at);
                self.state = Some(State::AwaitingSign);
            }
            EventKind::Return { .. } => {
                if self.first_answer.is_none() {
                    self.first_answer = Some(FirstAnswer::Return);
                }
                self.state = Some(State::Returned);
            }
            EventKind::Sign { unit, deadline, .. } => {
                if self.first_answer.is_none() {
                    self.first_answer = Some(FirstAnswer::Sign(unit.clone()));
                }
                self.signed = true;
                self.latest_sign_date = Some(local_date(tz, &e.at));
                self.deadline = Some(*deadline);
                self.state = Some(State::InProgress);
            }
            EventKind::Contact { outcome, .. } => {
                self.last_contact = Some(at);
                if *outcome == Outcome::Reached {
                    self.last_reached = Some(at);
                }
            }
            EventKind::Extend { deadline, .. } => {
                self.deadline = Some(*deadline);
                self.extensions += 1;
            }
            EventKind::Resolve => {
                self.resolved_at = Some(at);
                self.state = Some(State::Resolved);
            }
            EventKind::Revisit {
                satisfaction,
                deadline,
            } => {
                if *satisfaction == Satisfaction::Unsatisfied {
                    self.deadline = *deadline;
                    self.state = Some(State::InProgress);
                }
            }
            EventKind::Reopen { deadline, .. } => {
                self.deadline = Some(*deadline);
                self.state = Some(State::InProgress);
            }
            EventKind::Whistle { departments } => {
                for d in departments {
                    if !self.summoned.contains(d) {
                        self.summoned.push(d.clone());
                    }
                }
            }
            EventKind::WhistleResponse { .. }
            | EventKind::Escalate { .. }
            | EventKind::Note
            | EventKind::Meeting { .. }
            | EventKind::Void { .. } => {}
        }
        Ok(())
    }

    /// The unit the ticket is with now: the latest dispatch, else the record's unit.
    pub fn unit(&self) -> &str {
        self.latest_dispatch_unit
            .as_deref()
            .or(self.record.unit.as_deref())
            .unwrap_or("")
    }

    /// Overdue on `today`: in progress and past its effective deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state == Some(State::InProgress) && self.deadline.is_some_and(|d| today > d)
    }

    /// The local date the ticket was resolved on, when it is resolved.
    pub fn resolution_date(&self, tz: Tz) -> Option<NaiveDate> {
        (self.state == Some(State::Resolved))
            .then(|| self.resolved_at.map(|t| local_date(tz, &t)))
            .flatten()
    }
}

/// Sorts events into application order: by instant, ties in their given order.
pub fn application_order(events: &mut [Event]) {
    events.sort_by_key(|e| e.instant());
}
