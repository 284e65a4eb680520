//! Tickets for scripts (JSON) and for people (text): `list`, `show`, `export`, `remind`.

use crate::domain::event::{Event, EventKind, Outcome};
use crate::domain::ticket::State;
use crate::i18n::Lang;
use crate::ledger::{MonthTasks, TicketRow};
use crate::text::{fit, sanitize, width};
use chrono_tz::Tz;
use serde_json::{json, Value};
use std::fmt::Write;

fn local(tz: Tz, t: &chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A row as JSON: id, state, unit, title, effective deadline, last contact and more.
pub fn row_json(r: &TicketRow, tz: Tz) -> Value {
    let t = r.ticket();
    json!({
        "id": t.id,
        "state": t.state.map(State::code),
        "unit": t.unit(),
        "category": t.record.category,
        "title": t.record.title,
        "deadline": t.deadline.map(|d| d.to_string()),
        "days_left": r.days_left,
        "overdue": r.facts.overdue,
        "awaiting_contact": r.facts.awaiting_contact,
        "last_contact": t.last_contact.map(|c| c.with_timezone(&tz).to_rfc3339()),
        "last_reached_contact": t.last_reached.map(|c| c.with_timezone(&tz).to_rfc3339()),
        "contacts_this_month": r.contacts_this_month,
    })
}

/// The state as a person reads it, with its flags.
pub fn state_label(r: &TicketRow, lang: Lang) -> String {
    let t = r.ticket();
    let mut s = crate::labels::ticket_state(t.state, lang).to_string();
    if r.facts.overdue {
        s.push_str(lang.t("·超期", " overdue"));
    }
    s
}

/// Days left or overdue, for a deadline column.
pub fn days_label(r: &TicketRow, lang: Lang) -> String {
    match (r.days_left, r.ticket().state) {
        (Some(d), Some(State::InProgress)) if d < 0 => match lang {
            Lang::Zh => format!("超期{}天", -d),
            Lang::En => format!("{}d late", -d),
        },
        (Some(0), Some(State::InProgress)) => lang.t("今天到期", "due today").to_string(),
        (Some(d), Some(State::InProgress)) => match lang {
            Lang::Zh => format!("剩{d}天"),
            Lang::En => format!("{d}d left"),
        },
        _ => String::new(),
    }
}

/// Rows as an aligned text table.
pub fn rows_text(rows: &[TicketRow], tz: Tz, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}{}",
        fit(lang.t("工单编号", "Ticket"), 15),
        fit(lang.t("状态", "State"), 12),
        fit(lang.t("承办单位", "Unit"), 18),
        fit(lang.t("承诺时限", "Deadline"), 11),
        fit(lang.t("剩余", "Left"), 11),
        fit(lang.t("最近联系", "Last contact"), 17),
        lang.t("诉求标题", "Title")
    );
    for r in rows {
        let t = r.ticket();
        let _ = writeln!(
            s,
            "{}{}{}{}{}{}{}",
            fit(&sanitize(&t.id), 15),
            fit(&state_label(r, lang), 12),
            fit(&sanitize(t.unit()), 18),
            fit(&t.deadline.map(|d| d.to_string()).unwrap_or_default(), 11),
            fit(&days_label(r, lang), 11),
            fit(
                &t.last_contact.map(|c| local(tz, &c)).unwrap_or_default(),
                17
            ),
            crate::text::truncate(&sanitize(t.record.title.as_deref().unwrap_or("")), 40)
        );
    }
    let _ = write!(s, "{} {}", rows.len(), lang.t("件", "tickets"));
    s
}

/// A one-line description of an event, for timelines.
pub fn describe(e: &Event, lang: Lang) -> String {
    let mut s = first_round(&e.kind, lang).unwrap_or_else(|| follow_up(&e.kind, lang));
    if let Some(n) = &e.note {
        let _ = write!(s, " — {n}");
    }
    sanitize(&s)
}

