//! Profiles never chosen behind the user's back (issue 14, item 7): a tie between profiles is
//! refused with the tied ones named; a re-import that would change stored tickets' records
//! says how many and which fields and needs `--update`; the summary counts what is already
//! stored. The real binary on the real portal messages (XLSX) and on city CSVs.

mod common;
use common::*;
use genban::domain::time::{Clock, DEFAULT_TZ};
use genban::ledger::Ledger;
use std::path::{Path, PathBuf};
use std::process::Output;

fn messages() -> PathBuf {
    shared().join("data/real/cn_gov_messages/messages_with_replies.xlsx")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The user's own profile for the portal messages, in the config directory `genban` gives the
/// store (`GENBAN_CONFIG_DIR`): the shipped one with another name and default unit.
fn own_profile(db: &Path) -> PathBuf {
    let dir = db.with_extension("config").join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/profiles/cn-gov-messages.toml"),
    )
    .unwrap();
    let mine = shipped
        .replace("name = \"cn-gov-messages\"", "name = \"my-gov\"")
        .replace("unit = \"(未指定单位)\"", "unit = \"省信访局\"");
    assert_ne!(mine, shipped);
    let f = dir.join("my-gov.toml");
    std::fs::write(&f, mine).unwrap();
    f
}

/// The store as it is now (opened once the process that wrote it has ended).
fn opened(db: &Path) -> Ledger {
    let store = (0..40)
        .find_map(|_| {
            genban::store::open(db, DEFAULT_TZ).ok().or_else(|| {
                std::thread::sleep(std::time::Duration::from_millis(50));
                None
            })
        })
        .expect("the store opens");
    Ledger::new(store, Clock::fixed(DEFAULT_TZ, date("2026-11-29")))
}

/// How many events the store holds (the length of its chain).
fn events(db: &Path) -> u64 {
    if !db.exists() {
        return 0;
    }
    opened(db).chain_head().unwrap().map_or(0, |h| h.seq)
}

fn unit_of(db: &Path, id: &str) -> String {
    let (row, _) = opened(db).ticket(id, date("2026-11-29")).unwrap().unwrap();
    row.ticket().record.unit.clone().unwrap_or_default()
}

#[test]
fn a_tie_between_a_shipped_and_an_own_profile_is_refused_naming_both() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let mine = own_profile(&db);
    let e = err(&genban(&db, &["import", s(&messages())]));
    assert!(
        e.contains("2 个导入配置同样符合这些列") && e.contains("cn-gov-messages、my-gov"),
        "{e}"
    );
    assert!(e.contains("--profile") && e.contains(s(&mine)), "{e}");
    assert!(e.contains("未导入"), "{e}");
    assert_eq!(events(&db), 0);
    // In English, and the dry run says the same.
    let e = err(&genban(
        &db,
        &["--lang", "en", "import", "--dry-run", s(&messages())],
    ));
    assert!(
        e.contains("2 import profiles fit these columns equally well")
            && e.contains("cn-gov-messages, my-gov")
            && e.contains("Choose one with --profile NAME"),
        "{e}"
    );
    assert_eq!(events(&db), 0);
    // The list of profiles says which is the user's, and where it is.
    let list = ok(&genban(&db, &["profiles"]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("my-gov ") && l.ends_with(&format!("({})", s(&mine)))),
        "{list}"
    );
    assert!(list
        .lines()
        .any(|l| l.starts_with("cn-gov-messages ") && !l.contains(".toml")));
    // Named, each is used.
    let out = ok(&genban(
        &db,
        &["import", "--profile", "my-gov", s(&messages())],
    ));
    assert!(
        out.contains("[my-gov], 2816 行: 新增事件 2816, 0 条已存在(跳过)"),
        "{out}"
    );
    assert_eq!(events(&db), 2816);
    assert_eq!(unit_of(&db, "100071"), "省信访局");
}

#[test]
fn a_reimport_that_changes_stored_records_needs_update_and_says_what_changes() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    own_profile(&db);
    let f = messages();
    let first = ok(&genban(
        &db,
        &["import", "--profile", "cn-gov-messages", s(&f)],
    ));
    assert!(first.contains("新增事件 2816, 0 条已存在(跳过)"), "{first}");
    // The same file with the same profile again: every row is already stored.
    let again = ok(&genban(
        &db,
        &["import", "--profile", "cn-gov-messages", s(&f)],
    ));
    assert!(again.contains("新增事件 0, 2816 条已存在(跳过)"), "{again}");
    let head = opened(&db).chain_head().unwrap();
    // With the other profile every ticket's unit would change: refused, nothing written.
    let o = genban(&db, &["import", "--profile", "my-gov", s(&f)]);
    let e = err(&o);
    assert!(
        e.contains("此文件会改动数据库中已有的 2816 件工单的记录(承办单位 2816 件)"),
        "{e}"
    );
    assert!(e.contains("--update") && e.contains("my-gov"), "{e}");
    assert_eq!(opened(&db).chain_head().unwrap(), head);
    // The dry run reports the same refusal, and with --update what it would change.
    let dry = err(&genban(
        &db,
        &["import", "--dry-run", "--profile", "my-gov", s(&f)],
    ));
    assert_eq!(
        dry.lines().next(),
        stderr(&o).lines().next(),
        "the dry run says otherwise"
    );
    let dry = ok(&genban(
        &db,
        &[
            "import",
            "--dry-run",
            "--update",
            "--profile",
            "my-gov",
            s(&f),
        ],
    ));
    assert!(
        dry.contains("新增事件 2816, 0 条已存在(跳过) [试运行,未写入]")
            && dry.contains("将改动已有的 2816 件工单的记录(承办单位 2816 件)"),
        "{dry}"
    );
    assert_eq!(opened(&db).chain_head().unwrap(), head);
    assert_eq!(unit_of(&db, "100071"), "(未指定单位)");
    // With --update it goes ahead and says so.
    let out = ok(&genban(
        &db,
        &[
            "--lang",
            "en",
            "import",
            "--update",
            "--profile",
            "my-gov",
            s(&f),
        ],
    ));
    assert!(
        out.contains("events added 2816, 0 already stored (skipped)")
            && out.contains("changed the records of 2816 tickets already stored (unit 2816)"),
        "{out}"
    );
    assert_eq!(events(&db), 2 * 2816);
    assert_eq!(unit_of(&db, "100071"), "省信访局");
    let again = ok(&genban(&db, &["import", "--profile", "my-gov", s(&f)]));
    assert!(again.contains("新增事件 0, 2816 条已存在(跳过)"), "{again}");
}

