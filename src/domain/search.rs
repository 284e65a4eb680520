//! What search looks in, and how a query matches it: the id, title, content, address, citizen,
//! category and unit of a ticket's record (case-insensitive), or three or more digits of its
//! phone. The text is derived once when the ticket is written, so a search reads no log.

use super::event::TicketRecord;
use super::repeat::normalize_phone;

/// Separates the words from the phone's digits in a search text.
const PHONE: char = '\u{1}';

/// The search text of a ticket: its fields in lower case, one a line, then the phone's digits.
pub fn text_of(id: &str, r: &TicketRecord) -> String {
    let mut s = id.to_lowercase();
    for f in [
        &r.title,
        &r.content,
        &r.address,
        &r.complainant,
        &r.category,
        &r.unit,
    ]
    .into_iter()
    .flatten()
    {
        s.push('\n');
        s.push_str(&f.to_lowercase());
    }
    s.push(PHONE);
    if let Some(p) = &r.phone {
        s.push_str(&normalize_phone(p));
    }
    s
}

/// A query as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    text: String,
    digits: String,
}

impl Query {
    pub fn new(q: &str) -> Query {
        let text = q.trim().to_lowercase();
        let digits = text.chars().filter(char::is_ascii_digit).collect();
        Query { text, digits }
    }

    /// Whether a ticket's search text matches.
    pub fn matches(&self, search_text: &str) -> bool {
        let (words, phone) = search_text.split_once(PHONE).unwrap_or((search_text, ""));
        words.lines().any(|l| l.contains(&self.text))
            || (self.digits.len() >= 3 && phone.contains(&self.digits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_matches_a_field_or_three_digits_of_the_phone_never_across_fields() {
        let r = TicketRecord {
            title: Some("路灯不亮".into()),
            address: Some("东门1号".into()),
            phone: Some("138-0000-0001".into()),
            ..Default::default()
        };
        let t = text_of("T2026A", &r);
        assert!(Query::new("t2026a").matches(&t));
        assert!(Query::new(" 不亮 ").matches(&t));
        assert!(Query::new("00000").matches(&t));
        assert!(!Query::new("13").matches(&t));
        assert!(!Query::new("不亮\n东门").matches(&t));
        assert!(!Query::new("西门").matches(&t));
    }
}
