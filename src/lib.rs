//! genban (跟办): follow-up tracking of 12345 hotline tickets sent back for second handling.
//!
//! Data flows one way: key → action → domain check → store commit → view refresh → draw.
//! `domain` is pure, `store` keeps the log, `ledger` is the one place that writes events,
//! `cli` and `tui` are the two front ends over it.

pub mod audit;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod import;
pub mod labels;
pub mod ledger;
pub mod output;
pub mod parallel;
pub mod serve;
pub mod store;
pub mod text;
pub mod tui;

/// mimalloc: evaluating a district's tickets allocates and frees many small values (a third of
/// a report's time went to the system allocator).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
