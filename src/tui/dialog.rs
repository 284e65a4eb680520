//! The dialogs that record events: what each asks and the events it makes.

use super::form::{Field, Form};
use crate::domain::event::{Channel, Event, EventKind, Outcome, Satisfaction};
use crate::domain::ticket::Ticket;
use crate::domain::time::add_months;
use crate::i18n::Lang;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
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
    /// Annul the event selected in the timeline.
    Void,
}

impl DialogKind {
    pub const ALL: [DialogKind; 10] = [
        DialogKind::Sign,
        DialogKind::Return,
        DialogKind::Dispatch,
        DialogKind::Contact,
        DialogKind::Extend,
        DialogKind::Resolve,
        DialogKind::Revisit,
        DialogKind::Reopen,
        DialogKind::Note,
        DialogKind::Void,
    ];
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            DialogKind::Sign => lang.t("签收", "Sign"),
            DialogKind::Return => lang.t("退回", "Return"),
            DialogKind::Dispatch => lang.t("派发", "Dispatch"),
            DialogKind::Contact => lang.t("记录联系", "Record a contact"),
            DialogKind::Extend => lang.t("延期", "Extend"),
            DialogKind::Resolve => lang.t("解决", "Resolve"),
            DialogKind::Revisit => lang.t("回访评价", "Revisit"),
            DialogKind::Reopen => lang.t("重新办理", "Reopen"),
            DialogKind::Note => lang.t("备注", "Note"),
            DialogKind::Void => lang.t("撤销记录", "Void a record"),
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
    /// A new unit name the user was asked to confirm (saved on the next Enter if unchanged).
    pub confirm_new: Option<String>,
    /// The event a void dialog annuls.
    pub target: Option<Event>,
}

const PRESETS: [(&str, &str); 6] = [
    ("自定", "custom"),
    ("+7天", "+7 days"),
    ("+1月", "+1 month"),
    ("+3月", "+3 months"),
    ("+6月", "+6 months"),
    ("+7月", "+7 months"),
];

/// The deadline a preset gives from `from`.
pub fn preset_deadline(i: usize, from: NaiveDate) -> Option<NaiveDate> {
    match i {
        1 => Some(from + Duration::days(7)),
        2 => Some(add_months(from, 1)),
        3 => Some(add_months(from, 3)),
        4 => Some(add_months(from, 6)),
        5 => Some(add_months(from, 7)),
        _ => None,
    }
}

