//! Hostile input: arbitrary bytes and near-valid files through every reader — CSV (UTF-8 and
//! GBK), XLSX, JSON, JSONL, import profiles, config.toml, keys.toml. Each case: no panic, an
//! end within a bound, an error that names the file (and the row or line where there is one),
//! and the store unchanged when refused.

mod common;
use common::*;
use genban::import::{import_file, ImportOptions};
use genban::ledger::Ledger;
use proptest::prelude::*;
use std::time::Duration;

fn fuzz_cases() -> u32 {
    std::env::var("GENBAN_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(48)
}

/// Runs `f` on a thread: a hang fails the test instead of stalling it.
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what}: no answer within 60 s"))
}

fn stored_lines(l: &Ledger) -> usize {
    let mut n = 0;
    l.for_each_raw(&mut |_, lines| {
        n += lines.len();
        Ok(())
    })
    .unwrap();
    n
}

/// Imports `bytes` as a file named `name` into a store holding the sample's first tickets;
/// checks the outcome as the issue asks. Returns the error text, if refused.
fn import_bytes(name: &str, bytes: Vec<u8>) -> Option<String> {
    let (d, l) = ledger("2026-11-29");
    let seed: Vec<String> = std::fs::read_to_string(sample("events.jsonl"))
        .unwrap()
        .lines()
        .take(40)
        .map(str::to_string)
        .collect();
    load(&l, &seed);
    let before = stored_lines(&l);
    let path = d.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let l = std::sync::Arc::new(l);
    let (l2, p2) = (l.clone(), path.clone());
    let result = bounded(name, move || {
        import_file(&l2, &p2, &ImportOptions::default()).map_err(|e| e.to_string())
    });
    match result {
        Ok(_) => None,
        Err(e) => {
            assert!(
                e.contains(&path.display().to_string()),
                "the error names no file: {e}"
            );
            assert_eq!(
                stored_lines(&l),
                before,
                "a refused file changed the store: {e}"
            );
            Some(e)
        }
    }
}

fn city_csv() -> String {
    let mut s = String::from(
        "工单编号,受理时间,诉求人,联系电话,诉求标题,承办单位,满意度,是否合理诉求,派发时间\n",
    );
    for i in 0..20 {
        s.push_str(&format!(
            "F{i:04},2026-10-0{} 09:00,张三,1390000{i:04},路灯不亮,新金社区,不满意,是,2026-10-0{} 10:00\n",
            i % 9 + 1,
            i % 9 + 1
        ));
    }
    s
}

fn city_xlsx() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sh = wb.add_worksheet();
    for (r, line) in city_csv().lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            sh.write(r as u32, c as u16, cell).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn city_json() -> String {
    let mut lines = city_csv()
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows: Vec<serde_json::Value> = lines
        .map(|l| {
            serde_json::Value::Object(
                header
                    .iter()
                    .cloned()
                    .zip(l.split(',').map(|c| serde_json::Value::String(c.into())))
                    .collect(),
            )
        })
        .collect();
    serde_json::to_string(&rows).unwrap()
}

fn log_jsonl() -> String {
    std::fs::read_to_string(sample("events.jsonl"))
        .unwrap()
        .lines()
        .skip(40)
        .take(60)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The valid seed files: (name, bytes).
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let text = city_csv();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    vec![
        ("t.csv", city_csv().into_bytes()),
        ("gbk.csv", gbk.into_owned()),
        ("t.xlsx", city_xlsx()),
        ("t.json", city_json().into_bytes()),
        ("t.jsonl", log_jsonl().into_bytes()),
    ]
}

#[test]
fn the_seed_files_are_valid() {
    for (name, bytes) in seeds() {
        assert_eq!(import_bytes(name, bytes), None, "{name}");
    }
}

proptest! {
    // GENBAN_FUZZ_CASES (default 48) cases per reader test: more by hand.
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_under_any_name(
        bytes in proptest::collection::vec(any::<u8>(), 0..3000),
        ext in prop_oneof![Just("csv"), Just("xlsx"), Just("json"), Just("jsonl"), Just("txt")],
    ) {
        import_bytes(&format!("junk.{ext}"), bytes);
    }

    #[test]
    fn a_valid_file_with_one_byte_changed(
        which in 0usize..5,
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let (name, mut bytes) = seeds().swap_remove(which);
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Some(e) = import_bytes(name, bytes) {
            // Text formats name the line or row of a bad one (or the file as a whole).
            prop_assert!(!e.trim().is_empty());
        }
    }

    #[test]
    fn profiles_config_and_keys_from_arbitrary_text(text in "(?s).{0,400}", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let d = tempfile::tempdir().unwrap();
        for (i, content) in [text.into_bytes(), bytes].into_iter().enumerate() {
            let p = d.path().join(format!("x{i}.toml"));
            std::fs::write(&p, &content).unwrap();
            if let Err(e) = genban::import::profile::Profile::load(&p) {
                prop_assert!(e.en.contains(&p.display().to_string()) && e.zh.contains(&p.display().to_string()), "{}", e);
            }
            if let Err(e) = genban::config::Config::load_from(&p) {
                prop_assert!(e.contains(&p.display().to_string()), "{}", e);
            }
            if let Err(e) = genban::tui::keymap::KeyMap::load(Some(&p)) {
                prop_assert!(!e.is_empty());
            }
        }
    }
}

