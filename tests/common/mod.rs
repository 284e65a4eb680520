//! Helpers shared by the integration tests: a real sled store in a temp dir, the shared sample.
#![allow(dead_code)]

use chrono::NaiveDate;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::Ledger;
use genban::store::SledStore;
use std::path::PathBuf;

pub fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

pub fn sample(name: &str) -> PathBuf {
    shared().join("data/sample").join(name)
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A ledger over a fresh sled store in a temp dir (kept alive by the returned guard).
pub fn ledger(today: &str) -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(&dir.path().join("db")).unwrap();
    (
        dir,
        Ledger::new(Box::new(store), Clock::fixed(DEFAULT_TZ, date(today))),
    )
}