/// The record, the dispatch and the unit's answer, calls and extensions.
fn first_round(kind: &EventKind, lang: Lang) -> Option<String> {
    let zh = lang == Lang::Zh;
    Some(match kind {
        EventKind::Ticket(r) => {
            let fields: Vec<&str> = r
                .present_fields()
                .into_iter()
                .map(|f| crate::labels::record_field(f, lang))
                .collect();
            if zh {
                format!("工单记录({})", fields.join("、"))
            } else {
                format!("ticket record ({})", fields.join(", "))
            }
        }
        EventKind::Dispatch { unit } => {
            if zh {
                format!("派发至 {unit}")
            } else {
                format!("dispatched to {unit}")
            }
        }
        EventKind::Return { unit, reason } => {
            if zh {
                format!("{unit} 退回:{reason}")
            } else {
                format!("returned by {unit}: {reason}")
            }
        }
        EventKind::Sign {
            unit,
            deadline,
            plan,
        } => {
            let p = plan
                .as_deref()
                .map(|p| format!(" — {p}"))
                .unwrap_or_default();
            if zh {
                format!("{unit} 签收,承诺 {deadline} 前解决{p}")
            } else {
                format!("signed by {unit}, deadline {deadline}{p}")
            }
        }
        EventKind::Contact {
            channel,
            outcome,
            contact_person,
        } => {
            let who = contact_person
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let ok = *outcome == Outcome::Reached;
            if zh {
                format!(
                    "{}联系{},{}",
                    crate::labels::channel(*channel, lang),
                    who,
                    if ok { "已联系上" } else { "未联系上" }
                )
            } else {
                format!(
                    "{} contact{who}, {}",
                    crate::labels::channel(*channel, lang),
                    if ok { "reached" } else { "not reached" }
                )
            }
        }
        EventKind::Extend { deadline, reason } => {
            if zh {
                format!("延期至 {deadline}:{reason}")
            } else {
                format!("extended to {deadline}: {reason}")
            }
        }
        _ => return None,
    })
}

/// Resolution, revisits, whistles, topics, notes and voids.
fn follow_up(kind: &EventKind, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match kind {
        EventKind::Resolve => lang.t("已解决", "resolved").to_string(),
        EventKind::Revisit {
            satisfaction,
            deadline,
        } => {
            let d = deadline.map(|d| format!(" → {d}")).unwrap_or_default();
            if zh {
                format!(
                    "回访评价:{}{d}",
                    crate::labels::satisfaction(*satisfaction, lang)
                )
            } else {
                format!(
                    "revisit: {}{d}",
                    crate::labels::satisfaction(*satisfaction, lang)
                )
            }
        }
        EventKind::Reopen { deadline, reason } => {
            if zh {
                format!("重新办理,新时限 {deadline}:{reason}")
            } else {
                format!("reopened, deadline {deadline}: {reason}")
            }
        }
        EventKind::Whistle { departments } => {
            if zh {
                format!("吹哨:{}", departments.join("、"))
            } else {
                format!("whistle: {}", departments.join(", "))
            }
        }
        EventKind::WhistleResponse {
            department,
            resolved,
        } => {
            let r = match resolved {
                Some(true) => lang.t(",已解决", ", resolved"),
                Some(false) => lang.t(",未解决", ", not resolved"),
                None => "",
            };
            if zh {
                format!("{department} 响应吹哨{r}")
            } else {
                format!("{department} answered the whistle{r}")
            }
        }
        EventKind::Escalate { topic } => {
            if zh {
                format!("提交每月一办:{topic}")
            } else {
                format!("escalated: {topic}")
            }
        }
        EventKind::Note => lang.t("备注", "note").to_string(),
        EventKind::Meeting {
            participants,
            decision,
            plan,
        } => meeting(participants, decision, plan.as_deref(), lang),
        EventKind::Void { target, reason } => {
            if zh {
                format!(
                    "撤销 {} 的「{}」:{reason}",
                    target.at.format("%Y-%m-%d %H:%M"),
                    crate::domain::ticket::event_zh(&target.event_type)
                )
            } else {
                format!(
                    "voided the {} of {}: {reason}",
                    target.event_type,
                    target.at.format("%Y-%m-%d %H:%M")
                )
            }
        }
        // Described by `first_round`.
        EventKind::Ticket(_)
        | EventKind::Dispatch { .. }
        | EventKind::Return { .. }
        | EventKind::Sign { .. }
        | EventKind::Contact { .. }
        | EventKind::Extend { .. } => String::new(),
    }
}

