//! The command line in the interface language: every subcommand's `--help` in Chinese under
//! `--lang zh` (and by default), English under `--lang en`; completions and the man page
//! generated; every command line README shows names subcommands and flags that exist.

mod common;
use clap::CommandFactory;
use common::{bin, ok};

fn subcommands() -> Vec<String> {
    genban::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect()
}

fn help(args: &[&str]) -> String {
    ok(&bin().args(args).output().unwrap())
}

#[test]
fn every_subcommands_help_is_chinese_under_lang_zh_and_english_under_lang_en() {
    let subs = subcommands();
    assert!(subs.len() > 30, "{subs:?}");
    for sub in std::iter::once(None).chain(subs.iter().map(Some)) {
        let mut zh_args = vec!["--lang", "zh"];
        let mut en_args = vec!["--lang", "en"];
        if let Some(s) = sub {
            zh_args.push(s);
            en_args.push(s);
        }
        zh_args.push("--help");
        en_args.push("--help");
        let zh = help(&zh_args);
        assert!(zh.contains("用法: genban"), "{sub:?}: {zh}");
        for english in [
            "Usage:",
            "Options:",
            "Arguments:",
            "Commands:",
            "Print help",
            "possible values",
            "[default:",
            "[env:",
        ] {
            assert!(!zh.contains(english), "{sub:?} says {english}: {zh}");
        }
        // Every line that describes something says it in Chinese.
        // (In the long form a flag stands alone on its line, its description on the next.)
        let flag_alone = |l: &str| {
            let t = l.trim();
            (t.starts_with('-') || t.starts_with('<')) && !t.contains("  ")
        };
        for line in zh.lines().filter(|l| l.starts_with("  ") && !flag_alone(l)) {
            assert!(
                line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{sub:?}: {line}"
            );
        }
        let en = help(&en_args);
        assert!(en.contains("Usage: genban"), "{sub:?}: {en}");
    }
    // -h and the default language (Chinese) too.
    let short = help(&["import", "-h"]);
    assert!(short.contains("要导入的文件"), "{short}");
}

#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = help(&["completions", shell]);
        assert!(out.contains("genban"), "{shell}");
        for sub in ["import", "contact", "meeting"] {
            assert!(out.contains(sub), "{shell} completes {sub}");
        }
    }
    let man = help(&["--lang", "en", "man"]);
    assert!(man.contains(".TH genban"), "{}", &man[..200.min(man.len())]);
    assert!(man.contains("contact"));
    let bad = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// The command lines of README's shell blocks that start with `genban`.
fn readme_command_lines() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if in_sh && line.starts_with("genban ") {
            // The comment after `   #` is not part of the command.
            let cmd = match line.find("  #") {
                Some(i) => &line[..i],
                None => line,
            };
            out.push(cmd.trim().to_string());
        }
    }
    out
}

/// The long and short flags a subcommand (or the program) takes, globals included.
fn flags_of(cmd: &clap::Command) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for a in cmd.get_arguments() {
        if let Some(l) = a.get_long() {
            v.push(format!("--{l}"));
        }
        for l in a.get_all_aliases().unwrap_or_default() {
            v.push(format!("--{l}"));
        }
        if let Some(s) = a.get_short() {
            v.push(format!("-{s}"));
        }
    }
    v.extend(["--help".into(), "-h".into()]);
    v
}

#[test]
fn every_command_line_in_the_readme_names_flags_that_exist() {
    let mut cli = genban::cli::Cli::command();
    cli.build();
    let globals = flags_of(&cli);
    let lines = readme_command_lines();
    assert!(lines.len() > 30, "{lines:?}");
    for line in &lines {
        // `genban whistles | hotspots | topics`: alternatives of the first word.
        let rest = line.trim_start_matches("genban ").trim();
        let mut words: Vec<&str> = rest.split_whitespace().collect();
        let first = words.first().copied().unwrap_or("");
        let subs: Vec<&str> = if first.starts_with('-') {
            vec![]
        } else {
            words.remove(0);
            let mut s = vec![first];
            while words.first() == Some(&"|") {
                words.remove(0);
                s.push(words.remove(0));
            }
            s
        };
        let cmds: Vec<&clap::Command> = if subs.is_empty() {
            vec![&cli]
        } else {
            subs.iter()
                .map(|s| {
                    cli.find_subcommand(s)
                        .unwrap_or_else(|| panic!("README: `{line}`: no subcommand {s}"))
                })
                .collect()
        };
        for c in cmds {
            let mut known = flags_of(c);
            known.extend(globals.iter().cloned());
            for w in &words {
                let w = w.trim_matches(|c| c == '[' || c == ']' || c == '(' || c == ')');
                for flag in w.split('|').filter(|f| f.starts_with('-') && f.len() > 1) {
                    let flag = flag.split('=').next().unwrap();
                    if flag.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
                        continue; // a value such as -1
                    }
                    assert!(
                        known.iter().any(|k| k == flag),
                        "README: `{line}`: {} takes no {flag}",
                        c.get_name()
                    );
                }
            }
        }
    }
}

#[test]
fn skipped_rows_are_told_in_the_interface_language_and_counted() {
    let d = tempfile::tempdir().unwrap();
    let csv = d.path().join("bad.csv");
    std::fs::write(
        &csv,
        "工单编号,受理时间,诉求人,承办单位,满意度,是否合理诉求\n\
         A1,2026-11-01 09:00,张,区水务局,不满意,是\n\
         A2,昨天,李,区水务局,不满意,是\n\
         A3,2026-11-02 09:00,王,区水务局,很差,是\n",
    )
    .unwrap();
    let run = |db: &str, lang: &str| {
        bin()
            .args(["--lang", lang, "--db"])
            .arg(d.path().join(db))
            .args(["import", "--skip-bad-rows"])
            .arg(&csv)
            .env("GENBAN_CONFIG_DIR", d.path().join("config"))
            .output()
            .unwrap()
    };
    let zh = run("zh", "zh");
    let (out, err) = (ok(&zh), String::from_utf8_lossy(&zh.stderr).into_owned());
    assert!(out.contains("2 行有误已跳过"), "{out}");
    assert!(
        err.contains("第 3 行,「受理时间」列") && err.contains("(已跳过)"),
        "{err}"
    );
    assert!(!err.contains("row ") && !err.contains("skipped"), "{err}");
    let en = run("en", "en");
    let (out, err) = (ok(&en), String::from_utf8_lossy(&en.stderr).into_owned());
    assert!(out.contains("2 bad rows skipped"), "{out}");
    assert!(
        err.contains("row 3, column 受理时间") && err.contains(" (skipped)"),
        "{err}"
    );
}
