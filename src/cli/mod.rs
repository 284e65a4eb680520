//! The command line: subcommands that call the same ledger operations as the keys do.

pub mod admin;
pub mod args;
pub mod commands;
pub mod help_text;
pub mod migrate;
pub mod new_ticket;
pub mod record;
pub mod usage_errors;

use crate::config::{self, Config};
use crate::domain::time::{Clock, Period};
use crate::i18n::Lang;
use crate::ledger::{Ledger, Pane};
use crate::store::StoreError;
use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use record::RecordCmd;

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
    /// The store: a directory (sled), or postgres://user@host/dbname for a district on one
    /// database [default: the user's data directory]
    #[arg(long, global = true, env = "GENBAN_DB", value_name = "DIR|URL")]
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
pub enum CallsFormat {
    Text,
    Csv,
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
    /// Every ticket in any state (未派发 included), newest received first
    All,
}

impl From<PaneArg> for Pane {
    fn from(p: PaneArg) -> Pane {
        match p {
            PaneArg::AwaitingSign => Pane::AwaitingSign,
            PaneArg::InProgress => Pane::InProgress,
            PaneArg::AwaitingContact => Pane::AwaitingContact,
            PaneArg::Overdue => Pane::Overdue,
            PaneArg::Resolved => Pane::Resolved,
            PaneArg::All => Pane::All,
        }
    }
}

#[derive(Subcommand, Debug, Clone)]
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
        /// Let rows change the records of tickets already stored (a unit, a title…); without
        /// it such a file is refused, saying how many tickets and which fields
        #[arg(long)]
        update: bool,
    },
    /// List the import profiles
    Profiles,
    /// Export the event log (jsonl, a full backup) or one row per ticket (csv, xlsx)
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[arg(short, long)]
        output: PathBuf,
        /// csv/xlsx: phone numbers in full (recorded in the audit trail); jsonl always keeps them
        #[arg(long)]
        reveal: bool,
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
        /// Order the unit table worst first by a figure (signing, contact, on_time, revisit)
        /// or by `misses` [default: by name]
        #[arg(long, value_name = "FIGURE")]
        sort: Option<String>,
        /// List the cohort of one figure instead: every ticket it counts, the misses first
        #[arg(long, value_name = "FIGURE")]
        explain: Option<String>,
    },
    /// The district's view: 13 months of figures beside a year before, today's dispatches,
    /// sources, and the unit league worst first
    Dashboard {
        /// Order the league worst first by a figure (signing, contact, on_time, revisit),
        /// `overdue`, `awaiting_contact` or `misses`
        #[arg(long, value_name = "COLUMN", default_value = "misses")]
        sort: String,
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
        #[arg(long, alias = "reveal")]
        reveal_phone: bool,
    },
    /// This month's tasks (for a scheduled job on the 1st)
    Remind {
        #[arg(long)]
        month: Option<String>,
        /// One unit's tasks only
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
    },
    /// Today's call list: tickets due a contact this month and not reached yet, with the
    /// phone (masked unless --reveal) and what was said last time
    Calls {
        #[arg(long, value_enum, default_value = "text")]
        format: CallsFormat,
        /// Write to a file (required for csv and xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Phone numbers in full (recorded in the audit trail)
        #[arg(long)]
        reveal: bool,
        /// One unit's calls only
        #[arg(long)]
        unit: Option<String>,
    },
    /// 一哨联办: the departments summoned that have not answered, longest waiting first
    Whistles,
    /// 每月一办: tickets of the last three months grouped by category × community and by
    /// address, largest first, to propose the month's topic
    Hotspots,
    /// The monthly topics and the tickets escalated to each
    Topics,
    /// Check every stored event: names each one that cannot be read or breaks a rule
    Verify,
    /// Who was shown a citizen's phone number in full, when, for which ticket, where
    Audit,
    /// Void your own last entry on this workstation (within 10 minutes), reason 录入错误,撤销:
    /// shows what it would void; --yes voids it
    Undo {
        /// Void it (without: only show what would be voided)
        #[arg(long)]
        yes: bool,
    },
    /// Write a consistent, verified snapshot of the whole log into a new directory (works
    /// while the app is open)
    Backup { dir: PathBuf },
    /// Bring a backup into an empty store, then verify it
    Restore { dir: PathBuf },
    /// Move a whole store into an empty one (a directory or postgres://…, either way): its
    /// chain unchanged, its audit trail and settings with it; then verify it
    Migrate {
        /// The store moved from (a directory, or postgres://user@host/dbname)
        #[arg(long)]
        from: PathBuf,
        /// The empty store moved into
        #[arg(long)]
        to: PathBuf,
    },
    /// A district on PostgreSQL: the rights of the database's roles (run as the tables' owner;
    /// each role must exist, `createuser ROLE`)
    Admin {
        #[command(subcommand)]
        action: admin::Action,
    },
    /// Fill a store with a realistic street's worth of demo tickets and open the app on it
    Demo {
        #[arg(long, default_value_t = 300)]
        tickets: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Add a ticket that did not come through the hotline (walk-in or found by the community);
    /// its id is L + the date + a sequence
    New(new_ticket::NewTicketArgs),
    #[command(flatten)]
    Record(RecordCmd),
    /// Print a shell completion script (bash, zsh, fish)
    Completions {
        /// Which shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    Man,
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
    fn resolve(&self, today: NaiveDate, lang: Lang) -> Result<(Period, NaiveDate)> {
        let as_of = self
            .as_of
            .as_deref()
            .map(|a| args::day(a, "--as-of", lang))
            .transpose()?
            .unwrap_or(today);
        if let Some(m) = &self.month {
            return Ok((args::month(m, lang)?, as_of));
        }
        if let (Some(f), Some(t)) = (&self.from, &self.to) {
            let p = Period {
                from: args::day(f, "--from", lang)?,
                to: args::day(t, "--to", lang)?,
            };
            if p.from > p.to {
                bail!(
                    "--from {} > --to {}: {}",
                    p.from,
                    p.to,
                    lang.t("开始日期晚于结束日期", "the period ends before it begins")
                );
            }
            return Ok((p, as_of));
        }
        Ok((Period::month_of(today), as_of))
    }
}

/// Where a command writes: its standard output and error (a terminal or a pipe here, buffers
/// when the running app serves the command for another process).
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Progress bars on stderr (only when it is a terminal).
    pub progress: bool,
}

