//! Command-line usage errors in the interface language. clap words its own errors in English;
//! with the interface in Chinese they are said again here from the error's parts (which
//! argument, which value, what would be valid, what was probably meant).

use crate::i18n::Lang;
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The interface language asked for before the arguments could be parsed: `--lang X` or
/// `--lang=X` among `args`, else `GENBAN_LANG`, else the config file's, else Chinese.
pub fn lang_of(args: &[String]) -> Lang {
    let given = args
        .windows(2)
        .find_map(|w| (w[0] == "--lang").then(|| w[1].clone()));
    let given = given.or_else(|| {
        args.iter()
            .find_map(|a| a.strip_prefix("--lang=").map(str::to_string))
    });
    let given = given.or_else(|| std::env::var("GENBAN_LANG").ok());
    match given.as_deref().map(str::trim) {
        Some("en") => Lang::En,
        Some("zh") => Lang::Zh,
        _ => crate::config::Config::load()
            .ok()
            .and_then(|c| c.lang)
            .unwrap_or_default(),
    }
}

fn text(v: Option<&ContextValue>) -> Option<String> {
    match v? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The error in Chinese (None: leave it to clap — help, version, or English asked for).
pub fn chinese(e: &clap::Error) -> Option<String> {
    let get = |k: ContextKind| text(e.get(k));
    let arg = get(ContextKind::InvalidArg).unwrap_or_default();
    let value = get(ContextKind::InvalidValue).unwrap_or_default();
    let mut msg = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let mut m = format!("参数 {arg} 的值「{value}」无效");
            if let Some(valid) = get(ContextKind::ValidValue) {
                m.push_str(&format!("(可选:{valid})"));
            }
            m
        }
        ErrorKind::UnknownArgument => format!("不认识的参数「{arg}」"),
        ErrorKind::InvalidSubcommand => format!(
            "不认识的命令「{}」",
            get(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => format!("缺少必填的参数:{arg}"),
        ErrorKind::MissingSubcommand => "缺少子命令".to_string(),
        ErrorKind::ArgumentConflict => format!(
            "参数 {arg} 不能与 {} 同时使用",
            get(ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::NoEquals => format!("参数 {arg} 需要用 = 给出值"),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("参数 {arg} 的值个数不对")
        }
        ErrorKind::InvalidUtf8 => "参数不是有效的 UTF-8 文本".to_string(),
        _ => format!("命令行参数有误:{}", e.to_string().trim()),
    };
    let suggested = get(ContextKind::SuggestedArg)
        .or_else(|| get(ContextKind::SuggestedSubcommand))
        .or_else(|| get(ContextKind::SuggestedValue));
    if let Some(s) = suggested {
        msg.push_str(&format!(";是否指「{s}」?"));
    }
    if let Some(u) = get(ContextKind::Usage) {
        msg.push_str(&format!(
            "\n\n{}",
            u.replacen("Usage:", "用法:", 1).trim_end()
        ));
    }
    msg.push_str("\n\n更多信息请运行 genban --help(或 genban 子命令 --help)");
    Some(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn err(args: &[&str]) -> String {
        let e = crate::cli::Cli::try_parse_from(args).unwrap_err();
        chinese(&e).unwrap_or_default()
    }

    #[test]
    fn usage_errors_are_said_in_chinese_with_what_was_meant() {
        let m = err(&["genban", "lsit", "overdue"]);
        assert!(
            m.contains("不认识的命令「lsit」") && m.contains("list"),
            "{m}"
        );
        let m = err(&["genban", "list", "late"]);
        assert!(
            m.contains("的值「late」无效") && m.contains("overdue"),
            "{m}"
        );
        let m = err(&["genban", "sign", "X1"]);
        assert!(
            m.contains("缺少必填的参数") && m.contains("--deadline"),
            "{m}"
        );
        let m = err(&["genban", "report", "--frm", "2026-11-01"]);
        assert!(m.contains("不认识的参数「--frm」"), "{m}");
        assert!(crate::cli::Cli::try_parse_from(["genban", "--help"])
            .map_err(|e| chinese(&e))
            .unwrap_err()
            .is_none());
    }

    #[test]
    fn the_language_is_found_before_parsing() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(lang_of(&a(&["genban", "--lang", "en", "lsit"])), Lang::En);
        assert_eq!(lang_of(&a(&["genban", "lsit", "--lang=en"])), Lang::En);
        assert_eq!(lang_of(&a(&["genban", "--lang", "zh"])), Lang::Zh);
    }
}
