//! The event log's records: one immutable event a line, as DOMAIN.md describes.
//!
//! Parsing is strict about what DOMAIN.md requires (missing fields, unknown types and values,
//! times that do not parse) and gives a reason a specialist can read.

use crate::i18n::Msg;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde_json::{Map, Value};
use std::fmt;

/// 满意度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [
        Satisfaction::Satisfied,
        Satisfaction::BasicallySatisfied,
        Satisfaction::Unsatisfied,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::BasicallySatisfied => "basically_satisfied",
            Satisfaction::Unsatisfied => "unsatisfied",
        }
    }
    /// Accepts the code names and the Chinese words.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "satisfied" | "满意" => Some(Satisfaction::Satisfied),
            "basically_satisfied" | "基本满意" => Some(Satisfaction::BasicallySatisfied),
            "unsatisfied" | "不满意" => Some(Satisfaction::Unsatisfied),
            _ => None,
        }
    }
}

/// How a contact was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Phone,
    Visit,
    Sms,
    Wechat,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Phone,
        Channel::Visit,
        Channel::Sms,
        Channel::Wechat,
        Channel::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Visit => "visit",
            Channel::Sms => "sms",
            Channel::Wechat => "wechat",
            Channel::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// Whether the citizen was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Reached,
    Unreached,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::Unreached => "unreached",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reached" => Some(Outcome::Reached),
            "unreached" => Some(Outcome::Unreached),
            _ => None,
        }
    }
}

/// Where a ticket came from: the hotline (the default), a community workstation (社区工作站),
/// or found by the community before anyone called (未诉先办).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Source {
    #[default]
    Hotline,
    WalkIn,
    Proactive,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Hotline, Source::WalkIn, Source::Proactive];
    pub fn code(self) -> &'static str {
        match self {
            Source::Hotline => "hotline",
            Source::WalkIn => "walk_in",
            Source::Proactive => "proactive",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Source::ALL.into_iter().find(|c| c.code() == s.trim())
    }
}

/// The ticket record fields a `ticket` event may carry; absent fields are unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketRecord {
    pub received_at: Option<DateTime<FixedOffset>>,
    pub complainant: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub community: Option<String>,
    pub address: Option<String>,
    pub category: Option<String>,
    pub title: Option<String>,
    pub content: Option<String>,
    pub unit: Option<String>,
    pub closed_at: Option<DateTime<FixedOffset>>,
    pub reply: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub reasonable: Option<bool>,
    pub source: Option<Source>,
}

/// The string fields of a ticket record, in log order, with accessors.
pub const RECORD_TEXT_FIELDS: [&str; 10] = [
    "complainant",
    "phone",
    "street",
    "community",
    "address",
    "category",
    "title",
    "content",
    "unit",
    "reply",
];

impl TicketRecord {
    pub fn text(&self, field: &str) -> Option<&String> {
        match field {
            "complainant" => self.complainant.as_ref(),
            "phone" => self.phone.as_ref(),
            "street" => self.street.as_ref(),
            "community" => self.community.as_ref(),
            "address" => self.address.as_ref(),
            "category" => self.category.as_ref(),
            "title" => self.title.as_ref(),
            "content" => self.content.as_ref(),
            "unit" => self.unit.as_ref(),
            "reply" => self.reply.as_ref(),
            _ => None,
        }
    }
    fn text_mut(&mut self, field: &str) -> &mut Option<String> {
        match field {
            "complainant" => &mut self.complainant,
            "phone" => &mut self.phone,
            "street" => &mut self.street,
            "community" => &mut self.community,
            "address" => &mut self.address,
            "category" => &mut self.category,
            "title" => &mut self.title,
            "content" => &mut self.content,
            "unit" => &mut self.unit,
            _ => &mut self.reply,
        }
    }
    pub fn set_text(&mut self, field: &str, value: Option<String>) {
        *self.text_mut(field) = value;
    }

