//! A text shown whole in a pop-up (an event, a ticket's record), scrolled by wrapped rows so
//! that every character can be reached. State and geometry only: the app moves it, `ui`
//! draws it, both through `rows` and `visible` so that they agree.

use crate::text::{sanitize, wrap};

/// A text shown whole, and the first wrapped row shown.
#[derive(Debug, Clone, PartialEq)]
pub struct TextView {
    pub title: String,
    /// Its lines as given; a line may hold line breaks and wrap over several rows.
    pub lines: Vec<String>,
    /// The first wrapped row shown.
    pub scroll: usize,
}

impl TextView {
    pub fn new(title: impl Into<String>, lines: Vec<String>) -> TextView {
        TextView {
            title: title.into(),
            lines,
            scroll: 0,
        }
    }

    /// The pop-up's width in a terminal `cols` wide.
    pub fn box_width(cols: u16) -> u16 {
        cols.saturating_sub(4).min(90)
    }

    /// The rows of the text wrapped to the pop-up of a terminal `cols` wide (a line break is
    /// a break, control characters made visible).
    pub fn rows(&self, cols: u16) -> Vec<String> {
        let w = (Self::box_width(cols).saturating_sub(2) as usize).max(1);
        self.lines
            .iter()
            .flat_map(|l| l.split('\n'))
            .flat_map(|l| wrap(&sanitize(l.trim_end_matches('\r')), w))
            .collect()
    }

    /// How many text rows a terminal `rows` high shows at most (borders, the footer and a
    /// margin taken off).
    pub fn visible(rows: u16) -> usize {
        (rows as usize).saturating_sub(5).max(1)
    }

    /// The last first row: the end of the text at the bottom of the pop-up.
    pub fn max_scroll(&self, viewport: (u16, u16)) -> usize {
        self.rows(viewport.0)
            .len()
            .saturating_sub(Self::visible(viewport.1))
    }
}
