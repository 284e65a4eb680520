//! Who saw a citizen's phone number: every reveal (the app's `p`, `--reveal` on the command
//! line) leaves a record — who, when, which ticket, where — kept apart from the ticket log (it
//! changes no figure). `genban audit` lists them.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reveal {
    /// When (the real clock).
    pub at: DateTime<FixedOffset>,
    /// Who (the configured operator), if known.
    pub operator: Option<String>,
    /// The ticket, or `*` for an export of every ticket.
    pub ticket: String,
    /// Where: `app`, `show`, `export-csv`, `export-xlsx`.
    pub place: String,
}

impl Reveal {
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        let who = self
            .operator
            .as_deref()
            .unwrap_or(lang.t("(未设操作员)", "(no operator set)"));
        let ticket = if self.ticket == "*" {
            lang.t("全部工单", "every ticket").to_string()
        } else {
            self.ticket.clone()
        };
        format!(
            "{}  {}  {}  {}",
            self.at.format("%Y-%m-%d %H:%M:%S"),
            crate::text::sanitize(who),
            crate::text::sanitize(&ticket),
            self.place
        )
    }
}
