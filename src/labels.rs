//! The names people read, in one place: one name per concept per language. Everything else
//! (panes, states, timelines, reports, the look-back) takes its words from here.

use crate::domain::event::{Channel, Satisfaction, Source};
use crate::domain::figures::FigureKind;
use crate::domain::pane::Pane;
use crate::domain::ticket::State;
use crate::i18n::Lang;

/// A ticket's state.
pub fn state(s: State, lang: Lang) -> &'static str {
    s.name(lang)
}

/// A ticket's state, or 未派发 for a ticket with a record that was never dispatched.
pub fn ticket_state(s: Option<State>, lang: Lang) -> &'static str {
    s.map_or(lang.t("未派发", "not dispatched"), |s| state(s, lang))
}

/// A pane's title (the same words as the state or flag it lists, capitalised in English).
pub fn pane(p: Pane, lang: Lang) -> &'static str {
    match p {
        Pane::AwaitingSign => lang.t("待签收", "To sign"),
        Pane::InProgress => lang.t("办理中", "In progress"),
        Pane::AwaitingContact => lang.t("待联系", "To contact"),
        Pane::Overdue => lang.t("已超期", "Overdue"),
        Pane::Resolved => lang.t("已解决", "Resolved"),
        Pane::All => lang.t("全部", "All"),
    }
}

/// An event type.
pub fn event(ty: &str, lang: Lang) -> &'static str {
    crate::domain::event::type_name_in(ty, lang)
}

/// The parties a meeting (居民议事) usually brings together, offered in its dialog before the
/// units (any other name can be typed).
pub fn meeting_roles(lang: Lang) -> [&'static str; 6] {
    [
        lang.t("居民代表", "residents"),
        lang.t("社区居委会", "community committee"),
        lang.t("物业公司", "property company"),
        lang.t("业主委员会", "owners' committee"),
        lang.t("专家", "experts"),
        lang.t("街道办事处", "street office"),
    ]
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

/// A citizen's verdict (满意度).
pub fn satisfaction(s: Satisfaction, lang: Lang) -> &'static str {
    match s {
        Satisfaction::Satisfied => lang.t("满意", "satisfied"),
        Satisfaction::BasicallySatisfied => lang.t("基本满意", "basically satisfied"),
        Satisfaction::Unsatisfied => lang.t("不满意", "unsatisfied"),
    }
}

/// How a contact was made.
pub fn channel(c: Channel, lang: Lang) -> &'static str {
    match c {
        Channel::Phone => lang.t("电话", "phone"),
        Channel::Visit => lang.t("走访", "visit"),
        Channel::Sms => lang.t("短信", "SMS"),
        Channel::Wechat => lang.t("微信", "WeChat"),
        Channel::Other => lang.t("其他", "other"),
    }
}

/// Where a ticket came from.
pub fn source(s: Source, lang: Lang) -> &'static str {
    match s {
        Source::Hotline => lang.t("12345热线", "hotline"),
        Source::WalkIn => lang.t("社区工作站", "walk-in"),
        Source::Proactive => lang.t("未诉先办", "proactive"),
    }
}

/// A field of the ticket record (DOMAIN.md's names).
pub fn record_field(f: &str, lang: Lang) -> &'static str {
    let (zh, en) = match f {
        "received_at" => ("受理时间", "received"),
        "complainant" => ("诉求人", "citizen"),
        "phone" => ("联系电话", "phone"),
        "street" => ("街道", "street"),
        "community" => ("社区", "community"),
        "address" => ("地址", "address"),
        "category" => ("分类", "category"),
        "title" => ("标题", "title"),
        "content" => ("内容", "content"),
        "unit" => ("承办单位", "unit"),
        "closed_at" => ("办结时间", "closed"),
        "reply" => ("答复", "reply"),
        "satisfaction" => ("满意度", "satisfaction"),
        "reasonable" => ("是否合理", "reasonable"),
        "source" => ("来源", "source"),
        _ => ("其他", "other"),
    };
    lang.t(zh, en)
}

