//! Live: every commit notifies `genban_tickets` with the ids it wrote (in its transaction, so
//! only once it is committed); a watcher LISTENs on a connection of its own and hands them on.
//! When the connection is lost it connects again by itself, and then says "read everything"
//! (what was committed meanwhile was not heard).

use super::{connect, write::CHANNEL, PgStore};
use crate::store::{ChangeFeed, StoreError};
use postgres::fallible_iterator::FallibleIterator;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// How long the watcher waits before it tries a lost server again.
const RETRY: Duration = Duration::from_secs(1);

impl PgStore {
    pub(super) fn start_watch(&self, on_change: ChangeFeed) -> Result<(), StoreError> {
        // The first connection here, so that a watcher that cannot listen says so at once.
        let mut client = connect(&self.url, &self.shown)?;
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| self.err(e))?;
        let own = std::sync::Arc::clone(&self.backend_pid);
        let (url, shown) = (self.url.clone(), self.shown.clone());
        std::thread::Builder::new()
            .name("genban-listen".into())
            .spawn(move || loop {
                hear(&mut client, &own, &on_change);
                // The server went away: try again until it is back, then read everything.
                client = loop {
                    std::thread::sleep(RETRY);
                    if let Ok(mut c) = connect(&url, &shown) {
                        if c.batch_execute(&format!("LISTEN {CHANNEL}")).is_ok() {
                            break c;
                        }
                    }
                };
                on_change(None);
            })
            .map_err(StoreError::Io)?;
        Ok(())
    }
}

/// Hands on each notification until the connection fails. The store's own commits (made on
/// the connection whose server process is `own`) are left out: its ledger knows them already.
fn hear(client: &mut postgres::Client, own: &AtomicI32, on_change: &ChangeFeed) {
    let mut notes = client.notifications();
    let mut iter = notes.blocking_iter();
    while let Ok(Some(n)) = iter.next() {
        if n.process_id() == own.load(Ordering::SeqCst) {
            continue;
        }
        match n.payload() {
            "*" => on_change(None),
            p => on_change(Some(p.lines().map(str::to_string).collect())),
        }
    }
}