fn time_text(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

impl Dialog {
    /// A dialog for `ticket`, with what can be pre-filled.
    pub fn new(
        kind: DialogKind,
        ticket: &Ticket,
        units: &[String],
        now: DateTime<Utc>,
        tz: Tz,
        lang: Lang,
    ) -> Dialog {
        let l = |zh: &str, en: &str| lang.t(zh, en).to_string();
        let unit = ticket.unit().to_string();
        let presets: Vec<String> = PRESETS
            .iter()
            .map(|(z, e)| lang.t(z, e).to_string())
            .collect();
        let when =
            Field::date("at", &l("时间", "When"), &time_text(now, tz)).hint("YYYY-MM-DD HH:MM");
        let fields = match kind {
            DialogKind::Sign => vec![
                Field::text("unit", &l("签收单位", "Unit"), &unit).required(),
                Field::choice("preset", &l("时限预设", "Preset"), presets, 0).hint("← →"),
                Field::date("deadline", &l("承诺时限", "Deadline"), "")
                    .required()
                    .hint("YYYY-MM-DD"),
                Field::text("plan", &l("办理计划", "Plan"), ""),
                when,
            ],
            DialogKind::Return => vec![
                Field::text("unit", &l("退回单位", "Unit"), &unit).required(),
                Field::text("reason", &l("退回理由", "Reason"), "").required(),
                when,
            ],
            DialogKind::Dispatch => vec![
                Field::pick("unit", &l("派发至", "Unit"), units.to_vec(), "")
                    .required()
                    .hint(lang.t("输入筛选,← → ↑ ↓ 选择", "type to filter, ← → ↑ ↓ to choose")),
                Field::text("note", &l("说明", "Note"), ""),
                when,
            ],
            DialogKind::Contact => vec![
                Field::choice(
                    "channel",
                    &l("方式", "Channel"),
                    Channel::ALL
                        .iter()
                        .map(|c| lang.t(c.zh(), c.code()).to_string())
                        .collect(),
                    0,
                )
                .hint("← →"),
                Field::choice(
                    "outcome",
                    &l("结果", "Outcome"),
                    vec![l("已联系上", "reached"), l("未联系上", "not reached")],
                    0,
                )
                .hint("← →"),
                Field::text("person", &l("联系对象", "Spoke to"), ""),
                Field::text("note", &l("沟通内容", "Note"), ""),
                when,
            ],
            DialogKind::Extend => vec![
                Field::date("deadline", &l("新时限", "New deadline"), "")
                    .required()
                    .hint("YYYY-MM-DD"),
                Field::text("reason", &l("延期理由", "Reason"), "").required(),
                when,
            ],
            DialogKind::Resolve => vec![
                Field::text("note", &l("解决情况", "Note"), ""),
                Field::choice(
                    "tell",
                    &l("告知诉求人", "Tell citizen"),
                    vec![
                        l(
                            "同时记录告知结果的电话",
                            "also record the call that tells the result",
                        ),
                        l("不记录", "do not record"),
                    ],
                    0,
                )
                .hint("← →"),
                when,
            ],
            DialogKind::Revisit => vec![
                Field::choice(
                    "satisfaction",
                    &l("评价", "Verdict"),
                    Satisfaction::ALL
                        .iter()
                        .map(|s| lang.t(s.zh(), s.code()).to_string())
                        .collect(),
                    0,
                )
                .hint("← →"),
                Field::date("deadline", &l("新时限", "New deadline"), "")
                    .hint(lang.t("不满意时必填", "required when unsatisfied")),
                Field::text("note", &l("备注", "Note"), ""),
                when,
            ],
            DialogKind::Reopen => vec![
                Field::date("deadline", &l("新时限", "New deadline"), "")
                    .required()
                    .hint("YYYY-MM-DD"),
                Field::text("reason", &l("理由", "Reason"), "").required(),
                when,
            ],
            DialogKind::Note => vec![Field::text("note", &l("备注", "Note"), "").required(), when],
            // A void names its target: built by `Dialog::void` from the timeline.
            DialogKind::Void => {
                vec![Field::text("reason", &l("撤销原因", "Reason"), "").required()]
            }
        };
        Dialog {
            kind,
            ticket: ticket.id.clone(),
            form: Form::new(fields),
            error: None,
            confirm_discard: false,
            confirm_new: None,
            target: None,
        }
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
                Field::text("reason", lang.t("撤销原因", "Reason"), "").required(),
            ])
            .focus_on(1),
            error: None,
            confirm_discard: false,
            confirm_new: None,
            target: Some(target.clone()),
        }
    }

    /// After a choice changed: a deadline preset fills the deadline.
    pub fn on_choice_changed(&mut self, tz: Tz) {
        if self.kind != DialogKind::Sign || self.form.field("preset").is_none() {
            return;
        }
        let i = self.form.field("preset").map_or(0, Field::selected);
        let from = parse_time(&self.form.get("at"), tz)
            .map(|t| t.date_naive())
            .unwrap_or_else(|| Utc::now().with_timezone(&tz).date_naive());
        if let Some(d) = preset_deadline(i, from) {
            if let Some(f) = self.form.field_mut("deadline") {
                f.set(&d.to_string());
            }
        }
    }

    /// The events the dialog records, or why its input cannot be read. `now` dates a void.
    pub fn events(&self, tz: Tz, lang: Lang) -> Result<Vec<Event>, String> {
        let f = &self.form;
        if let (DialogKind::Void, Some(target)) = (self.kind, &self.target) {
            let reason = f.get("reason");
            if reason.is_empty() {
                return Err(lang.t("请填写撤销原因", "give the reason").to_string());
            }
            let now = crate::domain::time::now_seconds()
                .with_timezone(&tz)
                .fixed_offset();
            let target = crate::domain::event::VoidTarget::of(target);
            return Ok(vec![Event::new(
                &self.ticket,
                now.max(target.at),
                EventKind::Void { target, reason },
            )]);
        }
        for field in &f.fields {
            if field.required && field.value.trim().is_empty() {
                return Err(match lang {
                    Lang::Zh => format!("请填写「{}」", field.label),
                    Lang::En => format!("{} is required", field.label),
                });
            }
        }
        let at = parse_time(&f.get("at"), tz).ok_or_else(|| {
            lang.t(
                "时间格式应为 YYYY-MM-DD HH:MM",
                "the time must be YYYY-MM-DD HH:MM",
            )
            .to_string()
        })?;
        let date = |key: &str| -> Result<Option<NaiveDate>, String> {
            let v = f.get(key);
            if v.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| match lang {
                    Lang::Zh => format!("「{v}」不是日期(YYYY-MM-DD)"),
                    Lang::En => format!("`{v}` is not a date (YYYY-MM-DD)"),
                })
        };
        let text = |key: &str| Some(f.get(key)).filter(|s| !s.is_empty());
        let id = &self.ticket;
        let ev = |kind| Event::new(id, at, kind);
        let out = match self.kind {
            DialogKind::Sign => vec![ev(EventKind::Sign {
                unit: f.get("unit"),
                deadline: date("deadline")?.expect("required"),
                plan: text("plan"),
            })],
            DialogKind::Return => vec![ev(EventKind::Return {
                unit: f.get("unit"),
                reason: f.get("reason"),
            })],
            DialogKind::Dispatch => vec![ev(EventKind::Dispatch {
                unit: f.get("unit"),
            })
            .with_note(text("note"))],
            DialogKind::Contact => {
                let channel = Channel::ALL[f.field("channel").map_or(0, Field::selected)];
                let outcome = if f.field("outcome").map_or(0, Field::selected) == 0 {
                    Outcome::Reached
                } else {
                    Outcome::Unreached
                };
                vec![ev(EventKind::Contact {
                    channel,
                    outcome,
                    contact_person: text("person"),
                })
                .with_note(text("note"))]
            }
            DialogKind::Extend => vec![ev(EventKind::Extend {
                deadline: date("deadline")?.expect("required"),
                reason: f.get("reason"),
            })],
            DialogKind::Resolve => {
                let mut v = vec![ev(EventKind::Resolve).with_note(text("note"))];
                if f.field("tell").map_or(0, Field::selected) == 0 {
                    // The call that tells the citizen, at the same moment (after the resolve in
                    // the log; a later `at` would lie in the future when entered now).
                    let call = at;
                    v.push(
                        Event::new(
                            id,
                            call,
                            EventKind::Contact {
                                channel: Channel::Phone,
                                outcome: Outcome::Reached,
                                contact_person: None,
                            },
                        )
                        .with_note(Some(
                            lang.t("告知办理结果", "told the citizen the result")
                                .to_string(),
                        )),
                    );
                }
                v
            }
            DialogKind::Revisit => {
                let satisfaction =
                    Satisfaction::ALL[f.field("satisfaction").map_or(0, Field::selected)];
                vec![ev(EventKind::Revisit {
                    satisfaction,
                    deadline: date("deadline")?,
                })
                .with_note(text("note"))]
            }
            DialogKind::Reopen => vec![ev(EventKind::Reopen {
                deadline: date("deadline")?.expect("required"),
                reason: f.get("reason"),
            })],
            DialogKind::Note => vec![ev(EventKind::Note).with_note(text("note"))],
            DialogKind::Void => return Err(lang.t("没有选中的记录", "no event selected").into()),
        };
        Ok(out)
    }
}

/// Reads a time typed in a dialog (the one parser the CLI and imports use too).
pub fn parse_time(s: &str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    crate::domain::time::parse_local(s, tz)
}