/// A figure's name.
pub fn figure(f: FigureKind, lang: Lang) -> &'static str {
    match f {
        FigureKind::SigningAccuracy => lang.t("签收准确率", "Signing accuracy"),
        FigureKind::MonthlyContactRate => lang.t("按月联系率", "Monthly contact rate"),
        FigureKind::OnTimeResolutionRate => lang.t("限时办结率", "On-time resolution rate"),
        FigureKind::RepeatComplaintRate => lang.t("重复投诉率", "Repeat complaint rate"),
        FigureKind::RevisitSatisfactionRate => lang.t("回访满意率", "Revisit satisfaction rate"),
        FigureKind::WhistleResponseRate => lang.t("吹哨按时响应率", "Whistle response rate"),
        FigureKind::WhistleResolutionRate => lang.t("吹哨解决率", "Whistle resolution rate"),
        FigureKind::WhistleSatisfactionRate => lang.t("吹哨满意率", "Whistle satisfaction rate"),
    }
}

/// What a hit and a miss of a figure's cohort are.
pub fn cohort_outcome(f: FigureKind, hit: bool, lang: Lang) -> &'static str {
    match (f, hit) {
        (FigureKind::SigningAccuracy, true) => lang.t("首派单位签收", "signed by the unit sent to"),
        (FigureKind::SigningAccuracy, false) => {
            lang.t("首派单位退回", "returned by the unit sent to")
        }
        (FigureKind::MonthlyContactRate, true) => lang.t("本月已联系上", "reached this month"),
        (FigureKind::MonthlyContactRate, false) => lang.t("本月未联系上", "not reached this month"),
        (FigureKind::OnTimeResolutionRate, true) => lang.t("按时解决", "resolved on time"),
        (FigureKind::OnTimeResolutionRate, false) => {
            lang.t("超期(未按时解决)", "late or not resolved")
        }
        (FigureKind::RepeatComplaintRate, true) => lang.t("重复投诉", "a repeat complaint"),
        (FigureKind::RepeatComplaintRate, false) => lang.t("非重复", "not a repeat"),
        (FigureKind::RevisitSatisfactionRate, true) => {
            lang.t("回访满意", "satisfied at the revisit")
        }
        (FigureKind::RevisitSatisfactionRate, false) => {
            lang.t("回访不满意", "unsatisfied at the revisit")
        }
        (FigureKind::WhistleResponseRate, true) => lang.t("24小时内响应", "answered within 24 h"),
        (FigureKind::WhistleResponseRate, false) => {
            lang.t("未按时响应", "not answered within 24 h")
        }
        (FigureKind::WhistleResolutionRate, true) => lang.t("已解决其部分", "resolved its part"),
        (FigureKind::WhistleResolutionRate, false) => lang.t("未解决", "not resolved"),
        (FigureKind::WhistleSatisfactionRate, true) => {
            lang.t("吹哨后回访满意", "satisfied at the revisit after it")
        }
        (FigureKind::WhistleSatisfactionRate, false) => {
            lang.t("吹哨后回访不满意", "unsatisfied at the revisit after it")
        }
    }
}

/// Why there is nothing to undo.
pub fn no_undo(why: &crate::domain::undo::NoUndo, tz: chrono_tz::Tz, lang: Lang) -> String {
    use crate::domain::undo::{NoUndo, WINDOW_MINUTES};
    match why {
        NoUndo::Nothing => lang
            .t(
                "没有可撤销的录入:本机没有您录入的记录",
                "nothing to undo: you entered nothing on this workstation",
            )
            .to_string(),
        NoUndo::WasVoid => lang
            .t(
                "没有可撤销的录入:您最近一次录入就是撤销",
                "nothing to undo: your last entry was a void",
            )
            .to_string(),
        NoUndo::AlreadyVoided => lang
            .t(
                "没有可撤销的录入:您最近一次录入已被撤销",
                "nothing to undo: your last entry is voided already",
            )
            .to_string(),
        NoUndo::Gone => lang
            .t(
                "没有可撤销的录入:您最近一次录入已不在记录中",
                "nothing to undo: your last entry is no longer in the log",
            )
            .to_string(),
        NoUndo::TooOld(at) => {
            let at = at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S");
            match lang {
                Lang::Zh => format!(
                    "不能撤销:您最近一次录入在 {at},已超过 {WINDOW_MINUTES} 分钟;请在详情中选中该记录按 x 撤销并说明原因"
                ),
                Lang::En => format!(
                    "cannot undo: your last entry was at {at}, over {WINDOW_MINUTES} minutes ago; void it from the ticket's timeline (x) with a reason"
                ),
            }
        }
    }
}