#[test]
fn near_valid_files_are_refused_clearly() {
    let big_cell = {
        let mut s = String::from("工单编号,受理时间,承办单位,满意度,是否合理诉求,诉求内容\n");
        s.push_str("B1,2026-10-01 09:00,新金社区,不满意,是,");
        s.push_str(&"长".repeat(10 * 1024 * 1024 / 3));
        s.push('\n');
        s
    };
    let wide = {
        let mut s = String::from("工单编号,承办单位");
        for i in 0..10_000 {
            s.push_str(&format!(",c{i}"));
        }
        s.push_str("\nW1,新金社区");
        s.push_str(&",x".repeat(10_000));
        s.push('\n');
        s
    };
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_obj = format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        // A cell of 10 MB and a row of 10,000 columns are read (or refused), not a hang.
        ("big.csv", big_cell.into_bytes(), None),
        ("wide.csv", wide.into_bytes(), None),
        ("deep.json", deep.into_bytes(), Some("")),
        ("deep.jsonl", deep_obj.into_bytes(), Some("第 1 行")),
        // Not what the extension says: read by content when it can be, else refused.
        ("fake.xlsx", city_csv().into_bytes(), None),
        ("fake.csv", city_xlsx(), None),
        ("fake.jsonl", city_csv().into_bytes(), Some("")),
        // A header with no rows; a header without the unit.
        ("empty.csv", "工单编号,受理时间\n".into(), Some("")),
        (
            "nounit.csv",
            "工单编号,受理时间\nA1,2026-10-01 09:00\n".into(),
            Some("第 1 行"),
        ),
        (
            "header-only.csv",
            "工单编号,受理时间,承办单位\n".into(),
            Some("没有数据行"),
        ),
        ("empty.xlsx", Vec::new(), Some("")),
    ];
    for (name, bytes, want) in cases {
        let r = import_bytes(name, bytes);
        if let Some(w) = want {
            let e = r.unwrap_or_else(|| panic!("{name} was accepted"));
            assert!(e.contains(w), "{name}: {e}");
        }
    }
}

#[test]
fn a_refused_log_names_every_bad_line_in_one_run() {
    let mut lines: Vec<String> = log_jsonl().lines().map(str::to_string).collect();
    lines[3] = "{not json".into();
    lines[10] = lines[10].replace("\"type\":\"", "\"type\":\"x");
    // A rule refusal among them: a contact before any record of its ticket.
    lines.push(r#"{"ticket":"NOPE","type":"contact","at":"2026-10-01T10:00:00+08:00","channel":"phone","outcome":"reached"}"#.into());
    let n = lines.len();
    let e = import_bytes("bad.jsonl", lines.join("\n").into_bytes()).expect("refused");
    for l in [4, 11, n] {
        assert!(
            e.contains(&format!("第 {l} 行:")),
            "line {l} not named:\n{e}"
        );
    }
}

#[test]
fn escapes_in_ticket_text_never_reach_the_terminal_raw() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}";
    let csv = d.path().join("evil.csv");
    let mut w = csv::Writer::from_path(&csv).unwrap();
    w.write_record([
        "工单编号",
        "受理时间",
        "派发时间",
        "诉求人",
        "诉求标题",
        "诉求分类",
        "承办单位",
        "满意度",
        "是否合理诉求",
    ])
    .unwrap();
    w.write_record([
        "E1",
        "2026-11-01 09:00",
        "2026-11-01 10:00",
        &format!("张{evil}"),
        &format!("标题{evil}"),
        &format!("分类{evil}"),
        &format!("新金{evil}社区"),
        "不满意",
        "是",
    ])
    .unwrap();
    w.flush().unwrap();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_genban"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("GENBAN_TODAY", "2026-11-29")
            .env("GENBAN_CONFIG_DIR", db.with_extension("config"))
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
            o.status.success(),
        )
    };
    let (_, e, ok) = run(&["import", csv.to_str().unwrap()]);
    assert!(ok, "{e}");
    run(&[
        "sign",
        "E1",
        "--deadline",
        "2026-11-10",
        "--at",
        "2026-11-02 10:00",
    ]);
    for args in [
        vec!["list", "awaiting-sign"],
        vec!["list", "in-progress"],
        vec!["list", "overdue"],
        vec!["show", "E1"],
        vec!["report"],
        vec!["review"],
        vec!["remind"],
        vec!["contact", "E1", "--note", "\u{1b}[31m"],
        vec![
            "meeting",
            "E1",
            "--participant",
            "\u{1b}[31m",
            "--decision",
            "x",
        ],
        vec![
            "meeting",
            "E1",
            "--participant",
            "居民",
            "--decision",
            "\u{1b}]0;t\u{7}",
        ],
    ] {
        let (out, err, _) = run(&args);
        for text in [&out, &err] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'),
                "{args:?}: {text:?}"
            );
        }
    }
}
