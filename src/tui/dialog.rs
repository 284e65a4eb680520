//! The open dialog that records events: which kind (its fields and events live in
//! `dialogs/`, one module a kind), the form, and what the user was told or asked.

use super::dialogs::{self, Ctx, Reading, Spec};
use super::form::{Field, Form};
use crate::domain::event::{Event, EventKind, VoidTarget};
use crate::domain::ticket::Ticket;
use crate::i18n::Lang;
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    Sign,
    Return,
    Dispatch,
    Contact,
    Extend,
    Resolve,
    Revisit,
    Reopen,
    Note,
    Whistle,
    Respond,
    Escalate,
    Meeting,
    /// A ticket added by hand (its id is chosen when saved).
    NewTicket,
    /// Annul the event selected in the timeline (built by `Dialog::void`).
    Void,
}

impl DialogKind {
    /// The kind's fields and events (None for a void, which names its target).
    fn spec(self) -> Option<&'static Spec> {
        Some(match self {
            DialogKind::Sign => &dialogs::SIGN,
            DialogKind::Return => &dialogs::RETURN,
            DialogKind::Dispatch => &dialogs::DISPATCH,
            DialogKind::Contact => &dialogs::CONTACT,
            DialogKind::Extend => &dialogs::EXTEND,
            DialogKind::Resolve => &dialogs::RESOLVE,
            DialogKind::Revisit => &dialogs::REVISIT,
            DialogKind::Reopen => &dialogs::REOPEN,
            DialogKind::Note => &dialogs::NOTE,
            DialogKind::Whistle => &dialogs::WHISTLE,
            DialogKind::Respond => &dialogs::RESPOND,
            DialogKind::Escalate => &dialogs::ESCALATE,
            DialogKind::Meeting => &dialogs::MEETING,
            DialogKind::NewTicket => &dialogs::NEW_TICKET,
            DialogKind::Void => return None,
        })
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self.spec() {
            Some(s) => lang.t(s.title.0, s.title.1),
            None => lang.t("撤销记录", "Void a record"),
        }
    }
}

/// An open dialog for one ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    pub kind: DialogKind,
    pub ticket: String,
    pub form: Form,
    /// Why the last save was refused (shown in the dialog; nothing was written).
    pub error: Option<String>,
    /// Asking whether to throw away what was typed.
    pub confirm_discard: bool,
    /// What the user confirmed by pressing Enter again (a new unit, a new category, a second
    /// answer), each asked once (see `ask_first`).
    pub confirmed: Vec<String>,
    /// The question last asked, confirmed by the next Enter if nothing changed.
    asked: Option<String>,
    /// The event a void dialog annuls.
    pub target: Option<Event>,
    /// The instant the time field was pre-filled with (shown to the minute): left as shown,
    /// the events are dated this real instant, seconds and all.
    pub opened_at: Option<DateTime<Utc>>,
    /// The ticket's events as the dialog opened (see `with_log`), for checks that need them.
    pub log: Vec<Event>,
}

/// The question before a name nobody has is saved: a unit, a topic, a category.
pub fn new_name_question(key: &str, name: &str, lang: Lang) -> String {
    let (zh, en) = match key {
        "topic" => ("新专题", "New topic"),
        "category" => ("新分类", "New category"),
        _ => ("新单位", "New unit"),
    };
    match lang {
        Lang::Zh => format!("{zh}「{name}」?再按 Enter 确认,或修改名称"),
        Lang::En => format!("{en} “{name}”? Enter again to confirm, or change it"),
    }
}

