//! Text for people: display width of Chinese text, truncation that never breaks a character,
//! placeholders for control characters, masked phones.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Characters that must never reach a terminal raw: control characters, bidirectional
/// overrides and zero-width format characters (they reorder or hide text).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}')
}

/// Control characters and escape sequences become visible placeholders (`␛`, `␍`, `⏎`, `␉`,
/// `�`), so ticket text can never drive the terminal.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{1b}' => out.push('␛'),
            '\n' => out.push('⏎'),
            '\r' => out.push('␍'),
            '\t' => out.push(' '),
            c if c.is_control() => out.push('�'),
            // Bidirectional overrides and zero-width format characters reorder or hide text.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}' => {
                out.push('�')
            }
            c => out.push(c),
        }
    }
    out
}

/// As `sanitize`, keeping line breaks (for messages of several lines).
pub fn sanitize_multiline(s: &str) -> String {
    s.split('\n').map(sanitize).collect::<Vec<_>>().join("\n")
}

/// Cuts `s` to at most `max` cells, ending with `…` when cut; never splits a grapheme.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        let gw = width(g);
        if w + gw > max - 1 {
            break;
        }
        out.push_str(g);
        w += gw;
    }
    out.push('…');
    out
}

/// Pads (or cuts) to exactly `cells` cells.
pub fn fit(s: &str, cells: usize) -> String {
    let t = truncate(s, cells);
    let pad = cells.saturating_sub(width(&t));
    format!("{t}{}", " ".repeat(pad))
}

/// Wraps text to lines of at most `max` cells at word boundaries (Unicode word segmentation:
/// between words of Latin text, between any two CJK characters); a word longer than a line is
/// broken between graphemes. White space at a break is dropped.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        for word in para.split_word_bounds() {
            let ww = width(word);
            if w + ww > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                w = 0;
                if word.trim().is_empty() {
                    continue;
                }
            }
            if ww <= max {
                line.push_str(word);
                w += ww;
                continue;
            }
            for g in word.graphemes(true) {
                let gw = width(g);
                if w + gw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    w = 0;
                }
                line.push_str(g);
                w += gw;
            }
        }
        lines.push(line);
    }
    lines
}

/// A phone with its middle hidden: 138****5678.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let n = chars.len();
    if n < 7 {
        return "*".repeat(n);
    }
    let keep_head = 3;
    let keep_tail = 4;
    let mut out: String = chars[..keep_head].iter().collect();
    out.push_str(&"*".repeat(n - keep_head - keep_tail));
    out.extend(&chars[n - keep_tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_chinese_by_width_without_breaking_characters() {
        assert_eq!(truncate("大顶山花园太阳能路灯损坏", 9), "大顶山花…");
        assert_eq!(width(&truncate("大顶山花园太阳能路灯损坏", 9)), 9);
        assert_eq!(truncate("ab大", 3), "ab…");
        assert_eq!(fit("路灯", 6), "路灯  ");
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn control_characters_become_placeholders() {
        assert_eq!(sanitize("a\u{1b}[31mb\r\n"), "a␛[31mb␍⏎");
        assert!(!sanitize("x\u{7}\u{9b}y\u{202e}")
            .chars()
            .any(|c| c.is_control()));
    }

    #[test]
    fn masks_the_middle_of_a_phone() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("025-66625137"), "025*****5137");
    }

    #[test]
    fn wraps_cjk_by_width() {
        assert_eq!(wrap("一二三四五", 4), vec!["一二", "三四", "五"]);
    }
}
