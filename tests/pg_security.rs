//! Each sees what is theirs, enforced by the database: a street's role sees and writes only its
//! street's tickets, through genban and through hand-written SQL on its own connection alike;
//! the office's role sees all; a supervisor's role reads all and writes nothing but the audit
//! trail, where a reveal is recorded with the role that asked.

mod common;
mod pg_common;
use common::*;
use genban::domain::summary::derive;
use genban::domain::time::DEFAULT_TZ;
use genban::store::{DbProblem, StoreError, TicketChange};
use std::path::Path;
use std::process::Output;

const STREET: &str = "顶山街道";

/// Roles made for one test, dropped after its database (declare it first).
struct Roles {
    admin: String,
    names: Vec<String>,
}

impl Roles {
    fn make(admin: &str, kinds: &[&str]) -> Roles {
        let mut c = postgres::Client::connect(admin, postgres::NoTls).unwrap();
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let names: Vec<String> = kinds
            .iter()
            .map(|k| format!("genban_{k}_{}_{n}", std::process::id()))
            .collect();
        for n in &names {
            c.batch_execute(&format!("DROP ROLE IF EXISTS {n}; CREATE ROLE {n} LOGIN"))
                .unwrap();
        }
        Roles {
            admin: admin.to_string(),
            names,
        }
    }
}

impl Drop for Roles {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            for n in &self.names {
                let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS {n}"));
            }
        }
    }
}

/// The address of the test's database as `role`.
fn as_role(url: &str, role: &str) -> String {
    url.replacen("://postgres@", &format!("://{role}@"), 1)
}

fn run(db: &str, cfg: &Path, args: &[&str]) -> Output {
    bin()
        .args(["--db", db])
        .args(args)
        .env("GENBAN_CONFIG_DIR", cfg)
        .env("GENBAN_OPERATOR", "测试")
        .output()
        .unwrap()
}

/// The ids a JSON list of tickets names.
fn listed(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// A database holding the sample, with a street's, the office's and a supervisor's roles.
struct District {
    // Dropped in this order: the database, then the roles that had rights in it.
    db: pg_common::TestDb,
    roles: Roles,
    _dir: tempfile::TempDir,
    cfg: std::path::PathBuf,
    /// The ids of the street's tickets, as the owner reads them.
    ours: Vec<String>,
}

impl District {
    fn street(&self) -> String {
        as_role(&self.db.url, &self.roles.names[0])
    }
    fn office(&self) -> String {
        as_role(&self.db.url, &self.roles.names[1])
    }
    fn read(&self) -> String {
        as_role(&self.db.url, &self.roles.names[2])
    }
    fn list(&self, url: &str) -> Vec<String> {
        listed(&ok(&run(
            url,
            &self.cfg,
            &["list", "in-progress", "--format", "json"],
        )))
    }
}

fn district(test: &str) -> Option<District> {
    let admin = pg_common::server(test)?;
    let roles = Roles::make(&admin, &["street", "office", "read"]);
    let db = pg_common::test_db(test).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    ok(&run(
        &db.url,
        &cfg,
        &["import", sample("events.jsonl").to_str().unwrap()],
    ));
    let n = &roles.names;
    ok(&run(
        &db.url,
        &cfg,
        &["admin", "grant-street", &n[0], STREET],
    ));
    ok(&run(&db.url, &cfg, &["admin", "grant-district", &n[1]]));
    let said = ok(&run(&db.url, &cfg, &["admin", "grant-read", &n[2]]));
    assert!(said.contains("不能写入"), "{said}");
    let ours: Vec<String> = db
        .client()
        .query(
            "SELECT id FROM genban_tickets WHERE street = $1 ORDER BY id",
            &[&STREET],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ours.len(), 52);
    Some(District {
        db,
        roles,
        _dir: dir,
        cfg,
        ours,
    })
}

#[test]
fn a_street_reads_only_its_own_tickets_the_office_and_supervisors_all() {
    let Some(d) = district("a_street_reads_only_its_own_tickets_the_office_and_supervisors_all")
    else {
        return;
    };
    let everyone = d.list(&d.db.url);
    let mine = d.list(&d.street());
    assert!(!mine.is_empty() && mine.len() < everyone.len());
    assert!(mine.iter().all(|id| d.ours.contains(id)), "{mine:?}");
    assert_eq!(d.list(&d.office()), everyone);
    assert_eq!(d.list(&d.read()), everyone);
    let theirs = everyone.iter().find(|id| !d.ours.contains(id)).unwrap();
    let e = err(&run(&d.street(), &d.cfg, &["show", theirs]));
    assert!(e.contains("没有这个工单"), "{e}");
}

#[test]
fn hand_written_sql_of_a_street_reaches_no_other_street() {
    let Some(d) = district("hand_written_sql_of_a_street_reaches_no_other_street") else {
        return;
    };
    let theirs = d
        .list(&d.db.url)
        .into_iter()
        .find(|id| !d.ours.contains(id))
        .unwrap();
    let mut sql = postgres::Client::connect(&d.street(), postgres::NoTls).unwrap();
    for table in ["genban_tickets", "genban_events"] {
        let n: i64 = sql
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE street <> $1"),
                &[&STREET],
            )
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "{table}");
    }
    let changed = sql
        .execute(
            "UPDATE genban_tickets SET unit = 'x' WHERE id = $1",
            &[&theirs],
        )
        .unwrap();
    assert_eq!(changed, 0);
    assert!(sql.execute("DELETE FROM genban_events", &[]).is_err());
    let forged = sql.execute(
        "INSERT INTO genban_events (chain_seq, ticket, seq, line, event_type, at, street) \
         VALUES (999999, 'FORGED', 1, '{}', 'ticket', now(), '江浦街道')",
        &[],
    );
    assert!(forged.is_err(), "a row of another street was written");
    let n: i64 =
        d.db.client()
            .query_one("SELECT count(*) FROM genban_tickets WHERE unit = 'x'", &[])
            .unwrap()
            .get(0);
    assert_eq!(n, 0);
}

