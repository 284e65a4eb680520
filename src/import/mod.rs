//! `genban import`: event logs (JSONL) and the city export or other systems' exports (CSV in
//! UTF-8 or GBK, XLSX, JSON) through import profiles. A file is applied whole or not at all,
//! unless bad rows are to be skipped.

pub mod jsonl;
pub mod profile;
pub mod rows;
pub mod table;

use crate::domain::event::Event;
use crate::i18n::{Lang, Msg};
use crate::ledger::{ApplyOutcome, Ledger, LedgerError};
use profile::Profile;
use std::fmt;
use std::path::{Path, PathBuf};

/// Something wrong with a file, a line or a row (and a column where there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A line of an event log or of a JSON text, or a row of a table.
    pub line: Option<usize>,
    pub is_row: bool,
    pub column: Option<String>,
    pub message: Msg,
}

impl Problem {
    pub fn file(message: Msg) -> Problem {
        Problem {
            line: None,
            is_row: false,
            column: None,
            message,
        }
    }
    pub fn line(line: usize, message: Msg) -> Problem {
        Problem {
            line: Some(line),
            is_row: false,
            column: None,
            message,
        }
    }
    pub fn row(row: usize, column: Option<&str>, message: Msg) -> Problem {
        Problem {
            line: Some(row),
            is_row: true,
            column: column.map(str::to_string),
            message,
        }
    }

    /// "row 3, column 受理时间: …" in the interface language.
    pub fn text(&self, lang: Lang) -> String {
        let mut s = String::new();
        match (self.line, self.is_row, lang) {
            (Some(n), true, Lang::Zh) => s.push_str(&format!("第 {n} 行")),
            (Some(n), false, Lang::Zh) => s.push_str(&format!("第 {n} 行")),
            (Some(n), true, Lang::En) => s.push_str(&format!("row {n}")),
            (Some(n), false, Lang::En) => s.push_str(&format!("line {n}")),
            (None, _, _) => {}
        }
        if let Some(c) = &self.column {
            s.push_str(&match lang {
                Lang::Zh => format!(",「{c}」列"),
                Lang::En => format!(", column {c}"),
            });
        }
        if self.line.is_some() || self.column.is_some() {
            s.push_str(lang.t(":", ": "));
        }
        s.push_str(self.message.get(lang));
        s
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// An import that wrote nothing, with every reason.
#[derive(Debug)]
pub struct ImportError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
    pub hint: Option<Msg>,
    /// The language it is told in.
    pub lang: Lang,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = 50;
        let lang = self.lang;
        for p in self.problems.iter().take(shown) {
            writeln!(f, "{}: {}", self.path.display(), p.text(lang))?;
        }
        if self.problems.len() > shown {
            let more = self.problems.len() - shown;
            let text = match lang {
                Lang::Zh => format!("…还有 {more} 处"),
                Lang::En => format!("… and {more} more"),
            };
            writeln!(f, "{}: {text}", self.path.display())?;
        }
        if let Some(h) = &self.hint {
            write!(f, "{}", h.get(lang))?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// A profile name or a path to a profile TOML; None picks the best fit.
    pub profile: Option<String>,
    /// Where users keep their own profiles.
    pub profiles_dir: Option<PathBuf>,
    pub skip_bad_rows: bool,
    pub dry_run: bool,
    /// Rows may change the records of tickets already stored (otherwise such a file is
    /// refused, saying how many tickets and which fields).
    pub update: bool,
    /// Show a progress bar on stderr for large files.
    pub progress: bool,
    /// The language of the refusals it reports.
    pub lang: Lang,
}

/// What an import did.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub format: String,
    pub profile: Option<String>,
    pub records: usize,
    pub outcome: ApplyOutcome,
    /// What is stored already and was skipped: lines of a log (equal events), rows of a table
    /// (rows that add nothing).
    pub already: usize,
    /// The tickets already stored whose records the file changes (allowed by `update`).
    pub updates: rows::Updates,
    /// Rows or lines skipped with `--skip-bad-rows`.
    pub skipped: Vec<Problem>,
}

enum Kind {
    Log,
    Xlsx,
    Json,
    Csv,
}

fn detect(path: &Path, bytes: &[u8]) -> Result<Kind, Problem> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"PK\x03\x04") || matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
        return Ok(Kind::Xlsx);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if ext == "xml" || head.starts_with('<') {
        return Err(Problem::file(Msg::new(
            "不读取 XML:请把数据导出为 JSON 或 CSV(Open311:requests.json)",
            "XML is not read; export the data as JSON or CSV (Open311: requests.json)",
        )));
    }
    if ext == "jsonl" || ext == "ndjson" {
        return Ok(Kind::Log);
    }
    if head.starts_with('{') {
        let text = String::from_utf8_lossy(bytes);
        if jsonl::looks_like_log(&text) {
            return Ok(Kind::Log);
        }
    }
    if ext == "json" || head.starts_with('[') || head.starts_with('{') {
        return Ok(Kind::Json);
    }
    Ok(Kind::Csv)
}