/// A meeting: who took part, what they decided, and the plan if one was agreed.
fn meeting(participants: &[String], decision: &str, plan: Option<&str>, lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            let p = plan.map(|p| format!(";方案:{p}")).unwrap_or_default();
            format!("居民议事({}):{decision}{p}", participants.join("、"))
        }
        Lang::En => {
            let p = plan.map(|p| format!("; plan: {p}")).unwrap_or_default();
            format!(
                "resident meeting ({}): {decision}{p}",
                participants.join(", ")
            )
        }
    }
}

/// The timeline's lines, one per event (application order): the description, and for a
/// voided event a mark and the reason of its void. The flag says whether it is voided.
pub fn timeline(events: &[Event], lang: Lang) -> Vec<(String, bool)> {
    let by = crate::domain::void::voided_by(events);
    events
        .iter()
        .zip(by)
        .map(|(e, v)| match v.map(|i| &events[i].kind) {
            Some(EventKind::Void { reason, .. }) => (
                format!(
                    "{} {} {}",
                    lang.t("〔已撤销〕", "[voided]"),
                    describe(e, lang),
                    sanitize(&format!("({}{reason})", lang.t("撤销原因:", "why: ")))
                ),
                true,
            ),
            _ => (describe(e, lang), false),
        })
        .collect()
}

/// `show ID --format json`: phones masked (in the record and in the ticket events) unless
/// `reveal`.
pub fn show_json(r: &TicketRow, events: &[Event], tz: Tz, reveal: bool) -> Value {
    let mut v = row_json(r, tz);
    let rec = crate::domain::event::Event::new(
        &r.ticket().id,
        chrono::Utc::now().fixed_offset(),
        EventKind::Ticket(Box::new(r.ticket().record.clone())),
    )
    .to_value();
    let mut record = rec.as_object().cloned().unwrap_or_default();
    for k in ["ticket", "type", "at"] {
        record.shift_remove(k);
    }
    let mask = |m: &mut serde_json::Map<String, Value>| {
        if let (false, Some(Value::String(p))) = (reveal, m.get_mut("phone")) {
            *p = crate::text::mask_phone(p);
        }
    };
    mask(&mut record);
    v["record"] = Value::Object(record);
    v["events"] = Value::Array(
        events
            .iter()
            .map(|e| {
                let mut o = e.to_value();
                if let Value::Object(m) = &mut o {
                    mask(m);
                }
                o
            })
            .collect(),
    );
    v
}

/// `show ID` as text: the record and the timeline, newest first.
pub fn show_text(
    r: &TicketRow,
    events: &[Event],
    tz: Tz,
    lang: Lang,
    reveal_phone: bool,
) -> String {
    let t = r.ticket();
    let rec = &t.record;
    let mut s = String::new();
    let field = |s: &mut String, k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            // Line breaks stay breaks, each further line under the first.
            let pad = 10usize.saturating_sub(width(k)).max(2);
            let body = v
                .lines()
                .map(sanitize)
                .collect::<Vec<_>>()
                .join(&format!("\n{}", " ".repeat(10)));
            let _ = writeln!(s, "{k}{}{body}", " ".repeat(pad));
        }
    };
    let phone = rec.phone.as_deref().map(|p| {
        if reveal_phone {
            p.to_string()
        } else {
            crate::text::mask_phone(p)
        }
    });
    field(&mut s, lang.t("工单编号", "Ticket"), Some(&t.id));
    field(&mut s, lang.t("状态", "State"), Some(&state_label(r, lang)));
    field(&mut s, lang.t("承办单位", "Unit"), Some(t.unit()));
    field(
        &mut s,
        lang.t("承诺时限", "Deadline"),
        t.deadline
            .map(|d| format!("{d}  {}", days_label(r, lang)))
            .as_deref(),
    );
    field(
        &mut s,
        lang.t("诉求分类", "Category"),
        rec.category.as_deref(),
    );
    field(&mut s, lang.t("诉求标题", "Title"), rec.title.as_deref());
    field(
        &mut s,
        lang.t("诉求人", "Citizen"),
        rec.complainant.as_deref(),
    );
    field(&mut s, lang.t("联系电话", "Phone"), phone.as_deref());
    field(
        &mut s,
        lang.t("诉求地址", "Address"),
        rec.address.as_deref(),
    );
    field(&mut s, lang.t("所属街道", "Street"), rec.street.as_deref());
    field(
        &mut s,
        lang.t("所属社区", "Community"),
        rec.community.as_deref(),
    );
    field(
        &mut s,
        lang.t("受理时间", "Received"),
        rec.received_at.map(|t| local(tz, &t.to_utc())).as_deref(),
    );
    field(
        &mut s,
        lang.t("办结时间", "Closed"),
        rec.closed_at.map(|t| local(tz, &t.to_utc())).as_deref(),
    );
    field(
        &mut s,
        lang.t("来源", "Source"),
        rec.source
            .filter(|s| *s != crate::domain::event::Source::Hotline)
            .map(|s| crate::labels::source(s, lang)),
    );
    field(
        &mut s,
        lang.t("诉求内容", "Content"),
        rec.content.as_deref(),
    );
    field(&mut s, lang.t("答复内容", "Reply"), rec.reply.as_deref());
    field(
        &mut s,
        lang.t("满意度", "Satisfaction"),
        rec.satisfaction
            .map(|x| crate::labels::satisfaction(x, lang)),
    );
    field(
        &mut s,
        lang.t("是否合理诉求", "Reasonable"),
        rec.reasonable.map(|b| {
            if b {
                lang.t("是", "yes")
            } else {
                lang.t("否", "no")
            }
        }),
    );
    timeline_text(&mut s, events, tz, lang);
    s
}

