//! genban on a real PostgreSQL (`GENBAN_TEST_PG`; each test in a database of its own): the
//! shared sample's reports exact, every command answering as it does on sled, tampering found
//! by `verify`, a newer schema refused, and the addresses that are not a store refused.

mod common;
mod pg_common;
use common::*;
use genban::domain::time::{Clock, Period, DEFAULT_TZ};
use genban::import::{import_file, ImportOptions};
use genban::ledger::Ledger;
use std::path::Path;
use std::process::Output;

/// Runs the binary on `db` (a directory or an address) with a config directory of its own.
fn run(db: &Path, cfg: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--db")
        .arg(db)
        .args(args)
        .env("GENBAN_CONFIG_DIR", cfg)
        .output()
        .unwrap()
}

fn pg_ledger(db: &pg_common::TestDb) -> Ledger {
    Ledger::new(
        genban::store::open(&db.path(), DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, date("2026-11-29")),
    )
}

/// The report of a period, exactly the shared sample's expected v3 file.
fn check_report(l: &Ledger, expected: &str, from: &str, to: &str, as_of: &str) {
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample(expected)).unwrap()).unwrap();
    let report = l
        .report(
            Period {
                from: date(from),
                to: date(to),
            },
            date(as_of),
        )
        .unwrap();
    assert_eq!(serde_json::to_value(&report).unwrap(), want, "{expected}");
}

#[test]
fn the_samples_reports_are_exact_on_postgres() {
    let Some(db) = pg_common::test_db("the_samples_reports_are_exact_on_postgres") else {
        return;
    };
    let l = pg_ledger(&db);
    let rep = import_file(&l, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    assert_eq!(rep.outcome.added, 1466);
    assert_eq!(rep.outcome.duplicates, 8);
    assert!(rep.outcome.refused.is_empty());
    let check = |l: &Ledger| {
        check_report(
            l,
            "report-2026-10.v3.json",
            "2026-10-01",
            "2026-10-31",
            "2026-10-31",
        );
        check_report(
            l,
            "report-2026-11-29.v3.json",
            "2026-11-01",
            "2026-11-30",
            "2026-11-29",
        );
    };
    check(&l);
    assert_eq!(l.verify().unwrap(), Vec::new());
    // Again from a fresh connection, and a second import adds nothing.
    drop(l);
    let l = pg_ledger(&db);
    check(&l);
    let again = import_file(&l, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    assert_eq!(again.outcome.added, 0);
    assert_eq!(again.outcome.duplicates, 1474);
    assert_eq!(l.store().chain_head().unwrap().unwrap().seq, 1466);
}

/// What every read-only command prints, on a store holding the sample.
const COMMANDS: &[&[&str]] = &[
    &["report", "--format", "json"],
    &[
        "report",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--as-of",
        "2026-10-31",
    ],
    &["dashboard"],
    &["review"],
    &["list", "awaiting-sign"],
    &["list", "in-progress", "--format", "json"],
    &["list", "awaiting-contact"],
    &["list", "overdue"],
    &["list", "resolved"],
    &["calls"],
    &["whistles"],
    &["hotspots"],
    &["topics"],
    &["remind"],
    &["verify"],
    &["audit"],
];

#[test]
fn every_command_answers_as_on_sled() {
    let Some(db) = pg_common::test_db("every_command_answers_as_on_sled") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    let sled = dir.path().join("db");
    let file = sample("events.jsonl");
    let file = file.to_str().unwrap();
    for store in [sled.as_path(), db.path().as_path()] {
        ok(&run(store, &cfg, &["import", file]));
    }
    let mut commands: Vec<Vec<&str>> = COMMANDS.iter().map(|c| c.to_vec()).collect();
    // A few tickets' timelines, and search.
    let ids = ok(&run(
        &sled,
        &cfg,
        &["list", "in-progress", "--format", "json"],
    ));
    let listed: serde_json::Value = serde_json::from_str(&ids).unwrap();
    let firsts: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(firsts.len(), 3, "{ids}");
    for id in &firsts {
        commands.push(vec!["show", id]);
    }
    for cmd in &commands {
        let both = |o: Output| {
            let out = ok(&o);
            out + &String::from_utf8_lossy(&o.stderr)
        };
        let on_sled = both(run(&sled, &cfg, cmd));
        let on_pg = both(run(&db.path(), &cfg, cmd));
        assert!(!on_sled.trim().is_empty(), "{cmd:?} printed nothing");
        assert_eq!(on_pg, on_sled, "{cmd:?}");
    }
    // The whole log exported: byte for byte the same, chain and all.
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    for (store, out) in [(sled.as_path(), &a), (db.path().as_path(), &b)] {
        ok(&run(
            store,
            &cfg,
            &["export", "--format", "jsonl", "-o", out.to_str().unwrap()],
        ));
    }
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(a.len() > 100_000);
    assert!(a == b, "the exports differ");
}

#[test]
fn a_write_from_the_cli_is_checked_and_kept() {
    let Some(db) = pg_common::test_db("a_write_from_the_cli_is_checked_and_kept") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    // GENBAN_DB names the database as well as --db does.
    let env_run = |args: &[&str]| {
        bin()
            .args(args)
            .env("GENBAN_DB", &db.url)
            .env("GENBAN_CONFIG_DIR", &cfg)
            .env("GENBAN_OPERATOR", "王雨婷")
            .output()
            .unwrap()
    };
    ok(&env_run(&[
        "import",
        sample("events.jsonl").to_str().unwrap(),
    ]));
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&env_run(&["list", "in-progress", "--format", "json"]))).unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_string();
    ok(&env_run(&[
        "contact",
        &id,
        "--unreached",
        "--at",
        "2026-11-29 10:00",
        "--note",
        "无人接听 PG",
    ]));
    // A sign on a ticket in progress breaks a rule: refused, nothing written.
    let before = pg_ledger(&db).store().chain_head().unwrap();
    let e = err(&env_run(&[
        "sign",
        &id,
        "--deadline",
        "2026-12-21",
        "--at",
        "2026-11-29 10:05",
    ]));
    assert!(e.contains("不能签收"), "{e}");
    assert_eq!(pg_ledger(&db).store().chain_head().unwrap(), before);
    let shown = ok(&env_run(&["show", &id]));
    assert!(shown.contains("无人接听 PG"), "{shown}");
    let v = env_run(&["verify"]);
    ok(&v);
    assert!(String::from_utf8_lossy(&v.stderr).contains("完好"));
    // No directory was made for the address.
    assert!(!Path::new("postgres:").exists());
}

