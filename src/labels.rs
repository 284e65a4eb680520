//! The names people read, in one place: one name per concept per language. Everything else
//! (panes, states, timelines, reports, the look-back) takes its words from here.

use crate::domain::ticket::State;
use crate::i18n::Lang;
use crate::ledger::Pane;

/// A ticket's state.
pub fn state(s: State, lang: Lang) -> &'static str {
    match s {
        State::AwaitingSign => lang.t("待签收", "to sign"),
        State::Returned => lang.t("已退回", "returned"),
        State::InProgress => lang.t("办理中", "in progress"),
        State::Resolved => lang.t("已解决", "resolved"),
    }
}

/// A pane's title (the same words as the state or flag it lists, capitalised in English).
pub fn pane(p: Pane, lang: Lang) -> &'static str {
    match p {
        Pane::AwaitingSign => lang.t("待签收", "To sign"),
        Pane::InProgress => lang.t("办理中", "In progress"),
        Pane::AwaitingContact => lang.t("待联系", "To contact"),
        Pane::Overdue => lang.t("已超期", "Overdue"),
        Pane::Resolved => lang.t("已解决", "Resolved"),
    }
}

/// An event type.
pub fn event(ty: &str, lang: Lang) -> &'static str {
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
        "void" => ("撤销", "void"),
        _ => ("事件", "event"),
    };
    lang.t(zh, en)
}

/// A look-back rule.
pub fn rule(rule: &str, lang: Lang) -> &'static str {
    match rule {
        "late_recorded_contact" => lang.t(
            "联系记录滞后(超过72小时录入)",
            "contacts recorded over 72 h late",
        ),
        "contact_outside_hours" => lang.t(
            "非工作时间联系(8点前或21点后)",
            "contacts before 08:00 or after 21:00",
        ),
        "bulk_recorded_contacts" => lang.t("集中批量录入联系", "contacts entered in bulk"),
        "contact_then_repeat" => lang.t(
            "联系后30天内重复投诉",
            "repeat complaint within 30 days of a contact",
        ),
        "late_resolution" => lang.t("超期解决", "resolved after the deadline"),
        "open_past_deadline" => lang.t("超期未解决", "open past the deadline"),
        "extended_more_than_once" => lang.t("多次延期", "extended more than once"),
        "reopened" => lang.t("重新办理/回访不满意", "reopened or unsatisfied revisit"),
        "voided_record" => lang.t("撤销更正的记录", "voided records"),
        _ => lang.t("重复投诉", "repeat complaints"),
    }
}
