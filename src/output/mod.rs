//! What genban writes for people and scripts: reports, ticket lists, exports.

pub mod backup;
pub mod calls;
pub mod dashboard;
pub mod export;
pub mod report;
pub mod supervision;
pub mod ticket_sheet;
pub mod tickets;
pub mod trend_sheet;
pub mod workbook;
