//! `verify`: every stored event reads, each ticket's log passes the rules, the tamper-evident
//! chain is unbroken, and what is stored beside the log (summaries, lookup keys, facts, search
//! text, the ticket count) is what the log derives.

use super::{write::check_log, Ledger};
use crate::domain::event::Event;
use crate::domain::summary::{derive, Derived, Summary};
use crate::domain::ticket::Refusal;
use crate::i18n::Lang;
use crate::store::StoreError;
use chrono_tz::Tz;

/// What `verify` found wrong with one stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ticket: String,
    /// The event's place among the ticket's stored events (1 = the first appended).
    pub event: usize,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The stored text is not an event.
    Unreadable(crate::i18n::Msg),
    /// The event breaks a rule given the events before it.
    Refused(Refusal),
    /// The event is not in the chain: added behind the program's back.
    Inserted,
    /// The chain is broken here (see `chain::Break`).
    Chain(crate::domain::chain::Break),
    /// A summary or an index key does not agree with the log.
    Index(String),
}

impl Finding {
    pub fn message(&self, lang: Lang) -> String {
        use crate::domain::chain::Break;
        let what = match &self.problem {
            Problem::Unreadable(e) => format!("{}: {}", lang.t("无法读取", "unreadable"), e.get(lang)),
            Problem::Refused(r) => format!(
                "{}: {}",
                lang.t("不合规则", "breaks a rule"),
                r.message(lang)
            ),
            Problem::Inserted => lang
                .t(
                    "不在校验链中:是绕过本程序加入的",
                    "not in the chain: inserted behind the program's back",
                )
                .to_string(),
            Problem::Chain(Break::Changed { seq }) => match lang {
                Lang::Zh => format!("校验链第 {seq} 条:内容被绕过本程序改动过"),
                Lang::En => format!("chain event {seq}: changed behind the program's back"),
            },
            Problem::Chain(Break::Missing { from, to }) => match lang {
                Lang::Zh => format!("校验链第 {from}–{to} 条缺失(被删除),缺口之后是这一条"),
                Lang::En => format!(
                    "chain events {from}–{to} are missing (removed); this one follows the gap"
                ),
            },
            Problem::Chain(Break::Duplicate { seq }) => match lang {
                Lang::Zh => format!("校验链第 {seq} 条出现两次(被插入或复制)"),
                Lang::En => format!("chain number {seq} appears twice (inserted or copied)"),
            },
            Problem::Chain(Break::Truncated { head, last }) => match lang {
                Lang::Zh => format!("校验链应有 {head} 条,只找到 {last} 条:最后的记录被删除"),
                Lang::En => format!(
                    "the chain should hold {head} events but ends at {last}: the last ones were removed"
                ),
            },
            Problem::Index(p) => {
                return format!(
                    "{}: {p}",
                    lang.t("索引与记录不一致", "index disagrees with the log")
                )
            }
        };
        if self.ticket.is_empty() {
            return what;
        }
        match lang {
            Lang::Zh => format!("工单 {} 第 {} 条记录 {what}", self.ticket, self.event),
            Lang::En => format!("ticket {} event {}: {what}", self.ticket, self.event),
        }
    }
}

