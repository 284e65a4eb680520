//! Import of real files in real formats: UTF-8 and GBK CSV, XLSX, JSON, event logs, the messy
//! real exports in ../shared/data/real, and malformed files that must change nothing.

mod common;
use common::*;
use genban::import::{import_file, ImportOptions};
use genban::ledger::{Ledger, Pane};
use std::path::{Path, PathBuf};

const HEADER: &str = "工单编号,受理时间,诉求人,联系电话,诉求地址,所属街道,所属社区,诉求分类,诉求标题,诉求内容,承办单位,办结时间,答复内容,满意度,是否合理诉求,派发时间";

fn csv_rows(rows: &[&str]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push_str("\r\n");
        s.push_str(r);
    }
    s.push_str("\r\n");
    s
}

const GOOD: [&str; 3] = [
    "2026110100001,2026-11-01 09:12:33,王先生,13812345678,新金花园1幢,江浦街道,新金社区,路灯照明,新金花园路灯不亮,\"路灯不亮, 已多次反映\"\"急\"\"\",新金社区,2026-11-03 10:00:00,已处理,不满意,是,2026/11/4 9:12",
    "2026110100002,2026/11/2 8:05,李女士,13900000000,同心小区2幢,江浦街道,同心社区,物业管理,同心小区物业,\"电梯\n故障\",同心社区,2026-11-04,已处理,满意,否,",
    "2026110100003,2026-11-02,赵先生,13700000000,园林家园3幢,江浦街道,园林社区,供水供电,自来水浑浊,水浑,区水务局,2026-11-05 09:00:00,已处理,不满意,Y,",
];

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn count_events(l: &Ledger) -> usize {
    let mut n = 0;
    l.for_each(&mut |_, e| {
        n += e.len();
        Ok(())
    })
    .unwrap();
    n
}

/// English, so that the messages below read as the code's own; `a_bad_row_…` checks Chinese.
fn opts() -> ImportOptions {
    ImportOptions {
        lang: genban::i18n::Lang::En,
        ..Default::default()
    }
}

#[test]
fn a_utf8_csv_with_bom_becomes_tickets_and_dispatches() {
    let (d, l) = ledger("2026-11-29");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv_rows(&GOOD).as_bytes());
    let f = write(d.path(), "export.csv", &bytes);
    let r = import_file(&l, &f, &opts()).unwrap();
    assert_eq!(r.format, "CSV (UTF-8 (BOM))");
    assert_eq!(r.profile.as_deref(), Some("cn-city"));
    // 3 tickets + 2 dispatches (unsatisfied and reasonable: rows 1 and 3).
    assert_eq!(r.outcome.added, 5);
    let waiting = l.pane(Pane::AwaitingSign, date("2026-11-29")).unwrap();
    assert_eq!(waiting.len(), 2);
    let (row, events) = l
        .ticket("2026110100001", date("2026-11-29"))
        .unwrap()
        .unwrap();
    assert_eq!(
        row.ticket().record.content.as_deref(),
        Some("路灯不亮, 已多次反映\"急\"")
    );
    assert_eq!(events[1].at.to_rfc3339(), "2026-11-04T09:12:00+08:00");
    let (row2, _) = l
        .ticket("2026110100002", date("2026-11-29"))
        .unwrap()
        .unwrap();
    assert_eq!(row2.ticket().record.content.as_deref(), Some("电梯\n故障"));
    assert_eq!(row2.ticket().state, None);
    // Re-importing changes nothing.
    let again = import_file(&l, &f, &opts()).unwrap();
    assert_eq!(again.outcome.added, 0);
    assert_eq!(count_events(&l), 5);
}

#[test]
fn a_gbk_csv_is_read() {
    let (d, l) = ledger("2026-11-29");
    let text = csv_rows(&GOOD);
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    let f = write(d.path(), "export-gbk.csv", &gbk);
    let r = import_file(&l, &f, &opts()).unwrap();
    assert_eq!(r.format, "CSV (GBK)");
    assert_eq!(r.outcome.added, 5);
    let (row, _) = l
        .ticket("2026110100003", date("2026-11-29"))
        .unwrap()
        .unwrap();
    assert_eq!(row.ticket().unit(), "区水务局");
}

#[test]
fn an_xlsx_with_real_date_cells_and_numbers_is_read() {
    let (d, l) = ledger("2026-11-29");
    let path = d.path().join("export.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        s.write(0, c as u16, h).unwrap();
    }
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let when = rust_xlsxwriter::ExcelDateTime::parse_from_str("2026-11-01 09:12:33").unwrap();
    s.write(1, 0, 2026110100009_f64).unwrap(); // an id stored as a number
    s.write_datetime_with_format(1, 1, &when, &fmt).unwrap();
    s.write(1, 3, 13812345678_f64).unwrap(); // a phone stored as a number
    s.write(1, 7, "路灯照明").unwrap();
    s.write(1, 8, "路灯不亮").unwrap();
    s.write(1, 10, "新金社区").unwrap();
    s.write(1, 13, "不满意").unwrap();
    s.write(1, 14, "是").unwrap();
    s.write(1, 15, "2026-11-04 09:00").unwrap(); // a date stored as text
    wb.save(&path).unwrap();
    let r = import_file(&l, &path, &opts()).unwrap();
    assert_eq!(r.format, "XLSX");
    assert_eq!(r.outcome.added, 2);
    let (row, events) = l
        .ticket("2026110100009", date("2026-11-29"))
        .unwrap()
        .unwrap();
    assert_eq!(row.ticket().record.phone.as_deref(), Some("13812345678"));
    assert_eq!(events[0].at.to_rfc3339(), "2026-11-01T09:12:33+08:00");
}

