//! One module per dialog kind: what it asks (its fields) and the events it makes, side by
//! side, so that a new kind of event touches one file. `dialog::Dialog` holds the open one.

mod contact;
mod dispatch;
pub mod escalate;
mod extend;
mod meeting;
pub mod new_ticket;
mod note;
mod reopen;
mod resolve;
pub mod respond;
mod return_;
mod revisit;
pub mod sign;
mod whistle;

use super::form::{Field, Form};
use crate::domain::event::{Event, EventKind};
use crate::domain::ticket::Ticket;
use crate::i18n::Lang;
use chrono::{DateTime, FixedOffset, NaiveDate};

/// What a dialog is built from.
pub struct Ctx<'a> {
    pub ticket: &'a Ticket,
    pub units: &'a [String],
    /// The time field every recording dialog ends with (pre-filled with now).
    pub when: Field,
    pub lang: Lang,
}

impl Ctx<'_> {
    /// A label in the interface language.
    pub fn l(&self, zh: &str, en: &str) -> String {
        self.lang.t(zh, en).to_string()
    }
}

/// A filled form, read back: its values and the time the events are dated.
pub struct Reading<'a> {
    pub form: &'a Form,
    pub id: &'a str,
    pub at: DateTime<FixedOffset>,
    pub lang: Lang,
    /// The ticket's events as the dialog opened (empty when the opener gave none).
    pub log: &'a [Event],
    /// The field a refusal is about, set by the kind's `events` (the dialog focuses it).
    pub fault: std::cell::Cell<Option<&'static str>>,
}

impl Reading<'_> {
    /// A field's value (a pick's chosen name), trimmed.
    pub fn get(&self, key: &str) -> String {
        self.form.get(key)
    }
    /// Optional text: None when blank.
    pub fn text(&self, key: &str) -> Option<String> {
        Some(self.form.get(key)).filter(|s| !s.is_empty())
    }
    /// The index of a choice field's option.
    pub fn choice(&self, key: &str) -> usize {
        self.form.field(key).map_or(0, Field::selected)
    }
    /// An optional date field.
    pub fn date(&self, key: &str) -> Result<Option<NaiveDate>, String> {
        let v = self.form.get(key);
        if v.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| match self.lang {
                Lang::Zh => format!("「{v}」不是日期(YYYY-MM-DD)"),
                Lang::En => format!("`{v}` is not a date (YYYY-MM-DD)"),
            })
    }
    /// A required date field (the form checked it is filled).
    pub fn required_date(&self, key: &str) -> Result<NaiveDate, String> {
        self.date(key)?
            .ok_or_else(|| self.lang.t("请填写日期", "a date is required").to_string())
    }
    /// An event of this ticket at the dialog's time.
    pub fn event(&self, kind: EventKind) -> Event {
        Event::new(self.id, self.at, kind)
    }
}

/// A new deadline and why, then the time: what an extension and a reopening ask.
pub fn deadline_and_reason(c: &Ctx, reason: (&str, &str)) -> Vec<Field> {
    vec![
        Field::date("deadline", &c.l("新时限", "New deadline"), "")
            .required()
            .hint("YYYY-MM-DD"),
        Field::text("reason", &c.l(reason.0, reason.1), "")
            .required()
            .long(3),
        c.when.clone(),
    ]
}

/// A dialog kind: its title, its fields, its events.
pub struct Spec {
    pub title: (&'static str, &'static str),
    pub fields: fn(&Ctx) -> Vec<Field>,
    pub events: fn(&Reading) -> Result<Vec<Event>, String>,
    /// Its time says when something happened at a time of day (a contact, a resolution, a
    /// revisit): a date alone is refused, not read as midnight.
    pub time_of_day: bool,
    /// A field that must be filled given the others (a reached contact's 沟通内容), if any.
    pub needs: fn(&Form) -> Option<&'static str>,
}

/// For `Spec::needs`: the required fields are all there is.
pub fn nothing_more(_: &Form) -> Option<&'static str> {
    None
}

pub use contact::SPEC as CONTACT;
pub use dispatch::SPEC as DISPATCH;
pub use escalate::SPEC as ESCALATE;
pub use extend::SPEC as EXTEND;
pub use meeting::SPEC as MEETING;
pub use new_ticket::SPEC as NEW_TICKET;
pub use note::SPEC as NOTE;
pub use reopen::SPEC as REOPEN;
pub use resolve::SPEC as RESOLVE;
pub use respond::SPEC as RESPOND;
pub use return_::SPEC as RETURN;
pub use revisit::SPEC as REVISIT;
pub use sign::SPEC as SIGN;
pub use whistle::SPEC as WHISTLE;