fn fail(path: &Path, problems: Vec<Problem>) -> ImportError {
    ImportError {
        path: path.to_path_buf(),
        problems,
        hint: None,
        lang: Lang::default(),
    }
}

fn progress_bar(opts: &ImportOptions, total: usize, what: &str) -> Option<indicatif::ProgressBar> {
    if !opts.progress || total < 5_000 {
        return None;
    }
    let pb = indicatif::ProgressBar::new(total as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .expect("template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    Some(pb)
}

fn choose_profile(
    path: &Path,
    headers: &[String],
    opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    let all = Profile::all(opts.profiles_dir.as_deref())
        .map_err(|m| fail(path, vec![Problem::file(m)]))?;
    if let Some(want) = &opts.profile {
        let p = if let Some(p) = all.iter().find(|p| &p.name == want) {
            p.clone()
        } else {
            Profile::load(Path::new(want)).map_err(|m| {
                fail(
                    path,
                    vec![Problem::file({
                        let known = all
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                        Msg::new(
                            format!("{}(已有的导入配置:{known})", m.zh),
                            format!("{} (known profiles: {known})", m.en),
                        )
                    })],
                )
            })?
        };
        if p.fit(headers).is_none() {
            return Err(fail(
                path,
                vec![Problem::row(
                    1,
                    None,
                    Msg::new(
                        format!(
                            "导入配置 {} 在表头中找不到工单编号列({})",
                            p.name,
                            p.columns["id"].join("、")
                        ),
                        format!(
                            "profile {} finds no id column ({}) among the headers",
                            p.name,
                            p.columns["id"].join(", ")
                        ),
                    ),
                )],
            ));
        }
        return Ok(p);
    }
    best_fit(&all, headers)
        .map_err(|tied| tie(path, &tied, tied[0].fit(headers).unwrap_or(0)))?
        .cloned()
        .ok_or_else(|| {
            let shown: Vec<&str> = headers.iter().take(8).map(String::as_str).collect();
            let cols = format!(
                "{}{}",
                shown.join(", "),
                if headers.len() > 8 { ", …" } else { "" }
            );
            let known = all
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            ImportError {
                path: path.to_path_buf(),
                problems: vec![Problem::row(
                    1,
                    None,
                    Msg::new(
                        format!("没有导入配置认得这些列({cols})"),
                        format!("no import profile knows these columns ({cols})"),
                    ),
                )],
                hint: Some(Msg::new(
                    format!("已有的导入配置:{known}。请用导入配置 TOML 对应各列,并以 --profile FILE 指定。"),
                    format!("Known profiles: {known}. Map the columns with a profile TOML and pass --profile FILE."),
                )),
                lang: Lang::default(),
            }
        })
}

/// The profile that binds the most columns. Among shipped profiles that bind as many, the one
/// that leaves the fewest of its own columns unbound (the city export's profile for a city
/// export, not the ledger's, which maps the same columns and more). Anything else equal — any
/// tie with a profile of the user's — is a tie: those profiles, for the user to choose.
fn best_fit<'a>(
    all: &'a [Profile],
    headers: &[String],
) -> Result<Option<&'a Profile>, Vec<&'a Profile>> {
    let fits: Vec<(usize, &Profile)> = all
        .iter()
        .filter_map(|p| p.fit(headers).map(|n| (n, p)))
        .collect();
    let Some(most) = fits.iter().map(|(n, _)| *n).max() else {
        return Ok(None);
    };
    let mut tied: Vec<&Profile> = fits
        .iter()
        .filter(|(n, _)| *n == most)
        .map(|(_, p)| *p)
        .collect();
    if tied.iter().all(|p| p.file.is_none()) {
        let fewest = tied.iter().map(|p| p.unbound(headers)).min();
        tied.retain(|p| Some(p.unbound(headers)) == fewest);
    }
    match tied.as_slice() {
        [one] => Ok(Some(one)),
        _ => Err(tied),
    }
}

/// Several profiles fit a header equally well (each binds `n` columns): refused, naming them.
fn tie(path: &Path, tied: &[&Profile], n: usize) -> ImportError {
    let names: Vec<&str> = tied.iter().map(|p| p.name.as_str()).collect();
    let list = tied
        .iter()
        .map(|p| match &p.file {
            Some(f) => format!("  {:<18} {} ({})", p.name, p.description, f.display()),
            None => format!("  {:<18} {}", p.name, p.description),
        })
        .collect::<Vec<_>>()
        .join("\n");
    ImportError {
        path: path.to_path_buf(),
        problems: vec![Problem::row(
            1,
            None,
            Msg::new(
                format!(
                    "{} 个导入配置同样符合这些列(各对应 {n} 列):{}。没有替您选择",
                    tied.len(),
                    names.join("、")
                ),
                format!(
                    "{} import profiles fit these columns equally well ({n} columns each): {}. None was chosen for you",
                    tied.len(),
                    names.join(", ")
                ),
            ),
        )],
        hint: Some(Msg::new(
            format!("{list}\n请用 --profile 名称 指定其一,例如 --profile {}", names[0]),
            format!("{list}\nChoose one with --profile NAME, e.g. --profile {}", names[0]),
        )),
        lang: Lang::default(),
    }
}

/// Rows would change the records of tickets already stored, without `--update`: refused,
/// saying how many tickets and which fields.
fn updates_refused(path: &Path, updates: &rows::Updates, profile: &str) -> ImportError {
    let n = updates.tickets();
    let some: Vec<&str> = updates.0.keys().take(3).map(String::as_str).collect();
    let more = if n > some.len() { "…" } else { "" };
    ImportError {
        path: path.to_path_buf(),
        problems: vec![Problem::file(Msg::new(
            format!(
                "此文件会改动数据库中已有的 {n} 件工单的记录({}),如 {}{more}",
                updates.fields_text(Lang::Zh),
                some.join("、")
            ),
            format!(
                "this file would change the records of {n} {} already in the store ({}), e.g. {}{more}",
                if n == 1 { "ticket" } else { "tickets" },
                updates.fields_text(Lang::En),
                some.join(", ")
            ),
        ))],
        hint: Some(Msg::new(
            format!("确认要改动,请加 --update(跟办记录不变,改动记为导入时刻的工单事件);若不想改动,请检查 --profile(这次用的是 {profile})。"),
            format!("To change them, add --update (the follow-up history stays; the changes are recorded as ticket events at the moment of import); if not, check --profile (this time: {profile})."),
        )),
        lang: Lang::default(),
    }
}

/// A table that cannot hold tickets is refused as a whole: no rows under its header, or no
/// column for a field every ticket needs (its unit), unless the profile gives a default.
fn check_shape(path: &Path, table: &table::Table, profile: &Profile) -> Result<(), ImportError> {
    let bound = profile.bind(&table.headers);
    let missing: Vec<String> = ["unit"]
        .iter()
        .filter(|f| !bound.contains_key(**f) && !profile.defaults.contains_key(**f))
        .map(|f| {
            profile
                .columns
                .get(*f)
                .map_or_else(|| f.to_string(), |names| names.join(" / "))
        })
        .collect();
    if !missing.is_empty() {
        return Err(fail(
            path,
            vec![Problem::row(
                1,
                None,
                Msg::new(
                    format!(
                        "表头没有「{}」列(导入配置 {}):每件工单都需要承办单位",
                        missing.join("、"),
                        profile.name
                    ),
                    format!(
                        "the header has no column for {} (profile {}): every ticket needs its unit",
                        missing.join(", "),
                        profile.name
                    ),
                ),
            )],
        ));
    }
    if table.rows.is_empty() {
        return Err(fail(
            path,
            vec![Problem::file(Msg::new(
                "文件只有表头没有数据行:没有可导入的内容",
                "the file has a header but no rows: nothing to import",
            ))],
        ));
    }
    Ok(())
}

/// Imports one file. Nothing of it is written when any line or row is bad, unless
/// `skip_bad_rows`; then the bad ones are listed in the report and the rest written.
pub fn import_file(
    ledger: &Ledger,
    path: &Path,
    opts: &ImportOptions,
) -> Result<FileReport, ImportError> {
    read_and_apply(ledger, path, opts).map_err(|mut e| {
        e.lang = opts.lang;
        e
    })
}

/// A file read into events, before any is checked against the store.
struct Read {
    lines: Vec<(usize, Event)>,
    problems: Vec<Problem>,
    format: String,
    profile: Option<String>,
    records: usize,
    /// A log's chain numbers, when it carries its whole chain.
    seqs: Option<Vec<u64>>,
    /// A table's rows already stored, and its changes to stored records.
    table: Option<(usize, rows::Updates)>,
}

fn read(ledger: &Ledger, path: &Path, opts: &ImportOptions) -> Result<Read, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| {
        let m = Msg::new(format!("无法读取:{e}"), format!("cannot read: {e}"));
        fail(path, vec![Problem::file(m)])
    })?;
    let kind = detect(path, &bytes).map_err(|p| fail(path, vec![p]))?;
    if let Kind::Log = kind {
        let text = String::from_utf8(bytes).map_err(|_| {
            let m = Msg::new("事件日志应为 UTF-8 编码", "an event log must be UTF-8");
            fail(path, vec![Problem::file(m)])
        })?;
        let log = jsonl::parse_log(&text);
        return Ok(Read {
            records: log.events.len() + log.problems.len(),
            lines: log.events,
            problems: log.problems,
            format: "event log (JSONL)".to_string(),
            profile: None,
            seqs: log.seqs,
            table: None,
        });
    }
    let table = match kind {
        Kind::Xlsx => table::read_xlsx(&bytes),
        Kind::Json => {
            let (text, _) =
                table::decode_text(&bytes).map_err(|m| fail(path, vec![Problem::file(m)]))?;
            table::read_json(&text)
        }
        _ => {
            let (text, enc) =
                table::decode_text(&bytes).map_err(|m| fail(path, vec![Problem::file(m)]))?;
            table::read_csv(&text, enc)
        }
    }
    .map_err(|p| fail(path, vec![p]))?;
    let format = match kind {
        Kind::Csv => format!("CSV ({})", table.encoding),
        _ => table.encoding.to_string(),
    };
    let profile = choose_profile(path, &table.headers, opts)?;
    check_shape(path, &table, &profile)?;
    let (rows, problems) = rows::read_rows(&table, &profile, ledger.tz());
    let mut cache = |id: &str| ledger.events(id).unwrap_or_default();
    let found = rows::row_events(&rows, ledger.tz(), ledger.now(), &mut cache);
    Ok(Read {
        lines: found.events,
        problems,
        format,
        profile: Some(profile.name),
        records: table.rows.len(),
        seqs: None,
        table: Some((found.already, found.updates)),
    })
}

