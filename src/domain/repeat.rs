//! Repeat complaints (figure 4): the same citizen complaining again about the same thing.

use super::time::local_date;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

/// A phone as the ASCII digits of its NFKC form; a leading `0086`/`86` is dropped only when
/// 11 digits starting with `1` (a mobile number) remain. Empty when there are no digits.
pub fn normalize_phone(raw: &str) -> String {
    let digits: String = raw.nfkc().filter(|c| c.is_ascii_digit()).collect();
    for prefix in ["0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix) {
            if rest.len() == 11 && rest.starts_with('1') {
                return rest.to_string();
            }
        }
    }
    digits
}

/// Trims surrounding Unicode white space (U+3000 and U+00A0 included).
pub fn trim_text(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}')
}

/// What repeat detection needs of one ticket record.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatKey {
    pub id: String,
    pub received_at: DateTime<Utc>,
    pub phone: String,
    pub category: String,
    pub address: String,
}

impl RepeatKey {
    pub fn new(
        id: &str,
        received_at: DateTime<Utc>,
        phone: Option<&str>,
        category: Option<&str>,
        address: Option<&str>,
    ) -> RepeatKey {
        RepeatKey {
            id: id.to_string(),
            received_at,
            phone: normalize_phone(phone.unwrap_or("")),
            category: trim_text(category.unwrap_or("")).to_string(),
            address: trim_text(address.unwrap_or("")).to_string(),
        }
    }
}

/// The ids of tickets that are repeats: an earlier ticket (strictly earlier instant, at most 90
/// local calendar days before) has the same phone and the same category or the same address.
/// Returns, for each repeat, the id of the most recent earlier ticket it repeats.
pub fn find_repeats(keys: &[RepeatKey], tz: Tz) -> HashMap<String, String> {
    let mut by_phone: HashMap<&str, Vec<&RepeatKey>> = HashMap::new();
    for k in keys.iter().filter(|k| !k.phone.is_empty()) {
        by_phone.entry(k.phone.as_str()).or_default().push(k);
    }
    let mut out = HashMap::new();
    for group in by_phone.values_mut() {
        if group.len() < 2 {
            continue;
        }
        group.sort_by_key(|k| k.received_at);
        for (i, k) in group.iter().enumerate() {
            let day = local_date(tz, &k.received_at);
            for earlier in group[..i].iter().rev() {
                if earlier.received_at >= k.received_at {
                    continue;
                }
                let gap = (day - local_date(tz, &earlier.received_at)).num_days();
                if gap > 90 {
                    break;
                }
                let same_cat = !k.category.is_empty() && k.category == earlier.category;
                let same_addr = !k.address.is_empty() && k.address == earlier.address;
                if same_cat || same_addr {
                    out.insert(k.id.clone(), earlier.id.clone());
                    break;
                }
            }
        }
    }
    out
}

/// The ids flagged as repeats, as a set.
pub fn repeat_ids(keys: &[RepeatKey], tz: Tz) -> HashSet<String> {
    find_repeats(keys, tz).into_keys().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn phones_normalise_as_domain_says() {
        assert_eq!(normalize_phone("+86 138 1234 5678"), "13812345678");
        assert_eq!(normalize_phone("0086-13812345678"), "13812345678");
        assert_eq!(normalize_phone("(+86)138-1234-5678"), "13812345678");
        assert_eq!(normalize_phone("１３８１２３４５６７８"), "13812345678");
        assert_eq!(
            normalize_phone("＋８６ １３８１２３４５６７８"),
            "13812345678"
        );
        assert_eq!(normalize_phone("86123456"), "86123456");
        assert_eq!(normalize_phone("86-12-3456"), "86123456");
        assert_eq!(
            normalize_phone("+86 8612 3456"),
            "868612 3456".replace(' ', "")
        );
        assert_eq!(normalize_phone("(025)66625137"), "02566625137");
        assert_eq!(normalize_phone(""), "");
    }

    #[test]
    fn ninety_local_days_is_a_repeat_ninety_one_is_not() {
        let tz = super::super::time::DEFAULT_TZ;
        let t = |y, m, d, h| {
            chrono_tz::Asia::Shanghai
                .with_ymd_and_hms(y, m, d, h, 0, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        let keys = vec![
            RepeatKey::new(
                "a",
                t(2026, 1, 1, 10),
                Some("13800000000"),
                Some("路灯"),
                None,
            ),
            RepeatKey::new(
                "b",
                t(2026, 4, 1, 9),
                Some("138 0000 0000"),
                Some(" 路灯\u{3000}"),
                None,
            ),
            RepeatKey::new(
                "c",
                t(2026, 7, 1, 9),
                Some("13800000000"),
                Some("噪音"),
                Some("x"),
            ),
            RepeatKey::new(
                "d",
                t(2026, 9, 30, 9),
                Some("13800000000"),
                Some("水"),
                Some("x"),
            ),
            RepeatKey::new(
                "e",
                t(2026, 9, 30, 9),
                Some("13900000000"),
                Some("水"),
                Some("x"),
            ),
        ];
        let r = repeat_ids(&keys, tz);
        // a→b is 90 days (Jan 1 → Apr 1 in 2026), c differs in category and has no earlier address,
        // d is 91 days after c.
        assert!(r.contains("b"));
        assert!(!r.contains("c"));
        assert!(!r.contains("d"));
        assert!(!r.contains("e"));
        assert!(!r.contains("a"));
    }
}
