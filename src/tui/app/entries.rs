//! Who is at the keyboard, and the undo of one's own last entry.

use super::{App, Popup, PromptKind};
use crate::i18n::Lang;

impl App {
    /// Asks who is at the keyboard (at the first start without one, and on its key).
    pub fn ask_operator(&mut self) {
        self.prompt(PromptKind::Operator);
    }

    /// The name typed in the operator prompt: checked, kept in the config, used from now on.
    pub(super) fn save_operator(&mut self, name: Option<&str>) -> anyhow::Result<()> {
        let lang = self.lang;
        let name = name.map(str::trim).unwrap_or_default();
        if let Err(why) = check_name(name, lang) {
            self.say(why, true);
            return Ok(());
        }
        self.popups.pop();
        self.ledger.set_operator(Some(name.to_string()));
        match crate::config::save_operator(name) {
            Ok(path) => self.say(
                match lang {
                    Lang::Zh => format!("操作员:{name}(已存入 {})", path.display()),
                    Lang::En => format!("operator: {name} (saved in {})", path.display()),
                },
                false,
            ),
            Err(e) => self.say(
                match lang {
                    Lang::Zh => format!("操作员:{name}(仅本次有效,未能存入配置:{e})"),
                    Lang::En => format!("operator: {name} (this session only; not saved: {e})"),
                },
                true,
            ),
        }
        Ok(())
    }

    /// `u`: shows what the undo of this operator's last entry here would void.
    pub(super) fn start_undo(&mut self) -> anyhow::Result<()> {
        let (tz, lang) = (self.ledger.tz(), self.lang);
        if let Some(why) = self.write_blocked() {
            self.say(why, true);
            return Ok(());
        }
        match self.ledger.undo_plan()? {
            Ok(plan) => {
                let lines = crate::labels::undo_lines(&plan, tz, lang);
                self.popups.push(Popup::Undo(Box::new(plan), lines));
            }
            Err(why) => self.say(crate::labels::no_undo(&why, tz, lang), true),
        }
        Ok(())
    }

    /// Enter on the undo pop-up: voids what it showed.
    pub(super) fn carry_out_undo(&mut self) -> anyhow::Result<()> {
        let (tz, lang) = (self.ledger.tz(), self.lang);
        let Some(Popup::Undo(plan, _)) = self.popups.pop() else {
            return Ok(());
        };
        match self.ledger.undo(&plan) {
            Ok(Ok(())) => {
                self.refresh_ticket(&plan.ticket)?;
                self.say(
                    format!("{} {}", lang.t("已撤销", "voided"), plan.ticket),
                    false,
                );
            }
            Ok(Err(why)) => self.say(crate::labels::no_undo(&why, tz, lang), true),
            Err(e) => self.say(e.message(lang), true),
        }
        Ok(())
    }
}

/// An operator's name: not empty, at most 100 characters, no control characters.
fn check_name(name: &str, lang: Lang) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err(lang.t("请填写操作员姓名", "a name is required").to_string());
    }
    let what = lang.t("操作员", "operator");
    crate::cli::args::optional(Some(name), what, crate::cli::args::MAX_NAME, lang)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
