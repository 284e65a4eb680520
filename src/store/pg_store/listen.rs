//! Live: every commit notifies `genban_tickets` with the ids it wrote (in its transaction, so
//! only once it is committed); a watcher LISTENs on a connection of its own and hands them on.
//! When the connection is lost it connects again by itself, and then says "read everything"
//! (what was committed meanwhile was not heard). While it cannot, the server is away: the store
//! says so (`EventStore::reachable`), and the app goes read-only with a banner until it is back.

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
        let link = std::sync::Arc::clone(&self.link);
        let (url, shown) = (self.url.clone(), self.shown.clone());
        std::thread::Builder::new()
            .name("genban-listen".into())
            .spawn(move || loop {
                hear(&mut client, &own, &on_change);
                // The connection was lost: at once again (one dropped connection, a quick
                // restart); else the server is away until a try each second finds it back.
                client = match listen(&url, &shown) {
                    Some(c) => c,
                    None => {
                        link.lost();
                        loop {
                            std::thread::sleep(RETRY);
                            if let Some(c) = listen(&url, &shown) {
                                break c;
                            }
                        }
                    }
                };
                // Back: what was committed meanwhile was not heard, so read everything.
                link.back();
                on_change(None);
            })
            .map_err(StoreError::Io)?;
        Ok(())
    }
}

/// A new connection listening on the channel, if the server takes one.
fn listen(url: &str, shown: &str) -> Option<postgres::Client> {
    let mut c = connect(url, shown).ok()?;
    c.batch_execute(&format!("LISTEN {CHANNEL}")).ok()?;
    Some(c)
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