#[test]
fn json_with_english_code_names_is_read() {
    let (d, l) = ledger("2026-11-29");
    let json = r#"[{"id":"J1","received_at":"2026-11-01 09:00:00","unit":"新金社区","satisfaction":"unsatisfied","reasonable":"true","title":"t"},
                  {"id":"J2","received_at":"2026-11-01T09:00:00+08:00","unit":"新金社区","satisfaction":"基本满意","reasonable":false}]"#;
    let f = write(d.path(), "export.json", json.as_bytes());
    let r = import_file(&l, &f, &opts()).unwrap();
    assert_eq!(r.format, "JSON");
    assert_eq!(r.outcome.added, 3);
}

#[test]
fn a_bad_row_names_file_row_and_column_and_nothing_is_written() {
    let (d, l) = ledger("2026-11-29");
    let rows = [
        GOOD[0],
        "2026110100004,2026-13-01 09:00,x,1,a,b,c,d,e,f,新金社区,,,不满意,是,",
        "2026110100005,2026-11-01 09:00,x,1,a,b,c,d,e,f,新金社区,,,很难说,是,",
        "2026110100006,2026-11-05 09:00,x,1,a,b,c,d,e,f,新金社区,,,不满意,是,2026-11-01 09:00",
        ",2026-11-01 09:00,x,1,a,b,c,d,e,f,新金社区,,,不满意,是,",
    ];
    let f = write(d.path(), "bad.csv", csv_rows(&rows).as_bytes());
    let err = import_file(&l, &f, &opts()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("bad.csv: row 3, column 受理时间: `2026-13-01 09:00` is not a date or time"),
        "{text}"
    );
    // The same refusal in the default language, Chinese.
    let zh = import_file(&l, &f, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        zh.contains("bad.csv: 第 3 行,「受理时间」列:`2026-13-01 09:00` 不是日期或时间"),
        "{zh}"
    );
    assert!(
        text.contains("bad.csv: row 4, column 满意度: unknown satisfaction `很难说`"),
        "{text}"
    );
    assert!(text.contains("bad.csv: row 5, column 派发时间"), "{text}");
    assert!(
        text.contains("bad.csv: row 6, column 工单编号: no ticket id"),
        "{text}"
    );
    assert_eq!(count_events(&l), 0);
    // With --skip-bad-rows the good row goes in and the bad ones are listed.
    let r = import_file(
        &l,
        &f,
        &ImportOptions {
            skip_bad_rows: true,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(r.outcome.added, 2);
    assert_eq!(r.skipped.len(), 4);
}

#[test]
fn a_changed_row_adds_a_ticket_event_with_the_changes_only() {
    let (d, l) = ledger("2026-11-29");
    let f = write(d.path(), "a.csv", csv_rows(&GOOD[..1]).as_bytes());
    import_file(&l, &f, &opts()).unwrap();
    let changed = GOOD[0].replace("新金花园1幢", "新金花园11幢");
    let f2 = write(d.path(), "b.csv", csv_rows(&[&changed]).as_bytes());
    // A change to a stored ticket's record needs `update` (issue 14, item 7).
    let before = count_events(&l);
    let e = import_file(&l, &f2, &opts()).unwrap_err().to_string();
    assert!(
        e.contains("would change the records of 1 ticket already in the store (address 1)"),
        "{e}"
    );
    assert_eq!(count_events(&l), before);
    let update = ImportOptions {
        update: true,
        ..opts()
    };
    let r = import_file(&l, &f2, &update).unwrap();
    assert_eq!(r.outcome.added, 1);
    let (row, events) = l
        .ticket("2026110100001", date("2026-11-29"))
        .unwrap()
        .unwrap();
    assert_eq!(row.ticket().record.address.as_deref(), Some("新金花园11幢"));
    let last = events.last().unwrap().to_value();
    assert_eq!(last["type"], "ticket");
    assert_eq!(last["address"], "新金花园11幢");
    assert!(last.get("unit").is_none() && last.get("title").is_none());
    // The follow-up history is untouched: still one dispatch.
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind.type_name() == "dispatch")
            .count(),
        1
    );
}

