//! The domain of DOMAIN.md in code: events, ticket states and rules, figures, repeat complaints.
//! Pure: no terminal, no storage; "today" comes from a `time::Clock`.

pub mod chain;
pub mod dashboard;
pub mod event;
mod event_json;
pub mod figures;
pub mod live_report;
pub mod new_ticket;
pub mod pane;
pub mod repeat;
pub mod review;
pub mod search;
pub mod summary;
pub mod supervision;
pub mod ticket;
pub mod ticket_facts;
pub mod time;
pub mod time_text;
pub mod undo;
pub mod void;