    /// The names of the fields this record carries, in log order.
    pub fn present_fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.received_at.is_some() {
            out.push("received_at");
        }
        for f in RECORD_TEXT_FIELDS {
            if f == "reply" && self.closed_at.is_some() {
                out.push("closed_at");
            }
            if self.text(f).is_some() {
                out.push(f);
            }
        }
        let flags = [
            ("satisfaction", self.satisfaction.is_some()),
            ("reasonable", self.reasonable.is_some()),
            ("source", self.source.is_some()),
        ];
        out.extend(flags.into_iter().filter(|(_, on)| *on).map(|(f, _)| f));
        out
    }

    /// Lays `update` over `self`: fields present in `update` replace those here.
    pub fn merge(&mut self, update: &TicketRecord) {
        for f in RECORD_TEXT_FIELDS {
            if let Some(v) = update.text(f) {
                *self.text_mut(f) = Some(v.clone());
            }
        }
        if update.received_at.is_some() {
            self.received_at = update.received_at;
        }
        if update.closed_at.is_some() {
            self.closed_at = update.closed_at;
        }
        if update.satisfaction.is_some() {
            self.satisfaction = update.satisfaction;
        }
        if update.reasonable.is_some() {
            self.reasonable = update.reasonable;
        }
        if update.source.is_some() {
            self.source = update.source;
        }
    }

    /// The fields of `new` that differ from `self` (the content of an update event), or None.
    pub fn changes_from(&self, new: &TicketRecord) -> Option<TicketRecord> {
        let mut d = TicketRecord::default();
        let mut any = false;
        for f in RECORD_TEXT_FIELDS {
            if let Some(v) = new.text(f) {
                if self.text(f) != Some(v) {
                    *d.text_mut(f) = Some(v.clone());
                    any = true;
                }
            }
        }
        let inst = |x: &Option<DateTime<FixedOffset>>| x.map(|t| t.with_timezone(&Utc));
        if new.received_at.is_some() && inst(&new.received_at) != inst(&self.received_at) {
            d.received_at = new.received_at;
            any = true;
        }
        if new.closed_at.is_some() && inst(&new.closed_at) != inst(&self.closed_at) {
            d.closed_at = new.closed_at;
            any = true;
        }
        if new.satisfaction.is_some() && new.satisfaction != self.satisfaction {
            d.satisfaction = new.satisfaction;
            any = true;
        }
        if new.reasonable.is_some() && new.reasonable != self.reasonable {
            d.reasonable = new.reasonable;
            any = true;
        }
        if new.source.is_some() && new.source.unwrap_or_default() != self.source.unwrap_or_default()
        {
            d.source = new.source;
            any = true;
        }
        any.then_some(d)
    }
}

/// What kind of event, with its own fields.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Ticket(Box<TicketRecord>),
    Dispatch {
        unit: String,
    },
    Return {
        unit: String,
        reason: String,
    },
    Sign {
        unit: String,
        deadline: NaiveDate,
        plan: Option<String>,
    },
    Contact {
        channel: Channel,
        outcome: Outcome,
        contact_person: Option<String>,
    },
    Extend {
        deadline: NaiveDate,
        reason: String,
    },
    Resolve,
    Revisit {
        satisfaction: Satisfaction,
        deadline: Option<NaiveDate>,
    },
    Reopen {
        deadline: NaiveDate,
        reason: String,
    },
    Whistle {
        departments: Vec<String>,
    },
    WhistleResponse {
        department: String,
        resolved: Option<bool>,
    },
    Escalate {
        topic: String,
    },
    Note,
    /// 居民议事: residents, the community, the property company, experts met on the ticket
    /// and agreed a decision (and perhaps a plan).
    Meeting {
        participants: Vec<String>,
        decision: String,
        plan: Option<String>,
    },
    /// Annuls an earlier event of the ticket (DOMAIN.md "Corrections").
    Void {
        target: VoidTarget,
        reason: String,
    },
}

/// The event a `void` annuls: its type, the instant of its `at` and, when needed to tell two
/// events apart, the instant of its `recorded_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct VoidTarget {
    pub event_type: String,
    pub at: DateTime<FixedOffset>,
    pub recorded_at: Option<DateTime<FixedOffset>>,
}