#[test]
fn a_ledger_brings_its_history_along() {
    let (d, l) = ledger("2026-11-29");
    let csv = "工单编号,受理时间,诉求标题,承办单位,满意度,是否合理诉求,签收时间,承诺时限,最近联系时间,解决时间\n\
               L1,2026-09-01 09:00,路灯不亮,新金社区,不满意,是,2026-09-03 10:00,2026-12-31,2026-11-05 15:00,\n\
               L2,2026-09-01 09:00,漏水,区住建局,不满意,是,2026-09-03 10:00,2026-10-31,2026-10-05 15:00,2026-10-20 17:00\n";
    let f = write(d.path(), "台账.csv", csv.as_bytes());
    let r = import_file(&l, &f, &opts()).unwrap();
    assert_eq!(r.profile.as_deref(), Some("cn-ledger"));
    let today = date("2026-11-29");
    let (l1, _) = l.ticket("L1", today).unwrap().unwrap();
    assert_eq!(l1.ticket().deadline, Some(date("2026-12-31")));
    assert!(l1.ticket().last_reached.is_some());
    let (l2, _) = l.ticket("L2", today).unwrap().unwrap();
    assert_eq!(
        l2.ticket().state,
        Some(genban::domain::ticket::State::Resolved)
    );
    assert_eq!(import_file(&l, &f, &opts()).unwrap().outcome.added, 0);
}

#[test]
fn an_event_log_with_a_refused_line_applies_nothing_and_names_the_line() {
    let (d, l) = ledger("2026-11-29");
    let log = [
        r#"{"ticket":"T","type":"ticket","at":"2026-10-01T09:00:00+08:00","unit":"新金社区"}"#,
        r#"{"ticket":"T","type":"dispatch","at":"2026-10-02T09:00:00+08:00","unit":"新金社区"}"#,
        r#"{"ticket":"T","type":"resolve","at":"2026-10-03T09:00:00+08:00"}"#,
        r#"{"ticket":"T","type":"sign","at":"not a time","unit":"新金社区","deadline":"2026-12-01"}"#,
    ]
    .join("\n");
    let f = write(d.path(), "log.jsonl", log.as_bytes());
    let err = import_file(&l, &f, &opts()).unwrap_err().to_string();
    assert!(
        err.contains("log.jsonl: line 4: field `at`: `not a time` is not an RFC 3339 time"),
        "{err}"
    );
    let fixed = log.lines().take(3).collect::<Vec<_>>().join("\n");
    let f = write(d.path(), "log2.jsonl", fixed.as_bytes());
    let err = import_file(&l, &f, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("log2.jsonl: 第 3 行:工单 T 的「解决」:工单当前为「待签收」"),
        "{err}"
    );
    assert_eq!(count_events(&l), 0);
}

#[test]
fn the_real_exports_are_read_through_profiles_or_refused_clearly() {
    let real = shared().join("data/real");
    let (_d, l) = ledger("2026-11-29");
    for (file, profile, n) in [
        (
            "us_nyc311/nyc311_2024-04-16_portal_export.csv",
            "nyc311",
            1000,
        ),
        (
            "us_nyc311/nyc311_2024-05-27_soda_flattened.csv",
            "nyc311",
            1000,
        ),
        ("us_nyc311/nyc311_2024-05-27_soda.json", "nyc311", 1000),
        (
            "cn_gov_messages/messages_with_replies.xlsx",
            "cn-gov-messages",
            2816,
        ),
    ] {
        let r =
            import_file(&l, &real.join(file), &opts()).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(r.profile.as_deref(), Some(profile), "{file}");
        assert_eq!(r.records, n, "{file}");
        assert!(r.skipped.is_empty(), "{file}");
    }
    // The same NYC requests in three forms: the later files add no new tickets.
    let (row, _) = l.ticket("2549", date("2026-11-29")).unwrap().unwrap();
    assert!(row
        .ticket()
        .record
        .content
        .as_deref()
        .unwrap()
        .starts_with("2019年4月以来"));
    for (file, want) in [
        (
            "open311/spec_get_requests_example.json",
            "line 7: not valid JSON at column 21",
        ),
        ("open311/spec_get_requests_example.xml", "XML is not read"),
        (
            "cn_gov_messages/category_taxonomy.xlsx",
            "no import profile knows these columns (一级分类, 二级分类, 三级分类)",
        ),
    ] {
        let err = import_file(&l, &real.join(file), &opts())
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{file}: {err}");
    }
}

#[test]
fn open311_json_is_read_through_its_profile() {
    let (d, l) = ledger("2026-11-29");
    // The specification's example with its invalid `006` quoted.
    let text =
        std::fs::read_to_string(shared().join("data/real/open311/spec_get_requests_example.json"))
            .unwrap()
            .replace(":006", ":\"006\"");
    let f = write(d.path(), "requests.json", text.as_bytes());
    let r = import_file(&l, &f, &opts()).unwrap();
    assert_eq!(r.profile.as_deref(), Some("open311"));
    assert_eq!(r.outcome.added, 2);
    let (row, events) = l.ticket("638344", date("2026-11-29")).unwrap().unwrap();
    assert_eq!(
        row.ticket().record.category.as_deref(),
        Some("Sidewalk and Curb Issues")
    );
    assert_eq!(events[0].at.to_rfc3339(), "2010-04-14T06:37:38-08:00");
}
