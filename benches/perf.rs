//! Speed and memory, measured (not asserted): import and report on the shared sample and on a
//! store of 100,000 tickets; the terminal app's first screen and key presses on both.
//!
//! Run: `cargo bench --bench perf` (add `-- --tickets N` for another size). Prints one line per
//! measurement; times are wall-clock on whatever else the machine is doing.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use genban::domain::time::{Clock, Period, DEFAULT_TZ};
use genban::i18n::Lang;
use genban::import::{import_file, ImportOptions};
use genban::ledger::Ledger;
use genban::tui::{app::App, keymap::KeyMap, ui};
use ratatui::{backend::TestBackend, Terminal};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn open(db: &Path, today: &str) -> Ledger {
    let today = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap();
    Ledger::new(
        genban::store::open(db, DEFAULT_TZ).unwrap(),
        Clock::fixed(DEFAULT_TZ, today),
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.to_string())
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn dir_mib(p: &Path) -> f64 {
    fn walk(p: &Path) -> u64 {
        std::fs::read_dir(p)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        let m = e.metadata().unwrap();
                        if m.is_dir() {
                            walk(&e.path())
                        } else {
                            m.len()
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(p) as f64 / 1024.0 / 1024.0
}

fn report_times(l: &Ledger, period: Period, as_of: chrono::NaiveDate, runs: usize) -> Duration {
    median(
        (0..runs)
            .map(|_| time(|| l.report(period, as_of).unwrap()).1)
            .collect(),
    )
}

/// First screen (App::new + one draw) and the median of each key's update + redraw.
fn tui(label: &str, db: &Path, today: &str) {
    let start = Instant::now();
    let (mut app, first) = time(|| {
        let l = open(db, today);
        // As the app runs: the header figures are computed on a thread.
        let app = App::new(l, Lang::Zh, KeyMap::defaults(), true).unwrap();
        let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
        t.draw(|f| ui::render(f, &app)).unwrap();
        app
    });
    println!(
        "{label}: first screen (open store, load every pane, draw 120x40): {:.1} ms",
        first.as_secs_f64() * 1e3
    );
    while !app.poll() {
        std::thread::sleep(Duration::from_millis(2));
    }
    println!(
        "{label}: header figures ready (on their thread) after {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut press = |app: &mut App, code: KeyCode| {
        let (_, d) = time(|| {
            app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
            t.draw(|f| ui::render(f, app)).unwrap();
        });
        d
    };
    press(&mut app, KeyCode::Esc);
    let mut moves = Vec::new();
    for _ in 0..50 {
        moves.push(press(&mut app, KeyCode::Char('j')));
    }
    println!(
        "{label}: key j (move + redraw), median of 50: {:.2} ms",
        median(moves).as_secs_f64() * 1e3
    );
    let mut panes = Vec::new();
    for k in ['1', '2', '3', '4', '5', '2'] {
        panes.push(press(&mut app, KeyCode::Char(k)));
    }
    println!(
        "{label}: keys 1-5 (switch pane + redraw), median of 6: {:.2} ms",
        median(panes).as_secs_f64() * 1e3
    );
    let mut opens = Vec::new();
    for _ in 0..10 {
        opens.push(press(&mut app, KeyCode::Enter));
        press(&mut app, KeyCode::Esc);
    }
    println!(
        "{label}: Enter (open detail), median of 10: {:.1} ms",
        median(opens).as_secs_f64() * 1e3
    );
    // Record a contact through the dialog: c opens it, Enter saves (commit + flush + refresh).
    let mut saves = Vec::new();
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('c'));
        saves.push(press(&mut app, KeyCode::Enter));
        press(&mut app, KeyCode::Char('j'));
    }
    println!("{label}: save a contact (check, commit, flush, update panes, redraw; figures follow on a thread), median of 5: {:.1} ms", median(saves).as_secs_f64() * 1e3);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--tickets")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let work = tempfile::tempdir().unwrap();
    // GENBAN_BENCH_KEEP=1 keeps the stores (to time the real binary on them afterwards).
    let keep = std::env::var("GENBAN_BENCH_KEEP").as_deref() == Ok("1");
    let sample =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sample/events.jsonl");

    // The shared sample.
    let db = work.path().join("sample");
    let l = open(&db, "2026-11-29");
    let (rep, d) = time(|| import_file(&l, &sample, &ImportOptions::default()).unwrap());
    println!(
        "sample: import {} events in {:.1} ms = {:.0} events/s",
        rep.outcome.added,
        d.as_secs_f64() * 1e3,
        rep.outcome.added as f64 / d.as_secs_f64()
    );
    let nov = Period::month_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    let r = report_times(
        &l,
        nov,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        9,
    );
    println!(
        "sample: report (300 tickets), median of 9: {:.1} ms",
        r.as_secs_f64() * 1e3
    );
    drop(l);
    tui("sample", &db, "2026-11-29");

    let big = big_store(n, work.path(), nov);
    tui(&format!("{n} tickets"), &big, "2026-11-29");
    println!(
        "peak resident memory of this process: {:.0} MiB",
        peak_rss_mib()
    );
    if keep {
        let kept = work.keep();
        println!("stores kept in {}", kept.display());
    }
}

/// A store of n tickets: generated through the ledger, exported, then imported into an empty
/// store (the import measured is the real `import` of a JSONL file); then its report,
/// look-back, verify and panes. Returns where it is.
fn big_store(n: usize, work: &Path, nov: Period) -> PathBuf {
    let gen_db = work.join("gen");
    let l = open(&gen_db, "2026-11-29");
    let (out, d) = time(|| genban::demo::generate(&l, n, 11).unwrap());
    println!(
        "{n} tickets: generate + check + write {} events in {:.1} s = {:.0} events/s",
        out.added,
        d.as_secs_f64(),
        out.added as f64 / d.as_secs_f64()
    );
    let log = work.join("big.jsonl");
    let ((count, _), d) = time(|| genban::output::export::jsonl(&l, &log).unwrap());
    println!(
        "{n} tickets: export {count} events to JSONL in {:.1} s",
        d.as_secs_f64()
    );
    drop(l);
    let big = work.join("big");
    let l = open(&big, "2026-11-29");
    let (rep, d) = time(|| import_file(&l, &log, &ImportOptions::default()).unwrap());
    println!(
        "{n} tickets: import {} events in {:.1} s = {:.0} events/s; store on disk {:.0} MiB",
        rep.outcome.added,
        d.as_secs_f64(),
        rep.outcome.added as f64 / d.as_secs_f64(),
        dir_mib(&big)
    );
    let (again, d) = time(|| import_file(&l, &log, &ImportOptions::default()).unwrap());
    println!(
        "{n} tickets: re-import (all {} duplicates) in {:.1} s",
        again.outcome.duplicates,
        d.as_secs_f64()
    );
    let r = report_times(
        &l,
        nov,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        3,
    );
    println!("{n} tickets: report, median of 3: {:.2} s", r.as_secs_f64());
    let two_months = Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    };
    let (review, d) = time(|| {
        l.review(
            two_months,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            Default::default(),
        )
        .unwrap()
    });
    println!(
        "{n} tickets: look-back over two months in {:.2} s ({} tickets flagged by bulk entry)",
        d.as_secs_f64(),
        review.rules["bulk_recorded_contacts"].len()
    );
    let (findings, d) = time(|| l.verify().unwrap());
    println!(
        "{n} tickets: verify every event in {:.2} s ({} findings)",
        d.as_secs_f64(),
        findings.len()
    );
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    supervision_times(&l, n, today);
    for p in genban::ledger::Pane::ALL {
        let ((rows, total), d) = time(|| l.pane_page(p, today, 500).unwrap());
        println!(
            "{n} tickets: pane {} ({} of {total} rows) in {:.1} ms",
            p.code(),
            rows.len(),
            d.as_secs_f64() * 1e3
        );
    }
    big
}