impl VoidTarget {
    /// The target naming `e` exactly (the program always writes `recorded_at`).
    pub fn of(e: &Event) -> VoidTarget {
        VoidTarget {
            event_type: e.kind.type_name().to_string(),
            at: e.at,
            recorded_at: Some(e.recorded_at.unwrap_or(e.at)),
        }
    }

    /// Whether `e` is the event named (type, instant of `at`, and of `recorded_at` if given).
    pub fn matches(&self, e: &Event) -> bool {
        e.kind.type_name() == self.event_type
            && e.instant() == self.at.with_timezone(&Utc)
            && self.recorded_at.is_none_or(|r| {
                e.recorded_at.unwrap_or(e.at).with_timezone(&Utc) == r.with_timezone(&Utc)
            })
    }
}

/// Every event type of the log.
pub const EVENT_TYPES: [&str; 15] = [
    "ticket",
    "dispatch",
    "return",
    "sign",
    "contact",
    "extend",
    "resolve",
    "revisit",
    "reopen",
    "whistle",
    "whistle_response",
    "escalate",
    "note",
    "meeting",
    "void",
];

/// An event type's name in a language (the domain's own words; `labels` shows them).
pub fn type_name_in(ty: &str, lang: crate::i18n::Lang) -> &'static str {
    let (zh, en) = match ty {
        "ticket" => ("工单记录", "ticket record"),
        "dispatch" => ("派发", "dispatch"),
        "return" => ("退回", "return"),
        "sign" => ("签收", "sign"),
        "contact" => ("联系", "contact"),
        "extend" => ("延期", "extend"),
        "resolve" => ("解决", "resolve"),
        "revisit" => ("回访评价", "revisit"),
        "reopen" => ("重新办理", "reopen"),
        "whistle" => ("吹哨", "whistle"),
        "whistle_response" => ("吹哨响应", "whistle response"),
        "escalate" => ("每月一办", "monthly case"),
        "note" => ("备注", "note"),
        "meeting" => ("居民议事", "resident meeting"),
        "void" => ("撤销", "void"),
        _ => ("事件", "event"),
    };
    lang.t(zh, en)
}

impl EventKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::Ticket(_) => "ticket",
            EventKind::Dispatch { .. } => "dispatch",
            EventKind::Return { .. } => "return",
            EventKind::Sign { .. } => "sign",
            EventKind::Contact { .. } => "contact",
            EventKind::Extend { .. } => "extend",
            EventKind::Resolve => "resolve",
            EventKind::Revisit { .. } => "revisit",
            EventKind::Reopen { .. } => "reopen",
            EventKind::Whistle { .. } => "whistle",
            EventKind::WhistleResponse { .. } => "whistle_response",
            EventKind::Escalate { .. } => "escalate",
            EventKind::Note => "note",
            EventKind::Meeting { .. } => "meeting",
            EventKind::Void { .. } => "void",
        }
    }
}

/// One event of a ticket's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub ticket: String,
    pub at: DateTime<FixedOffset>,
    pub operator: Option<String>,
    pub recorded_at: Option<DateTime<FixedOffset>>,
    pub note: Option<String>,
    pub kind: EventKind,
}

/// Why a line is not an event, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub Msg);

impl ParseError {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> ParseError {
        ParseError(Msg::new(zh, en))
    }
    pub fn message(&self, lang: crate::i18n::Lang) -> &str {
        self.0.get(lang)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.en)
    }
}

fn err<T>(zh: impl Into<String>, en: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError::new(zh, en))
}

/// Parses an RFC 3339 time with its offset.
pub fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim()).ok()
}

