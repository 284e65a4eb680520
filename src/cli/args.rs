//! What a person types on the command line, checked before anything is built from it: ticket
//! ids as pasted (spaces, full-width digits), required text that is not blank, control
//! characters and absurd lengths refused, dates and times through the one parser.

use crate::domain::time::{parse_local, Period};
use crate::i18n::Lang;
use anyhow::{anyhow, bail, Result};
use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;

/// The longest name (unit, department, person) and the longest free text accepted.
pub use crate::domain::new_ticket::{MAX_NAME, MAX_TEXT};
const MAX_ID: usize = 64;

/// A ticket id as pasted: NFKC (full-width digits become ASCII), white space removed.
pub fn ticket_id(raw: &str, lang: Lang) -> Result<String> {
    let id = crate::domain::search::id_form(raw);
    if id.is_empty() {
        bail!("{}", lang.t("工单编号不能为空", "the ticket id is empty"));
    }
    if id.chars().any(crate::text::is_unsafe) || id.chars().count() > MAX_ID {
        bail!(
            "{}",
            lang.t(
                "工单编号无效(含控制字符或过长)",
                "the ticket id is not valid (control characters or too long)"
            )
        );
    }
    Ok(id)
}

/// Required text: trimmed, not blank, no control characters, at most `max` characters.
pub fn required(value: &str, flag: &str, max: usize, lang: Lang) -> Result<String> {
    match optional(
        Some(value).filter(|v| !v.trim().is_empty()),
        flag,
        max,
        lang,
    )? {
        Some(v) => Ok(v),
        None => bail!(
            "{flag}: {}",
            lang.t(
                "不能为空(只有空白也不行)",
                "must not be empty (white space alone is empty)"
            )
        ),
    }
}

/// Optional text: absent is fine; given, it is checked as `required` (a blank value given on
/// purpose is a mistake in a script, not a wish to leave the field out).
pub fn optional(value: Option<&str>, flag: &str, max: usize, lang: Lang) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim) else {
        return Ok(None);
    };
    if v.is_empty() {
        bail!(
            "{flag}: {}",
            lang.t(
                "给出了却是空的;不需要就省略这个参数",
                "given but empty; leave the option out instead"
            )
        );
    }
    if v.chars().any(crate::text::is_unsafe) {
        bail!(
            "{flag}: {}",
            lang.t(
                "含有控制字符(换行、制表符、转义、双向控制符等),请去掉",
                "contains control characters (newline, tab, escape, bidi controls…): remove them"
            )
        );
    }
    let n = v.chars().count();
    if n > max {
        bail!("{flag}: {} ({n} > {max})", lang.t("太长", "too long"));
    }
    Ok(Some(v.to_string()))
}

/// A date `YYYY-MM-DD`.
pub fn day(s: &str, flag: &str, lang: Lang) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        anyhow!(
            "{flag}: `{}` {}",
            crate::text::sanitize(s),
            lang.t("不是日期(YYYY-MM-DD)", "is not a date (YYYY-MM-DD)")
        )
    })
}

/// A time: RFC 3339, or a local `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD HH:MM` or a date.
pub fn time(s: &str, flag: &str, tz: Tz, lang: Lang) -> Result<DateTime<FixedOffset>> {
    parse_local(s, tz).ok_or_else(|| {
        anyhow!(
            "{flag}: `{}` {}",
            crate::text::sanitize(s),
            lang.t(
                "不是时间(YYYY-MM-DD HH:MM 或 RFC 3339)",
                "is not a time (YYYY-MM-DD HH:MM or RFC 3339)"
            )
        )
    })
}

/// The moment of something that happened at a time of day (a contact, a resolution, a
/// revisit): as `time`, but a date alone is refused with a hint, not read as midnight.
pub fn moment(s: &str, flag: &str, tz: Tz, lang: Lang) -> Result<DateTime<FixedOffset>> {
    if crate::domain::time::is_date_only(s) {
        let d = crate::text::sanitize(s.trim());
        bail!(
            "{flag}: `{d}` {}",
            match lang {
                Lang::Zh => format!("只有日期,请写明时刻,如 `{d} 09:30`(YYYY-MM-DD HH:MM)"),
                Lang::En => format!(
                    "is a date alone: give the time of day too, e.g. `{d} 09:30` (YYYY-MM-DD HH:MM)"
                ),
            }
        );
    }
    time(s, flag, tz, lang)
}

