//! Property tests: text measured by display width never overflows, never splits a character,
//! never lets a control character through; phone normalisation is stable.

use genban::domain::repeat::normalize_phone;
use genban::text::{fit, sanitize, truncate, width, wrap};
use proptest::prelude::*;

fn mixed_text() -> impl Strategy<Value = String> {
    // Chinese, ASCII, full-width forms, emoji, combining marks and control characters.
    proptest::collection::vec(
        prop_oneof![
            "[a-z0-9 ]",
            "[\u{4e00}-\u{4e80}]",
            "[\u{ff10}-\u{ff19}]",
            Just("\u{1b}[31m".to_string()),
            Just("\r\n".to_string()),
            Just("👩‍👩‍👧".to_string()),
            Just("e\u{301}".to_string()),
        ],
        0..30,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn truncate_and_fit_respect_the_width(s in mixed_text(), w in 0usize..40) {
        let clean = sanitize(&s);
        let t = truncate(&clean, w);
        prop_assert!(width(&t) <= w);
        let body = t.strip_suffix('…').unwrap_or(&t);
        prop_assert!(clean.starts_with(body), "not a prefix: {t:?} of {clean:?}");
        if w > 0 {
            prop_assert_eq!(width(&fit(&clean, w)), w);
        }
    }

    #[test]
    fn wrapped_lines_fit(s in mixed_text(), w in 2usize..40) {
        let clean = sanitize(&s);
        for line in wrap(&clean, w) {
            // A single grapheme wider than the line is the only way past it.
            prop_assert!(width(&line) <= w.max(2), "{line:?}");
        }
        // Nothing is lost but the white space at a break.
        let squeeze = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        prop_assert_eq!(squeeze(&wrap(&clean, w).concat()), squeeze(&clean));
    }

    #[test]
    fn wrapping_breaks_between_words(words in proptest::collection::vec("[a-z]{1,8}", 1..20), w in 9usize..40) {
        let text = words.join(" ");
        for line in wrap(&text, w) {
            // Every line is whole words: each of its words is one of the input's.
            for part in line.split(' ').filter(|p| !p.is_empty()) {
                prop_assert!(words.iter().any(|x| x == part), "{part:?} was cut in {line:?}");
            }
        }
    }

    #[test]
    fn sanitized_text_has_no_control_characters(s in ".*") {
        prop_assert!(!sanitize(&s).chars().any(char::is_control));
    }

    #[test]
    fn phone_normalisation_is_stable(p in "[+()0-9 \u{ff10}-\u{ff19}-]{0,20}") {
        let once = normalize_phone(&p);
        prop_assert!(once.chars().all(|c| c.is_ascii_digit()));
        prop_assert_eq!(normalize_phone(&once), once);
    }
}