/// What a command needs: settings resolved from flags, environment and config.
#[derive(Debug, Clone)]
pub struct Context {
    pub db: PathBuf,
    pub clock: Clock,
    pub lang: Lang,
    pub operator: Option<String>,
}

impl Context {
    pub fn from(g: &Global) -> Result<Context> {
        let config = Config::load().map_err(|e| anyhow!(e))?;
        let lang = g.lang.or(config.lang).unwrap_or_default();
        let tz: Tz = match g.tz.as_deref().or(config.tz.as_deref()) {
            None => crate::domain::time::DEFAULT_TZ,
            Some(s) => s.parse().map_err(|_| {
                anyhow!(
                    "--tz: `{}` {}",
                    crate::text::sanitize(s),
                    lang.t(
                        "不是时区名(如 Asia/Shanghai)",
                        "is not a time zone (an IANA name such as Asia/Shanghai)"
                    )
                )
            })?,
        };
        let today = g
            .today
            .as_deref()
            .map(|s| args::day(s, "--today", lang))
            .transpose()?;
        let db =
            g.db.clone()
                .or(config.db.clone())
                .unwrap_or_else(config::default_db);
        if db.as_os_str().to_string_lossy().trim().is_empty() {
            bail!("--db: {}", lang.t("不能为空", "must not be empty"));
        }
        // An address of a kind genban does not store in is refused, not made a directory.
        crate::store::locate(&db)?;
        let operator = args::optional(
            g.operator
                .as_deref()
                .or(config.operator.as_deref())
                .filter(|o| !o.trim().is_empty()),
            "--operator",
            args::MAX_NAME,
            lang,
        )?;
        Ok(Context {
            db,
            clock: Clock { tz, today },
            lang,
            operator,
        })
    }

    /// Opens (or creates) the store: for `import`, `demo` and the app.
    pub fn open(&self) -> Result<Ledger, StoreError> {
        let store = crate::store::open(&self.db, self.clock.tz)?;
        let l = Ledger::new(store, self.clock);
        l.set_operator(self.operator.clone());
        Ok(l)
    }

    /// Opens a store that must exist already (every other command: a mistyped `--db` must
    /// not leave an empty store behind).
    pub fn open_existing(&self) -> Result<Ledger, StoreError> {
        if !crate::store::exists(&self.db) {
            return Err(StoreError::Missing(self.db.clone()));
        }
        self.open()
    }

    /// A ledger over `store`'s store with this context's clock and operator.
    pub fn over(&self, ledger: &Ledger) -> Ledger {
        ledger.sharing(self.clock, self.operator.clone())
    }
}

impl Command {
    /// Whether the command creates its store when there is none.
    pub fn creates_store(&self) -> bool {
        matches!(
            self,
            Command::Import { .. } | Command::Demo { .. } | Command::Open | Command::Restore { .. }
        )
    }

