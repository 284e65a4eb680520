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
        let t = text_of("T2026A", &r, &[]);
        assert!(Query::new("t2026a").matches(&t));
        assert!(Query::new(" 不亮 ").matches(&t));
        assert!(Query::new("00000").matches(&t));
        assert!(!Query::new("13").matches(&t));
        assert!(!Query::new("不亮\n东门").matches(&t));
        assert!(!Query::new("西门").matches(&t));
    }
}