/// Parses a YYYY-MM-DD date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// An event line read field by field (no map is built: reading the log is the hot path).
#[derive(serde::Deserialize, Default)]
struct RawEvent {
    ticket: Option<Value>,
    #[serde(rename = "type")]
    type_: Option<Value>,
    at: Option<Value>,
    operator: Option<Value>,
    recorded_at: Option<Value>,
    note: Option<Value>,
    received_at: Option<Value>,
    complainant: Option<Value>,
    phone: Option<Value>,
    street: Option<Value>,
    community: Option<Value>,
    address: Option<Value>,
    category: Option<Value>,
    title: Option<Value>,
    content: Option<Value>,
    unit: Option<Value>,
    closed_at: Option<Value>,
    reply: Option<Value>,
    satisfaction: Option<Value>,
    reasonable: Option<Value>,
    source: Option<Value>,
    reason: Option<Value>,
    deadline: Option<Value>,
    plan: Option<Value>,
    channel: Option<Value>,
    outcome: Option<Value>,
    contact_person: Option<Value>,
    departments: Option<Value>,
    department: Option<Value>,
    resolved: Option<Value>,
    topic: Option<Value>,
    target: Option<Value>,
    participants: Option<Value>,
    decision: Option<Value>,
}

impl RawEvent {
    fn get(&self, k: &str) -> Option<&Value> {
        match k {
            "ticket" => self.ticket.as_ref(),
            "type" => self.type_.as_ref(),
            "at" => self.at.as_ref(),
            "operator" => self.operator.as_ref(),
            "recorded_at" => self.recorded_at.as_ref(),
            "note" => self.note.as_ref(),
            "received_at" => self.received_at.as_ref(),
            "complainant" => self.complainant.as_ref(),
            "phone" => self.phone.as_ref(),
            "street" => self.street.as_ref(),
            "community" => self.community.as_ref(),
            "address" => self.address.as_ref(),
            "category" => self.category.as_ref(),
            "title" => self.title.as_ref(),
            "content" => self.content.as_ref(),
            "unit" => self.unit.as_ref(),
            "closed_at" => self.closed_at.as_ref(),
            "reply" => self.reply.as_ref(),
            "satisfaction" => self.satisfaction.as_ref(),
            "reasonable" => self.reasonable.as_ref(),
            "source" => self.source.as_ref(),
            "reason" => self.reason.as_ref(),
            "deadline" => self.deadline.as_ref(),
            "plan" => self.plan.as_ref(),
            "channel" => self.channel.as_ref(),
            "outcome" => self.outcome.as_ref(),
            "contact_person" => self.contact_person.as_ref(),
            "departments" => self.departments.as_ref(),
            "department" => self.department.as_ref(),
            "resolved" => self.resolved.as_ref(),
            "topic" => self.topic.as_ref(),
            "target" => self.target.as_ref(),
            "participants" => self.participants.as_ref(),
            "decision" => self.decision.as_ref(),
            _ => None,
        }
    }
}

struct Fields<'a> {
    map: &'a RawEvent,
}

