//! A database of its own for each PostgreSQL test, on the server `GENBAN_TEST_PG` names
//! (`postgres://postgres@127.0.0.1:PORT/postgres`; `.ci/run` starts one). Without it the
//! tests say they were skipped; with `GENBAN_REQUIRE_PG=1` (CI) they fail instead.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

/// A database made for one test, dropped when the test ends.
pub struct TestDb {
    admin: String,
    pub name: String,
    /// The database's address, for `--db` and `store::open`.
    pub url: String,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The server's address, or None (with a printed line) when the tests are to be skipped.
pub fn server(test: &str) -> Option<String> {
    match std::env::var("GENBAN_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("GENBAN_REQUIRE_PG").as_deref() != Ok("1"),
                "{test}: GENBAN_REQUIRE_PG=1 but GENBAN_TEST_PG names no PostgreSQL server"
            );
            // Straight to standard error, past the test harness's capture, once per test binary.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: the PostgreSQL tests of this file (e.g. {test}) need GENBAN_TEST_PG=postgres://…"
                );
            });
            None
        }
    }
}

/// The address of database `name` on the server of `admin`.
pub fn with_db(admin: &str, name: &str) -> String {
    let (base, _) = admin
        .rsplit_once('/')
        .expect("GENBAN_TEST_PG ends in /dbname");
    format!("{base}/{name}")
}

/// A new empty database (None: skipped, see `server`).
pub fn test_db(test: &str) -> Option<TestDb> {
    let admin = server(test)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "genban_t{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut c = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("GENBAN_TEST_PG {admin}: {e}"));
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = with_db(&admin, &name);
    Some(TestDb { admin, name, url })
}

impl TestDb {
    /// A plain connection to the test's database, for looking behind genban's back.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }

    /// The database's address as a path, as `--db` takes it.
    pub fn path(&self) -> std::path::PathBuf {
        std::path::PathBuf::from(&self.url)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