/// What an undo will void: one line an event (ticket, time, what).
pub fn undo_lines(plan: &crate::ledger::UndoPlan, tz: chrono_tz::Tz, lang: Lang) -> Vec<String> {
    plan.targets()
        .map(|e| {
            format!(
                "{}  {}  {}",
                plan.ticket,
                e.at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S"),
                crate::output::tickets::describe(e, lang)
            )
        })
        .collect()
}

/// What is wrong with a field of a hand-added ticket (the field named as the form names it).
pub fn new_ticket_problem(
    field: &str,
    problem: &crate::domain::new_ticket::Problem,
    lang: Lang,
) -> String {
    use crate::domain::new_ticket::Problem;
    let name = record_field(field, lang);
    match (problem, lang) {
        (Problem::Blank, Lang::Zh) => format!("请填写「{name}」"),
        (Problem::Blank, Lang::En) => format!("{name} is required"),
        (Problem::TooLong { len, max }, Lang::Zh) => {
            format!("「{name}」太长({len} 字,最多 {max} 字)")
        }
        (Problem::TooLong { len, max }, Lang::En) => {
            format!("{name} is too long ({len} characters, at most {max})")
        }
        (Problem::ControlCharacters, Lang::Zh) => {
            format!("「{name}」含有控制字符(换行、制表符等),请去掉")
        }
        (Problem::ControlCharacters, Lang::En) => {
            format!("{name} contains control characters (newline, tab…): remove them")
        }
        (Problem::NotAPhone, Lang::Zh) => {
            format!("「{name}」只能含数字、+、- 和空格")
        }
        (Problem::NotAPhone, Lang::En) => {
            format!("{name} may hold only digits, +, - and spaces")
        }
    }
}

/// A field of an event as the full-event view names it (DOMAIN.md's fields).
pub fn event_field(f: &str, lang: Lang) -> &'static str {
    match f {
        "type" => lang.t("类型", "type"),
        "at" => lang.t("发生时间", "happened"),
        "recorded_at" => lang.t("录入时间", "entered"),
        "operator" => lang.t("操作员", "operator"),
        "unit" => lang.t("承办单位", "unit"),
        "return_unit" => lang.t("退回单位", "returned by"),
        "reason" => lang.t("理由", "reason"),
        "deadline" => lang.t("承诺时限", "deadline"),
        "new_deadline" => lang.t("新时限", "new deadline"),
        "plan" => lang.t("办理计划", "plan"),
        "channel" => lang.t("联系方式", "channel"),
        "outcome" => lang.t("联系结果", "outcome"),
        "contact_person" => lang.t("联系对象", "contact person"),
        "satisfaction" => lang.t("满意度", "satisfaction"),
        "departments" => lang.t("吹哨部门", "departments"),
        "department" => lang.t("响应部门", "department"),
        "resolved" => lang.t("是否解决", "resolved"),
        "topic" => lang.t("专题", "topic"),
        "participants" => lang.t("参加人员", "participants"),
        "decision" => lang.t("议定事项", "decision"),
        "target" => lang.t("撤销的记录", "voids"),
        "contact_note" => lang.t("沟通内容", "what was said"),
        "title" => lang.t("诉求标题", "title"),
        "content" => lang.t("诉求内容", "content"),
        "address" => lang.t("诉求地址", "address"),
        "reply" => lang.t("答复内容", "reply"),
        "note" => lang.t("备注", "note"),
        _ => lang.t("其他", "other"),
    }
}

/// A contact's outcome.
pub fn outcome(o: crate::domain::event::Outcome, lang: Lang) -> &'static str {
    match o {
        crate::domain::event::Outcome::Reached => lang.t("已联系上", "reached"),
        crate::domain::event::Outcome::Unreached => lang.t("未联系上", "not reached"),
    }
}

/// Yes or no.
pub fn yes_no(b: bool, lang: Lang) -> &'static str {
    if b {
        lang.t("是", "yes")
    } else {
        lang.t("否", "no")
    }
}

/// The banner while the database server is away: what happened, what the app does meanwhile.
pub fn server_away(location: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "⚠ 连不上数据库服务器,现为只读:正在自动重连…(已保存的都在服务器上;{location})"
        ),
        Lang::En => format!(
            "⚠ cannot reach the database server: read-only while genban reconnects by itself… (everything saved is on the server; {location})"
        ),
    }
}

/// Said when the server is back.
pub fn server_back(lang: Lang) -> &'static str {
    lang.t(
        "已重新连上数据库服务器:可以保存了,列表已刷新",
        "the database server is back: saving works again, the lists are read again",
    )
}
