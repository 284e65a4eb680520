//! Several workstations writing at once on one PostgreSQL database, measured (not asserted):
//! each writer is a process of its own with its own connection and ledger, as a workstation
//! is; each makes `--saves` contacts through `Ledger::record` (check, one transaction, commit)
//! on in-progress tickets, some of them shared with the other writers. Each save is timed from
//! the call to its return after the commit; a save refused because another writer appended to
//! the ticket meanwhile is read again and tried again, inside the same timing (the conflict is
//! counted).
//!
//! Run: `cargo bench --bench pg_writers -- --db postgres://user@host:port/dbname`
//!   `--writers N`       processes writing at once (default 4)
//!   `--saves N`         saves per writer (default 200)
//!   `--own N`           tickets of each writer's own (default 50)
//!   `--shared N`        tickets every writer writes to (default 8)
//!   `--shared-every N`  every Nth save of a writer goes to a shared ticket (default 4)
//!   `--today DATE`      the date the writers work on (default 2026-12-03, as benches/table.sh)
//!
//! The tickets are the first of the in-progress pane on that date. It writes its contacts into
//! the database (`note` 压测 wW-I): give it a copy, e.g. `CREATE DATABASE b TEMPLATE a`. Prints
//! `METRIC name value` lines for `benches/pg_table.sh`: `writers_saves_per_s` (every save of
//! every writer over the time from the first start to the last end), `writers_p50_ms`,
//! `writers_p99_ms`, `writers_max_ms`, `writers_saves`, `writers_conflicts`, `writers_refused`.

use genban::domain::event::{Channel, Event, EventKind, Outcome};
use genban::domain::pane::Pane;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::{Ledger, LedgerError};
use genban::store::StoreError;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Args {
    db: String,
    writers: usize,
    saves: usize,
    own: usize,
    shared: usize,
    shared_every: usize,
    today: chrono::NaiveDate,
    /// Set in a writer's own process: its number.
    child: Option<usize>,
}

fn parse_args() -> Args {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let num = |name: &str, default: usize| {
        arg(name).map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}: a number, not {v}"))
        })
    };
    let Some(db) = arg("--db") else {
        eprintln!("pg_writers: give --db postgres://user@host:port/dbname (see the top of benches/pg_writers.rs)");
        std::process::exit(2);
    };
    let today = arg("--today").unwrap_or_else(|| "2026-12-03".into());
    Args {
        db,
        writers: num("--writers", 4).max(1),
        saves: num("--saves", 200),
        own: num("--own", 50).max(1),
        shared: num("--shared", 8).max(1),
        shared_every: num("--shared-every", 4).max(1),
        today: chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").expect("--today YYYY-MM-DD"),
        child: arg("--child").map(|v| v.parse().expect("--child N")),
    }
}

fn ledger(a: &Args) -> Ledger {
    let store = genban::store::open(Path::new(&a.db), DEFAULT_TZ)
        .unwrap_or_else(|e| panic!("{}: {e}", a.db));
    Ledger::new(store, Clock::fixed(DEFAULT_TZ, a.today))
}

fn epoch_us() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros()
}

fn main() {
    let a = parse_args();
    match a.child {
        Some(w) => writer(&a, w),
        None => lead(&a),
    }
}

/// What one writer reports: each save's time, when it started and ended, conflicts met and
/// saves refused by the rules.
#[derive(Default)]
struct Report {
    latencies_us: Vec<u64>,
    start_us: u128,
    end_us: u128,
    conflicts: u64,
    refused: u64,
}

/// Picks the tickets, starts the writers, lets them go at once, gathers and prints.
fn lead(a: &Args) {
    let l = ledger(a);
    let rows = l.pane(Pane::InProgress, a.today).unwrap();
    let need = a.shared + a.writers * a.own;
    assert!(
        rows.len() >= need,
        "{need} in-progress tickets needed, {} there",
        rows.len()
    );
    let ids: Vec<String> = rows[..need].iter().map(|r| r.ticket().id.clone()).collect();
    drop(l);
    let (shared, own) = ids.split_at(a.shared);
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..a.writers)
        .map(|w| {
            let mut c = Command::new(&exe)
                .args(["--child", &w.to_string(), "--db", &a.db])
                .args(["--saves", &a.saves.to_string()])
                .args(["--shared-every", &a.shared_every.to_string()])
                .args(["--today", &a.today.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = c.stdin.take().unwrap();
            writeln!(stdin, "{}", shared.join(" ")).unwrap();
            writeln!(stdin, "{}", own[w * a.own..(w + 1) * a.own].join(" ")).unwrap();
            let mut out = BufReader::new(c.stdout.take().unwrap());
            (c, stdin, out_line(&mut out, "ready"), out)
        })
        .collect();
    // Every writer has connected and read its tickets: all start now.
    for (_, stdin, _, _) in &mut children {
        writeln!(stdin, "go").unwrap();
        stdin.flush().unwrap();
    }
    let mut all = Report {
        start_us: u128::MAX,
        ..Report::default()
    };
    for (mut c, _, _, out) in children {
        let r = read_report(out);
        all.latencies_us.extend(r.latencies_us);
        all.start_us = all.start_us.min(r.start_us);
        all.end_us = all.end_us.max(r.end_us);
        all.conflicts += r.conflicts;
        all.refused += r.refused;
        assert!(c.wait().unwrap().success(), "a writer failed");
    }
    print_report(a, all);
}

fn out_line(out: &mut impl BufRead, want: &str) -> String {
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with(want), "a writer said {line:?}");
    line
}

