//! One event whole, as the full-event view (记录全文) shows it: every field under the name the
//! labels module gives it, times local, long text on lines of its own with its line breaks.

use crate::domain::event::{Event, EventKind, TicketRecord};
use crate::i18n::Lang;
use crate::labels;
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

/// Values wider than this (or of several lines) go on the lines under their name.
const INLINE: usize = 40;

/// The lines of one event: its timeline description, a blank line, then its fields. Line
/// breaks inside a value are kept (`\r\n` as `\n`); drawing sanitises and wraps.
pub fn event_lines(e: &Event, described: &str, tz: Tz, lang: Lang, reveal: bool) -> Vec<String> {
    let mut out = Lines {
        lines: vec![described.to_string(), String::new()],
    };
    let when = |t: &DateTime<FixedOffset>| crate::domain::time_text::second(tz, &t.to_utc());
    out.push(
        labels::event_field("type", lang),
        labels::event(e.kind.type_name(), lang),
    );
    out.push(labels::event_field("at", lang), &when(&e.at));
    if let Some(r) = e.recorded_at.filter(|r| r.to_utc() != e.at.to_utc()) {
        out.push(labels::event_field("recorded_at", lang), &when(&r));
    }
    if let Some(o) = &e.operator {
        out.push(labels::event_field("operator", lang), o);
    }
    kind_lines(&mut out, &e.kind, tz, lang, reveal);
    if let Some(n) = &e.note {
        let key = if matches!(e.kind, EventKind::Contact { .. }) {
            "contact_note"
        } else {
            "note"
        };
        out.push(labels::event_field(key, lang), n);
    }
    out.lines
}

struct Lines {
    lines: Vec<String>,
}

impl Lines {
    /// `name: value`, or the name and then the value on lines of its own when long.
    fn push(&mut self, name: &str, value: &str) {
        let value = value.replace("\r\n", "\n").replace('\r', "\n");
        let value = value.trim_end();
        if value.is_empty() {
            return;
        }
        if value.contains('\n') || crate::text::width(value) > INLINE {
            self.lines.push(format!("{name}:"));
            self.lines.extend(value.split('\n').map(str::to_string));
        } else {
            self.lines.push(format!("{name}: {value}"));
        }
    }
    fn opt(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.push(name, v);
        }
    }
}

fn kind_lines(out: &mut Lines, kind: &EventKind, tz: Tz, lang: Lang, reveal: bool) {
    let f = |k| labels::event_field(k, lang);
    match kind {
        EventKind::Ticket(r) => record_lines(out, r, tz, lang, reveal),
        EventKind::Dispatch { unit } => out.push(f("unit"), unit),
        EventKind::Return { unit, reason } => {
            out.push(f("return_unit"), unit);
            out.push(f("reason"), reason);
        }
        EventKind::Sign {
            unit,
            deadline,
            plan,
        } => {
            out.push(f("unit"), unit);
            out.push(f("deadline"), &deadline.to_string());
            out.opt(f("plan"), plan.as_deref());
        }
        EventKind::Contact {
            channel,
            outcome,
            contact_person,
        } => {
            out.push(f("channel"), labels::channel(*channel, lang));
            out.push(f("outcome"), labels::outcome(*outcome, lang));
            out.opt(f("contact_person"), contact_person.as_deref());
        }
        EventKind::Extend { deadline, reason } | EventKind::Reopen { deadline, reason } => {
            out.push(f("new_deadline"), &deadline.to_string());
            out.push(f("reason"), reason);
        }
        EventKind::Resolve | EventKind::Note => {}
        EventKind::Revisit {
            satisfaction,
            deadline,
        } => {
            out.push(f("satisfaction"), labels::satisfaction(*satisfaction, lang));
            out.opt(
                f("new_deadline"),
                deadline.map(|d| d.to_string()).as_deref(),
            );
        }
        EventKind::Whistle { departments } => out.push(f("departments"), &departments.join("、")),
        EventKind::WhistleResponse {
            department,
            resolved,
        } => {
            out.push(f("department"), department);
            out.opt(f("resolved"), resolved.map(|r| labels::yes_no(r, lang)));
        }
        EventKind::Escalate { topic } => out.push(f("topic"), topic),
        EventKind::Meeting {
            participants,
            decision,
            plan,
        } => {
            out.push(f("participants"), &participants.join("、"));
            out.push(f("decision"), decision);
            out.opt(f("plan"), plan.as_deref());
        }
        EventKind::Void { target, reason } => {
            let at = target
                .at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
            out.push(
                f("target"),
                &format!("{} {at}", labels::event(&target.event_type, lang)),
            );
            out.push(f("reason"), reason);
        }
    }
}

fn record_lines(out: &mut Lines, r: &TicketRecord, tz: Tz, lang: Lang, reveal: bool) {
    let name = |k| labels::record_field(k, lang);
    let when = |t: &Option<DateTime<FixedOffset>>| {
        t.map(|t| crate::domain::time_text::second(tz, &t.to_utc()))
    };
    out.opt(name("received_at"), when(&r.received_at).as_deref());
    out.opt(name("complainant"), r.complainant.as_deref());
    let phone = r.phone.as_deref().map(|p| {
        if reveal {
            p.to_string()
        } else {
            crate::text::mask_phone(p)
        }
    });
    out.opt(name("phone"), phone.as_deref());
    for k in ["street", "community", "category", "unit"] {
        out.opt(name(k), r.text(k).map(String::as_str));
    }
    // The long texts under the detail view's names.
    let long = |k| labels::event_field(k, lang);
    for k in ["address", "title", "content"] {
        out.opt(long(k), r.text(k).map(String::as_str));
    }
    out.opt(name("closed_at"), when(&r.closed_at).as_deref());
    out.opt(long("reply"), r.reply.as_deref());
    out.opt(
        name("satisfaction"),
        r.satisfaction.map(|s| labels::satisfaction(s, lang)),
    );
    out.opt(
        name("reasonable"),
        r.reasonable.map(|b| labels::yes_no(b, lang)),
    );
    out.opt(name("source"), r.source.map(|s| labels::source(s, lang)));
}

/// A ticket's record whole, one field a line (long text under its name).
pub fn record_text(r: &TicketRecord, tz: Tz, lang: Lang, reveal: bool) -> Vec<String> {
    let mut out = Lines { lines: Vec::new() };
    record_lines(&mut out, r, tz, lang, reveal);
    out.lines
}