/// The district's views: the dashboard (26 monthly reports in one pass), a figure's cohort,
/// and the open summons, hotspots and topics.
fn supervision_times(l: &Ledger, n: usize, today: chrono::NaiveDate) {
    let (d, t) = time(|| l.dashboard(today).unwrap());
    println!(
        "{n} tickets: dashboard (13 months and a year before, one pass) in {:.2} s ({} units in the league)",
        t.as_secs_f64(),
        d.current().now.by_unit.len()
    );
    let month = Period::month_of(today);
    let ((_, cohort), t) = time(|| {
        l.explain(
            month,
            today,
            genban::domain::figures::FigureKind::MonthlyContactRate,
        )
        .unwrap()
    });
    println!(
        "{n} tickets: explain the contact rate ({} in its cohort) in {:.2} s",
        cohort.len(),
        t.as_secs_f64()
    );
    let (_, t) = time(|| l.board(today).unwrap());
    println!(
        "{n} tickets: the app's board (dashboard, summons, hotspots, topics in one pass) in {:.2} s",
        t.as_secs_f64()
    );
    let (s, t) = time(|| l.supervision(today).unwrap());
    println!(
        "{n} tickets: open summons {}, hotspots {}, topics {} in {:.2} s",
        s.summons.len(),
        s.hotspots.len(),
        s.topics.len(),
        t.as_secs_f64()
    );
}