/// The numbered timeline of `show`, newest first.
fn timeline_text(s: &mut String, events: &[Event], tz: Tz, lang: Lang) {
    let _ = writeln!(
        *s,
        "\n{}",
        lang.t(
            "办理记录(最新在前;撤销某条:genban void ID --event 编号 --reason 原因)",
            "Timeline (newest first; to void one: genban void ID --event N --reason WHY)"
        )
    );
    let lines = timeline(events, lang);
    let number_width = events.len().to_string().len();
    for (n, (e, (text, _))) in events.iter().zip(lines).enumerate().rev() {
        let _ = writeln!(
            *s,
            "  #{:<number_width$}  {}  {text}{}",
            n + 1,
            local_seconds(tz, &e.instant()),
            entered_note(e, tz, lang)
        );
    }
}

fn local_seconds(tz: Tz, t: &chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `(录入于 …)` when the event was entered at another second than it happened.
fn entered_note(e: &Event, tz: Tz, lang: Lang) -> String {
    let Some(r) = e.recorded_at else {
        return String::new();
    };
    if !crate::domain::time_text::entered_late(&e.instant(), &r.to_utc()) {
        return String::new();
    }
    let entered = local_seconds(tz, &r.to_utc());
    format!("  ({}{entered})", lang.t("录入于 ", "entered "))
}

/// `remind` as text.
pub fn tasks_text(m: &MonthTasks, tz: Tz, lang: Lang) -> String {
    let mut s = String::new();
    let month = m.month.from.format("%Y-%m");
    let _ = writeln!(
        s,
        "{} {month}  ({} {})",
        lang.t("本月任务", "Tasks for"),
        lang.t("截至", "as of"),
        m.as_of
    );
    for (title, rows) in [
        (
            lang.t("本月待联系", "Due a contact this month"),
            &m.to_contact,
        ),
        (lang.t("本月到期", "Deadlines this month"), &m.deadlines),
        (lang.t("已超期", "Overdue"), &m.overdue),
        (
            crate::labels::pane(crate::ledger::Pane::AwaitingSign, lang),
            &m.to_sign,
        ),
    ] {
        let _ = writeln!(s, "\n■ {title}: {}", rows.len());
        if !rows.is_empty() {
            let _ = writeln!(s, "{}", rows_text(rows, tz, lang));
        }
    }
    s
}

/// `remind --format json`.
pub fn tasks_json(m: &MonthTasks, tz: Tz) -> Value {
    let list = |rows: &[TicketRow]| Value::Array(rows.iter().map(|r| row_json(r, tz)).collect());
    json!({
        "month": m.month.from.format("%Y-%m").to_string(),
        "as_of": m.as_of.to_string(),
        "awaiting_contact": list(&m.to_contact),
        "deadlines_in_month": list(&m.deadlines),
        "overdue": list(&m.overdue),
        "awaiting_sign": list(&m.to_sign),
    })
}

/// The Chinese or English name of an event type.
pub fn event_name(ty: &str, lang: Lang) -> String {
    crate::labels::event(ty, lang).to_string()
}
