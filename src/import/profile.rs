//! Import profiles: how another system's columns, dates and values map onto a ticket record
//! (and, for a street's follow-up ledger, onto sign / contact / resolve events).
//! Shipped defaults live in `assets/profiles/`; users may add their own TOML files.

use super::table::Cell;
use crate::domain::event::Satisfaction;
use crate::domain::time::local_instant;
use crate::i18n::Msg;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The fields a profile can map. The record fields come first, then the ledger fields.
pub const FIELDS: &[&str] = &[
    "id",
    "received_at",
    "complainant",
    "phone",
    "address",
    "street",
    "community",
    "category",
    "title",
    "content",
    "unit",
    "closed_at",
    "reply",
    "satisfaction",
    "reasonable",
    "dispatched_at",
    "signed_at",
    "deadline",
    "plan",
    "last_contact_at",
    "resolved_at",
];

/// A profile as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The zone of times written without an offset (default: the configured zone).
    pub timezone: Option<String>,
    /// chrono formats tried, in order, for times without an offset (RFC 3339 is always tried).
    #[serde(default)]
    pub date_formats: Vec<String>,
    /// field → header names that hold it (the first present wins).
    pub columns: BTreeMap<String, Vec<String>>,
    /// field → (spelling → canonical value), e.g. satisfaction "很满意" = "satisfied".
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// field → value used when the row has none (e.g. a unit for exports without one).
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    /// The file it was read from; None for a shipped profile.
    #[serde(skip)]
    pub file: Option<std::path::PathBuf>,
}

const BUILTIN: &[(&str, &str)] = &[
    (
        "cn-city",
        include_str!("../../assets/profiles/cn-city.toml"),
    ),
    (
        "cn-ledger",
        include_str!("../../assets/profiles/cn-ledger.toml"),
    ),
    (
        "open311",
        include_str!("../../assets/profiles/open311.toml"),
    ),
    ("nyc311", include_str!("../../assets/profiles/nyc311.toml")),
    (
        "cn-gov-messages",
        include_str!("../../assets/profiles/cn-gov-messages.toml"),
    ),
];

/// Header names compare trimmed, without a BOM, ASCII case-insensitively.
pub fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase()
}

impl Profile {
    pub fn parse(text: &str, origin: &str) -> Result<Profile, Msg> {
        let p: Profile = toml::from_str(text).map_err(|e| {
            Msg::new(
                format!("导入配置 {origin}:{e}"),
                format!("profile {origin}: {e}"),
            )
        })?;
        for f in p
            .columns
            .keys()
            .chain(p.values.keys())
            .chain(p.defaults.keys())
        {
            if !FIELDS.contains(&f.as_str()) {
                let known = FIELDS.join(", ");
                return Err(Msg::new(
                    format!("导入配置 {origin}:未知的字段 `{f}`(可用:{known})"),
                    format!("profile {origin}: unknown field `{f}` (known: {known})"),
                ));
            }
        }
        if !p.columns.contains_key("id") {
            return Err(Msg::new(
                format!("导入配置 {origin}:没有列对应 `id`"),
                format!("profile {origin}: it maps no column to `id`"),
            ));
        }
        if let Some(tz) = &p.timezone {
            tz.parse::<Tz>().map_err(|_| {
                Msg::new(
                    format!("导入配置 {origin}:未知的时区 `{tz}`"),
                    format!("profile {origin}: unknown time zone `{tz}`"),
                )
            })?;
        }
        Ok(p)
    }

    /// The profiles shipped with genban.
    pub fn builtin() -> Vec<Profile> {
        BUILTIN
            .iter()
            .map(|(name, text)| Profile::parse(text, name).expect("shipped profiles parse"))
            .collect()
    }

    /// Shipped profiles plus the `*.toml` files of `dir` (a user's profile replaces a shipped
    /// one of the same name).
    pub fn all(dir: Option<&Path>) -> Result<Vec<Profile>, Msg> {
        let mut out = Profile::builtin();
        if let Some(dir) = dir {
            if let Ok(rd) = std::fs::read_dir(dir) {
                let mut files: Vec<_> = rd.flatten().map(|e| e.path()).collect();
                files.sort();
                for f in files
                    .into_iter()
                    .filter(|f| f.extension().is_some_and(|e| e == "toml"))
                {
                    let p = Profile::load(&f)?;
                    out.retain(|x| x.name != p.name);
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    pub fn load(path: &Path) -> Result<Profile, Msg> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Msg::new(
                format!("无法读取导入配置 {}:{e}", path.display()),
                format!("cannot read profile {}: {e}", path.display()),
            )
        })?;
        let mut p = Profile::parse(&text, &path.display().to_string())?;
        p.file = Some(path.to_path_buf());
        Ok(p)
    }

    /// For each field, the index of the header that holds it.
    pub fn bind(&self, headers: &[String]) -> BTreeMap<String, (usize, String)> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let mut out = BTreeMap::new();
        for (field, names) in &self.columns {
            for n in names {
                if let Some(i) = keys.iter().position(|k| *k == header_key(n)) {
                    out.insert(field.clone(), (i, headers[i].clone()));
                    break;
                }
            }
        }
        out
    }