#[test]
fn writes_outside_ones_street_or_rights_are_refused_plainly() {
    let Some(d) = district("writes_outside_ones_street_or_rights_are_refused_plainly") else {
        return;
    };
    let own = d.list(&d.street())[0].clone();
    ok(&run(
        &d.street(),
        &d.cfg,
        &["contact", &own, "--unreached", "--at", "2026-11-29 09:00"],
    ));
    // A ticket whose record names another street: refused by the database.
    let store = genban::store::open(Path::new(&d.street()), DEFAULT_TZ).unwrap();
    let record = genban::domain::event::Event::from_json_str(
        r#"{"ticket":"NEW1","type":"ticket","at":"2026-11-20T09:00:00+08:00","street":"江浦街道","unit":"江浦街道"}"#,
    )
    .unwrap();
    let change = TicketChange {
        id: "NEW1".into(),
        expected_events: 0,
        derived: derive("NEW1", std::slice::from_ref(&record), DEFAULT_TZ),
        new_events: vec![record],
        chain_at: Vec::new(),
    };
    let refused = store.commit(&[change]).unwrap_err();
    assert!(
        matches!(
            refused,
            StoreError::Database {
                problem: DbProblem::OutsideStreet,
                ..
            }
        ),
        "{refused}"
    );
    let said = refused.message(genban::i18n::Lang::Zh);
    assert!(said.contains("工单 NEW1 不属于你的街道"), "{said}");
    let said = refused.message(genban::i18n::Lang::En);
    assert!(said.contains("ticket NEW1 is not in your street"), "{said}");
    // The supervisor reads but does not write.
    let e = err(&run(
        &d.read(),
        &d.cfg,
        &["contact", &own, "--unreached", "--at", "2026-11-29 10:00"],
    ));
    assert!(e.contains("权限"), "{e}");
    // A reveal is audited in the database with the role that asked.
    ok(&run(&d.street(), &d.cfg, &["show", &own, "--reveal-phone"]));
    let who: Vec<String> =
        d.db.client()
            .query("SELECT role FROM genban_audit", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
    assert_eq!(who, vec![d.roles.names[0].clone()]);
    // The office's verify finds the log whole, the street's write included.
    let v = run(&d.office(), &d.cfg, &["verify"]);
    ok(&v);
    assert!(String::from_utf8_lossy(&v.stderr).contains("完好"));
}

/// A record of `id` naming `street`, received on 2026-11-29.
fn record(id: &str, street: &str) -> genban::domain::event::Event {
    genban::domain::event::Event::from_json_str(&format!(
        r#"{{"ticket":"{id}","type":"ticket","at":"2026-11-29T09:00:00+08:00","received_at":"2026-11-29T09:00:00+08:00","street":"{street}","unit":"{street}","title":"楼道灯不亮"}}"#
    ))
    .unwrap()
}

#[test]
fn a_write_to_another_streets_ticket_says_it_is_not_in_ones_street_not_a_conflict() {
    let Some(d) =
        district("a_write_to_another_streets_ticket_says_it_is_not_in_ones_street_not_a_conflict")
    else {
        return;
    };
    let theirs = d
        .list(&d.db.url)
        .into_iter()
        .find(|id| !d.ours.contains(id))
        .unwrap();
    let events_of = |id: &str| -> i64 {
        d.db.client()
            .query_one(
                "SELECT count(*) FROM genban_events WHERE ticket = $1",
                &[&id],
            )
            .unwrap()
            .get(0)
    };
    let before = events_of(&theirs);
    // An import of a record under the other street's id, naming one's own street: the role
    // cannot see the ticket, the database holds it.
    let file = d._dir.path().join("theirs.jsonl");
    std::fs::write(&file, record(&theirs, STREET).to_json_line()).unwrap();
    let e = err(&run(
        &d.street(),
        &d.cfg,
        &["import", file.to_str().unwrap()],
    ));
    assert!(e.contains(&format!("工单 {theirs} 不属于你的街道")), "{e}");
    assert!(!e.contains("另一处修改"), "said as a conflict: {e}");
    let e = err(&run(
        &d.street(),
        &d.cfg,
        &["--lang", "en", "import", file.to_str().unwrap()],
    ));
    assert!(
        e.contains(&format!("ticket {theirs} is not in your street")),
        "{e}"
    );
    assert_eq!(events_of(&theirs), before, "nothing was written");
    // A ticket of one's street moved to another between the read and the write.
    let store = genban::store::open(Path::new(&d.street()), DEFAULT_TZ).unwrap();
    let own = d.ours[0].clone();
    let log = store.events(&own).unwrap();
    d.db.client()
        .execute(
            "UPDATE genban_tickets SET street = '江浦街道' WHERE id = $1",
            &[&own],
        )
        .unwrap();
    let note = genban::domain::event::Event::from_json_str(&format!(
        r#"{{"ticket":"{own}","type":"note","at":"2026-11-29T10:00:00+08:00","note":"x"}}"#
    ))
    .unwrap();
    let mut after = log.clone();
    after.push(note.clone());
    let refused = store
        .commit(&[TicketChange {
            id: own.clone(),
            expected_events: log.len(),
            derived: derive(&own, &after, DEFAULT_TZ),
            new_events: vec![note],
            chain_at: Vec::new(),
        }])
        .unwrap_err();
    assert!(
        matches!(
            refused,
            StoreError::Database {
                problem: DbProblem::OtherStreetsTicket,
                ..
            }
        ),
        "{refused}"
    );
    assert!(refused
        .message(genban::i18n::Lang::Zh)
        .contains(&format!("工单 {own} 不属于你的街道")));
}

#[test]
fn a_ticket_added_on_a_street_takes_the_next_id_another_street_has_not_taken() {
    let Some(d) =
        district("a_ticket_added_on_a_street_takes_the_next_id_another_street_has_not_taken")
    else {
        return;
    };
    // Another street added the day's first ticket (the street's role cannot see it).
    let owner = genban::ledger::Ledger::new(
        genban::store::open(&d.db.path(), DEFAULT_TZ).unwrap(),
        genban::domain::time::Clock::fixed(DEFAULT_TZ, date("2026-11-29")),
    );
    owner.record(record("L20261129001", "江浦街道")).unwrap();
    let street = genban::ledger::Ledger::new(
        genban::store::open(Path::new(&d.street()), DEFAULT_TZ).unwrap(),
        genban::domain::time::Clock::fixed(DEFAULT_TZ, date("2026-11-29")),
    );
    let id = street
        .record_new_ticket("L20261129", |id| vec![record(id, STREET)])
        .unwrap();
    assert_eq!(id, "L20261129002");
    assert_eq!(street.events(&id).unwrap().len(), 1);
    assert!(street.events("L20261129001").unwrap().is_empty());
}

#[test]
fn a_streets_role_counts_its_own_tickets() {
    let Some(d) = district("a_streets_role_counts_its_own_tickets") else {
        return;
    };
    let count = |url: &str| {
        genban::store::open(Path::new(url), DEFAULT_TZ)
            .unwrap()
            .ticket_count()
            .unwrap()
    };
    let all = count(&d.db.url);
    assert!(all > d.ours.len());
    assert_eq!(count(&d.street()), d.ours.len());
    assert_eq!(count(&d.office()), all);
    assert_eq!(count(&d.read()), all);
}