    /// Makes relative paths absolute against `cwd` (a command served for another process).
    pub fn absolutize(&mut self, cwd: &Path) {
        let abs = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = cwd.join(&*p);
            }
        };
        match self {
            Command::Import { files, profile, .. } => {
                files.iter_mut().for_each(abs);
                if let Some(p) = profile.as_mut().filter(|p| p.ends_with(".toml")) {
                    let mut pb = PathBuf::from(&*p);
                    abs(&mut pb);
                    *p = pb.to_string_lossy().into_owned();
                }
            }
            Command::Export { output, .. } if output.as_os_str() != "-" => abs(output),
            Command::Backup { dir } | Command::Restore { dir } => abs(dir),
            Command::Migrate { from, to } => {
                for p in [from, to] {
                    if !crate::store::is_server(p) {
                        abs(p);
                    }
                }
            }
            Command::Report {
                output: Some(o), ..
            }
            | Command::Calls {
                output: Some(o), ..
            } => abs(o),
            _ => {}
        }
    }
}

/// Runs a command that needs no store (`profiles`).
pub fn run_on_without_store(cmd: Command, ctx: &Context, io: &mut Io) -> Result<()> {
    match cmd {
        Command::Profiles => commands::profiles(ctx, io),
        Command::Migrate { from, to } => migrate::run(&from, &to, ctx, io),
        Command::Admin { action } => admin::run(action, ctx, io),
        Command::Completions { shell } => {
            let mut cmd = help_text::localize(<Cli as clap::CommandFactory>::command(), ctx.lang);
            clap_complete::generate(shell, &mut cmd, "genban", io.out);
            Ok(())
        }
        Command::Man => {
            let cmd = help_text::localize(<Cli as clap::CommandFactory>::command(), ctx.lang);
            clap_mangen::Man::new(cmd).render(io.out)?;
            Ok(())
        }
        _ => bail!(
            "{}",
            ctx.lang.t("该命令需要数据库", "that command needs a store")
        ),
    }
}

/// Runs a command other than the app and `demo` on an open ledger.
pub fn run_on(cmd: Command, ctx: &Context, ledger: &Ledger, io: &mut Io) -> Result<()> {
    match cmd {
        Command::Open | Command::Demo { .. } | Command::Migrate { .. } | Command::Admin { .. } => {
            bail!(
                "{}",
                ctx.lang
                    .t("该命令不能在这里运行", "that command cannot run here")
            )
        }
        Command::Profiles | Command::Completions { .. } | Command::Man => {
            run_on_without_store(cmd, ctx, io)
        }
        Command::Import {
            files,
            profile,
            skip_bad_rows,
            dry_run,
            update,
        } => commands::import(
            ledger,
            commands::ImportArgs {
                files,
                profile,
                skip_bad_rows,
                dry_run,
                update,
            },
            ctx,
            io,
        ),
        Command::Export {
            format,
            output,
            reveal,
        } => commands::export(ledger, format, &output, reveal, ctx, io),
        Command::Report {
            when,
            format,
            output,
            sort,
            explain: None,
        } => commands::report(ledger, &when, format, output.as_deref(), sort, ctx, io),
        Command::Report {
            when,
            format,
            explain: Some(figure),
            ..
        } => commands::explain(ledger, &when, format, &figure, ctx, io),
        Command::Dashboard { sort } => commands::dashboard(ledger, &sort, ctx, io),
        Command::Whistles => commands::whistles(ledger, ctx, io),
        Command::Hotspots => commands::hotspots(ledger, ctx, io),
        Command::Topics => commands::topics(ledger, ctx, io),
        Command::Review { when, format } => commands::review(ledger, &when, format, ctx, io),
        Command::List { pane, format } => commands::list(ledger, pane.into(), format, ctx, io),
        Command::Show {
            id,
            format,
            reveal_phone,
        } => commands::show(ledger, &id, format, reveal_phone, ctx, io),
        Command::Remind {
            month,
            unit,
            format,
        } => commands::remind(ledger, month.as_deref(), unit.as_deref(), format, ctx, io),
        Command::Calls {
            format,
            output,
            reveal,
            unit,
        } => commands::calls(
            ledger,
            commands::CallsArgs {
                format,
                output,
                reveal,
                unit,
            },
            ctx,
            io,
        ),
        Command::Verify => commands::verify(ledger, ctx, io),
        Command::Audit => commands::audit(ledger, ctx, io),
        Command::Undo { yes } => commands::undo(ledger, yes, ctx, io),
        Command::Backup { dir } => commands::backup(ledger, &dir, ctx, io),
        Command::Restore { dir } => commands::restore(ledger, &dir, ctx, io),
        Command::New(a) => new_ticket::run(ledger, &a, ctx, io),
        Command::Record(r) => commands::record(ledger, r, ctx, io),
    }
}