#[test]
fn verify_names_what_was_changed_behind_genbans_back() {
    let Some(db) = pg_common::test_db("verify_names_what_was_changed_behind_genbans_back") else {
        return;
    };
    let l = pg_ledger(&db);
    import_file(&l, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    assert_eq!(l.verify().unwrap(), Vec::new());
    let mut c = db.client();
    // An event's text changed by hand.
    c.execute(
        "UPDATE genban_events SET line = regexp_replace(line, '^\\{', '{\"note\":\"tampered\",') WHERE chain_seq = 2",
        &[],
    )
    .unwrap();
    let found = l.verify().unwrap();
    assert!(
        found.iter().any(|f| matches!(
            f.problem,
            genban::ledger::Problem::Chain(genban::domain::chain::Break::Changed { seq: 2 })
        )),
        "{found:?}"
    );
    // An event removed by hand: the gap is named, and so is the count kept beside the log.
    c.execute("DELETE FROM genban_events WHERE chain_seq = 10", &[])
        .unwrap();
    let found = l.verify().unwrap();
    let text: Vec<String> = found
        .iter()
        .map(|f| f.message(genban::i18n::Lang::En))
        .collect();
    assert!(
        text.iter()
            .any(|t| t.contains("chain events 10–10 are missing")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|t| t.contains("event count kept")),
        "{text:?}"
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let Some(db) = pg_common::test_db("a_newer_schema_is_refused") else {
        return;
    };
    drop(pg_ledger(&db));
    db.client()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (99, 'from_the_future', '2027-01-01T00:00:00Z', '0')",
            &[],
        )
        .unwrap();
    match genban::store::open(&db.path(), DEFAULT_TZ) {
        Err(genban::store::StoreError::NewerSchema {
            found, supported, ..
        }) => assert_eq!(
            (found, supported),
            (99, genban::store::pg_store::PG_SCHEMA_VERSION)
        ),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
    let dir = tempfile::tempdir().unwrap();
    let e = err(&run(&db.path(), &dir.path().join("c"), &["report"]));
    assert!(
        e.contains("更新版本的 genban") && e.contains("格式 99"),
        "{e}"
    );
}

#[test]
fn a_missing_database_is_said_plainly() {
    let Some(admin) = pg_common::server("a_missing_database_is_said_plainly") else {
        return;
    };
    let url = pg_common::with_db(&admin, "genban_no_such_database");
    let dir = tempfile::tempdir().unwrap();
    let e = err(&run(Path::new(&url), &dir.path().join("c"), &["report"]));
    assert!(
        e.contains("没有") && e.contains("genban_no_such_database"),
        "{e}"
    );
    let o = bin()
        .args(["--lang", "en", "--db", &url, "report"])
        .env("GENBAN_CONFIG_DIR", dir.path().join("c"))
        .output()
        .unwrap();
    let e = err(&o);
    assert!(e.contains("there is no database"), "{e}");
}

#[test]
fn a_server_that_is_down_is_named_and_nothing_is_made() {
    // Nothing listens on port 1 of this machine.
    let dir = tempfile::tempdir().unwrap();
    let url = "postgres://genban@127.0.0.1:1/district";
    let o = bin()
        .current_dir(dir.path())
        .args(["--db", url, "report"])
        .env("GENBAN_CONFIG_DIR", dir.path().join("c"))
        .output()
        .unwrap();
    let e = err(&o);
    assert!(
        e.contains("连不上数据库服务器 postgres://genban@127.0.0.1:1/district"),
        "{e}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn other_addresses_are_refused_and_make_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (db, lang, want) in [
        ("mysql://root@localhost/genban", "zh", "不支持 mysql://"),
        (
            "http://example.invalid/db",
            "en",
            "http:// is not supported",
        ),
        ("postgres:relative", "zh", ""),
    ] {
        let o = bin()
            .current_dir(dir.path())
            .args(["--lang", lang, "--db", db, "import", "--dry-run"])
            .arg(sample("events.jsonl"))
            .env("GENBAN_CONFIG_DIR", dir.path().join("c"))
            .output()
            .unwrap();
        if want.is_empty() {
            // Without `://` it is a directory's name, as before.
            ok(&o);
            continue;
        }
        let e = err(&o);
        assert!(e.contains(want), "{db}: {e}");
    }
    // Only the config directory a dry run may read; no store directory for any address.
    let made: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(made.iter().all(|m| m == "c"), "{made:?}");
}

#[test]
fn a_wrong_password_is_said_plainly_and_never_shown() {
    let Some(db) = pg_common::test_db("a_wrong_password_is_said_plainly_and_never_shown") else {
        return;
    };
    // .ci/run makes the server ask this role for its password (everyone else is trusted).
    db.client()
        .batch_execute(
            "DO $$ BEGIN CREATE ROLE genban_pw_test LOGIN PASSWORD 'right-one'; \
             EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        )
        .unwrap();
    let wrong = db
        .url
        .replacen("://postgres@", "://genban_pw_test:not-the-one@", 1);
    assert_ne!(
        wrong, db.url,
        "GENBAN_TEST_PG is expected as postgres://postgres@host:port/db"
    );
    let dir = tempfile::tempdir().unwrap();
    let o = run(Path::new(&wrong), &dir.path().join("c"), &["report"]);
    if o.status.success() {
        assert!(
            std::env::var("GENBAN_REQUIRE_PG").as_deref() != Ok("1"),
            "the server let a wrong password in: .ci/run asks genban_pw_test for its password"
        );
        eprintln!("skipped: this server does not ask genban_pw_test for a password");
        return;
    }
    let e = err(&o);
    assert!(
        e.contains("拒绝登录") && e.contains("genban_pw_test:***@"),
        "{e}"
    );
    assert!(!e.contains("not-the-one"), "{e}");
}

#[test]
fn a_database_of_schema_1_is_upgraded_with_its_streets() {
    let Some(db) = pg_common::test_db("a_database_of_schema_1_is_upgraded_with_its_streets") else {
        return;
    };
    // Schema 1 as the first release made it, and a ticket written by it.
    let v1 = refinery::Migration::unapplied(
        "V1__store",
        include_str!("../assets/pg_migrations/V1__store.sql"),
    )
    .unwrap();
    let mut c = db.client();
    refinery::Runner::new(&[v1]).run(&mut c).unwrap();
    let line = r#"{"ticket":"A1","type":"ticket","at":"2026-10-01T09:00:00+08:00","street":"顶山街道","unit":"新金社区","content":"说\"street\":\"假的\""}"#;
    let e = genban::domain::event::Event::from_json_str(line).unwrap();
    let d = genban::domain::summary::derive("A1", std::slice::from_ref(&e), DEFAULT_TZ);
    let mut head = genban::domain::chain::Head::default();
    let stored = head.append_line(&e);
    c.execute(
        "INSERT INTO genban_events (chain_seq, ticket, seq, line, event_type, at) VALUES (1, 'A1', 1, $1, 'ticket', now())",
        &[&stored],
    )
    .unwrap();
    c.execute(
        "INSERT INTO genban_tickets (id, events, state, unit, category, facts, search) VALUES ('A1', 1, NULL, $1, '', $2, $3)",
        &[&d.summary.unit, &d.facts.encode(), &d.search],
    )
    .unwrap();
    c.execute(
        "UPDATE genban_head SET seq = 1, hash = $1, latest_at = now(), ticket_count = 1",
        &[&head.hash],
    )
    .unwrap();
    // Opened by this genban: upgraded, the street taken from the record (not from its text).
    let l = pg_ledger(&db);
    let streets: Vec<(String, String)> = c
        .query(
            "SELECT (SELECT street FROM genban_tickets), (SELECT street FROM genban_events)",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(streets, [("顶山街道".to_string(), "顶山街道".to_string())]);
    let version: i32 = c
        .query_one("SELECT max(version) FROM refinery_schema_history", &[])
        .unwrap()
        .get(0);
    assert_eq!(version as u32, genban::store::pg_store::PG_SCHEMA_VERSION);
    assert_eq!(l.verify().unwrap(), Vec::new());
}

#[test]
fn a_connection_the_server_dropped_is_made_again() {
    let Some(db) = pg_common::test_db("a_connection_the_server_dropped_is_made_again") else {
        return;
    };
    let l = pg_ledger(&db);
    import_file(&l, &sample("events.jsonl"), &ImportOptions::default()).unwrap();
    let before = l.store().chain_head().unwrap();
    // The server drops every connection to the database (as on a restart).
    let kill = |c: &mut postgres::Client| -> i64 {
        let rows = c
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&db.name],
            )
            .unwrap();
        rows.len() as i64
    };
    let mut admin = db.client();
    assert!(kill(&mut admin) >= 1);
    // A read carries on, on a new connection; so does a write after it.
    check_report(
        &l,
        "report-2026-11-29.v3.json",
        "2026-11-01",
        "2026-11-30",
        "2026-11-29",
    );
    assert_eq!(l.store().chain_head().unwrap(), before);
    l.store().set_meta("after", "the restart").unwrap();
    assert!(kill(&mut admin) >= 1);
    // A write on a dropped connection fails once, plainly; the next one goes through.
    let first = l.store().set_meta("again", "1");
    if let Err(e) = &first {
        assert!(e.message(genban::i18n::Lang::Zh).contains("数据库"), "{e}");
    }
    l.store().set_meta("again", "2").unwrap();
    assert_eq!(l.store().meta("again").unwrap().as_deref(), Some("2"));
    assert_eq!(l.verify().unwrap(), Vec::new());
}