/// A writer's stdout: `LAT us` per save, then `END start_us end_us conflicts refused`.
fn read_report(out: impl BufRead) -> Report {
    let mut r = Report::default();
    for line in out.lines() {
        let line = line.unwrap();
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["LAT", us] => r.latencies_us.push(us.parse().unwrap()),
            ["END", s, e, c, x] => {
                r.start_us = s.parse().unwrap();
                r.end_us = e.parse().unwrap();
                r.conflicts = c.parse().unwrap();
                r.refused = x.parse().unwrap();
            }
            _ => eprintln!("pg_writers: a writer said {line:?}"),
        }
    }
    r
}

/// The value at quantile q of sorted values (nearest rank).
fn quantile(sorted: &[u64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1e3
}

fn print_report(a: &Args, mut all: Report) {
    all.latencies_us.sort_unstable();
    let n = all.latencies_us.len();
    assert!(n > 0, "no save was made");
    let span = Duration::from_micros(u64::try_from(all.end_us - all.start_us).unwrap());
    let rate = n as f64 / span.as_secs_f64();
    let (p50, p99) = (
        quantile(&all.latencies_us, 0.5),
        quantile(&all.latencies_us, 0.99),
    );
    let max = *all.latencies_us.last().unwrap() as f64 / 1e3;
    println!(
        "{} writers x {} saves ({} tickets shared, every {}th save on one): {n} saves in {:.2} s = {rate:.0} saves/s; p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; {} conflicts read again, {} refused",
        a.writers, a.saves, a.shared, a.shared_every, span.as_secs_f64(), all.conflicts, all.refused
    );
    println!("METRIC writers_saves_per_s {rate:.2}");
    println!("METRIC writers_p50_ms {p50:.2}");
    println!("METRIC writers_p99_ms {p99:.2}");
    println!("METRIC writers_max_ms {max:.2}");
    println!("METRIC writers_saves {n}");
    println!("METRIC writers_conflicts {}", all.conflicts);
    println!("METRIC writers_refused {}", all.refused);
}

/// One writer, in its own process: reads its shared and own tickets from stdin, connects,
/// says `ready`, waits for `go`, saves, reports.
fn writer(a: &Args, w: usize) {
    let mut input = std::io::stdin().lock();
    let mut line = String::new();
    let mut ids = || {
        line.clear();
        input.read_line(&mut line).unwrap();
        line.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (shared, own) = (ids(), ids());
    let l = ledger(a);
    l.set_operator(Some(format!("压测{w}")));
    println!("ready");
    let _ = ids(); // go
    let mut r = Report {
        start_us: epoch_us(),
        ..Report::default()
    };
    let mut out = std::io::stdout().lock();
    for i in 0..a.saves {
        let id = if i % a.shared_every == 0 {
            &shared[(i / a.shared_every + w) % shared.len()]
        } else {
            &own[i % own.len()]
        };
        let e = Event::new(
            id,
            l.clock.now().with_timezone(&DEFAULT_TZ).fixed_offset(),
            EventKind::Contact {
                channel: Channel::Phone,
                outcome: Outcome::Unreached,
                contact_person: None,
            },
        )
        .with_note(Some(format!("压测 w{w}-{i}")));
        let t = Instant::now();
        if save(&l, e, &mut r) {
            writeln!(out, "LAT {}", t.elapsed().as_micros()).unwrap();
        }
    }
    r.end_us = epoch_us();
    writeln!(
        out,
        "END {} {} {} {}",
        r.start_us, r.end_us, r.conflicts, r.refused
    )
    .unwrap();
}

/// Records `e`, reading the ticket again after another writer got there first; whether it
/// was saved (not refused by the rules).
fn save(l: &Ledger, e: Event, r: &mut Report) -> bool {
    for _ in 0..100 {
        match l.record(e.clone()) {
            Ok(()) => return true,
            Err(LedgerError::Store(StoreError::Conflict(_))) => r.conflicts += 1,
            Err(LedgerError::Refused(why)) => {
                eprintln!("{}: {}", e.ticket, why.message(genban::i18n::Lang::Zh));
                r.refused += 1;
                return false;
            }
            Err(other) => panic!("{}: {other}", e.ticket),
        }
    }
    panic!("{}: still in conflict after 100 tries", e.ticket);
}
