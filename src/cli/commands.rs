//! One function per subcommand, over a ledger, writing to the caller's output (a terminal, a
//! pipe, or the buffers of a request served by the running app).

use super::args;
use super::record::RecordCmd;
use super::{Context, ExportFormat, Io, PeriodArgs, ReportFormat, ShowFormat};
use crate::config;
use crate::domain::time::Period;
use crate::import::{import_file, ImportOptions};
use crate::ledger::{Ledger, Pane};
use crate::output::{export, report as report_out, supervision as sup_out, ticket_sheet, tickets};
use anyhow::{anyhow, bail, Result};
use std::path::{Path, PathBuf};

/// A progress bar on stderr for work over a large store (when stderr is a terminal).
fn progress(ledger: &Ledger, io: &Io, what: &str) -> Result<Option<indicatif::ProgressBar>> {
    let n = ledger.ticket_count()?;
    if n < 5_000 || !io.progress {
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

fn json(io: &mut Io, v: &impl serde::Serialize) -> Result<()> {
    writeln!(io.out, "{}", serde_json::to_string_pretty(v)?)?;
    Ok(())
}

pub fn profiles(ctx: &Context, io: &mut Io) -> Result<()> {
    let dir = config::config_dir().map(|d| d.join("profiles"));
    for p in crate::import::profile::Profile::all(dir.as_deref())
        .map_err(|e| anyhow!("{}", e.get(ctx.lang)))?
    {
        match &p.file {
            // The user's own: where it is, so that a tie can be told apart.
            Some(f) => writeln!(io.out, "{:<18} {} ({})", p.name, p.description, f.display())?,
            None => writeln!(io.out, "{:<18} {}", p.name, p.description)?,
        }
    }
    if let Some(d) = dir {
        writeln!(
            io.err,
            "({} {})",
            ctx.lang.t("自定义导入配置放在", "your own profiles go in"),
            d.display()
        )?;
    }
    Ok(())
}

pub struct ImportArgs {
    pub files: Vec<PathBuf>,
    pub profile: Option<String>,
    pub skip_bad_rows: bool,
    pub dry_run: bool,
    pub update: bool,
}

pub fn import(ledger: &Ledger, a: ImportArgs, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let opts = ImportOptions {
        profile: a.profile,
        profiles_dir: config::config_dir().map(|d| d.join("profiles")),
        skip_bad_rows: a.skip_bad_rows,
        dry_run: a.dry_run,
        update: a.update,
        progress: io.progress,
        lang,
    };
    let mut failed = 0;
    for f in &a.files {
        match import_file(ledger, f, &opts) {
            Ok(r) => import_summary(&r, a.dry_run, lang, io)?,
            Err(e) => {
                let text = e.to_string();
                write!(io.err, "{text}")?;
                if !text.ends_with('\n') {
                    writeln!(io.err)?;
                }
                writeln!(
                    io.err,
                    "{}: {}",
                    f.display(),
                    lang.t(
                        "未导入(文件内容一条也没有写入)",
                        "not imported (nothing of the file was written)"
                    )
                )?;
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!(
            "{failed}/{} {}",
            a.files.len(),
            lang.t("个文件未导入", "files not imported")
        );
    }
    Ok(())
}

/// What one file's import did (or, with `--dry-run`, would do).
fn import_summary(
    r: &crate::import::FileReport,
    dry_run: bool,
    lang: crate::i18n::Lang,
    io: &mut Io,
) -> Result<()> {
    use crate::i18n::Lang;
    let f = r.path.display();
    for p in &r.skipped {
        let skipped = lang.t("(已跳过)", " (skipped)");
        writeln!(io.err, "{f}: {}{skipped}", p.text(lang))?;
    }
    let bad = match r.skipped.len() {
        0 => String::new(),
        n => format!(", {n} {}", lang.t("行有误已跳过", "bad rows skipped")),
    };
    writeln!(
        io.out,
        "{f}: {}{}, {} {}: {} {}, {} {}{bad}{}",
        r.format,
        r.profile
            .as_deref()
            .map(|p| format!(" [{p}]"))
            .unwrap_or_default(),
        r.records,
        lang.t("行", "records"),
        lang.t("新增事件", "events added"),
        r.outcome.added,
        r.already,
        lang.t("条已存在(跳过)", "already stored (skipped)"),
        if dry_run {
            lang.t(" [试运行,未写入]", " [dry run, nothing written]")
        } else {
            ""
        }
    )?;
    if !r.updates.is_empty() {
        let n = r.updates.tickets();
        let fields = r.updates.fields_text(lang);
        let tickets = if n == 1 { "ticket" } else { "tickets" };
        let said = match (lang, dry_run) {
            (Lang::Zh, false) => format!("改动了已有的 {n} 件工单的记录({fields})"),
            (Lang::Zh, true) => format!("将改动已有的 {n} 件工单的记录({fields})"),
            (Lang::En, false) => {
                format!("changed the records of {n} {tickets} already stored ({fields})")
            }
            (Lang::En, true) => {
                format!("would change the records of {n} {tickets} already stored ({fields})")
            }
        };
        writeln!(io.out, "{f}: {said}")?;
    }
    Ok(())
}

pub fn export(
    ledger: &Ledger,
    format: ExportFormat,
    output: &Path,
    reveal: bool,
    ctx: &Context,
    io: &mut Io,
) -> Result<()> {
    if reveal && format != ExportFormat::Jsonl {
        let place = match format {
            ExportFormat::Csv => "export-csv",
            _ => "export-xlsx",
        };
        ledger.record_reveal("*", place)?;
    }
    let lang = ctx.lang;
    let to_stdout = output.as_os_str() == "-";
    if to_stdout && format == ExportFormat::Xlsx {
        bail!(lang.t(
            "工作簿是二进制文件,不写到标准输出:请用 -o 文件名.xlsx",
            "a workbook is a binary file and is not written to standard output: give -o FILE.xlsx"
        ));
    }
    let (n, what) = match format {
        ExportFormat::Jsonl if to_stdout => {
            // Written whole to a private temporary file first, so that a failure midway
            // writes nothing to the output.
            let dir = tempfile::tempdir()?;
            let tmp = dir.path().join("export.jsonl");
            let (n, bad) = export::jsonl(ledger, &tmp)?;
            if bad > 0 {
                bail!(lang.t(
                    "库中有无法读取的记录:请导出到文件(-o 文件名),无法读取的记录会另存一个文件",
                    "the store has unreadable events: export to a file (-o FILE), which saves them to a side file"
                ));
            }
            std::io::copy(&mut std::fs::File::open(&tmp)?, io.out)?;
            (n, lang.t("条事件", "events"))
        }
        ExportFormat::Jsonl => {
            let (n, bad) = export::jsonl(ledger, output)?;
            if bad > 0 {
                writeln!(
                    io.err,
                    "{} {bad} {} → {}",
                    lang.t("有", "there were"),
                    lang.t(
                        "条无法读取的记录,原样存入",
                        "unreadable stored events, saved as stored to"
                    ),
                    export::unreadable_path(output).display()
                )?;
            }
            (n, lang.t("条事件", "events"))
        }
        ExportFormat::Csv | ExportFormat::Xlsx => {
            let target = if to_stdout {
                ticket_sheet::Target::Stdout(&mut *io.out)
            } else {
                ticket_sheet::Target::File(output)
            };
            let n = if format == ExportFormat::Csv {
                ticket_sheet::csv(ledger, target, reveal, lang)?
            } else {
                ticket_sheet::xlsx(ledger, target, reveal, lang)?
            };
            (n, lang.t("件工单", "tickets"))
        }
    };
    let place = if to_stdout {
        lang.t("标准输出", "standard output").to_string()
    } else {
        output.display().to_string()
    };
    writeln!(
        io.err,
        "{} {n} {what} → {place}",
        lang.t("已导出", "exported")
    )?;
    Ok(())
}

pub fn report(
    ledger: &Ledger,
    when: &PeriodArgs,
    format: ReportFormat,
    output: Option<&Path>,
    sort: Option<String>,
    ctx: &Context,
    io: &mut Io,
) -> Result<()> {
    let lang = ctx.lang;
    let (period, as_of) = when.resolve(ctx.clock.today(), lang)?;
    let sort = sort
        .map(|s| args::league_sort(&s, "--sort", lang))
        .transpose()?;
    let pb = progress(ledger, io, lang.t("统计中", "computing"))?;
    let mut r = ledger.report_with(period, as_of, &mut |n| {
        if let Some(pb) = &pb {
            if n % 500 == 0 {
                pb.set_position(n as u64);
            }
        }
    })?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    if let Some(by) = sort {
        crate::domain::dashboard::sort_league(&mut r.by_unit, by);
    }
    let write = |o: &Path, text: String| {
        export::write_atomically(o, |tmp| {
            std::fs::write(tmp, text)?;
            Ok(())
        })
    };
    match (format, output) {
        (ReportFormat::Json, None) => json(io, &r)?,
        (ReportFormat::Json, Some(o)) => write(o, serde_json::to_string_pretty(&r)? + "\n")?,
        (ReportFormat::Text, None) => write!(io.out, "{}", report_out::text(&r, lang))?,
        (ReportFormat::Text, Some(o)) => write(o, report_out::text(&r, lang))?,
        (ReportFormat::Xlsx, None) => bail!(
            "{}",
            lang.t("--format xlsx 需要 -o 文件", "--format xlsx needs -o FILE")
        ),
        (ReportFormat::Xlsx, Some(o)) => {
            let overdue = ledger.pane(Pane::Overdue, as_of)?;
            let awaiting_contact = ledger.pane(Pane::AwaitingContact, as_of)?;
            let review = ledger.review(period, as_of, Default::default())?;
            let trend = ledger.dashboard(as_of)?;
            let sheets = crate::output::workbook::Sheets {
                report: &r,
                overdue: &overdue,
                awaiting_contact: &awaiting_contact,
                review: &review,
                trend: &trend,
                tz: ctx.clock.tz,
            };
            export::write_atomically(o, |tmp| {
                Ok(crate::output::workbook::write(&sheets, lang, tmp)?)
            })?;
            writeln!(io.err, "→ {}", o.display())?;
        }
    }
    Ok(())
}

/// `report --explain FIGURE`: the figure and its cohort, the misses first.
pub fn explain(
    ledger: &Ledger,
    when: &PeriodArgs,
    format: ReportFormat,
    figure: &str,
    ctx: &Context,
    io: &mut Io,
) -> Result<()> {
    let lang = ctx.lang;
    let figure = args::figure(figure, "--explain", lang)?;
    let (period, as_of) = when.resolve(ctx.clock.today(), lang)?;
    let (r, cohort) = ledger.explain(period, as_of, figure)?;
    let f = figure.of(&r);
    match format {
        ReportFormat::Json => json(
            io,
            &serde_json::json!({
                "figure": figure.code(),
                "period": r.period,
                "as_of": r.as_of,
                "numerator": f.numerator,
                "denominator": f.denominator,
                "rate": f.rate,
                "cohort": cohort,
            }),
        )?,
        ReportFormat::Text => write!(
            io.out,
            "{}",
            report_out::explain_text(&r, figure, &cohort, lang)
        )?,
        ReportFormat::Xlsx => bail!(
            "{}",
            lang.t(
                "--explain 只有 text 与 json 格式",
                "--explain is text or json"
            )
        ),
    }
    Ok(())
}

/// `genban dashboard`.
pub fn dashboard(ledger: &Ledger, sort: &str, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let by = args::league_sort(sort, "--sort", lang)?;
    let d = ledger.dashboard(ctx.clock.today())?;
    let mut league = d.current().now.by_unit.clone();
    crate::domain::dashboard::sort_league(&mut league, by);
    write!(
        io.out,
        "{}",
        crate::output::dashboard::text(&d, &league, lang)
    )?;
    Ok(())
}

/// `genban whistles`: the open summons.
pub fn whistles(ledger: &Ledger, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let s = ledger.supervision(ctx.clock.today())?;
    let lines = sup_out::summons_lines(&s.summons, ctx.clock.now(), ctx.clock.tz, lang);
    let empty = lang.t("没有未响应的吹哨", "no summons waiting for an answer");
    write!(io.out, "{}", sup_out::text(&lines, empty))?;
    Ok(())
}

/// `genban hotspots`.
pub fn hotspots(ledger: &Ledger, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let s = ledger.supervision(ctx.clock.today())?;
    let lines = sup_out::hotspot_lines(&s.hotspots, lang);
    let empty = lang.t("近三个月没有工单", "no tickets in the last three months");
    write!(io.out, "{}", sup_out::text(&lines, empty))?;
    Ok(())
}

/// `genban topics`.
pub fn topics(ledger: &Ledger, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let s = ledger.supervision(ctx.clock.today())?;
    let lines: Vec<String> = sup_out::topic_lines(&s.topics, ctx.clock.tz, lang)
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    if lines.is_empty() {
        writeln!(
            io.out,
            "{}",
            lang.t(
                "还没有每月一办专题(genban escalate ID --topic 名称)",
                "no monthly topics yet (genban escalate ID --topic NAME)"
            )
        )?;
    }
    for l in lines {
        writeln!(io.out, "{}", l.trim_end())?;
    }
    Ok(())
}

pub fn review(
    ledger: &Ledger,
    when: &PeriodArgs,
    format: ShowFormat,
    ctx: &Context,
    io: &mut Io,
) -> Result<()> {
    let (period, as_of) = when.resolve(ctx.clock.today(), ctx.lang)?;
    let r = ledger.review(period, as_of, Default::default())?;
    match format {
        ShowFormat::Json => json(io, &r),
        ShowFormat::Text => Ok(write!(io.out, "{}", report_out::review_text(&r, ctx.lang))?),
    }
}

pub fn list(
    ledger: &Ledger,
    pane: Pane,
    format: ShowFormat,
    ctx: &Context,
    io: &mut Io,
) -> Result<()> {
    let tz = ctx.clock.tz;
    let rows = ledger.pane(pane, ctx.clock.today())?;
    match format {
        ShowFormat::Json => json(
            io,
            &rows
                .iter()
                .map(|r| tickets::row_json(r, tz))
                .collect::<Vec<_>>(),
        ),
        ShowFormat::Text => Ok(writeln!(
            io.out,
            "{}",
            tickets::rows_text(&rows, tz, ctx.lang)
        )?),
    }
}

pub fn show(
    ledger: &Ledger,
    id: &str,
    format: ShowFormat,
    reveal: bool,
    ctx: &Context,
    io: &mut Io,
) -> Result<()> {
    let (tz, lang) = (ctx.clock.tz, ctx.lang);
    let id = args::ticket_id(id, lang)?;
    let (row, events) = ledger
        .ticket(&id, ctx.clock.today())?
        .ok_or_else(|| anyhow!("{} {id}", lang.t("没有这个工单:", "no such ticket:")))?;
    if reveal {
        ledger.record_reveal(&id, "show")?;
    }
    match format {
        ShowFormat::Json => json(io, &tickets::show_json(&row, &events, tz, reveal)),
        ShowFormat::Text => Ok(write!(
            io.out,
            "{}",
            tickets::show_text(&row, &events, tz, lang, reveal)
        )?),
    }
}

pub fn remind(
    ledger: &Ledger,
    month: Option<&str>,
    unit: Option<&str>,
    format: ShowFormat,
    ctx: &Context,
    io: &mut Io,
) -> Result<()> {
    let today = ctx.clock.today();
    let period = match month {
        Some(m) => args::month(m, ctx.lang)?,
        None => Period::month_of(today),
    };
    let unit = unit.map(|u| known_unit(ledger, u, ctx)).transpose()?;
    let mut tasks = ledger.month_tasks(period, today)?;
    if let Some(u) = &unit {
        tasks.keep_unit(u);
        writeln!(
            io.err,
            "{} {}",
            ctx.lang.t("单位:", "unit:"),
            crate::text::sanitize(u)
        )?;
    }
    match format {
        ShowFormat::Json => json(io, &tickets::tasks_json(&tasks, ctx.clock.tz)),
        ShowFormat::Text => Ok(write!(
            io.out,
            "{}",
            tickets::tasks_text(&tasks, ctx.clock.tz, ctx.lang)
        )?),
    }
}

/// `--unit`: a unit the store knows (trimmed), or an error naming the close ones.
fn known_unit(ledger: &Ledger, raw: &str, ctx: &Context) -> Result<String> {
    let lang = ctx.lang;
    let u = args::required(raw, "--unit", args::MAX_NAME, lang)?;
    let units = ledger.units()?;
    if units.contains(&u) {
        return Ok(u);
    }
    let near: Vec<&str> = units
        .iter()
        .filter(|x| x.contains(u.as_str()) || u.contains(x.as_str()))
        .map(String::as_str)
        .collect();
    bail!(
        "--unit: {}「{}」{}",
        lang.t("没有单位", "no unit"),
        crate::text::sanitize(&u),
        if near.is_empty() {
            String::new()
        } else {
            format!(
                " ({} {})",
                lang.t("是否指", "did you mean"),
                near.join("、")
            )
        }
    )
}

pub struct CallsArgs {
    pub format: super::CallsFormat,
    pub output: Option<PathBuf>,
    pub reveal: bool,
    pub unit: Option<String>,
}

/// `genban calls`: the awaiting-contact pane as a call list.
pub fn calls(ledger: &Ledger, a: CallsArgs, ctx: &Context, io: &mut Io) -> Result<()> {
    use super::CallsFormat;
    use crate::output::calls::{self, Call};
    let (lang, tz, today) = (ctx.lang, ctx.clock.tz, ctx.clock.today());
    let unit = a
        .unit
        .as_deref()
        .map(|u| known_unit(ledger, u, ctx))
        .transpose()?;
    if a.format != CallsFormat::Text && a.output.is_none() {
        bail!(
            "{}",
            lang.t(
                "--format csv/xlsx 需要 -o 文件",
                "--format csv/xlsx needs -o FILE"
            )
        );
    }
    let rows = ledger.pane(Pane::AwaitingContact, today)?;
    let mut list = Vec::new();
    for r in rows
        .iter()
        .filter(|r| unit.as_deref().is_none_or(|u| r.ticket().unit() == u))
    {
        let id = &r.ticket().id;
        let events = ledger.events(id)?;
        if a.reveal {
            ledger.record_reveal(id, "calls")?;
        }
        list.push(Call::of(r, &events, a.reveal, tz, lang));
    }
    match (a.format, a.output.as_deref()) {
        (CallsFormat::Text, None) => write!(io.out, "{}", calls::text(&list, today, lang))?,
        (CallsFormat::Text, Some(o)) => export::write_atomically(o, |tmp| {
            std::fs::write(tmp, calls::text(&list, today, lang))?;
            Ok(())
        })?,
        (CallsFormat::Csv, Some(o)) => calls::csv(&list, lang, o)?,
        (CallsFormat::Xlsx, Some(o)) => calls::xlsx(&list, lang, o)?,
        (_, None) => unreachable!("checked above"),
    }
    if let Some(o) = &a.output {
        writeln!(
            io.err,
            "{} {} → {}",
            list.len(),
            lang.t("件", "calls"),
            o.display()
        )?;
    }
    Ok(())
}

/// `verify`: names every stored event that cannot be read or breaks a rule; fails on any.
pub fn verify(ledger: &Ledger, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let findings = ledger.verify()?;
    for f in &findings {
        writeln!(io.out, "{}", crate::text::sanitize(&f.message(lang)))?;
    }
    if findings.is_empty() {
        writeln!(
            io.err,
            "{}",
            lang.t(
                "数据库完好:每条记录都可读且符合规则",
                "the store is sound: every event reads and passes the rules"
            )
        )?;
        Ok(())
    } else {
        bail!("{} {}", findings.len(), lang.t("处问题", "problems found"))
    }
}

/// `backup DIR`: a consistent, verified snapshot.
pub fn backup(ledger: &Ledger, dir: &Path, ctx: &Context, io: &mut Io) -> Result<()> {
    let m = crate::output::backup::backup(ledger, dir, ctx.lang)?;
    writeln!(
        io.err,
        "{} {} {} → {} ({} {})",
        ctx.lang.t("已备份并校验", "backed up and verified"),
        m.events,
        ctx.lang.t("条事件", "events"),
        dir.display(),
        ctx.lang.t("校验链尾", "chain head"),
        &m.head.hash[..16]
    )?;
    Ok(())
}

/// `restore DIR`: a backup into an empty store, then `verify`.
pub fn restore(ledger: &Ledger, dir: &Path, ctx: &Context, io: &mut Io) -> Result<()> {
    let (n, backed_up) = crate::output::backup::restore(ledger, dir, ctx.lang)?;
    let findings = ledger.verify()?;
    if let Some(f) = findings.first() {
        bail!("{}", f.message(ctx.lang));
    }
    let head = ledger.chain_head()?.unwrap_or_default();
    writeln!(
        io.err,
        "{} {n} {} ({} {}); {}",
        ctx.lang.t("已恢复", "restored"),
        ctx.lang.t("条事件", "events"),
        ctx.lang.t("校验链尾", "chain head"),
        &head.hash[..16],
        ctx.lang.t("校验通过", "verify passed")
    )?;
    if head != backed_up {
        writeln!(
            io.err,
            "{}",
            ctx.lang.t(
                "注意:恢复后的校验链尾与备份记载的不同(备份中有重复的事件),防篡改链已重新生成",
                "note: the restored chain head differs from the backup's (the backup holds repeated events); the chain was made anew"
            )
        )?;
    }
    Ok(())
}

/// `audit`: every reveal of a phone number, oldest first.
pub fn audit(ledger: &Ledger, ctx: &Context, io: &mut Io) -> Result<()> {
    let all = ledger.reveals()?;
    for r in &all {
        writeln!(io.out, "{}", r.text(ctx.lang))?;
    }
    if all.is_empty() {
        writeln!(
            io.err,
            "{}",
            ctx.lang.t(
                "没有显示过完整电话号码",
                "no phone number was ever shown in full"
            )
        )?;
    }
    Ok(())
}

/// A recording subcommand: build the event, record it through the ledger, say so.
pub fn record(ledger: &Ledger, cmd: RecordCmd, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let e = cmd.event(ledger, ctx)?;
    let what = tickets::event_name(e.kind.type_name(), lang);
    let id = e.ticket.clone();
    ledger
        .record(e)
        .map_err(|err| anyhow!("{id}: {}", err.message(lang)))?;
    writeln!(io.err, "{} {id}: {what}", lang.t("已记录", "recorded"))?;
    operator_hint(ledger, ctx, io)
}

/// The setting that says the hint below was given on this store.
const OPERATOR_HINT_GIVEN: &str = "operator_hint_given";

/// After an entry without an operator: says once (per store) how to set one, since the
/// look-back's bulk-entry rule and `undo` go by who entered what.
pub fn operator_hint(ledger: &Ledger, ctx: &Context, io: &mut Io) -> Result<()> {
    if ctx.operator.is_some() || ledger.setting(OPERATOR_HINT_GIVEN)?.is_some() {
        return Ok(());
    }
    writeln!(
        io.err,
        "{}",
        ctx.lang.t(
            "提示:未设操作员,录入不记名。请用 --operator 姓名、环境变量 GENBAN_OPERATOR 或配置文件 config.toml 的 operator 设置(本提示只显示一次)",
            "note: no operator is set, so entries carry no name. Set one with --operator NAME, GENBAN_OPERATOR or `operator` in config.toml (this note is shown once)"
        )
    )?;
    ledger.set_setting(OPERATOR_HINT_GIVEN, "1")?;
    Ok(())
}

/// `undo`: shows what the operator's last entry here was; with `yes`, voids it.
pub fn undo(ledger: &Ledger, yes: bool, ctx: &Context, io: &mut Io) -> Result<()> {
    let (tz, lang) = (ctx.clock.tz, ctx.lang);
    let plan = match ledger.undo_plan()? {
        Ok(p) => p,
        Err(why) => bail!("{}", crate::labels::no_undo(&why, tz, lang)),
    };
    let lines = crate::labels::undo_lines(&plan, tz, lang);
    if !yes {
        writeln!(
            io.out,
            "{}",
            lang.t(
                "将撤销(原因:录入错误,撤销):",
                "would void (reason 录入错误,撤销):"
            )
        )?;
        for l in &lines {
            writeln!(io.out, "  {l}")?;
        }
        writeln!(
            io.out,
            "{}",
            lang.t(
                "确认请运行 genban undo --yes",
                "to void it, run genban undo --yes"
            )
        )?;
        return Ok(());
    }
    match ledger
        .undo(&plan)
        .map_err(|e| anyhow!("{}: {}", plan.ticket, e.message(lang)))?
    {
        Ok(()) => {
            for l in &lines {
                writeln!(io.err, "{} {l}", lang.t("已撤销", "voided"))?;
            }
            Ok(())
        }
        Err(why) => bail!("{}", crate::labels::no_undo(&why, tz, lang)),
    }
}
