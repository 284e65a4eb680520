//! The recording subcommands (dispatch, sign, return, contact, extend, resolve, revisit,
//! reopen, whistle, respond, escalate, meeting, note, void): one enum, and one function that builds each one's event.

use super::args::{self, MAX_NAME, MAX_TEXT};
use super::Context;
use crate::domain::event::{
    Channel, Event, EventKind, Outcome, Satisfaction, VoidTarget, EVENT_TYPES,
};
use crate::ledger::Ledger;
use anyhow::{anyhow, bail, Result};
use chrono::{DateTime, FixedOffset};
use clap::{Args, Subcommand, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum SatisfactionArg {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ChannelArg {
    Phone,
    Visit,
    Sms,
    Wechat,
    Other,
}

/// When it happened and a note, for every recording subcommand.
#[derive(Args, Debug, Clone)]
pub struct EventArgs {
    /// When it happened (RFC 3339, or YYYY-MM-DD HH:MM in the local zone; a contact, resolve,
    /// revisit or meeting needs the time of day, not a date alone) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum RecordCmd {
    /// Send a ticket (back) to a unit
    Dispatch {
        id: String,
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// The unit signs for the ticket and commits a deadline
    Sign {
        id: String,
        /// Committed deadline, YYYY-MM-DD
        #[arg(long)]
        deadline: String,
        /// The signing unit [default: the unit of the latest dispatch]
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        plan: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// The unit says the ticket is not theirs
    Return {
        id: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// A call, visit, SMS or chat with the citizen (reached: --note says what they were told)
    Contact {
        id: String,
        #[arg(long, value_enum, default_value = "phone")]
        channel: ChannelArg,
        /// The citizen was not reached
        #[arg(long)]
        unreached: bool,
        #[arg(long)]
        person: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// Change the deadline
    Extend {
        id: String,
        #[arg(long)]
        deadline: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// The problem is solved
    Resolve {
        id: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// The citizen's verdict after resolution (unsatisfied needs --deadline)
    Revisit {
        id: String,
        #[arg(long, value_enum)]
        satisfaction: SatisfactionArg,
        #[arg(long)]
        deadline: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// Take a resolved ticket up again
    Reopen {
        id: String,
        #[arg(long)]
        deadline: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// Add a note to a ticket
    Note {
        id: String,
        text: String,
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// 一哨联办: summon several departments to work on the ticket together
    Whistle {
        id: String,
        /// A department to summon (give it once per department)
        #[arg(long = "department", value_name = "NAME", required = true)]
        departments: Vec<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// A summoned department answers the whistle (and says whether its part is resolved)
    Respond {
        id: String,
        #[arg(long, value_name = "NAME")]
        department: String,
        /// The department resolved its part
        #[arg(long)]
        resolved: bool,
        #[command(flatten)]
        common: EventArgs,
    },
    /// 每月一办: raise the ticket to a monthly topic of the working group
    Escalate {
        id: String,
        #[arg(long)]
        topic: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// 居民议事: residents, the community, the property company, experts met on the ticket and
    /// agreed a decision
    Meeting {
        id: String,
        /// Who took part, a name or a role (give it once per participant)
        #[arg(long = "participant", value_name = "NAME", required = true)]
        participants: Vec<String>,
        /// What they decided
        #[arg(long)]
        decision: String,
        /// The plan agreed, if any
        #[arg(long)]
        plan: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// Annul an event recorded by mistake (it stays in the timeline, marked); record the right
    /// one afterwards if there is one
    Void {
        id: String,
        /// The event to annul by its number in `genban show ID` (#1 is the oldest)
        #[arg(long, value_name = "N", conflicts_with_all = ["event_type", "at", "recorded_at"])]
        event: Option<usize>,
        /// The type of the event to annul (contact, sign, resolve, …), with --at
        #[arg(
            long = "type",
            value_name = "TYPE",
            required_unless_present = "event",
            requires = "at"
        )]
        event_type: Option<String>,
        /// When the event to annul happened (its `at`), with --type
        #[arg(long, value_name = "TIME", requires = "event_type")]
        at: Option<String>,
        /// When it was entered, to tell apart two events at the same time
        #[arg(long, value_name = "TIME")]
        recorded_at: Option<String>,
        /// Why it is annulled
        #[arg(long)]
        reason: String,
    },
}

impl RecordCmd {
    /// The ticket the command records on, as typed.
    pub fn raw_id(&self) -> &str {
        match self {
            RecordCmd::Dispatch { id, .. }
            | RecordCmd::Sign { id, .. }
            | RecordCmd::Return { id, .. }
            | RecordCmd::Contact { id, .. }
            | RecordCmd::Extend { id, .. }
            | RecordCmd::Resolve { id, .. }
            | RecordCmd::Revisit { id, .. }
            | RecordCmd::Reopen { id, .. }
            | RecordCmd::Note { id, .. }
            | RecordCmd::Whistle { id, .. }
            | RecordCmd::Respond { id, .. }
            | RecordCmd::Escalate { id, .. }
            | RecordCmd::Meeting { id, .. }
            | RecordCmd::Void { id, .. } => id,
        }
    }

    /// The event this command records, its arguments checked. Nothing is written here.
    pub fn event(self, ledger: &Ledger, ctx: &Context) -> Result<Event> {
        let id = args::ticket_id(self.raw_id(), ctx.lang)?;
        let c = Checker {
            ledger,
            ctx,
            id: &id,
        };
        if let Some(e) = self.special(&c)? {
            return Ok(e);
        }
        let (when, note, kind) = match (self.first_round(&c)?, self.joint(&c)?) {
            (Some(x), _) | (None, Some(x)) => x,
            (None, None) => self.follow_up(&c)?,
        };
        let note = c.opt(note, "--note", MAX_TEXT)?;
        Ok(Event::new(&id, when, kind).with_note(note))
    }

    /// A note and a void: built whole here.
    fn special(&self, c: &Checker) -> Result<Option<Event>> {
        let id = c.id;
        match self {
            RecordCmd::Note {
                text: t, at: when, ..
            } => {
                let e = Event::new(id, c.at(when)?, EventKind::Note);
                Ok(Some(e.with_note(Some(c.text(t, "TEXT")?))))
            }
            RecordCmd::Void {
                event,
                event_type,
                at: target_at,
                recorded_at,
                reason,
                ..
            } => {
                let target = match (event, event_type, target_at) {
                    (Some(n), _, _) => numbered_target(c.ledger, id, *n, c.ctx)?,
                    (None, Some(ty), Some(at)) => {
                        void_target(c.ledger, id, ty, at, recorded_at, c.ctx)?
                    }
                    _ => bail!(
                        "{}",
                        c.ctx.lang.t(
                            "请用 --event N(见 genban show 的编号)或 --type 加 --at 指明要撤销的事件",
                            "name the event to void: --event N (as numbered by genban show) or --type with --at"
                        )
                    ),
                };
                let kind = EventKind::Void {
                    target,
                    reason: c.text(reason, "--reason")?,
                };
                Ok(Some(Event::new(id, c.now(), kind)))
            }
            _ => Ok(None),
        }
    }

    /// The dispatch, the unit's answer and calls: (when, note, kind).
    #[allow(clippy::type_complexity)]
    fn first_round(
        &self,
        c: &Checker,
    ) -> Result<Option<(DateTime<FixedOffset>, &Option<String>, EventKind)>> {
        Ok(Some(match self {
            RecordCmd::Dispatch { unit, common, .. } => (
                c.at(&common.at)?,
                &common.note,
                EventKind::Dispatch {
                    unit: c.name(unit, "--unit")?,
                },
            ),
            RecordCmd::Sign {
                deadline,
                unit,
                plan,
                common,
                ..
            } => (
                c.at(&common.at)?,
                &common.note,
                EventKind::Sign {
                    unit: c.unit_or_latest(unit)?,
                    deadline: c.day(deadline)?,
                    plan: c.opt(plan, "--plan", MAX_TEXT)?,
                },
            ),
            RecordCmd::Return {
                reason,
                unit,
                common,
                ..
            } => (
                c.at(&common.at)?,
                &common.note,
                EventKind::Return {
                    reason: c.text(reason, "--reason")?,
                    unit: c.unit_or_latest(unit)?,
                },
            ),
            RecordCmd::Contact {
                channel,
                unreached,
                person,
                common,
                ..
            } => (
                c.contact_moment(*unreached, common)?,
                &common.note,
                EventKind::Contact {
                    channel: channel_of(*channel),
                    outcome: if *unreached {
                        Outcome::Unreached
                    } else {
                        Outcome::Reached
                    },
                    contact_person: c.opt(person, "--person", MAX_NAME)?,
                },
            ),
            _ => return Ok(None),
        }))
    }

    /// Whistles, responses, escalations and meetings: (when, note, kind).
    #[allow(clippy::type_complexity)]
    fn joint(
        &self,
        c: &Checker,
    ) -> Result<Option<(DateTime<FixedOffset>, &Option<String>, EventKind)>> {
        Ok(Some(match self {
            RecordCmd::Whistle {
                departments,
                common,
                ..
            } => {
                let mut names = Vec::new();
                for d in departments {
                    let d = c.name(d, "--department")?;
                    if !names.contains(&d) {
                        names.push(d);
                    }
                }
                (
                    c.at(&common.at)?,
                    &common.note,
                    EventKind::Whistle { departments: names },
                )
            }
            RecordCmd::Respond {
                department,
                resolved,
                common,
                ..
            } => {
                let department = c.name(department, "--department")?;
                (
                    c.answer_time(&department, &common.at)?,
                    &common.note,
                    EventKind::WhistleResponse {
                        department,
                        resolved: Some(*resolved),
                    },
                )
            }
            RecordCmd::Escalate { topic, common, .. } => (
                c.at(&common.at)?,
                &common.note,
                EventKind::Escalate {
                    topic: c.name(topic, "--topic")?,
                },
            ),
            RecordCmd::Meeting {
                participants,
                decision,
                plan,
                common,
                ..
            } => (
                c.moment(&common.at)?,
                &common.note,
                EventKind::Meeting {
                    participants: c.names(participants, "--participant")?,
                    decision: c.text(decision, "--decision")?,
                    plan: c.opt(plan, "--plan", MAX_TEXT)?,
                },
            ),
            _ => return Ok(None),
        }))
    }

    /// Extensions, resolution, revisits, reopening: (when, note, kind).
    fn follow_up(
        &self,
        c: &Checker,
    ) -> Result<(DateTime<FixedOffset>, &Option<String>, EventKind)> {
        Ok(match self {
            RecordCmd::Extend {
                deadline,
                reason,
                common,
                ..
            } => (
                c.at(&common.at)?,
                &common.note,
                EventKind::Extend {
                    deadline: c.day(deadline)?,
                    reason: c.text(reason, "--reason")?,
                },
            ),
            RecordCmd::Resolve { common, .. } => {
                (c.moment(&common.at)?, &common.note, EventKind::Resolve)
            }
            RecordCmd::Revisit {
                satisfaction,
                deadline,
                common,
                ..
            } => (
                c.moment(&common.at)?,
                &common.note,
                EventKind::Revisit {
                    satisfaction: satisfaction_of(*satisfaction),
                    deadline: deadline.as_deref().map(|d| c.day(d)).transpose()?,
                },
            ),
            RecordCmd::Reopen {
                deadline,
                reason,
                common,
                ..
            } => (
                c.at(&common.at)?,
                &common.note,
                EventKind::Reopen {
                    deadline: c.day(deadline)?,
                    reason: c.text(reason, "--reason")?,
                },
            ),
            _ => bail!(
                "{}",
                c.ctx.lang.t("不是登记命令", "not a recording command")
            ),
        })
    }
}

/// The checks of a recording command's arguments, for one ticket.
struct Checker<'a> {
    ledger: &'a Ledger,
    ctx: &'a Context,
    id: &'a str,
}

impl Checker<'_> {
    /// Now, in the configured zone (the default `at`).
    fn now(&self) -> DateTime<FixedOffset> {
        let tz = self.ctx.clock.tz;
        self.ctx.clock.now().with_timezone(&tz).fixed_offset()
    }
    /// `--at`, or now.
    fn at(&self, when: &Option<String>) -> Result<DateTime<FixedOffset>> {
        match when {
            Some(s) => args::time(s, "--at", self.ctx.clock.tz, self.ctx.lang),
            None => Ok(self.now()),
        }
    }
    /// `--at` of something that happened at a time of day (a date alone refused), or now.
    fn moment(&self, when: &Option<String>) -> Result<DateTime<FixedOffset>> {
        match when {
            Some(s) => args::moment(s, "--at", self.ctx.clock.tz, self.ctx.lang),
            None => Ok(self.now()),
        }
    }
    /// A contact's moment; a reached one must say what the citizen was told (`--note`).
    fn contact_moment(&self, unreached: bool, common: &EventArgs) -> Result<DateTime<FixedOffset>> {
        let at = self.moment(&common.at)?;
        if !unreached && common.note.is_none() {
            bail!(
                "--note: {}",
                self.ctx.lang.t(
                    "已联系上的联系须写明沟通内容(告诉诉求人什么);没联系上请加 --unreached",
                    "a reached contact needs what the citizen was told; add --unreached if they were not reached"
                )
            );
        }
        Ok(at)
    }
    /// An answer's `--at` (or now), refused at or before the whistle it answers.
    fn answer_time(
        &self,
        department: &str,
        when: &Option<String>,
    ) -> Result<DateTime<FixedOffset>> {
        let at = self.at(when)?;
        let log = self.ledger.events(self.id)?;
        match crate::tui::dialogs::respond::too_early(&log, department, at, self.ctx.lang) {
            Some(msg) => bail!("{msg}"),
            None => Ok(at),
        }
    }
    fn name(&self, v: &str, flag: &str) -> Result<String> {
        args::required(v, flag, MAX_NAME, self.ctx.lang)
    }
    /// Names given once each (`--participant`): each checked, repeats dropped.
    fn names(&self, given: &[String], flag: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for v in given {
            let v = self.name(v, flag)?;
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Ok(out)
    }
    fn text(&self, v: &str, flag: &str) -> Result<String> {
        args::required(v, flag, MAX_TEXT, self.ctx.lang)
    }
    /// `--deadline`.
    fn day(&self, v: &str) -> Result<chrono::NaiveDate> {
        args::day(v, "--deadline", self.ctx.lang)
    }
    fn opt(&self, v: &Option<String>, flag: &str, max: usize) -> Result<Option<String>> {
        args::optional(v.as_deref(), flag, max, self.ctx.lang)
    }
    /// `--unit`, or the unit of the latest dispatch.
    fn unit_or_latest(&self, unit: &Option<String>) -> Result<String> {
        match unit {
            Some(u) => self.name(u, "--unit"),
            None => latest_unit(self.ledger, self.id, self.ctx),
        }
    }
}

/// The target of a void. The program always writes the target's `recorded_at`: when the
/// command does not give it and one event matches, it is taken from that event.
fn void_target(
    ledger: &Ledger,
    id: &str,
    event_type: &str,
    at: &str,
    recorded_at: &Option<String>,
    ctx: &Context,
) -> Result<VoidTarget> {
    let (tz, lang) = (ctx.clock.tz, ctx.lang);
    let event_type = event_type.trim();
    if !EVENT_TYPES.contains(&event_type) {
        bail!(
            "--type: `{}` {} ({})",
            crate::text::sanitize(event_type),
            lang.t("不是事件类型", "is not an event type"),
            EVENT_TYPES.join(", ")
        );
    }
    let mut target = VoidTarget {
        event_type: event_type.to_string(),
        at: args::time(at, "--at", tz, lang)?,
        recorded_at: recorded_at
            .as_deref()
            .map(|r| args::time(r, "--recorded-at", tz, lang))
            .transpose()?,
    };
    if target.recorded_at.is_none() {
        let events = ledger.events(id)?;
        let matching: Vec<&Event> = events.iter().filter(|e| target.matches(e)).collect();
        if let [one] = matching.as_slice() {
            target.recorded_at = Some(one.recorded_at.unwrap_or(one.at));
        }
    }
    Ok(target)
}

/// The target of a void named by its number in `show` (1 = the oldest, application order).
fn numbered_target(ledger: &Ledger, id: &str, n: usize, ctx: &Context) -> Result<VoidTarget> {
    let lang = ctx.lang;
    let events = ledger.events(id)?;
    if events.is_empty() {
        bail!("{} {id}", lang.t("没有这个工单:", "no such ticket:"));
    }
    match n.checked_sub(1).and_then(|i| events.get(i)) {
        Some(e) => Ok(VoidTarget::of(e)),
        None => bail!(
            "--event {n}: {}",
            match lang {
                crate::i18n::Lang::Zh => format!(
                    "工单 {id} 只有 {} 条事件(编号 1–{},见 genban show {id})",
                    events.len(),
                    events.len()
                ),
                crate::i18n::Lang::En => format!(
                    "ticket {id} has {} events (numbers 1–{}, see genban show {id})",
                    events.len(),
                    events.len()
                ),
            }
        ),
    }
}

fn latest_unit(ledger: &Ledger, id: &str, ctx: &Context) -> Result<String> {
    let lang = ctx.lang;
    let (row, _) = ledger
        .ticket(id, ctx.clock.today())?
        .ok_or_else(|| anyhow!("{} {id}", lang.t("没有这个工单:", "no such ticket:")))?;
    row.ticket().latest_dispatch_unit.clone().ok_or_else(|| {
        anyhow!(
            "{id}: {}",
            lang.t("工单尚未派发", "the ticket was never dispatched")
        )
    })
}

fn channel_of(c: ChannelArg) -> Channel {
    match c {
        ChannelArg::Phone => Channel::Phone,
        ChannelArg::Visit => Channel::Visit,
        ChannelArg::Sms => Channel::Sms,
        ChannelArg::Wechat => Channel::Wechat,
        ChannelArg::Other => Channel::Other,
    }
}

fn satisfaction_of(s: SatisfactionArg) -> Satisfaction {
    match s {
        SatisfactionArg::Satisfied => Satisfaction::Satisfied,
        SatisfactionArg::BasicallySatisfied => Satisfaction::BasicallySatisfied,
        SatisfactionArg::Unsatisfied => Satisfaction::Unsatisfied,
    }
}
