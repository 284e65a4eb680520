use clap::Parser;
use genban::cli::{self, Cli, Command, Context};
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Cli::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("genban: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Cli) -> anyhow::Result<()> {
    let mut ctx = Context::from(&args.global)?;
    match args.command {
        None | Some(Command::Open) => open_app(&ctx),
        Some(Command::Demo { tickets, seed }) => {
            if args.global.db.is_none() {
                let dir = std::env::temp_dir().join(format!(
                    "genban-demo-{}",
                    chrono::Utc::now().format("%Y%m%d-%H%M%S-%f")
                ));
                ctx.db = dir.join("db");
            }
            let ledger = ctx.open()?;
            if ledger.store().ticket_count()? > 0 {
                anyhow::bail!(
                    "{} already holds tickets; demo fills only an empty store (omit --db for a temporary one)",
                    ctx.db.display()
                );
            }
            let out = genban::demo::generate(&ledger, tickets, seed)?;
            let lang = ctx.lang;
            let report = ledger.report(
                genban::domain::time::Period::month_of(ctx.clock.today()),
                ctx.clock.today(),
            )?;
            if std::io::stdout().is_terminal() {
                drop(ledger);
                eprintln!("{}: {}", lang.t("演示数据", "demo store"), ctx.db.display());
                return open_app(&ctx);
            }
            println!("{}: {}", lang.t("演示数据", "demo store"), ctx.db.display());
            println!(
                "{} {} {}, {} {}",
                tickets,
                lang.t("件工单", "tickets"),
                lang.t("已生成", "generated"),
                out.added,
                lang.t("条事件", "events")
            );
            print!("{}", genban::output::report::text(&report, lang));
            println!(
                "{}: genban --db {}",
                lang.t("打开", "open it with"),
                ctx.db.display()
            );
            Ok(())
        }
        Some(cmd) => cli::run(cmd, &ctx),
    }
}

fn open_app(ctx: &Context) -> anyhow::Result<()> {
    let ledger = ctx.open()?;
    genban::tui::run(ledger, ctx)
}