    /// How well the profile fits a header: None unless the id column is there, else the
    /// number of fields bound.
    pub fn fit(&self, headers: &[String]) -> Option<usize> {
        let b = self.bind(headers);
        b.contains_key("id").then_some(b.len())
    }

    /// How many of the fields it maps to columns the header lacks.
    pub fn unbound(&self, headers: &[String]) -> usize {
        self.columns.len() - self.bind(headers).len()
    }

    pub fn tz(&self, default: Tz) -> Tz {
        self.timezone
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(default)
    }

    /// Maps a value through `values.FIELD`, if the profile has a spelling for it.
    pub fn spelled<'a>(&'a self, field: &str, raw: &'a str) -> &'a str {
        let t = raw.trim();
        self.values
            .get(field)
            .and_then(|m| m.get(t))
            .map_or(t, String::as_str)
    }

    /// Reads a time cell: a real date cell, RFC 3339 with offset, or a local time in one of
    /// the profile's formats (or the standard ones), in the profile's zone.
    pub fn parse_time(&self, cell: &Cell, tz: Tz) -> Result<DateTime<FixedOffset>, Msg> {
        let naive = match cell {
            Cell::DateTime(d) => *d,
            Cell::Number(n) if (20_000.0..80_000.0).contains(n) => {
                excel_serial(*n).ok_or_else(|| {
                    Msg::new(format!("`{n}` 不是日期"), format!("`{n}` is not a date"))
                })?
            }
            Cell::Text(s) => {
                let s = s.trim();
                if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                    return Ok(t);
                }
                parse_naive(s, &self.date_formats).ok_or_else(|| {
                    Msg::new(
                        format!("`{s}` 不是日期或时间"),
                        format!("`{s}` is not a date or time"),
                    )
                })?
            }
            other => {
                let t = other.text().unwrap_or_default();
                return Err(Msg::new(
                    format!("`{t}` 不是日期"),
                    format!("`{t}` is not a date"),
                ));
            }
        };
        let inst: DateTime<Utc> = local_instant(tz, naive);
        Ok(inst.with_timezone(&tz).fixed_offset())
    }

    /// Reads a date cell (a deadline).
    pub fn parse_day(&self, cell: &Cell, tz: Tz) -> Result<NaiveDate, Msg> {
        if let Cell::Text(s) = cell {
            if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
                return Ok(t.with_timezone(&tz).date_naive());
            }
            if let Some(n) = parse_naive(s.trim(), &self.date_formats) {
                return Ok(n.date());
            }
            let s = s.trim();
            return Err(Msg::new(
                format!("`{s}` 不是日期"),
                format!("`{s}` is not a date"),
            ));
        }
        self.parse_time(cell, tz).map(|t| t.naive_local().date())
    }

    pub fn satisfaction(&self, raw: &str) -> Result<Satisfaction, Msg> {
        let v = self.spelled("satisfaction", raw);
        Satisfaction::parse(v).ok_or_else(|| {
            let r = raw.trim();
            Msg::new(
                format!("未知的满意度 `{r}`(满意、基本满意、不满意)"),
                format!("unknown satisfaction `{r}` (满意, 基本满意, 不满意)"),
            )
        })
    }

    pub fn reasonable(&self, raw: &str) -> Result<bool, Msg> {
        let v = self.spelled("reasonable", raw);
        match v.to_ascii_lowercase().as_str() {
            "是" | "y" | "yes" | "1" | "true" => Ok(true),
            "否" | "n" | "no" | "0" | "false" => Ok(false),
            _ => Err(Msg::new(
                format!("`{}` 不是 是/否(Y/N、1/0、true/false)", raw.trim()),
                format!("`{}` is not 是/否 (Y/N, 1/0, true/false)", raw.trim()),
            )),
        }
    }
}

use crate::domain::time::parse_naive;

/// An Excel serial date (1900 system) as a local time.
fn excel_serial(n: f64) -> Option<NaiveDateTime> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let secs = (n * 86_400.0).round() as i64;
    base.checked_add_signed(chrono::Duration::seconds(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profiles_parse() {
        let names: Vec<String> = Profile::builtin().into_iter().map(|p| p.name).collect();
        assert!(names.contains(&"cn-city".to_string()));
        assert!(names.contains(&"open311".to_string()));
    }

    #[test]
    fn reads_the_date_spellings_of_domain_md() {
        let p = &Profile::builtin()[0];
        let tz = crate::domain::time::DEFAULT_TZ;
        let t = |s: &str| {
            p.parse_time(&Cell::Text(s.into()), tz)
                .map(|t| t.to_rfc3339())
        };
        assert_eq!(
            t("2026-10-08 09:12:33").unwrap(),
            "2026-10-08T09:12:33+08:00"
        );
        assert_eq!(t("2026/10/8 9:12").unwrap(), "2026-10-08T09:12:00+08:00");
        assert_eq!(t("2026-10-08").unwrap(), "2026-10-08T00:00:00+08:00");
        assert_eq!(t("2019/4/25 9:32:09").unwrap(), "2019-04-25T09:32:09+08:00");
        assert!(t("2026-13-01").is_err());
        let excel = NaiveDate::from_ymd_opt(2026, 10, 8)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert_eq!(
            p.parse_time(&Cell::DateTime(excel), tz)
                .unwrap()
                .to_rfc3339(),
            "2026-10-08T09:00:00+08:00"
        );
    }
}
