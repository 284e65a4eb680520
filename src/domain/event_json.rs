//! An event's JSON, in the export's key order: into a `serde_json` map (`Event::to_value`) or
//! written straight into a line (`Event::to_json_line`, and its normal form for equality and
//! the tamper-evident chain, `Event::normalized_key`), both from one list of fields, so the
//! two never differ. The line is written without building a map or copying the event: import,
//! verify and backup form it once per event.

use super::event::{
    format_instant, Event, EventKind, TicketRecord, VoidTarget, RECORD_TEXT_FIELDS,
};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Map, Value};

/// Where an event's fields go, one at a time, in order.
trait Sink {
    fn text(&mut self, key: &str, v: &str);
    fn time(&mut self, key: &str, t: &DateTime<FixedOffset>);
    fn flag(&mut self, key: &str, v: bool);
    fn list(&mut self, key: &str, v: &[String]);
    fn target(&mut self, key: &str, t: &VoidTarget);
}

/// The fields of `e` into `m`, times as written.
pub(super) fn fields(e: &Event, m: &mut Map<String, Value>) {
    let mut sink = MapSink { m, normal: false };
    event_fields(e, &mut sink, false);
}

/// `e` as one line of JSON (`normal`: its normal form).
pub(super) fn line(e: &Event, normal: bool) -> String {
    let mut w = Line {
        out: Vec::with_capacity(256),
        normal,
        first: true,
    };
    w.out.push(b'{');
    event_fields(e, &mut w, normal);
    w.out.push(b'}');
    String::from_utf8(w.out).expect("JSON written from strings is UTF-8")
}

fn event_fields(e: &Event, s: &mut impl Sink, normal: bool) {
    s.text("ticket", &e.ticket);
    s.text("type", e.kind.type_name());
    s.time("at", &e.at);
    kind_fields(&e.kind, s);
    if let Some(o) = &e.operator {
        s.text("operator", o);
    }
    match (&e.recorded_at, normal) {
        (Some(r), _) => s.time("recorded_at", r),
        // The normal form gives it always: absent, it equals `at`.
        (None, true) => s.time("recorded_at", &e.at),
        (None, false) => {}
    }
    if let Some(n) = &e.note {
        s.text("note", n);
    }
}

/// An event kind's own fields, in the export's order.
fn kind_fields(kind: &EventKind, s: &mut impl Sink) {
    match kind {
        EventKind::Ticket(r) => record_fields(r, s),
        EventKind::Dispatch { unit } => s.text("unit", unit),
        EventKind::Return { unit, reason } => {
            s.text("unit", unit);
            s.text("reason", reason);
        }
        EventKind::Sign {
            unit,
            deadline,
            plan,
        } => {
            s.text("unit", unit);
            s.text("deadline", &deadline.to_string());
            if let Some(p) = plan {
                s.text("plan", p);
            }
        }
        EventKind::Contact {
            channel,
            outcome,
            contact_person,
        } => {
            s.text("channel", channel.code());
            s.text("outcome", outcome.code());
            if let Some(p) = contact_person {
                s.text("contact_person", p);
            }
        }
        EventKind::Extend { deadline, reason } | EventKind::Reopen { deadline, reason } => {
            s.text("deadline", &deadline.to_string());
            s.text("reason", reason);
        }
        EventKind::Resolve | EventKind::Note => {}
        EventKind::Revisit {
            satisfaction,
            deadline,
        } => {
            s.text("satisfaction", satisfaction.code());
            if let Some(d) = deadline {
                s.text("deadline", &d.to_string());
            }
        }
        EventKind::Whistle { departments } => s.list("departments", departments),
        EventKind::WhistleResponse {
            department,
            resolved,
        } => {
            s.text("department", department);
            if let Some(r) = resolved {
                s.flag("resolved", *r);
            }
        }
        EventKind::Escalate { topic } => s.text("topic", topic),
        EventKind::Meeting {
            participants,
            decision,
            plan,
        } => {
            s.list("participants", participants);
            s.text("decision", decision);
            if let Some(p) = plan {
                s.text("plan", p);
            }
        }
        EventKind::Void { target, reason } => {
            s.target("target", target);
            s.text("reason", reason);
        }
    }
}

/// A ticket record's fields, in the export's order.
fn record_fields(r: &TicketRecord, s: &mut impl Sink) {
    if let Some(x) = &r.received_at {
        s.time("received_at", x);
    }
    for k in RECORD_TEXT_FIELDS {
        if k == "reply" {
            if let Some(x) = &r.closed_at {
                s.time("closed_at", x);
            }
        }
        if let Some(x) = r.text(k) {
            s.text(k, x);
        }
    }
    if let Some(x) = r.satisfaction {
        s.text("satisfaction", x.code());
    }
    if let Some(x) = r.reasonable {
        s.flag("reasonable", x);
    }
    if let Some(x) = r.source {
        s.text("source", x.code());
    }
}

/// A time as the line writes it: as written, or (the normal form) its UTC instant.
fn time_text(t: &DateTime<FixedOffset>, normal: bool) -> String {
    if normal {
        format_instant(&t.with_timezone(&Utc).fixed_offset())
    } else {
        format_instant(t)
    }
}

struct MapSink<'a> {
    m: &'a mut Map<String, Value>,
    normal: bool,
}

