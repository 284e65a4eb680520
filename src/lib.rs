//! genban (跟办): follow-up tracking of 12345 hotline tickets sent back for second handling.

pub mod domain;
pub mod i18n;
pub mod import;
pub mod ledger;
pub mod store;