impl<'a> Fields<'a> {
    fn get(&self, k: &str) -> Option<&'a Value> {
        self.map.get(k)
    }
    fn opt_str(&self, k: &str) -> Result<Option<String>, ParseError> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => err(
                format!("字段 `{k}` 应为文本"),
                format!("field `{k}` must be a string"),
            ),
        }
    }
    fn str(&self, k: &str) -> Result<String, ParseError> {
        match self.opt_str(k)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => err(format!("字段 `{k}` 为空"), format!("field `{k}` is empty")),
            None => err(format!("缺少字段 `{k}`"), format!("missing field `{k}`")),
        }
    }
    /// A unit's or department's name: required, stored trimmed.
    fn name(&self, k: &str) -> Result<String, ParseError> {
        Ok(self.str(k)?.trim().to_string())
    }
    fn opt_instant(&self, k: &str) -> Result<Option<DateTime<FixedOffset>>, ParseError> {
        match self.opt_str(k)? {
            None => Ok(None),
            Some(s) => match parse_instant(&s) {
                Some(t) => Ok(Some(t)),
                None => err(
                    format!("字段 `{k}`:`{s}` 不是带时区的 RFC 3339 时间"),
                    format!("field `{k}`: `{s}` is not an RFC 3339 time with offset"),
                ),
            },
        }
    }
    fn opt_date(&self, k: &str) -> Result<Option<NaiveDate>, ParseError> {
        match self.opt_str(k)? {
            None => Ok(None),
            Some(s) => match parse_date(&s) {
                Some(d) => Ok(Some(d)),
                None => err(
                    format!("字段 `{k}`:`{s}` 不是日期(YYYY-MM-DD)"),
                    format!("field `{k}`: `{s}` is not a date (YYYY-MM-DD)"),
                ),
            },
        }
    }
    fn date(&self, k: &str) -> Result<NaiveDate, ParseError> {
        self.opt_date(k)?.map_or_else(
            || err(format!("缺少字段 `{k}`"), format!("missing field `{k}`")),
            Ok,
        )
    }
    fn opt_bool(&self, k: &str) -> Result<Option<bool>, ParseError> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => err(
                format!("字段 `{k}` 应为 true 或 false"),
                format!("field `{k}` must be true or false"),
            ),
        }
    }
    fn opt_satisfaction(&self, k: &str) -> Result<Option<Satisfaction>, ParseError> {
        match self.opt_str(k)? {
            None => Ok(None),
            Some(s) => match Satisfaction::parse(&s) {
                Some(v) => Ok(Some(v)),
                None => err(
                    format!("字段 `{k}`:未知的值 `{s}`(satisfied、basically_satisfied、unsatisfied)"),
                    format!("field `{k}`: unknown value `{s}` (satisfied, basically_satisfied, unsatisfied)"),
                ),
            },
        }
    }
}

impl Event {
    /// A new event with no operator, entry time or note.
    pub fn new(ticket: &str, at: DateTime<FixedOffset>, kind: EventKind) -> Event {
        Event {
            ticket: ticket.to_string(),
            at,
            operator: None,
            recorded_at: None,
            note: None,
            kind,
        }
    }

    /// Adds a note (none when blank).
    pub fn with_note(mut self, note: Option<String>) -> Event {
        self.note = note.filter(|n| !n.trim().is_empty());
        self
    }

    /// The one gate every new event passes before it is stored: the event as the log's reader
    /// reads its written form back (blank required text, untrimmed names and the like are
    /// refused or normalised here exactly as they would be on reading).
    pub fn through_gate(&self) -> Result<Event, ParseError> {
        Event::from_value(&self.to_value())
    }