impl Ledger {
    /// Reads every stored event and checks: that it reads, that each ticket's log passes the
    /// rules, that the tamper-evident chain is unbroken (naming each event changed, removed or
    /// inserted behind the program's back), and that the summaries and indexes agree with the
    /// log.
    pub fn verify(&self) -> Result<Vec<Finding>, StoreError> {
        use crate::domain::chain;
        let tz = self.tz();
        let mut out = Vec::new();
        // (seq, prev, hash after, index into `places`) of every chained event.
        let mut links: Vec<(u64, String, String, usize)> = Vec::new();
        let mut places: Vec<(String, usize)> = Vec::new();
        let mut summaries: std::collections::HashMap<String, Summary> = Default::default();
        let mut take = |checked: Vec<TicketCheck>| -> Result<(), StoreError> {
            let mut derived: Vec<(String, Derived)> = Vec::with_capacity(checked.len());
            for c in checked {
                out.extend(c.findings);
                for (seq, prev, after, n) in c.links {
                    links.push((seq, prev, after, places.len()));
                    places.push((c.id.clone(), n));
                }
                if let Some(d) = c.derived {
                    summaries.insert(c.id.clone(), d.summary.clone());
                    derived.push((c.id, d));
                }
            }
            // The facts and search text of this batch, against what the store holds.
            for p in self.store.check_derived(&derived)? {
                out.push(index_finding(p));
            }
            Ok(())
        };
        // Tickets are checked in batches on every core (parsing and hashing dominate).
        let mut batch: Vec<(String, Vec<String>)> = Vec::new();
        self.store.for_each_raw(&mut |id, lines| {
            batch.push((id.to_string(), lines));
            if batch.len() >= 4_096 {
                take(check_batch(std::mem::take(&mut batch), tz))?;
            }
            Ok(())
        })?;
        take(check_batch(batch, tz))?;
        let head = self.store.chain_head()?;
        for (at, b) in chain::check(links, head.as_ref()) {
            let (ticket, event) = places.get(at).cloned().unwrap_or_default();
            out.push(Finding {
                ticket,
                event,
                problem: Problem::Chain(b),
            });
        }
        for p in self.store.check_summaries(&summaries)? {
            out.push(index_finding(p));
        }
        Ok(out)
    }
}

/// A disagreement between the log and what is stored beside it.
fn index_finding(p: String) -> Finding {
    Finding {
        ticket: String::new(),
        event: 0,
        problem: Problem::Index(p),
    }
}

/// What `verify` learns of one ticket from its stored lines.
struct TicketCheck {
    id: String,
    findings: Vec<Finding>,
    /// (seq, prev, hash after the event, the event's place among the stored lines).
    links: Vec<(u64, String, String, usize)>,
    /// What the log derives (None: not checked yet).
    derived: Option<Derived>,
}

/// Checks tickets on every core, keeping their order.
fn check_batch(batch: Vec<(String, Vec<String>)>, tz: Tz) -> Vec<TicketCheck> {
    crate::parallel::map_parts(&batch, 64, |part| {
        part.iter()
            .map(|(id, l)| check_ticket(id, l, tz))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// One ticket's stored lines: each reads, each is chained, the log passes the rules.
fn check_ticket(id: &str, lines: &[String], tz: Tz) -> TicketCheck {
    use crate::domain::chain;
    let mut c = TicketCheck {
        id: id.to_string(),
        findings: Vec::new(),
        links: Vec::new(),
        derived: None,
    };
    let mut events = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let finding = |problem| Finding {
            ticket: id.to_string(),
            event: n + 1,
            problem,
        };
        match Event::from_json_str(line) {
            Ok(e) => {
                match chain::link_of(line) {
                    Some(l) => {
                        let after = chain::hash_after(&l.prev, &e);
                        c.links.push((l.seq, l.prev, after, n + 1));
                    }
                    None => c.findings.push(finding(Problem::Inserted)),
                }
                events.push((n + 1, e));
            }
            Err(e) => c.findings.push(finding(Problem::Unreadable(e.0))),
        }
    }
    let mut ordered: Vec<(Option<usize>, &Event)> =
        events.iter().map(|(n, e)| (Some(*n), e)).collect();
    ordered.sort_by_key(|(_, e)| e.instant());
    if let Err((pos, why)) = check_log(id, &ordered, tz) {
        c.findings.push(Finding {
            ticket: id.to_string(),
            event: ordered[pos].0.unwrap_or(0),
            problem: Problem::Refused(why),
        });
    }
    let all: Vec<Event> = events.into_iter().map(|(_, e)| e).collect();
    c.derived = Some(derive(id, &all, tz));
    c
}
