use clap::{CommandFactory, FromArgMatches};
use genban::cli::{self, Cli, Command, Context, Io};
use genban::store::StoreError;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // Help in the interface language: the same arguments, Chinese words where asked.
    let lang = cli::usage_errors::lang_of(&argv);
    let command = cli::help_text::localize(Cli::command(), lang);
    let parsed = command
        .try_get_matches_from(std::env::args_os())
        .and_then(|m| Cli::from_arg_matches(&m));
    let args = match parsed {
        Ok(a) => a,
        Err(e) => return usage_error(e, &argv),
    };
    let lang = args.global.lang.unwrap_or_default();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        // `genban list … | head`: the reader left; that is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = match e.downcast_ref::<StoreError>() {
                Some(s) => s.message(lang),
                None => format!("{e:#}"),
            };
            let _ = writeln!(
                std::io::stderr(),
                "genban: {}",
                genban::text::sanitize_multiline(&msg)
            );
            ExitCode::FAILURE
        }
    }
}

/// A usage error in the interface language (help and version print as clap has them).
fn usage_error(e: clap::Error, argv: &[String]) -> ExitCode {
    let lang = cli::usage_errors::lang_of(argv);
    match cli::usage_errors::chinese(&e).filter(|_| lang == genban::i18n::Lang::Zh) {
        Some(msg) => {
            let _ = writeln!(std::io::stderr(), "genban: {msg}");
            ExitCode::from(2)
        }
        None => e.exit(),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(args: Cli) -> anyhow::Result<()> {
    let mut ctx = Context::from(&args.global)?;
    let cmd = args.command.unwrap_or(Command::Open);
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr());
    let progress = err.is_terminal();
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        progress,
    };
    match cmd {
        Command::Open => open_app(&ctx),
        Command::Demo { tickets, seed } => {
            demo(&mut ctx, args.global.db.is_some(), tickets, seed, &mut io)
        }
        Command::Profiles | Command::Completions { .. } | Command::Man => {
            cli::run_on_without_store(cmd, &ctx, &mut io)
        }
        cmd => {
            // An app of this user that holds the store answers at once (opening a held store
            // first waits a second for the lock).
            if let Some(done) = genban::serve::try_forward(&ctx.db, &ctx, &mut io) {
                return done;
            }
            // What would leave a store behind for nothing is refused or done aside first.
            if let Command::Restore { dir } = &cmd {
                genban::output::backup::check_each(dir, ctx.lang, &mut |_| {})?;
            }
            let _scratch;
            let opened = if matches!(cmd, Command::Import { dry_run: true, .. })
                && !genban::store::exists(&ctx.db)
            {
                // A dry run on a store not made yet checks against an empty one, in a private
                // temporary directory removed afterwards: nothing is made at --db.
                let dir = tempfile::tempdir()?;
                let scratch = Context {
                    db: dir.path().join("db"),
                    ..ctx.clone()
                };
                _scratch = dir;
                scratch.open()
            } else if cmd.creates_store() {
                ctx.open()
            } else {
                ctx.open_existing()
            };
            match opened {
                Ok(ledger) => {
                    for w in ledger.warnings() {
                        writeln!(io.err, "genban: {}", warning(&w, ctx.lang))?;
                    }
                    cli::run_on(cmd, &ctx, &ledger, &mut io)
                }
                // The app has the store: it serves the command.
                Err(StoreError::Locked(p)) => genban::serve::forward(&p, &ctx, &mut io),
                Err(e) => Err(e.into()),
            }
        }
    }
}

fn demo(
    ctx: &mut Context,
    db_given: bool,
    tickets: usize,
    seed: u64,
    io: &mut Io,
) -> anyhow::Result<()> {
    let lang = ctx.lang;
    if !db_given {
        let dir = std::env::temp_dir().join(format!(
            "genban-demo-{}",
            chrono::Utc::now().format("%Y%m%d-%H%M%S-%f")
        ));
        ctx.db = dir.join("db");
    }
    let ledger = match ctx.open() {
        // The app has it open: it answers (a demo fills only an empty store it does not hold).
        Err(StoreError::Locked(p)) => return genban::serve::forward(&p, ctx, io),
        other => other?,
    };
    if ledger.ticket_count()? > 0 {
        anyhow::bail!(
            "{} {}",
            ctx.db.display(),
            lang.t(
                "已有工单;demo 只填充空数据库(不加 --db 则用临时目录)",
                "already holds tickets; demo fills only an empty store (omit --db for a temporary one)"
            )
        );
    }
    let out = genban::demo::generate(&ledger, tickets, seed)?;
    let today = ctx.clock.today();
    let report = ledger.report(genban::domain::time::Period::month_of(today), today)?;
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        drop(ledger);
        writeln!(
            io.err,
            "{}: {}",
            lang.t("演示数据", "demo store"),
            ctx.db.display()
        )?;
        return open_app(ctx);
    }
    writeln!(
        io.out,
        "{}: {}",
        lang.t("演示数据", "demo store"),
        ctx.db.display()
    )?;
    writeln!(
        io.out,
        "{} {} {}, {} {}",
        tickets,
        lang.t("件工单", "tickets"),
        lang.t("已生成", "generated"),
        out.added,
        lang.t("条事件", "events")
    )?;
    write!(io.out, "{}", genban::output::report::text(&report, lang))?;
    writeln!(
        io.out,
        "{}: genban --db {}",
        lang.t("打开", "open it with"),
        ctx.db.display()
    )?;
    Ok(())
}

/// A store warning in the interface language.
fn warning(w: &str, lang: genban::i18n::Lang) -> String {
    match lang {
        genban::i18n::Lang::Zh if w.contains("could be read by other users") => {
            "警告:数据库原先其他用户也能读取,现已改为仅本人可读写".to_string()
        }
        _ => w.to_string(),
    }
}

fn open_app(ctx: &Context) -> anyhow::Result<()> {
    let lang = ctx.lang;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "{}",
            lang.t(
                "应用需要在终端里运行(标准输入和输出都须是终端);脚本请用子命令,见 genban --help",
                "the app needs a terminal (standard input and output); for scripts use a subcommand, see genban --help"
            )
        );
    }
    let ledger = ctx.open()?;
    genban::tui::run(ledger, ctx)
}