    /// Parses one JSON line of the event log.
    pub fn from_json_str(line: &str) -> Result<Event, ParseError> {
        match serde_json::from_str::<RawEvent>(line) {
            Ok(raw) => Event::from_raw(&raw),
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                // Valid JSON of the wrong shape (not an object, a repeated key): say which.
                let v: Value = serde_json::from_str(line).map_err(|e| {
                    ParseError::new(
                        format!("不是有效的 JSON:{e}"),
                        format!("not valid JSON: {e}"),
                    )
                })?;
                if v.is_object() {
                    err(
                        format!("不是有效的事件:{e}"),
                        format!("not a valid event: {e}"),
                    )
                } else {
                    err("事件应为 JSON 对象", "an event must be a JSON object")
                }
            }
            Err(e) => err(
                format!("不是有效的 JSON:{e}"),
                format!("not valid JSON: {e}"),
            ),
        }
    }

    pub fn from_value(v: &Value) -> Result<Event, ParseError> {
        if !v.is_object() {
            return err("事件应为 JSON 对象", "an event must be a JSON object");
        }
        let raw: RawEvent = serde_json::from_value(v.clone()).map_err(|e| {
            ParseError::new(
                format!("不是有效的事件:{e}"),
                format!("not a valid event: {e}"),
            )
        })?;
        Event::from_raw(&raw)
    }

    fn from_raw(map: &RawEvent) -> Result<Event, ParseError> {
        let f = Fields { map };
        let ticket = f.str("ticket")?;
        let ty = f.str("type")?;
        let at = f
            .opt_instant("at")?
            .map_or_else(|| err("缺少字段 `at`", "missing field `at`"), Ok)?;
        let operator = f.opt_str("operator")?;
        let recorded_at = f.opt_instant("recorded_at")?;
        let note = f.opt_str("note")?;
        let kind = match ty.as_str() {
            "ticket" => EventKind::Ticket(Box::new(ticket_record(&f)?)),
            "dispatch" => EventKind::Dispatch {
                unit: f.name("unit")?,
            },
            "return" => EventKind::Return {
                unit: f.name("unit")?,
                reason: f.str("reason")?,
            },
            "sign" => EventKind::Sign {
                unit: f.name("unit")?,
                deadline: f.date("deadline")?,
                plan: f.opt_str("plan")?,
            },
            "contact" => {
                let c = f.str("channel")?;
                let o = f.str("outcome")?;
                EventKind::Contact {
                    channel: Channel::parse(&c).map_or_else(
                        || {
                            err(
                                format!("字段 `channel`:未知的值 `{c}`(phone、visit、sms、wechat、other)"),
                                format!("field `channel`: unknown value `{c}` (phone, visit, sms, wechat, other)"),
                            )
                        },
                        Ok,
                    )?,
                    outcome: Outcome::parse(&o).map_or_else(
                        || {
                            err(
                                format!("字段 `outcome`:未知的值 `{o}`(reached、unreached)"),
                                format!("field `outcome`: unknown value `{o}` (reached, unreached)"),
                            )
                        },
                        Ok,
                    )?,
                    contact_person: f.opt_str("contact_person")?,
                }
            }
            "extend" => EventKind::Extend {
                deadline: f.date("deadline")?,
                reason: f.str("reason")?,
            },
            "resolve" => EventKind::Resolve,
            "revisit" => EventKind::Revisit {
                satisfaction: f.opt_satisfaction("satisfaction")?.map_or_else(
                    || err("缺少字段 `satisfaction`", "missing field `satisfaction`"),
                    Ok,
                )?,
                deadline: f.opt_date("deadline")?,
            },
            "reopen" => EventKind::Reopen {
                deadline: f.date("deadline")?,
                reason: f.str("reason")?,
            },
            other => joint_kind(other, &f, note.as_deref())?,
        };
        Ok(Event {
            ticket,
            at,
            operator,
            recorded_at,
            note,
            kind,
        })
    }

    /// The event as a JSON object, keys in a fixed order (the export format).
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        super::event_json::fields(self, &mut m);
        Value::Object(m)
    }

    /// The event as one line of JSON, as `to_value` would print it (written directly).
    pub fn to_json_line(&self) -> String {
        super::event_json::line(self, false)
    }

    /// The instant this event happened.
    pub fn instant(&self) -> DateTime<Utc> {
        self.at.with_timezone(&Utc)
    }

    /// Equality after normalising (DOMAIN.md): times as instants, an absent `recorded_at`
    /// equal to `at`.
    pub fn same_as(&self, other: &Event) -> bool {
        self.normalized_key() == other.normalized_key()
    }

    /// A canonical string for equality after normalising: the JSON line with every time as
    /// its UTC instant and `recorded_at` always given (`at` when absent).
    pub fn normalized_key(&self) -> String {
        super::event_json::line(self, true)
    }
}

/// The events after the first round (whistles, answers, topics, notes, meetings, voids), or
/// an unknown type refused.
fn joint_kind(ty: &str, f: &Fields, note: Option<&str>) -> Result<EventKind, ParseError> {
    Ok(match ty {
        "whistle" => EventKind::Whistle {
            departments: name_list(f, "departments", true)?,
        },
        "whistle_response" => EventKind::WhistleResponse {
            department: f.name("department")?,
            resolved: f.opt_bool("resolved")?,
        },
        "escalate" => EventKind::Escalate {
            topic: f.str("topic")?,
        },
        "note" => {
            if note.is_none_or(|n| n.trim().is_empty()) {
                return err("缺少字段 `note`", "missing field `note`");
            }
            EventKind::Note
        }
        "meeting" => EventKind::Meeting {
            participants: name_list(f, "participants", false)?,
            decision: f.str("decision")?,
            plan: f.opt_str("plan")?,
        },
        "void" => EventKind::Void {
            target: parse_target(f.get("target"))?,
            reason: f.str("reason")?,
        },
        other => {
            return err(
                format!("未知的事件类型 `{other}`"),
                format!("unknown event type `{other}`"),
            )
        }
    })
}