fn time_text(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

impl Dialog {
    /// A dialog of `kind` for `ticket`, with what can be pre-filled.
    pub fn new(
        kind: DialogKind,
        ticket: &Ticket,
        units: &[String],
        now: DateTime<Utc>,
        tz: Tz,
        lang: Lang,
    ) -> Dialog {
        let ctx = Ctx {
            ticket,
            units,
            when: Field::date("at", lang.t("时间", "When"), &time_text(now, tz))
                .hint("YYYY-MM-DD HH:MM"),
            lang,
        };
        let fields = kind.spec().map_or_else(Vec::new, |s| (s.fields)(&ctx));
        let mut form = Form::new(fields);
        // The cursor starts where there is something to write: the first required field left
        // blank (a return's reason, not its pre-filled unit), else the first field.
        if let Some(i) = form.fields.iter().position(|f| f.required && f.is_blank()) {
            form.focus = i;
        }
        Dialog {
            kind,
            ticket: ticket.id.clone(),
            form,
            error: None,
            confirm_discard: false,
            confirmed: Vec::new(),
            asked: None,
            target: None,
            opened_at: Some(now),
            log: Vec::new(),
        }
    }

    /// The dialog knowing the ticket's events (an answer to a whistle is then refused at or
    /// before the whistle it answers).
    pub fn with_log(mut self, events: &[Event]) -> Dialog {
        self.log = events.to_vec();
        if self.kind == DialogKind::Respond {
            dialogs::respond::propose(&mut self.form, &self.log, None);
        }
        self
    }

    /// A monthly topic's dialog offering the topics the store knows.
    pub fn with_topics(mut self, topics: &[String], lang: Lang) -> Dialog {
        if self.kind == DialogKind::Escalate {
            dialogs::escalate::offer_topics(&mut self.form, topics, lang);
            self.form.focus = 0;
        }
        self
    }

    /// An answer's dialog opened on a summons chosen elsewhere (the board's row): that
    /// department pre-selected.
    pub fn prefer_department(mut self, department: Option<&str>) -> Dialog {
        if self.kind == DialogKind::Respond && department.is_some() {
            dialogs::respond::propose(&mut self.form, &self.log, department);
        }
        self
    }

    /// What to ask before saving, if anything: a unit nobody has, a second answer of one
    /// department to a whistle. Each is asked once; Enter again (nothing changed) saves.
    pub fn ask_first(&mut self, lang: Lang) -> Option<String> {
        let mut questions: Vec<(String, String)> = self
            .form
            .fields
            .iter()
            .filter(|f| f.is_new_name())
            .map(|f| {
                let name = f.value.trim().to_string();
                (
                    format!("{}:{name}", f.key),
                    new_name_question(f.key, &name, lang),
                )
            })
            .collect();
        if self.kind == DialogKind::Respond {
            let department = self.form.get("department");
            if let Some(at) = dialogs::respond::answered(&self.log, &department) {
                let ask = dialogs::respond::second_answer(&department, at, lang);
                questions.push((format!("answer:{department}"), ask));
            }
        }
        // Enter right after a question confirms it.
        if let Some(asked) = self.asked.take() {
            if questions.iter().any(|(k, _)| *k == asked) {
                self.confirmed.push(asked);
            }
        }
        let (key, ask) = questions
            .into_iter()
            .find(|(k, _)| !self.confirmed.contains(k))?;
        self.asked = Some(key);
        Some(ask)
    }

    /// Asks why `target` is voided; the void is dated now and names the target exactly.
    pub fn void(target: &Event, tz: Tz, lang: Lang) -> Dialog {
        let what = format!(
            "{} {}",
            target.at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            crate::output::tickets::describe(target, lang)
        );
        Dialog {
            kind: DialogKind::Void,
            ticket: target.ticket.clone(),
            form: Form::new(vec![
                Field::text("what", lang.t("撤销", "Voids"), &what).read_only(),
                Field::text("reason", lang.t("撤销原因", "Reason"), "")
                    .required()
                    .long(3),
            ])
            .focus_on(1),
            error: None,
            confirm_discard: false,
            confirmed: Vec::new(),
            asked: None,
            target: Some(target.clone()),
            opened_at: None,
            log: Vec::new(),
        }
    }

    /// After a choice changed: a deadline preset fills the deadline.
    pub fn on_choice_changed(&mut self, tz: Tz) {
        if self.kind == DialogKind::Sign {
            dialogs::sign::on_choice_changed(&mut self.form, tz);
        }
    }

    /// The events the dialog records, or why its input cannot be read (the field at fault,
    /// when there is one, is then focused).
    pub fn events(&mut self, tz: Tz, lang: Lang) -> Result<Vec<Event>, String> {
        let Some(spec) = self.kind.spec() else {
            if let Some(msg) = self.missing(None, lang) {
                return Err(msg);
            }
            return self.void_events(tz, lang);
        };
        if let Some(msg) = self.missing(Some(spec), lang) {
            return Err(msg);
        }
        let at = match self.time(spec, tz, lang) {
            Ok(at) => at,
            Err(msg) => {
                self.focus("at");
                return Err(msg);
            }
        };
        let reading = Reading {
            form: &self.form,
            id: &self.ticket,
            at,
            lang,
            log: &self.log,
            fault: std::cell::Cell::new(None),
        };
        let events = (spec.events)(&reading);
        if let Some(key) = reading.fault.get() {
            self.focus(key);
        }
        events
    }

    /// A new ticket's form offering the categories the store knows.
    pub fn with_categories(mut self, categories: &[String], lang: Lang) -> Dialog {
        if self.kind == DialogKind::NewTicket {
            dialogs::new_ticket::offer_categories(&mut self.form, categories, lang);
        }
        self
    }

    /// The first field to fill (a required one, or one the others make needed), focused, and
    /// what to tell the user.
    fn missing(&mut self, spec: Option<&Spec>, lang: Lang) -> Option<String> {
        let f = &self.form;
        let key = f
            .fields
            .iter()
            .find(|field| field.required && field.is_blank())
            .map(|field| field.key)
            .or_else(|| spec.and_then(|s| (s.needs)(f)))?;
        let label = f.field(key).map_or(String::new(), |x| x.label.clone());
        self.focus(key);
        Some(match lang {
            Lang::Zh => format!("请填写「{label}」"),
            Lang::En => format!("{label} is required"),
        })
    }

    fn focus(&mut self, key: &str) {
        if let Some(i) = self.form.fields.iter().position(|x| x.key == key) {
            self.form.focus = i;
        }
    }

    /// The dialog's time: the instant it was pre-filled with when left as shown, else what
    /// was typed (a date alone refused where a time of day is needed).
    fn time(&self, spec: &Spec, tz: Tz, lang: Lang) -> Result<DateTime<FixedOffset>, String> {
        use crate::domain::time::{parse_local, parse_moment, MomentError};
        let typed = self.form.get("at");
        if let Some(now) = self.opened_at.filter(|n| typed == time_text(*n, tz)) {
            return Ok(now.with_timezone(&tz).fixed_offset());
        }
        let read = if spec.time_of_day {
            parse_moment(&typed, tz)
        } else {
            parse_local(&typed, tz).ok_or(MomentError::Unreadable)
        };
        read.map_err(|e| match (e, lang) {
            (MomentError::DateOnly, Lang::Zh) => format!(
                "「{typed}」只有日期,请写明时刻,如 {typed} 09:30(YYYY-MM-DD HH:MM)"
            ),
            (MomentError::DateOnly, Lang::En) => format!(
                "`{typed}` is a date alone: give the time of day too, e.g. {typed} 09:30 (YYYY-MM-DD HH:MM)"
            ),
            (MomentError::Unreadable, _) => lang
                .t(
                    "时间格式应为 YYYY-MM-DD HH:MM",
                    "the time must be YYYY-MM-DD HH:MM",
                )
                .to_string(),
        })
    }

    /// A void of the target, dated now, naming it exactly.
    fn void_events(&self, tz: Tz, lang: Lang) -> Result<Vec<Event>, String> {
        let Some(target) = &self.target else {
            return Err(lang.t("没有选中的记录", "no event selected").into());
        };
        let now = crate::domain::time::now_seconds()
            .with_timezone(&tz)
            .fixed_offset();
        let target = VoidTarget::of(target);
        Ok(vec![Event::new(
            &self.ticket,
            now.max(target.at),
            EventKind::Void {
                target,
                reason: self.form.get("reason"),
            },
        )])
    }
}
