//! What search looks in, and how a query matches it: the id, title, content, address, citizen,
//! category and unit of a ticket's record and the decisions and plans of its meetings (居民议事,
//! those not voided), case-insensitive, or three or more digits of its phone. The text is
//! derived once when the ticket is written, so a search reads no log.

use super::event::{Event, EventKind, TicketRecord};
use super::repeat::normalize_phone;
use std::borrow::Borrow;

/// Separates the words from the phone's digits in a search text.
const PHONE: char = '\u{1}';

/// The search text of a ticket: its fields and `more` (see `meeting_texts`) in lower case,
/// one a line, then the phone's digits.
pub fn text_of(id: &str, r: &TicketRecord, more: &[&str]) -> String {
    let mut s = id.to_lowercase();
    let fields = [
        &r.title,
        &r.content,
        &r.address,
        &r.complainant,
        &r.category,
        &r.unit,
    ];
    let fields = fields.into_iter().flatten().map(String::as_str);
    for f in fields.chain(more.iter().copied()) {
        s.push('\n');
        s.push_str(&f.to_lowercase());
    }
    s.push(PHONE);
    if let Some(p) = &r.phone {
        s.push_str(&normalize_phone(p));
    }
    s
}

/// The decisions and plans of a ticket's meetings that are not voided (events in any order).
pub fn meeting_texts<E: Borrow<Event>>(events: &[E]) -> Vec<&str> {
    let is_meeting = |e: &E| matches!(e.borrow().kind, EventKind::Meeting { .. });
    if !events.iter().any(is_meeting) {
        return Vec::new();
    }
    let mut ordered: Vec<&Event> = events.iter().map(Borrow::borrow).collect();
    ordered.sort_by_key(|e| e.instant());
    let by = super::void::voided_by(&ordered);
    let mut out = Vec::new();
    for (e, voided) in ordered.into_iter().zip(by) {
        if let (EventKind::Meeting { decision, plan, .. }, None) = (&e.kind, voided) {
            out.push(decision.as_str());
            out.extend(plan.as_deref());
        }
    }
    out
}

/// A ticket id as pasted: NFKC (full-width digits and letters become ASCII), white space
/// removed. The command line reads ids so (`cli::args::ticket_id`), and search too.
pub fn id_form(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    raw.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// A query as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    text: String,
    /// The query as an id would be pasted (`L2026 1204 001`, full-width digits).
    id: String,
    digits: String,
}

impl Query {
    pub fn new(q: &str) -> Query {
        use unicode_normalization::UnicodeNormalization;
        let text: String = q.trim().nfkc().collect::<String>().to_lowercase();
        let id = id_form(&text);
        // The phone's digits as `normalize_phone` keeps them (full-width ones too).
        let digits = text.chars().filter(char::is_ascii_digit).collect();
        Query { text, id, digits }
    }

    /// Whether a ticket's search text matches.
    pub fn matches(&self, search_text: &str) -> bool {
        let (words, phone) = search_text.split_once(PHONE).unwrap_or((search_text, ""));
        let id = words.lines().next().unwrap_or("");
        words.lines().any(|l| l.contains(&self.text))
            || (!self.id.is_empty() && id.contains(&self.id))
            || (self.digits.len() >= 3 && phone.contains(&self.digits))
    }

    /// Whether a line of text as shown (a row of a list) holds the query (case-insensitive,
    /// full-width forms as ASCII, an id's spaces ignored).
    pub fn in_text(&self, text: &str) -> bool {
        use unicode_normalization::UnicodeNormalization;
        if self.text.is_empty() {
            return true;
        }
        let t: String = text.nfkc().collect::<String>().to_lowercase();
        t.contains(&self.text) || (!self.id.is_empty() && id_form(&t).contains(&self.id))
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
        let t = text_of("T2026A", &r, &[]);
        assert!(Query::new("t2026a").matches(&t));
        assert!(Query::new(" 不亮 ").matches(&t));
        assert!(Query::new("00000").matches(&t));
        assert!(!Query::new("13").matches(&t));
        assert!(!Query::new("不亮\n东门").matches(&t));
        assert!(!Query::new("西门").matches(&t));
    }

    #[test]
    fn ids_and_phones_are_read_as_pasted() {
        let r = TicketRecord {
            phone: Some("13800000001".into()),
            ..Default::default()
        };
        let t = text_of("L20261204001", &r, &[]);
        assert!(Query::new("L2026 1204 001").matches(&t));
        assert!(Query::new("Ｌ２０２６１２０４００１").matches(&t));
        assert!(Query::new("０００１").matches(&t));
        assert!(!Query::new("L2026 1204 002").matches(&t));
        assert!(Query::new("l2026 1204").in_text("  L20261204001 东门"));
        assert!(!Query::new("西门").in_text("  L20261204001 东门"));
    }
}