/// A whistle's `departments` or a meeting's `participants`: a non-empty list of names, none
/// blank (departments are names, stored trimmed; participants are kept as written).
fn name_list(f: &Fields, k: &str, trim: bool) -> Result<Vec<String>, ParseError> {
    let list = match f.get(k) {
        Some(Value::Array(a)) => a
            .iter()
            .map(|d| match d.as_str() {
                Some(n) if !n.trim().is_empty() => Ok(if trim { n.trim() } else { n }.to_string()),
                Some(_) => err(
                    format!("字段 `{k}`:有一个名称为空"),
                    format!("field `{k}`: a name is empty"),
                ),
                None => err(
                    format!("`{k}` 应为名称列表"),
                    format!("`{k}` must list names"),
                ),
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return err(
                format!("缺少字段 `{k}`(名称列表)"),
                format!("missing field `{k}` (a list of names)"),
            )
        }
    };
    if list.is_empty() {
        return err(format!("字段 `{k}` 为空"), format!("field `{k}` is empty"));
    }
    Ok(list)
}

/// A `ticket` event's record fields.
fn ticket_record(f: &Fields) -> Result<TicketRecord, ParseError> {
    let mut r = TicketRecord {
        received_at: f.opt_instant("received_at")?,
        closed_at: f.opt_instant("closed_at")?,
        satisfaction: f.opt_satisfaction("satisfaction")?,
        reasonable: f.opt_bool("reasonable")?,
        source: match f.opt_str("source")? {
            None => None,
            Some(v) => Some(Source::parse(&v).ok_or_else(|| {
                ParseError::new(
                    format!("字段 `source`:`{v}` 不是 hotline、walk_in 或 proactive"),
                    format!("field `source`: `{v}` is not hotline, walk_in or proactive"),
                )
            })?),
        },
        ..Default::default()
    };
    for k in RECORD_TEXT_FIELDS {
        r.set_text(k, f.opt_str(k)?);
    }
    if let Some(u) = &r.unit {
        if u.trim().is_empty() {
            return err(
                "字段 `unit` 为空(工单的承办单位不能设为空)",
                "field `unit` is empty (a ticket's unit may not be set blank)",
            );
        }
        r.unit = Some(u.trim().to_string());
    }
    Ok(r)
}

/// A void's `target`: `{"type": T, "at": RFC 3339, "recorded_at"?: RFC 3339}`.
fn parse_target(v: Option<&Value>) -> Result<VoidTarget, ParseError> {
    let Some(Value::Object(m)) = v else {
        return err(
            "缺少字段 `target`(含 `type` 与 `at` 的对象)",
            "missing field `target` (an object with `type` and `at`)",
        );
    };
    let event_type = match m.get("type") {
        Some(Value::String(t)) if EVENT_TYPES.contains(&t.as_str()) => t.clone(),
        Some(Value::String(t)) => {
            return err(
                format!("字段 `target`:未知的事件类型 `{t}`"),
                format!("field `target`: unknown event type `{t}`"),
            )
        }
        _ => return err("字段 `target` 需要 `type`", "field `target` needs `type`"),
    };
    let time = |k: &str| -> Result<Option<DateTime<FixedOffset>>, ParseError> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => parse_instant(s).map(Some).ok_or_else(|| {
                ParseError::new(
                    format!("字段 `target.{k}`:`{s}` 不是带时区的 RFC 3339 时间"),
                    format!("field `target.{k}`: `{s}` is not an RFC 3339 time with offset"),
                )
            }),
            Some(_) => err(
                format!("字段 `target.{k}` 应为文本"),
                format!("field `target.{k}` must be a string"),
            ),
        }
    };
    Ok(VoidTarget {
        event_type,
        at: time("at")?.ok_or_else(|| {
            ParseError::new("字段 `target` 需要 `at`", "field `target` needs `at`")
        })?,
        recorded_at: time("recorded_at")?,
    })
}