/// A month `YYYY-MM`.
pub fn month(s: &str, lang: Lang) -> Result<Period> {
    Period::parse_month(s).ok_or_else(|| {
        anyhow!(
            "--month: `{}` {}",
            crate::text::sanitize(s),
            lang.t("不是月份(YYYY-MM)", "is not a month (YYYY-MM)")
        )
    })
}

/// A figure's key or short name (`signing`, `contact`, `on_time`, `repeat`, `revisit`,
/// `whistle_response`, `whistle_resolution`, `whistle_satisfaction`).
pub fn figure(s: &str, flag: &str, lang: Lang) -> Result<crate::domain::figures::FigureKind> {
    use crate::domain::figures::FigureKind;
    FigureKind::parse(s).ok_or_else(|| {
        anyhow!(
            "{flag}: `{}` {} ({})",
            crate::text::sanitize(s),
            lang.t("不是指标名", "is not a figure"),
            FigureKind::ALL.map(FigureKind::short).join(", ")
        )
    })
}

/// A league column: a unit figure, `misses`, `overdue` or `awaiting_contact`.
pub fn league_sort(
    s: &str,
    flag: &str,
    lang: Lang,
) -> Result<crate::domain::dashboard::LeagueSort> {
    use crate::domain::dashboard::LeagueSort;
    match s.trim().replace('-', "_").as_str() {
        "misses" => return Ok(LeagueSort::Misses),
        "overdue" => return Ok(LeagueSort::Overdue),
        "awaiting_contact" => return Ok(LeagueSort::AwaitingContact),
        _ => {}
    }
    let unit_figures = || {
        crate::domain::figures::FigureKind::ALL
            .into_iter()
            .filter(|f| f.of_unit(&Default::default()).is_some())
    };
    let valid = || {
        unit_figures()
            .map(|f| f.short())
            .chain(["misses", "overdue", "awaiting_contact"])
            .collect::<Vec<_>>()
            .join(", ")
    };
    match crate::domain::figures::FigureKind::parse(s) {
        Some(f) if unit_figures().any(|u| u == f) => Ok(LeagueSort::Figure(f)),
        Some(f) => bail!(
            "{flag}: {} {} ({})",
            f.short(),
            lang.t(
                "只有全街道数值,不能按单位排序;可以按",
                "is street-wide only, not by unit; sort by"
            ),
            valid()
        ),
        None => bail!(
            "{flag}: `{}` {} ({})",
            crate::text::sanitize(s),
            lang.t("不是可排序的列", "is not a column to sort by"),
            valid()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_as_pasted() {
        assert_eq!(
            ticket_id(" ２０２６１００８ 00123\u{3000}", Lang::Zh).unwrap(),
            "2026100800123"
        );
        assert!(ticket_id(" \u{3000} ", Lang::Zh).is_err());
        assert!(ticket_id("12\u{1b}[31m", Lang::Zh).is_err());
    }

    #[test]
    fn text_is_trimmed_and_checked() {
        assert_eq!(
            required(" 材料未到 ", "--reason", MAX_TEXT, Lang::En).unwrap(),
            "材料未到"
        );
        for bad in [
            "",
            " ",
            "\u{3000}",
            "a\nb",
            "x\u{1b}[2J",
            &"长".repeat(MAX_TEXT + 1),
        ] {
            assert!(
                required(bad, "--reason", MAX_TEXT, Lang::En).is_err(),
                "{bad:?}"
            );
        }
        assert!(optional(Some("  "), "--plan", 10, Lang::En).is_err());
        assert_eq!(optional(None, "--plan", 10, Lang::En).unwrap(), None);
    }

    #[test]
    fn a_moment_needs_its_time_of_day() {
        let tz = crate::domain::time::DEFAULT_TZ;
        let e = moment("2026-12-02", "--at", tz, Lang::En).unwrap_err();
        assert!(e.to_string().contains("time of day"), "{e}");
        assert!(moment("2026-12-02 09:30", "--at", tz, Lang::En).is_ok());
        assert!(time("2026-12-02", "--at", tz, Lang::En).is_ok());
    }
}
