//! The one place that turns a key into an action. Bindings come from `assets/keys.toml`,
//! patched by the user's `keys.toml`; the help overlay and the key bar are generated from it.

use crate::i18n::Lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::path::Path;

/// Where the keys are pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyContext {
    List,
    Detail,
    Dialog,
    Popup,
    Board,
}

impl KeyContext {
    fn section(self) -> &'static str {
        match self {
            KeyContext::List => "list",
            KeyContext::Detail => "detail",
            KeyContext::Dialog => "dialog",
            KeyContext::Popup => "popup",
            KeyContext::Board => "board",
        }
    }
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            KeyContext::List => lang.t("工单列表", "Ticket list"),
            KeyContext::Detail => lang.t("工单详情", "Ticket detail"),
            KeyContext::Dialog => lang.t("登记对话框", "Dialogs"),
            KeyContext::Popup => lang.t("弹出窗口", "Pop-ups"),
            KeyContext::Board => lang.t("督办看板", "Supervision board"),
        }
    }
}

macro_rules! actions {
    ($($variant:ident $code:literal $zh:literal $en:literal,)*) => {
        /// Everything a key can ask for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant,)* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];
            pub fn code(self) -> &'static str {
                match self { $(Action::$variant => $code,)* }
            }
            pub fn describe(self, lang: Lang) -> &'static str {
                match self { $(Action::$variant => lang.t($zh, $en),)* }
            }
            pub fn parse(s: &str) -> Option<Action> {
                match s { $($code => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit "quit" "退出" "quit",
    Help "help" "帮助" "help",
    NextPane "next_pane" "下一栏" "next pane",
    PrevPane "prev_pane" "上一栏" "previous pane",
    Pane1 "pane_1" "待签收" "to sign",
    Pane2 "pane_2" "办理中" "in progress",
    Pane3 "pane_3" "待联系" "to contact",
    Pane4 "pane_4" "已超期" "overdue",
    Pane5 "pane_5" "已解决" "resolved",
    Pane6 "pane_6" "全部工单" "all tickets",
    Down "down" "下移" "down",
    Up "up" "上移" "up",
    PageDown "page_down" "下一页" "page down",
    PageUp "page_up" "上一页" "page up",
    Top "top" "第一件" "first",
    Bottom "bottom" "最后一件" "last",
    Open "open" "打开详情" "open",
    Back "back" "返回" "back",
    Search "search" "搜索" "search",
    FilterUnit "filter_unit" "按单位筛选" "filter by unit",
    FilterCategory "filter_category" "按分类筛选" "filter by category",
    ClearFilter "clear_filter" "清除筛选" "clear filters",
    Sign "sign" "签收" "sign",
    Return "return" "退回" "return",
    Dispatch "dispatch" "派发" "dispatch",
    Contact "contact" "联系" "contact",
    Extend "extend" "延期" "extend",
    Resolve "resolve" "解决" "resolve",
    Revisit "revisit" "回访" "revisit",
    Reopen "reopen" "重新办理" "reopen",
    Note "note" "备注" "note",
    Whistle "whistle" "吹哨(一哨联办)" "whistle (summon departments)",
    Respond "respond" "部门响应" "a department's answer",
    Escalate "escalate" "每月一办" "monthly topic",
    Meeting "meeting" "居民议事" "resident meeting",
    NewTicket "new_ticket" "新增工单(非热线)" "add a walk-in ticket",
    Board "board" "督办看板" "supervision board",
    Void "void" "撤销所选记录" "void the selected event",
    ShowEvent "show_event" "查看所选记录全文" "show the selected event whole",
    ShowRecord "show_record" "诉求与答复全文" "the record's whole text",
    Sort "sort" "切换排序" "change the order",
    RevealPhone "reveal_phone" "显示/隐藏电话" "show/hide phone",
    MonthTasks "month_tasks" "本月任务" "month's tasks",
    Review "review" "回头看(近两个月)" "look-back (two months)",
    Refresh "refresh" "刷新" "refresh",
    Undo "undo" "撤销我的上一条录入" "undo my last entry",
    Operator "operator" "操作员(谁在录入)" "who is at the keyboard",
    Jump "jump" "按编号打开工单" "open a ticket by its id",
    CopyId "copy_id" "复制工单编号" "copy the ticket's id",
    Export "export" "导出所见(xlsx)" "export what is shown (xlsx)",
    PrevPeriod "prev_period" "上一期(看板:上月;回头看:前两个月)" "previous period (board: a month; look-back: two)",
    NextPeriod "next_period" "下一期" "next period",
    Save "save" "保存" "save",
    Cancel "cancel" "取消" "cancel",
    NextField "next_field" "下一项" "next field",
    PrevField "prev_field" "上一项" "previous field",
    NextChoice "next_choice" "下一个选项" "next choice",
    PrevChoice "prev_choice" "上一个选项" "previous choice",
    Close "close" "关闭" "close",
}

/// A key as the key map names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        let mut code = e.code;
        // A shifted letter arrives as its capital; shift itself is not part of the name.
        if let KeyCode::Char(c) = code {
            code = KeyCode::Char(c);
        }
        Key {
            code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(s: &str) -> Option<Key> {
        let (ctrl, alt, rest) = if let Some(r) = s.strip_prefix("ctrl-") {
            (true, false, r)
        } else if let Some(r) = s.strip_prefix("alt-") {
            (false, true, r)
        } else {
            (false, false, s)
        };
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" => KeyCode::PageUp,
            "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" => KeyCode::Delete,
            f if f.len() > 1 && f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }

    /// The key's name as shown in help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::Backspace => "Backspace".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl-{base}"),
            (_, true) => format!("Alt-{base}"),
            _ => base,
        }
    }
}