/// RFC 3339 with seconds, `+08:00` style offsets (and `Z` kept as `+00:00`).
pub fn format_instant(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips_a_sign() {
        let line = r#"{"ticket":"2026100800123","type":"sign","at":"2026-10-09T10:15:00+08:00","operator":"刘星晨","unit":"新金社区","deadline":"2027-05-09","plan":"更换"}"#;
        let e = Event::from_json_str(line).unwrap();
        assert_eq!(e.kind.type_name(), "sign");
        let again = Event::from_json_str(&e.to_json_line()).unwrap();
        assert_eq!(e, again);
    }

    #[test]
    fn a_meeting_round_trips_and_keeps_its_participants_as_written() {
        let line = r#"{"ticket":"1","type":"meeting","at":"2026-11-20T19:30:00+08:00","participants":["居民代表"," 物业公司"],"decision":"加装路灯","plan":"月底前","note":"会议室"}"#;
        let e = Event::from_json_str(line).unwrap();
        assert_eq!(
            e.kind,
            EventKind::Meeting {
                participants: vec!["居民代表".into(), " 物业公司".into()],
                decision: "加装路灯".into(),
                plan: Some("月底前".into()),
            }
        );
        assert_eq!(e.through_gate().unwrap(), e);
        assert_eq!(Event::from_json_str(&e.to_json_line()).unwrap(), e);
        assert!(EVENT_TYPES.contains(&e.kind.type_name()));
        assert_eq!(type_name_in("meeting", crate::i18n::Lang::Zh), "居民议事");
    }

    #[test]
    fn refuses_malformed_events_with_reasons() {
        let cases = [
            (
                r#"{"ticket":"1","type":"sign","at":"2026-10-09T10:15:00+08:00","unit":"A"}"#,
                "missing field `deadline`",
            ),
            (
                r#"{"ticket":"1","type":"fly","at":"2026-10-09T10:15:00+08:00"}"#,
                "unknown event type `fly`",
            ),
            (
                r#"{"ticket":"1","type":"note","at":"2026-10-09 10:15","note":"x"}"#,
                "not an RFC 3339",
            ),
            (
                r#"{"ticket":"1","type":"contact","at":"2026-10-09T10:15:00+08:00","channel":"fax","outcome":"reached"}"#,
                "unknown value `fax`",
            ),
            (
                r#"{"ticket":"1","type":"sign","at":"2026-10-09T10:15:00+08:00","unit":"A","deadline":"2026-13-01"}"#,
                "not a date",
            ),
            (r#"[1]"#, "JSON object"),
            (r#"{"ticket":"1""#, "not valid JSON"),
        ];
        for (line, want) in cases {
            let e = Event::from_json_str(line).unwrap_err();
            assert!(e.0.en.contains(want), "{line}: {e}");
        }
    }

    #[test]
    fn normalised_equality_ignores_offsets_key_order_and_absent_recorded_at() {
        let a = Event::from_json_str(r#"{"ticket":"1","type":"extend","at":"2026-11-23T10:00:00+08:00","deadline":"2027-01-08","reason":"r"}"#).unwrap();
        let b = Event::from_json_str(r#"{"reason":"r","deadline":"2027-01-08","at":"2026-11-23T02:00:00Z","type":"extend","ticket":"1","recorded_at":"2026-11-23T02:00:00Z"}"#).unwrap();
        assert!(a.same_as(&b));
        let c = Event::from_json_str(r#"{"ticket":"1","type":"extend","at":"2026-11-23T10:00:01+08:00","deadline":"2027-01-08","reason":"r"}"#).unwrap();
        assert!(!a.same_as(&c));
    }
}
