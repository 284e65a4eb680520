//! The command line: subcommands that call the same ledger operations as the keys do.

use crate::config::{self, Config};
use crate::domain::event::{Channel, Event, EventKind, Outcome, Satisfaction};
use crate::domain::time::{local_instant, Clock, Period};
use crate::i18n::Lang;
use crate::import::{import_file, ImportOptions};
use crate::ledger::{Ledger, Pane};
use crate::output::{export, report as report_out, tickets};
use crate::store::SledStore;
use anyhow::{anyhow, bail, Result};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "genban",
    version,
    about = "跟办 genban — follow-up tracking of 12345 tickets sent back for second handling",
    long_about = "跟办 genban: a keyboard-driven tracker for the street 12345 specialist.\n\
                  Without a subcommand it opens the terminal app on the store."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The store directory [default: the user's data directory]
    #[arg(long, global = true, env = "GENBAN_DB", value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// The program's date: everything is evaluated as of it, later events are not counted
    #[arg(long, global = true, env = "GENBAN_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Time zone of local dates [default: Asia/Shanghai]
    #[arg(long, global = true, env = "GENBAN_TZ", value_name = "ZONE")]
    pub tz: Option<String>,
    /// Interface language
    #[arg(long, global = true, env = "GENBAN_LANG", value_enum)]
    pub lang: Option<Lang>,
    /// Who records events made here [default: config `operator`]
    #[arg(long, global = true, env = "GENBAN_OPERATOR")]
    pub operator: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ShowFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Json,
    Xlsx,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum PaneArg {
    AwaitingSign,
    InProgress,
    AwaitingContact,
    Overdue,
    Resolved,
}

impl From<PaneArg> for Pane {
    fn from(p: PaneArg) -> Pane {
        match p {
            PaneArg::AwaitingSign => Pane::AwaitingSign,
            PaneArg::InProgress => Pane::InProgress,
            PaneArg::AwaitingContact => Pane::AwaitingContact,
            PaneArg::Overdue => Pane::Overdue,
            PaneArg::Resolved => Pane::Resolved,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum SatisfactionArg {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ChannelArg {
    Phone,
    Visit,
    Sms,
    Wechat,
    Other,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the terminal app (the default)
    Open,
    /// Import event logs (.jsonl) or exports (CSV UTF-8/GBK, XLSX, JSON)
    Import {
        /// Files to import; each is applied whole or not at all
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Import profile: a name (see `genban profiles`) or a TOML file
        #[arg(long)]
        profile: Option<String>,
        /// Import the good rows and list the bad ones (otherwise a file with a bad row is not imported)
        #[arg(long)]
        skip_bad_rows: bool,
        /// Check only; write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// List the import profiles
    Profiles,
    /// Export the event log (jsonl, a full backup) or one row per ticket (csv, xlsx)
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// The figures for a period (default: this month, as of today)
    Report {
        #[command(flatten)]
        when: PeriodArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Write to a file (required for xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// The clear-to-zero look-back (清零行动): fake contacts, late resolutions, repeat complaints
    Review {
        #[command(flatten)]
        when: PeriodArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
    },
    /// List the tickets of a pane, most urgent first
    List {
        #[arg(value_enum)]
        pane: PaneArg,
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
    },
    /// One ticket and its whole timeline
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
        /// Show the phone number in full
        #[arg(long)]
        reveal_phone: bool,
    },
    /// This month's tasks (for a scheduled job on the 1st)
    Remind {
        #[arg(long)]
        month: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
    },
    /// Send a ticket (back) to a unit
    Dispatch {
        id: String,
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// The unit signs for the ticket and commits a deadline
    Sign {
        id: String,
        /// Committed deadline, YYYY-MM-DD
        #[arg(long)]
        deadline: String,
        /// The signing unit [default: the unit of the latest dispatch]
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        plan: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// The unit says the ticket is not theirs
    Return {
        id: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// A call, visit, SMS or chat with the citizen
    Contact {
        id: String,
        #[arg(long, value_enum, default_value = "phone")]
        channel: ChannelArg,
        /// The citizen was not reached
        #[arg(long)]
        unreached: bool,
        #[arg(long)]
        person: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// Change the deadline
    Extend {
        id: String,
        #[arg(long)]
        deadline: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// The problem is solved
    Resolve {
        id: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// The citizen's verdict after resolution (unsatisfied needs --deadline)
    Revisit {
        id: String,
        #[arg(long, value_enum)]
        satisfaction: SatisfactionArg,
        #[arg(long)]
        deadline: Option<String>,
        #[command(flatten)]
        common: EventArgs,
    },
    /// Take a resolved ticket up again
    Reopen {
        id: String,
        #[arg(long)]
        deadline: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        common: EventArgs,
    },
    /// Add a note to a ticket
    Note {
        id: String,
        text: String,
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Fill a store with a realistic street's worth of demo tickets and open the app on it
    Demo {
        #[arg(long, default_value_t = 300)]
        tickets: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

/// The period and the as-of date of a report or a review.
#[derive(Args, Debug, Clone)]
pub struct PeriodArgs {
    /// A calendar month, YYYY-MM [default: this month]
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub month: Option<String>,
    /// First day of the period, YYYY-MM-DD
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// Last day of the period, YYYY-MM-DD
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Evaluate as of this date [default: today]
    #[arg(long)]
    pub as_of: Option<String>,
}

impl PeriodArgs {
    fn resolve(&self, today: NaiveDate) -> Result<(Period, NaiveDate)> {
        let period = period_of(&self.month, &self.from, &self.to, today)?;
        let as_of = self
            .as_of
            .as_deref()
            .map(|a| parse_day(a, "--as-of"))
            .transpose()?
            .unwrap_or(today);
        Ok((period, as_of))
    }
}

#[derive(Args, Debug, Clone)]
pub struct EventArgs {
    /// When it happened (RFC 3339, or YYYY-MM-DD HH:MM in the local zone) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
}

/// What a command needs: settings resolved from flags, environment and config.
pub struct Context {
    pub db: PathBuf,
    pub clock: Clock,
    pub lang: Lang,
    pub operator: Option<String>,
}

impl Context {
    pub fn from(g: &Global) -> Result<Context> {
        let config = Config::load().map_err(|e| anyhow!(e))?;
        let tz: Tz = match g.tz.as_deref().or(config.tz.as_deref()) {
            None => crate::domain::time::DEFAULT_TZ,
            Some(s) => s.parse().map_err(|_| {
                anyhow!("unknown time zone `{s}` (an IANA name such as Asia/Shanghai)")
            })?,
        };
        let today = g
            .today
            .as_deref()
            .map(|s| parse_day(s, "--today"))
            .transpose()?;
        Ok(Context {
            db: g
                .db
                .clone()
                .or(config.db.clone())
                .unwrap_or_else(config::default_db),
            clock: Clock { tz, today },
            lang: g.lang.or(config.lang).unwrap_or_default(),
            operator: g.operator.clone().or(config.operator.clone()),
        })
    }

    pub fn open(&self) -> Result<Ledger> {
        let store = SledStore::open(&self.db)?;
        let mut l = Ledger::new(Box::new(store), self.clock);
        l.operator = self.operator.clone();
        Ok(l)
    }
}

pub fn parse_day(s: &str, what: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| anyhow!("{what}: `{s}` is not a date (YYYY-MM-DD)"))
}

/// `--at`: RFC 3339, or a local `YYYY-MM-DD HH:MM[:SS]` / `YYYY-MM-DD`.
pub fn parse_at(s: &str, tz: Tz) -> Result<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t);
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(12, 0, 0))
    })
    .ok_or_else(|| anyhow!("--at: `{s}` is not a time (YYYY-MM-DD HH:MM or RFC 3339)"))?;
    Ok(local_instant(tz, naive).with_timezone(&tz).fixed_offset())
}

fn period_of(
    month: &Option<String>,
    from: &Option<String>,
    to: &Option<String>,
    today: NaiveDate,
) -> Result<Period> {
    if let Some(m) = month {
        return Period::parse_month(m)
            .ok_or_else(|| anyhow!("--month: `{m}` is not a month (YYYY-MM)"));
    }
    if let (Some(f), Some(t)) = (from, to) {
        let p = Period {
            from: parse_day(f, "--from")?,
            to: parse_day(t, "--to")?,
        };
        if p.from > p.to {
            bail!("--from {} is after --to {}", p.from, p.to);
        }
        return Ok(p);
    }
    Ok(Period::month_of(today))
}

/// A progress bar on stderr for work over a large store (when stderr is a terminal).
fn spinner(ledger: &Ledger, what: &str) -> Result<Option<indicatif::ProgressBar>> {
    let n = ledger.store().ticket_count()?;
    if n < 5_000 || !std::io::stderr().is_terminal() {
        return Ok(None);
    }
    let pb = indicatif::ProgressBar::new(n as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
            .expect("template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    Ok(Some(pb))
}

fn print_json(v: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Records one event and says so.
fn record(ledger: &Ledger, e: Event, lang: Lang) -> Result<()> {
    let what = tickets::event_name(e.kind.type_name(), lang);
    let id = e.ticket.clone();
    ledger
        .record(e)
        .map_err(|err| anyhow!("{}", err.message(lang)))?;
    eprintln!("{} {id}: {what}", lang.t("已记录", "recorded"));
    Ok(())
}

fn latest_unit(ledger: &Ledger, id: &str, today: NaiveDate) -> Result<String> {
    let (row, _) = ledger
        .ticket(id, today)?
        .ok_or_else(|| anyhow!("no ticket {id}"))?;
    row.ticket()
        .latest_dispatch_unit
        .clone()
        .ok_or_else(|| anyhow!("ticket {id} was never dispatched"))
}

/// Runs a subcommand other than the terminal app.
pub fn run(cmd: Command, ctx: &Context) -> Result<()> {
    let lang = ctx.lang;
    let tz = ctx.clock.tz;
    let today = ctx.clock.today();
    match cmd {
        Command::Open | Command::Demo { .. } => unreachable!("handled by main"),
        Command::Profiles => {
            let dir = config::config_dir().map(|d| d.join("profiles"));
            for p in crate::import::profile::Profile::all(dir.as_deref()).map_err(|e| anyhow!(e))? {
                println!("{:<18} {}", p.name, p.description);
            }
            if let Some(d) = dir {
                eprintln!(
                    "({} {})",
                    lang.t("自定义导入配置放在", "your own profiles go in"),
                    d.display()
                );
            }
        }
        Command::Import {
            files,
            profile,
            skip_bad_rows,
            dry_run,
        } => {
            let ledger = ctx.open()?;
            let opts = ImportOptions {
                profile,
                profiles_dir: config::config_dir().map(|d| d.join("profiles")),
                skip_bad_rows,
                dry_run,
                progress: std::io::stderr().is_terminal(),
            };
            let mut failed = 0;
            for f in &files {
                match import_file(&ledger, f, &opts) {
                    Ok(r) => {
                        for p in &r.skipped {
                            eprintln!("{}: {p} ({})", f.display(), lang.t("已跳过", "skipped"));
                        }
                        println!(
                            "{}: {}{}, {} {}: {} {}, {} {}{}",
                            f.display(),
                            r.format,
                            r.profile
                                .as_deref()
                                .map(|p| format!(" [{p}]"))
                                .unwrap_or_default(),
                            r.records,
                            lang.t("行", "records"),
                            lang.t("新增事件", "events added"),
                            r.outcome.added,
                            r.outcome.duplicates,
                            lang.t("条已存在(跳过)", "already stored (skipped)"),
                            if dry_run {
                                lang.t(" [试运行,未写入]", " [dry run, nothing written]")
                            } else {
                                ""
                            }
                        );
                    }
                    Err(e) => {
                        eprint!("{e}");
                        if !e.to_string().ends_with('\n') {
                            eprintln!();
                        }
                        eprintln!(
                            "{}: {}",
                            f.display(),
                            lang.t(
                                "未导入(文件内容一条也没有写入)",
                                "not imported (nothing of the file was written)"
                            )
                        );
                        failed += 1;
                    }
                }
            }
            if failed > 0 {
                bail!("{failed} of {} files not imported", files.len());
            }
        }
        Command::Export { format, output } => {
            let ledger = ctx.open()?;
            let n = match format {
                ExportFormat::Jsonl => export::jsonl(&ledger, &output)?,
                ExportFormat::Csv => export::csv(&ledger, &output)?,
                ExportFormat::Xlsx => export::xlsx(&ledger, &output)?,
            };
            let what = if format == ExportFormat::Jsonl {
                lang.t("条事件", "events")
            } else {
                lang.t("件工单", "tickets")
            };
            eprintln!(
                "{} {n} {what} → {}",
                lang.t("已导出", "exported"),
                output.display()
            );
        }
        Command::Report {
            when,
            format,
            output,
        } => {
            let (period, as_of) = when.resolve(today)?;
            let ledger = ctx.open()?;
            let pb = spinner(&ledger, lang.t("统计中", "computing"))?;
            let r = ledger.report_with(period, as_of, &mut |n| {
                if let Some(pb) = &pb {
                    if n % 500 == 0 {
                        pb.set_position(n as u64);
                    }
                }
            })?;
            if let Some(pb) = pb {
                pb.finish_and_clear();
            }
            match (format, output) {
                (ReportFormat::Json, None) => print_json(&r)?,
                (ReportFormat::Json, Some(o)) => export::write_atomically(&o, |tmp| {
                    std::fs::write(tmp, serde_json::to_string_pretty(&r)? + "\n")?;
                    Ok(())
                })?,
                (ReportFormat::Text, None) => print!("{}", report_out::text(&r, lang)),
                (ReportFormat::Text, Some(o)) => export::write_atomically(&o, |tmp| {
                    std::fs::write(tmp, report_out::text(&r, lang))?;
                    Ok(())
                })?,
                (ReportFormat::Xlsx, None) => bail!("--format xlsx needs -o FILE"),
                (ReportFormat::Xlsx, Some(o)) => {
                    export::write_atomically(&o, |tmp| Ok(report_out::xlsx(&r, lang, tmp)?))?;
                    eprintln!("→ {}", o.display());
                }
            }
        }
        Command::Review { when, format } => {
            let (period, as_of) = when.resolve(today)?;
            let ledger = ctx.open()?;
            let r = ledger.review(period, as_of, Default::default())?;
            match format {
                ShowFormat::Json => print_json(&r)?,
                ShowFormat::Text => print!("{}", report_out::review_text(&r, lang)),
            }
        }
        Command::List { pane, format } => {
            let ledger = ctx.open()?;
            let rows = ledger.pane(pane.into(), today)?;
            match format {
                ShowFormat::Json => print_json(
                    &rows
                        .iter()
                        .map(|r| tickets::row_json(r, tz))
                        .collect::<Vec<_>>(),
                )?,
                ShowFormat::Text => println!("{}", tickets::rows_text(&rows, tz, lang)),
            }
        }
        Command::Show {
            id,
            format,
            reveal_phone,
        } => {
            let ledger = ctx.open()?;
            let (row, events) = ledger
                .ticket(&id, today)?
                .ok_or_else(|| anyhow!("{} {id}", lang.t("没有这个工单:", "no such ticket:")))?;
            match format {
                ShowFormat::Json => print_json(&tickets::show_json(&row, &events, tz))?,
                ShowFormat::Text => print!(
                    "{}",
                    tickets::show_text(&row, &events, tz, lang, reveal_phone)
                ),
            }
        }
        Command::Remind { month, format } => {
            let period = match month {
                Some(m) => Period::parse_month(&m)
                    .ok_or_else(|| anyhow!("--month: `{m}` is not a month (YYYY-MM)"))?,
                None => Period::month_of(today),
            };
            let ledger = ctx.open()?;
            let tasks = ledger.month_tasks(period, today)?;
            match format {
                ShowFormat::Json => print_json(&tickets::tasks_json(&tasks, tz))?,
                ShowFormat::Text => print!("{}", tickets::tasks_text(&tasks, tz, lang)),
            }
        }
        action => {
            let ledger = ctx.open()?;
            let e = action_event(action, &ledger, ctx)?;
            record(&ledger, e, lang)?;
        }
    }
    Ok(())
}

/// The event an action subcommand records (dispatch, sign, return, contact, extend, resolve,
/// revisit, reopen, note).
fn action_event(cmd: Command, ledger: &Ledger, ctx: &Context) -> Result<Event> {
    let tz = ctx.clock.tz;
    let today = ctx.clock.today();
    let at = |when: &Option<String>| -> Result<DateTime<FixedOffset>> {
        match when {
            Some(s) => parse_at(s, tz),
            None => Ok(ctx.clock.now().with_timezone(&tz).fixed_offset()),
        }
    };
    let unit_or_latest = |unit: Option<String>, id: &str| match unit {
        Some(u) => Ok(u),
        None => latest_unit(ledger, id, today),
    };
    let (id, when, note, kind) = match cmd {
        Command::Dispatch { id, unit, common } => {
            (id, common.at, common.note, EventKind::Dispatch { unit })
        }
        Command::Sign {
            id,
            deadline,
            unit,
            plan,
            common,
        } => {
            let unit = unit_or_latest(unit, &id)?;
            let deadline = parse_day(&deadline, "--deadline")?;
            (
                id,
                common.at,
                common.note,
                EventKind::Sign {
                    unit,
                    deadline,
                    plan,
                },
            )
        }
        Command::Return {
            id,
            reason,
            unit,
            common,
        } => {
            let unit = unit_or_latest(unit, &id)?;
            (
                id,
                common.at,
                common.note,
                EventKind::Return { unit, reason },
            )
        }
        Command::Contact {
            id,
            channel,
            unreached,
            person,
            common,
        } => {
            let channel = match channel {
                ChannelArg::Phone => Channel::Phone,
                ChannelArg::Visit => Channel::Visit,
                ChannelArg::Sms => Channel::Sms,
                ChannelArg::Wechat => Channel::Wechat,
                ChannelArg::Other => Channel::Other,
            };
            let outcome = if unreached {
                Outcome::Unreached
            } else {
                Outcome::Reached
            };
            let kind = EventKind::Contact {
                channel,
                outcome,
                contact_person: person,
            };
            (id, common.at, common.note, kind)
        }
        Command::Extend {
            id,
            deadline,
            reason,
            common,
        } => {
            let deadline = parse_day(&deadline, "--deadline")?;
            (
                id,
                common.at,
                common.note,
                EventKind::Extend { deadline, reason },
            )
        }
        Command::Resolve { id, common } => (id, common.at, common.note, EventKind::Resolve),
        Command::Revisit {
            id,
            satisfaction,
            deadline,
            common,
        } => {
            let satisfaction = match satisfaction {
                SatisfactionArg::Satisfied => Satisfaction::Satisfied,
                SatisfactionArg::BasicallySatisfied => Satisfaction::BasicallySatisfied,
                SatisfactionArg::Unsatisfied => Satisfaction::Unsatisfied,
            };
            let deadline = deadline.map(|d| parse_day(&d, "--deadline")).transpose()?;
            (
                id,
                common.at,
                common.note,
                EventKind::Revisit {
                    satisfaction,
                    deadline,
                },
            )
        }
        Command::Reopen {
            id,
            deadline,
            reason,
            common,
        } => {
            let deadline = parse_day(&deadline, "--deadline")?;
            (
                id,
                common.at,
                common.note,
                EventKind::Reopen { deadline, reason },
            )
        }
        Command::Note { id, text, at } => {
            if text.trim().is_empty() {
                bail!("{}", ctx.lang.t("备注不能为空", "the note is empty"));
            }
            (id, at, Some(text), EventKind::Note)
        }
        other => bail!("not an action: {other:?}"),
    };
    Ok(Event::new(&id, at(&when)?, kind).with_note(note))
}