fn read_and_apply(
    ledger: &Ledger,
    path: &Path,
    opts: &ImportOptions,
) -> Result<FileReport, ImportError> {
    let Read {
        lines,
        mut problems,
        format,
        profile,
        records,
        seqs,
        table: table_rows,
    } = read(ledger, path, opts)?;
    let is_rows = profile.is_some();
    let as_problem = |r: &crate::ledger::RefusedLine| {
        let mut p = Problem::line(r.line, Msg::same(r.reason(opts.lang)));
        p.is_row = is_rows;
        p
    };
    if !problems.is_empty() && !opts.skip_bad_rows {
        // Name every bad line in one run: the rule refusals of the readable lines as well.
        if let Ok(checked) = ledger.apply(lines, true, false) {
            problems.extend(checked.refused.iter().map(as_problem));
        }
        problems.sort_by_key(|p| p.line);
        return Err(fail(path, problems));
    }
    let (already_rows, updates) = table_rows.unzip();
    let updates = updates.unwrap_or_default();
    if !updates.is_empty() && !opts.update {
        return Err(updates_refused(
            path,
            &updates,
            profile.as_deref().unwrap_or_default(),
        ));
    }
    let pb = progress_bar(opts, lines.len(), "checking");
    let mut tick = |done: usize, total: usize| {
        if let Some(pb) = &pb {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
        }
    };
    let outcome = ledger
        .apply_chained(lines, seqs, opts.dry_run, opts.skip_bad_rows, &mut tick)
        .map_err(|e: LedgerError| {
            fail(path, vec![Problem::file(Msg::same(e.message(opts.lang)))])
        })?;
    let refused: Vec<Problem> = outcome.refused.iter().map(as_problem).collect();
    if !refused.is_empty() && !opts.skip_bad_rows {
        if let Some(pb) = &pb {
            pb.finish_and_clear();
        }
        return Err(fail(path, refused));
    }
    problems.extend(refused);
    problems.sort_by_key(|p| p.line);
    if let Some(pb) = &pb {
        pb.finish_and_clear();
    }
    Ok(FileReport {
        path: path.to_path_buf(),
        format,
        profile,
        records,
        already: already_rows.unwrap_or(outcome.duplicates),
        outcome,
        updates,
        skipped: problems,
    })
}