impl Sink for MapSink<'_> {
    fn text(&mut self, key: &str, v: &str) {
        self.m.insert(key.into(), Value::String(v.to_string()));
    }
    fn time(&mut self, key: &str, t: &DateTime<FixedOffset>) {
        self.m
            .insert(key.into(), Value::String(time_text(t, self.normal)));
    }
    fn flag(&mut self, key: &str, v: bool) {
        self.m.insert(key.into(), Value::Bool(v));
    }
    fn list(&mut self, key: &str, v: &[String]) {
        let items = v.iter().map(|x| Value::String(x.clone())).collect();
        self.m.insert(key.into(), Value::Array(items));
    }
    fn target(&mut self, key: &str, t: &VoidTarget) {
        let mut o = Map::new();
        o.insert("type".into(), Value::String(t.event_type.clone()));
        o.insert("at".into(), Value::String(time_text(&t.at, self.normal)));
        if let Some(r) = &t.recorded_at {
            o.insert(
                "recorded_at".into(),
                Value::String(time_text(r, self.normal)),
            );
        }
        self.m.insert(key.into(), Value::Object(o));
    }
}

/// A JSON object written as it goes (compact, strings escaped by serde_json as a map's
/// would be).
struct Line {
    out: Vec<u8>,
    normal: bool,
    first: bool,
}

impl Line {
    fn key(&mut self, key: &str) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        self.string(key);
        self.out.push(b':');
    }
    fn string(&mut self, v: &str) {
        serde_json::to_writer(&mut self.out, v).expect("a string is written to memory");
    }
}

impl Sink for Line {
    fn text(&mut self, key: &str, v: &str) {
        self.key(key);
        self.string(v);
    }
    fn time(&mut self, key: &str, t: &DateTime<FixedOffset>) {
        self.key(key);
        let t = time_text(t, self.normal);
        self.string(&t);
    }
    fn flag(&mut self, key: &str, v: bool) {
        self.key(key);
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
    }
    fn list(&mut self, key: &str, v: &[String]) {
        self.key(key);
        self.out.push(b'[');
        for (i, x) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.string(x);
        }
        self.out.push(b']');
    }
    fn target(&mut self, key: &str, t: &VoidTarget) {
        self.key(key);
        let mut inner = Line {
            out: std::mem::take(&mut self.out),
            normal: self.normal,
            first: true,
        };
        inner.out.push(b'{');
        inner.text("type", &t.event_type);
        inner.time("at", &t.at);
        if let Some(r) = &t.recorded_at {
            inner.time("recorded_at", r);
        }
        inner.out.push(b'}');
        self.out = inner.out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The normal form as it was first defined: a copy of the event with every time made its
    /// UTC instant and `recorded_at` set, printed as a map.
    fn normal_form_as_defined(e: &Event) -> String {
        let mut e = e.clone();
        let utc = |t: DateTime<FixedOffset>| t.with_timezone(&Utc).fixed_offset();
        e.at = utc(e.at);
        e.recorded_at = Some(utc(e.recorded_at.unwrap_or(e.at)));
        match &mut e.kind {
            EventKind::Ticket(r) => {
                r.received_at = r.received_at.map(utc);
                r.closed_at = r.closed_at.map(utc);
            }
            EventKind::Void { target, .. } => {
                target.at = utc(target.at);
                target.recorded_at = target.recorded_at.map(utc);
            }
            _ => {}
        }
        e.to_value().to_string()
    }

    /// Every event of the shared sample logs: the line written directly is the map's text,
    /// and the normal form is the map's text of the event with its times made instants.
    #[test]
    fn the_line_is_the_maps_text_for_every_event_of_the_samples() {
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
        let mut n = 0;
        for log in ["sample/events.jsonl", "sample-voids/events.jsonl"] {
            let Ok(text) = std::fs::read_to_string(format!("{shared}/{log}")) else {
                continue;
            };
            for l in text.lines().filter(|l| !l.trim().is_empty()) {
                let Ok(e) = Event::from_json_str(l) else {
                    continue;
                };
                assert_eq!(e.to_json_line(), e.to_value().to_string(), "{l}");
                assert_eq!(e.normalized_key(), normal_form_as_defined(&e), "{l}");
                n += 1;
            }
        }
        assert!(n > 1_000, "the samples hold events ({n})");
    }

    #[test]
    fn every_kind_and_awkward_text_writes_the_same() {
        let lines = [
            r#"{"ticket":"T1","type":"ticket","at":"2026-10-01T09:00:00+08:00","received_at":"2026-10-01T08:00:00+08:00","complainant":"张\"三\"","phone":"1","unit":"甲\n乙\u0001","closed_at":"2026-10-02T09:00:00Z","reply":"好\\的","satisfaction":"unsatisfied","reasonable":true,"source":"walk_in"}"#,
            r#"{"ticket":"T1","type":"whistle","at":"2026-10-03T09:00:00.5+08:00","departments":["甲","乙"],"operator":"王","recorded_at":"2026-10-03T09:00:01.123+08:00","note":"n"}"#,
            r#"{"ticket":"T1","type":"whistle_response","at":"2026-10-03T10:00:00+08:00","department":"甲","resolved":false}"#,
            r#"{"ticket":"T1","type":"meeting","at":"2026-10-04T19:00:00+08:00","participants":["居民代表"],"decision":"d","plan":"p"}"#,
            r#"{"ticket":"T1","type":"void","at":"2026-10-05T09:00:00+08:00","target":{"type":"meeting","at":"2026-10-04T19:00:00+08:00","recorded_at":"2026-10-04T19:00:00.001+08:00"},"reason":"r"}"#,
        ];
        for l in lines {
            let e = Event::from_json_str(l).unwrap();
            assert_eq!(e.to_json_line(), e.to_value().to_string(), "{l}");
            assert_eq!(e.normalized_key(), normal_form_as_defined(&e), "{l}");
        }
    }
}
