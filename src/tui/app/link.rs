//! The store's server as the app follows it: away (a banner, nothing written, a dialog kept
//! as typed) and back (the banner gone, the panes read again).

use super::App;

impl App {
    /// Notes whether the server went away or came back since the last poll (a flag the store
    /// keeps: nothing is asked of the server here). Returns whether the screen changes.
    pub(super) fn poll_link(&mut self) -> bool {
        let away = self.ledger.away();
        if away == self.away {
            return false;
        }
        self.away = away;
        if !away {
            // The store says "read everything" as it comes back; the panes follow on the
            // next poll (the generation it moved).
            self.say(crate::labels::server_back(self.lang), false);
        }
        true
    }

    /// Why nothing may be written now, in the interface language (a damaged store opened
    /// read-only, or the server away), if so.
    pub fn write_blocked(&self) -> Option<String> {
        if let Some(why) = self.ledger.read_only() {
            return Some(why);
        }
        self.away
            .then(|| crate::ledger::away_text(&self.ledger.location(), self.lang))
    }

    /// The banner above the panes, if one is due (read-only: damaged, or the server away).
    pub fn banner(&self) -> Option<String> {
        if let Some(why) = self.ledger.read_only() {
            return Some(why);
        }
        self.away
            .then(|| crate::labels::server_away(&self.ledger.location(), self.lang))
    }
}
