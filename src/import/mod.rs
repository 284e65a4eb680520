//! `genban import`: event logs (JSONL) and the city export or other systems' exports (CSV in
//! UTF-8 or GBK, XLSX, JSON) through import profiles. A file is applied whole or not at all,
//! unless bad rows are to be skipped.

pub mod jsonl;
pub mod profile;
pub mod rows;
pub mod table;

use crate::i18n::Lang;
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
    pub message: String,
}

impl Problem {
    pub fn file(message: impl Into<String>) -> Problem {
        Problem {
            line: None,
            is_row: false,
            column: None,
            message: message.into(),
        }
    }
    pub fn line(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            line: Some(line),
            is_row: false,
            column: None,
            message: message.into(),
        }
    }
    pub fn row(row: usize, column: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            line: Some(row),
            is_row: true,
            column: column.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.is_row) {
            (Some(n), true) => write!(f, "row {n}")?,
            (Some(n), false) => write!(f, "line {n}")?,
            (None, _) => {}
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        if self.line.is_some() || self.column.is_some() {
            write!(f, ": ")?;
        }
        f.write_str(&self.message)
    }
}

/// An import that wrote nothing, with every reason.
#[derive(Debug)]
pub struct ImportError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
    pub hint: Option<String>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = 50;
        for p in self.problems.iter().take(shown) {
            writeln!(f, "{}: {p}", self.path.display())?;
        }
        if self.problems.len() > shown {
            writeln!(
                f,
                "{}: … and {} more",
                self.path.display(),
                self.problems.len() - shown
            )?;
        }
        if let Some(h) = &self.hint {
            write!(f, "{h}")?;
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
        return Err(Problem::file(
            "XML is not read; export the data as JSON or CSV (Open311: requests.json)",
        ));
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
                    vec![Problem::file(format!(
                        "{m} (known profiles: {})",
                        all.iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))],
                )
            })?
        };
        if p.fit(headers).is_none() {
            return Err(fail(
                path,
                vec![Problem::row(
                    1,
                    None,
                    format!(
                        "profile {} finds no id column ({}) among the headers",
                        p.name,
                        p.columns["id"].join(", ")
                    ),
                )],
            ));
        }
        return Ok(p);
    }
    // The profile that binds the most columns; on a tie the one listed first.
    all.iter()
        .enumerate()
        .filter_map(|(i, p)| p.fit(headers).map(|n| ((n, std::cmp::Reverse(i)), p)))
        .max_by_key(|(k, _)| *k)
        .map(|(_, p)| p.clone())
        .ok_or_else(|| {
            let shown: Vec<&str> = headers.iter().take(8).map(String::as_str).collect();
            ImportError {
                path: path.to_path_buf(),
                problems: vec![Problem::row(
                    1,
                    None,
                    format!(
                        "no import profile knows these columns ({}{})",
                        shown.join(", "),
                        if headers.len() > 8 { ", …" } else { "" }
                    ),
                )],
                hint: Some(format!(
                    "Known profiles: {}. Map the columns with a profile TOML and pass --profile FILE.",
                    all.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
                )),
            }
        })
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
                format!(
                    "the header has no column for {} (profile {}): every ticket needs its unit",
                    missing.join(", "),
                    profile.name
                ),
            )],
        ));
    }
    if table.rows.is_empty() {
        return Err(fail(
            path,
            vec![Problem::file(
                "the file has a header but no rows: nothing to import",
            )],
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
    let bytes = std::fs::read(path)
        .map_err(|e| fail(path, vec![Problem::file(format!("cannot read: {e}"))]))?;
    let kind = detect(path, &bytes).map_err(|p| fail(path, vec![p]))?;
    let (lines, mut problems, format, profile, records) = match kind {
        Kind::Log => {
            let text = String::from_utf8(bytes)
                .map_err(|_| fail(path, vec![Problem::file("an event log must be UTF-8")]))?;
            let (events, problems) = jsonl::parse_log(&text);
            let n = events.len() + problems.len();
            (events, problems, "event log (JSONL)".to_string(), None, n)
        }
        other => {
            let table = match other {
                Kind::Xlsx => table::read_xlsx(&bytes),
                Kind::Json => {
                    let (text, _) = table::decode_text(&bytes)
                        .map_err(|m| fail(path, vec![Problem::file(m)]))?;
                    table::read_json(&text)
                }
                _ => {
                    let (text, enc) = table::decode_text(&bytes)
                        .map_err(|m| fail(path, vec![Problem::file(m)]))?;
                    table::read_csv(&text, enc)
                }
            }
            .map_err(|p| fail(path, vec![p]))?;
            let format = match other {
                Kind::Csv => format!("CSV ({})", table.encoding),
                _ => table.encoding.to_string(),
            };
            let profile = choose_profile(path, &table.headers, opts)?;
            check_shape(path, &table, &profile)?;
            let (rows, problems) = rows::read_rows(&table, &profile, ledger.tz());
            let mut cache = |id: &str| ledger.events(id).unwrap_or_default();
            let events = rows::row_events(&rows, ledger.tz(), ledger.now(), &mut cache);
            let n = table.rows.len();
            (events, problems, format, Some(profile.name), n)
        }
    };
    let is_rows = profile.is_some();
    let as_problem = |r: &crate::ledger::RefusedLine| {
        let mut p = Problem::line(r.line, r.reason(opts.lang));
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
    let pb = progress_bar(opts, lines.len(), "checking");
    let mut tick = |done: usize, total: usize| {
        if let Some(pb) = &pb {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
        }
    };
    let outcome = ledger
        .apply_with(lines, opts.dry_run, opts.skip_bad_rows, &mut tick)
        .map_err(|e: LedgerError| fail(path, vec![Problem::file(e.to_string())]))?;
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
        outcome,
        skipped: problems,
    })
}
