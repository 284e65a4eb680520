//! Speed and memory, measured (not asserted): import and report on the shared sample and on a
//! store of 100,000 tickets; the terminal app's first screen and key presses on both.
//!
//! Run: `cargo bench --bench perf` (add `-- --tickets N` for another size). Prints one line per
//! measurement; times are wall-clock on whatever else the machine is doing.
//!
//! `cargo bench --bench perf -- --db DIR [--today YYYY-MM-DD]` measures only the app on an
//! existing store and prints `METRIC name value` lines for `benches/table.sh`; `--db` may be a
//! PostgreSQL address as well (`postgres://user@host:port/dbname`, opened as `genban --db`
//! opens it; `benches/pg_table.sh`). Its saves write contacts into that store: give it a copy.

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

type Screen = Terminal<TestBackend>;

/// One key press: the app's update and the redraw, timed.
fn press(app: &mut App, t: &mut Screen, code: KeyCode) -> Duration {
    time(|| {
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        t.draw(|f| ui::render(f, app)).unwrap();
    })
    .1
}

/// Polls the app (as its event loop does) until a thread of it reports (the figures, the
/// board), then redraws; the time from `since`, or None after `limit`.
fn settle(app: &mut App, t: &mut Screen, since: Instant, limit: Duration) -> Option<Duration> {
    while !app.poll() {
        if since.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    t.draw(|f| ui::render(f, app)).unwrap();
    Some(since.elapsed())
}

fn vm_status_mib(field: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One `METRIC name value` line for benches/table.sh (`none` when it could not be measured).
fn metric(name: &str, value: Option<f64>) {
    match value {
        Some(v) => println!("METRIC {name} {v:.2}"),
        None => println!("METRIC {name} none"),
    }
}

fn median_ms(v: Vec<Duration>) -> Option<f64> {
    (!v.is_empty()).then(|| ms(median(v)))
}

/// The app-side aims of benches/table.sh on an existing store: first frame, header figures,
/// pane switch, a contact saved through the dialog and the figures after it, the board (`D`)
/// and the memory with it open. In-process, drawn on a 120x40 TestBackend, polled every 1 ms.
fn app_metrics(db: &Path, today: &str) {
    let limit = Duration::from_secs(300);
    let start = Instant::now();
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let (app, first) = time(|| {
        let app = App::new(open(db, today), Lang::Zh, KeyMap::defaults(), true).unwrap();
        t.draw(|f| ui::render(f, &app)).unwrap();
        app
    });
    let mut app = app;
    metric("first_frame_ms", Some(ms(first)));
    metric("figures_ms", settle(&mut app, &mut t, start, limit).map(ms));
    press(&mut app, &mut t, KeyCode::Esc); // the month's tasks, shown once a month
    let mut panes = Vec::new();
    for _ in 0..3 {
        for k in ['1', '2', '4', '5', '3'] {
            panes.push(press(&mut app, &mut t, KeyCode::Char(k)));
        }
    }
    metric("pane_switch_ms", median_ms(panes));
    let (saves, figures) = app_saves(&mut app, &mut t, limit);
    metric("save_ms", median_ms(saves));
    metric("figures_after_save_ms", median_ms(figures));
    let since = Instant::now();
    app.on_key(KeyEvent::new(KeyCode::Char('D'), KeyModifiers::NONE));
    t.draw(|f| ui::render(f, &app)).unwrap();
    let board = settle(&mut app, &mut t, since, limit).filter(|_| app.board.is_some());
    metric("board_ms", board.map(ms));
    metric("rss_after_board_mib", vm_status_mib("VmRSS"));
    metric("peak_rss_mib", vm_status_mib("VmHWM"));
}

/// Five contacts recorded through the dialog (`c`, then `Enter` saves: check, commit, flush,
/// update the panes, redraw), each followed by the figures recomputed on their thread: the
/// save's time, and the time from the key to the figures drawn. A save that wrote nothing (the
/// dialog refused it) is left out and said.
fn app_saves(app: &mut App, t: &mut Screen, limit: Duration) -> (Vec<Duration>, Vec<Duration>) {
    let (mut saves, mut figures) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        press(app, t, KeyCode::Char('c'));
        // A reached contact says what was said: Enter on the empty dialog is refused and puts
        // the cursor in 沟通内容, which is then filled.
        press(app, t, KeyCode::Enter);
        for ch in "已告知办理进度".chars() {
            press(app, t, KeyCode::Char(ch));
        }
        let generation = app.ledger.generation();
        let since = Instant::now();
        let saved = press(app, t, KeyCode::Enter);
        if app.ledger.generation() == generation {
            eprintln!("perf: a save wrote nothing: {:?}", app.message);
            press(app, t, KeyCode::Esc);
            press(app, t, KeyCode::Esc);
        } else {
            saves.push(saved);
            figures.extend(settle(app, t, since, limit));
        }
        press(app, t, KeyCode::Char('j'));
    }
    (saves, figures)
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
    let mut press = |app: &mut App, code: KeyCode| press(app, &mut t, code);
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
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(db) = arg("--db") {
        let today = arg("--today").unwrap_or_else(|| "2026-11-29".into());
        app_metrics(Path::new(&db), &today);
        return;
    }
    let n: usize = arg("--tickets")
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
        vm_status_mib("VmHWM").unwrap_or(0.0)
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
