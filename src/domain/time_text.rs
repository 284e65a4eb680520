//! Times as people read them, one way everywhere (the app, text output, the workbook): local
//! `YYYY-MM-DD HH:MM` (seconds where two events would otherwise look alike), the year left
//! out only within the current year; waits over 48 hours in days; an entry time worth saying
//! only when it came an hour or more after the event. Scripts read RFC 3339 (JSON) instead.

use crate::i18n::Lang;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;

/// Local date and time to the minute.
pub fn minute(tz: Tz, t: &DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// Local date and time to the second.
pub fn second(tz: Tz, t: &DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Local time to the minute, the year left out when it is `today`'s (`12-04 01:20`).
pub fn short(tz: Tz, t: &DateTime<Utc>, today: NaiveDate) -> String {
    let local = t.with_timezone(&tz);
    if local.year() == today.year() {
        local.format("%m-%d %H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// An instant as it was written, to the second, for messages that know no zone: its own
/// offset's wall-clock time, the offset said unless it is China's (+08:00).
pub fn as_written(t: &DateTime<FixedOffset>) -> String {
    let s = t.format("%Y-%m-%d %H:%M:%S").to_string();
    if t.offset().local_minus_utc() == 8 * 3600 {
        s
    } else {
        format!("{s} (UTC{})", t.format("%:z"))
    }
}

/// How long something has waited: hours up to 48, days beyond (`182天`).
pub fn waited(d: Duration, lang: Lang) -> String {
    let hours = d.num_hours().max(0);
    if hours <= 48 {
        format!("{hours}{}", lang.t("小时", "h"))
    } else {
        format!("{}{}", d.num_days(), lang.t("天", "d"))
    }
}

/// Whether an entry time is worth showing beside the event's: an hour or more after it.
pub fn entered_late(at: &DateTime<Utc>, recorded: &DateTime<Utc>) -> bool {
    *recorded - *at >= Duration::hours(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn times_read_as_people_write_them() {
        let tz = crate::domain::time::DEFAULT_TZ;
        let x = t("2026-12-04T01:20:07+08:00").to_utc();
        assert_eq!(minute(tz, &x), "2026-12-04 01:20");
        assert_eq!(second(tz, &x), "2026-12-04 01:20:07");
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(short(tz, &x, today), "12-04 01:20");
        let last_year = t("2025-12-07T17:50:00+08:00").to_utc();
        assert_eq!(short(tz, &last_year, today), "2025-12-07 17:50");
        assert_eq!(
            as_written(&t("2027-01-01T10:00:00+08:00")),
            "2027-01-01 10:00:00"
        );
        assert_eq!(
            as_written(&t("2027-01-01T02:00:00Z")),
            "2027-01-01 02:00:00 (UTC+00:00)"
        );
    }

    #[test]
    fn waits_over_two_days_are_counted_in_days() {
        assert_eq!(waited(Duration::hours(5), Lang::Zh), "5小时");
        assert_eq!(waited(Duration::hours(48), Lang::En), "48h");
        assert_eq!(waited(Duration::hours(4380), Lang::Zh), "182天");
        assert_eq!(waited(Duration::hours(49), Lang::En), "2d");
    }

    #[test]
    fn an_entry_time_is_said_from_an_hour_after_the_event() {
        let at = t("2026-12-04T01:20:00+08:00").to_utc();
        assert!(!entered_late(&at, &(at + Duration::minutes(59))));
        assert!(entered_late(&at, &(at + Duration::minutes(60))));
    }
}
