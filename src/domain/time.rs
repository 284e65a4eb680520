//! Local dates, periods and the clock. Everything is evaluated in one configured time zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The default zone of DOMAIN.md.
pub const DEFAULT_TZ: Tz = chrono_tz::Asia::Shanghai;

/// Where "now" comes from. Tests and back-dated reviews set it; the program reads the system clock.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub tz: Tz,
    /// A fixed date: "now" is then the end of that local day (or the real time if it is that day).
    pub today: Option<NaiveDate>,
}

impl Clock {
    pub fn system(tz: Tz) -> Clock {
        Clock { tz, today: None }
    }
    pub fn fixed(tz: Tz, today: NaiveDate) -> Clock {
        Clock {
            tz,
            today: Some(today),
        }
    }
    /// Today's local date.
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| Utc::now().with_timezone(&self.tz).date_naive())
    }
    /// The moment to stamp a new event with: the real now when the clock is on today,
    /// else noon of the fixed day (so that it falls inside that day).
    pub fn now(&self) -> DateTime<Utc> {
        let real = now_seconds();
        match self.today {
            Some(d) if real.with_timezone(&self.tz).date_naive() != d => {
                local_instant(self.tz, d.and_hms_opt(12, 0, 0).expect("noon"))
            }
            _ => real,
        }
    }
}

/// The real time now, to the second (the default `at` of an event entered now).
pub fn now_seconds() -> DateTime<Utc> {
    let t = Utc::now();
    t - Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos()))
}

/// The real time now, to the millisecond (an event's `recorded_at`: fine enough that two
/// entries of one `at` differ, so a void can name one of them).
pub fn now_millis() -> DateTime<Utc> {
    let t = Utc::now();
    t - Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos() % 1_000_000))
}

/// The local date of an instant.
pub fn local_date<T: TimeZone>(tz: Tz, t: &DateTime<T>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// A local wall-clock time as an instant; a time that occurs twice is the earlier instant,
/// a time skipped by a change of offset is taken at the first instant after the gap.
pub fn local_instant(tz: Tz, naive: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        chrono::LocalResult::None => {
            let mut n = naive;
            loop {
                n += Duration::minutes(15);
                if let Some(t) = tz.from_local_datetime(&n).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
        }
    }
}

/// Local date-time forms read everywhere a person types or a file holds a time (the CLI's
/// `--at`, the app's dialogs, import profiles), after RFC 3339 with an offset.
pub const TIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
];
/// Dates alone, read as the start of the day.
pub const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d"];

/// Reads a local wall-clock time: `extra` formats first (an import profile's), then the
/// standard ones; a date alone is its midnight.
pub fn parse_naive(s: &str, extra: &[String]) -> Option<NaiveDateTime> {
    let s = s.trim();
    for f in extra
        .iter()
        .map(String::as_str)
        .chain(TIME_FORMATS.iter().copied())
    {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// The one parser of a time a person gives: RFC 3339 with its offset, or a local time in one
/// of the standard forms (`2026-10-08 09:12`, `2026/10/8 9:12`, `2026-10-08`) in zone `tz`.
pub fn parse_local(s: &str, tz: Tz) -> Option<DateTime<chrono::FixedOffset>> {
    parse_local_with(s, tz, &[])
}

/// As `parse_local`, trying `extra` local formats first.
pub fn parse_local_with(
    s: &str,
    tz: Tz,
    extra: &[String],
) -> Option<DateTime<chrono::FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let naive = parse_naive(s, extra)?;
    Some(local_instant(tz, naive).with_timezone(&tz).fixed_offset())
}

/// Why a time a person typed for something that happened at a moment was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MomentError {
    /// Not a time in any accepted form.
    Unreadable,
    /// A date alone (`2026-12-02`): the time of day is missing.
    DateOnly,
}

/// A date alone, with no time of day (read by `parse_local` as its midnight).
pub fn is_date_only(s: &str) -> bool {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s).is_err()
        && !TIME_FORMATS
            .iter()
            .any(|f| NaiveDateTime::parse_from_str(s, f).is_ok())
        && DATE_FORMATS
            .iter()
            .any(|f| NaiveDate::parse_from_str(s, f).is_ok())
}

/// As `parse_local`, for the moment of something that happened at a time of day (a contact,
/// a resolution, a revisit) entered by a person: a date alone is refused, not read as midnight.
/// (Events in imported files keep `parse_local`'s reading.)
pub fn parse_moment(s: &str, tz: Tz) -> Result<DateTime<chrono::FixedOffset>, MomentError> {
    if is_date_only(s) {
        return Err(MomentError::DateOnly);
    }
    parse_local(s, tz).ok_or(MomentError::Unreadable)
}

/// The first instant of a local date.
pub fn day_start(tz: Tz, d: NaiveDate) -> DateTime<Utc> {
    local_instant(tz, d.and_hms_opt(0, 0, 0).expect("midnight"))
}

/// The first instant after a local date ends ("on or before the end of day A" is `< day_end`).
pub fn day_end(tz: Tz, d: NaiveDate) -> DateTime<Utc> {
    day_start(tz, d.succ_opt().unwrap_or(d))
}

/// The first day of the month holding `d`.
pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1")
}

/// The last day of the month holding `d`.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let first = month_start(d);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .expect("next month");
    next.pred_opt().expect("previous day")
}

/// Adds calendar months, clamping the day to the month's length (Jan 31 + 1 month = Feb 28/29).
pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(months))
        .unwrap_or(d)
}

/// An inclusive range of local dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn month_of(d: NaiveDate) -> Period {
        Period {
            from: month_start(d),
            to: month_end(d),
        }
    }
    /// Parses `YYYY-MM`.
    pub fn parse_month(s: &str) -> Option<Period> {
        let d = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").ok()?;
        Some(Period::month_of(d))
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_bounds_and_day_edges() {
        let d = NaiveDate::from_ymd_opt(2028, 2, 10).unwrap();
        assert_eq!(month_end(d), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        assert_eq!(
            add_months(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(), 1),
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
        );
        let start = day_start(DEFAULT_TZ, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(start.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(
            Period::parse_month("2026-02").unwrap().to,
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        assert!(Period::parse_month("2026-13").is_none());
    }

    #[test]
    fn a_moment_needs_a_time_of_day() {
        let tz = DEFAULT_TZ;
        for bare in ["2026-12-02", " 2026/12/2 ", "2026年12月2日", "20261202"] {
            assert!(is_date_only(bare), "{bare}");
            assert_eq!(parse_moment(bare, tz), Err(MomentError::DateOnly), "{bare}");
            assert!(parse_local(bare, tz).is_some(), "files still read {bare}");
        }
        for full in [
            "2026-12-02 09:30",
            "2026-12-02 09:30:15",
            "2026-12-02T09:30:00+08:00",
            "2026/12/2 9:30",
        ] {
            assert!(!is_date_only(full), "{full}");
            assert!(parse_moment(full, tz).is_ok(), "{full}");
        }
        assert_eq!(parse_moment("12/02", tz), Err(MomentError::Unreadable));
    }

    #[test]
    fn an_ambiguous_local_time_is_the_earlier_instant() {
        let tz: Tz = chrono_tz::America::New_York;
        let n = NaiveDate::from_ymd_opt(2024, 11, 3)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(
            local_instant(tz, n).to_rfc3339(),
            "2024-11-03T05:30:00+00:00"
        );
    }
}