type Section = BTreeMap<String, Vec<String>>;

/// Context → key → action, and the reverse for help.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: BTreeMap<KeyContext, Vec<(Action, Vec<Key>)>>,
}

const DEFAULTS: &str = include_str!("../../assets/keys.toml");

impl KeyMap {
    /// The shipped bindings.
    pub fn defaults() -> KeyMap {
        KeyMap::from_toml(DEFAULTS, None).expect("assets/keys.toml is valid")
    }

    /// The shipped bindings patched by a user file (if it exists).
    pub fn load(user: Option<&Path>) -> Result<KeyMap, String> {
        let text = match user.map(|p| (p, std::fs::read_to_string(p))) {
            Some((_, Ok(t))) => Some(t),
            Some((_, Err(e))) if e.kind() == std::io::ErrorKind::NotFound => None,
            Some((p, Err(e))) => return Err(format!("cannot read {}: {e}", p.display())),
            None => None,
        };
        KeyMap::from_toml(DEFAULTS, text.as_deref()).map_err(|e| {
            format!(
                "{}: {e}",
                user.map(|p| p.display().to_string()).unwrap_or_default()
            )
        })
    }

    fn from_toml(defaults: &str, user: Option<&str>) -> Result<KeyMap, String> {
        let parse = |t: &str| -> Result<BTreeMap<String, Section>, String> {
            toml::from_str(t).map_err(|e| e.to_string())
        };
        let mut merged = parse(defaults)?;
        if let Some(u) = user {
            for (sec, actions) in parse(u)? {
                let target = merged.get_mut(&sec).ok_or_else(|| {
                    format!("unknown section [{sec}] (list, detail, dialog, popup, board)")
                })?;
                for (a, keys) in actions {
                    target.insert(a, keys);
                }
            }
        }
        let mut bindings = BTreeMap::new();
        for ctx in [
            KeyContext::List,
            KeyContext::Detail,
            KeyContext::Dialog,
            KeyContext::Popup,
            KeyContext::Board,
        ] {
            let mut list = Vec::new();
            if let Some(sec) = merged.get(ctx.section()) {
                for (name, keys) in sec {
                    let action = Action::parse(name)
                        .ok_or_else(|| format!("[{}]: unknown action `{name}`", ctx.section()))?;
                    let keys = keys
                        .iter()
                        .map(|k| {
                            Key::parse(k).ok_or_else(|| {
                                format!("[{}] {name}: unknown key `{k}`", ctx.section())
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    list.push((action, keys));
                }
            }
            // Help lists actions in their declared order.
            list.sort_by_key(|(a, _)| *a);
            bindings.insert(ctx, list);
        }
        Ok(KeyMap { bindings })
    }

    /// The action a key means in a context.
    pub fn action(&self, ctx: KeyContext, key: &KeyEvent) -> Option<Action> {
        let k = Key::from_event(key);
        self.bindings
            .get(&ctx)?
            .iter()
            .find(|(_, keys)| keys.contains(&k))
            .map(|(a, _)| *a)
    }

    /// Every binding of a context, for the help overlay.
    pub fn help(&self, ctx: KeyContext) -> &[(Action, Vec<Key>)] {
        self.bindings.get(&ctx).map_or(&[], Vec::as_slice)
    }

    /// The first `n` keys of an action in a context, joined by `/` (`Esc/q`).
    pub fn keys_label(&self, ctx: KeyContext, action: Action, n: usize) -> Option<String> {
        let keys: Vec<String> = self
            .help(ctx)
            .iter()
            .find(|(a, _)| *a == action)?
            .1
            .iter()
            .take(n)
            .map(Key::label)
            .collect();
        (!keys.is_empty()).then(|| keys.join("/"))
    }

    /// The first key of an action in a context, for the key bar.
    pub fn first_key(&self, ctx: KeyContext, action: Action) -> Option<String> {
        self.help(ctx)
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, k)| k.first())
            .map(Key::label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn defaults_bind_vim_and_arrow_keys() {
        let m = KeyMap::defaults();
        assert_eq!(
            m.action(KeyContext::List, &key(KeyCode::Char('j'))),
            Some(Action::Down)
        );
        assert_eq!(
            m.action(KeyContext::List, &key(KeyCode::Down)),
            Some(Action::Down)
        );
        assert_eq!(
            m.action(KeyContext::List, &key(KeyCode::Char('G'))),
            Some(Action::Bottom)
        );
        assert_eq!(
            m.action(
                KeyContext::List,
                &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            m.action(KeyContext::Dialog, &key(KeyCode::Esc)),
            Some(Action::Cancel)
        );
    }

    #[test]
    fn a_user_file_replaces_the_keys_of_the_actions_it_lists() {
        let m = KeyMap::from_toml(DEFAULTS, Some("[list]\ncontact = [\"a\"]\n")).unwrap();
        assert_eq!(
            m.action(KeyContext::List, &key(KeyCode::Char('a'))),
            Some(Action::Contact)
        );
        assert_eq!(m.action(KeyContext::List, &key(KeyCode::Char('c'))), None);
        assert_eq!(
            m.action(KeyContext::List, &key(KeyCode::Char('s'))),
            Some(Action::Sign)
        );
        assert!(KeyMap::from_toml(DEFAULTS, Some("[list]\nfly = [\"a\"]\n")).is_err());
        assert!(KeyMap::from_toml(DEFAULTS, Some("[list]\nquit = [\"hyper-q\"]\n")).is_err());
    }
}
