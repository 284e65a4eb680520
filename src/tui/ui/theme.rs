//! Colours and emphasis in one place.

use ratatui::style::{Color, Modifier, Style};

pub fn header() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}
pub fn selected() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}
pub fn overdue() -> Style {
    Style::default().fg(Color::Red)
}
pub fn returned() -> Style {
    Style::default().fg(Color::Magenta)
}
pub fn awaiting() -> Style {
    Style::default().fg(Color::Yellow)
}
pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}
pub fn error() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn ok() -> Style {
    Style::default().fg(Color::Green)
}
pub fn title() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}
pub fn active_tab() -> Style {
    Style::default().fg(Color::Black).bg(Color::Cyan)
}
pub fn focus() -> Style {
    Style::default().fg(Color::Black).bg(Color::Yellow)
}