const HEADER: &str = "工单编号,受理时间,诉求人,联系电话,诉求地址,所属街道,所属社区,诉求分类,诉求标题,诉求内容,承办单位,办结时间,答复内容,满意度,是否合理诉求";

const ROWS: [&str; 3] = [
    "2026110100001,2026-11-01 09:12:33,王先生,13812345678,新金花园1幢,江浦街道,新金社区,路灯照明,新金花园路灯不亮,路灯不亮,新金社区,2026-11-03 10:00:00,已处理,不满意,是",
    "2026110100002,2026-11-02 08:05:00,李女士,13900000000,同心小区2幢,江浦街道,同心社区,物业管理,同心小区物业,电梯故障,同心社区,2026-11-04 10:00:00,已处理,满意,否",
    "2026110100003,2026-11-02 10:00:00,赵先生,13700000000,园林家园3幢,江浦街道,园林社区,供水供电,自来水浑浊,水浑,区水务局,2026-11-05 09:00:00,已处理,满意,否",
];

fn city_csv(dir: &Path, name: &str, rows: &[String]) -> PathBuf {
    let mut text = String::from(HEADER);
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    let f = dir.join(name);
    std::fs::write(&f, text).unwrap();
    f
}

#[test]
fn changed_titles_and_units_are_counted_per_field_and_unchanged_rows_as_already_stored() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let rows: Vec<String> = ROWS.iter().map(|r| r.to_string()).collect();
    let f = city_csv(d.path(), "a.csv", &rows[..2]);
    let out = ok(&genban(&db, &["import", s(&f)]));
    // The city export's own profile, not the ledger's that maps the same columns and more.
    assert!(out.contains("[cn-city]"), "{out}");
    // Two tickets, one unsatisfied and reasonable (a dispatch too).
    assert!(out.contains("新增事件 3, 0 条已存在(跳过)"), "{out}");
    // One row as stored and one new: the summary counts the one already stored.
    let f = city_csv(d.path(), "b.csv", &rows);
    let out = ok(&genban(&db, &["import", s(&f)]));
    assert!(out.contains("新增事件 1, 2 条已存在(跳过)"), "{out}");
    // Two titles and one unit changed, on two tickets; the third row as stored.
    let changed = vec![
        rows[0]
            .replace("新金花园路灯不亮", "新金花园路灯仍不亮")
            .replace(",新金社区,2026-11-03", ",区城管局,2026-11-03"),
        rows[1].replace("同心小区物业", "同心小区物业收费"),
        rows[2].clone(),
    ];
    let f = city_csv(d.path(), "c.csv", &changed);
    let before = events(&db);
    let e = err(&genban(&db, &["import", s(&f)]));
    assert!(
        e.contains(
            "已有的 2 件工单的记录(标题 2 件、承办单位 1 件),如 2026110100001、2026110100002"
        ),
        "{e}"
    );
    assert_eq!(events(&db), before);
    let e = err(&genban(
        &db,
        &["--lang", "en", "import", "--dry-run", s(&f)],
    ));
    assert!(
        e.contains("would change the records of 2 tickets already in the store (title 2, unit 1)"),
        "{e}"
    );
    let out = ok(&genban(&db, &["import", "--update", s(&f)]));
    assert!(
        out.contains("新增事件 2, 1 条已存在(跳过)")
            && out.contains("改动了已有的 2 件工单的记录(标题 2 件、承办单位 1 件)"),
        "{out}"
    );
    assert_eq!(events(&db), before + 2);
    assert_eq!(unit_of(&db, "2026110100001"), "区城管局");
    // A row changed twice in one file, for a ticket the file itself brings, needs nothing.
    let twice = vec![
        ROWS[2].replace("2026110100003", "2026110100009"),
        ROWS[2]
            .replace("2026110100003", "2026110100009")
            .replace("自来水浑浊", "自来水发黄"),
    ];
    let f = city_csv(d.path(), "d.csv", &twice);
    let out = ok(&genban(&db, &["import", s(&f)]));
    assert!(out.contains("新增事件 2, 0 条已存在(跳过)"), "{out}");
    assert!(!out.contains("改动"), "{out}");
}

#[test]
fn a_users_profile_that_fits_best_is_chosen_and_named() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db");
    let dir = db.with_extension("config").join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("portal.toml"),
        "name = \"portal\"\n[columns]\nid = [\"留言编号\"]\ncomplainant = [\"留言用户\"]\ntitle = [\"留言主题\"]\nreceived_at = [\"留言时间\"]\ncontent = [\"留言详情\"]\nreply = [\"答复意见\"]\nclosed_at = [\"答复时间\"]\ncategory = [\"留言主题\"]\n[defaults]\nunit = \"市长信箱\"\n",
    )
    .unwrap();
    let out = ok(&genban(&db, &["import", s(&messages())]));
    assert!(out.contains("[portal], 2816 行"), "{out}");
    assert_eq!(unit_of(&db, "100071"), "市长信箱");
}
