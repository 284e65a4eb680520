//! The command line's help in the interface language. clap takes its words from the doc
//! comments (English); this table gives every subcommand, option and argument its words in
//! Chinese (and in English where a doc comment says nothing), and `localize` puts them, with
//! Chinese headings, on the command before it parses. Parsing is the same in both languages:
//! only what `--help` prints changes.

use crate::i18n::Lang;
use clap::Command;

/// (subcommand, argument id, 中文, English). An empty subcommand is any; an empty argument is
/// the subcommand's own description. The first match wins, so specific rows come first.
const HELP: &[(&str, &str, &str, &str)] = &[
    // The program.
    ("", "", "跟办 genban:街道 12345 专员的二次办理跟踪工具。不带子命令时打开终端应用。", ""),
    // Subcommands.
    ("open", "", "打开终端应用(默认)", ""),
    ("import", "", "导入事件日志(.jsonl)或导出文件(CSV UTF-8/GBK、XLSX、JSON)", ""),
    ("profiles", "", "列出导入配置", ""),
    ("export", "", "导出事件日志(jsonl,完整备份)或每件工单一行(csv、xlsx)", ""),
    ("report", "", "某一期间的考核指标(默认:本月,截至今天)", ""),
    ("dashboard", "", "督办看板:13 个月的指标与去年同期、今日派发、来源、单位排名(最差在前)", ""),
    ("review", "", "清零行动回头看:虚假联系、超时办结、重复投诉", ""),
    ("list", "", "列出某一栏的工单,最紧急的在前", ""),
    ("show", "", "一件工单及其完整时间线", ""),
    ("remind", "", "本月任务(供每月 1 日的定时任务使用)", ""),
    ("calls", "", "今日联系清单:本月应联系且尚未联系上的工单,附电话(除非 --reveal 否则打码)和上次沟通内容", ""),
    ("whistles", "", "一哨联办:被吹哨而尚未响应的部门,等待最久的在前", ""),
    ("hotspots", "", "每月一办:近三个月的工单按分类×社区和按地址归并,多的在前,供提出本月议题", ""),
    ("topics", "", "每月一办的议题及其工单", ""),
    ("verify", "", "检查每条记录:列出无法读取或违反规则的记录、防篡改链和索引", ""),
    ("audit", "", "谁在何时、何处看过哪件工单的完整电话号码", ""),
    ("undo", "", "撤销你在本机 10 分钟内的上一条录入(理由:录入错误,撤销):先显示将撤销什么,--yes 才撤销", ""),
    ("backup", "", "把整个日志写成一份一致、已校验的快照到新目录(应用打开时也可以)", ""),
    ("restore", "", "把备份导入空库,然后校验", ""),
    ("demo", "", "用一条街道规模的演示工单填充数据库,并在其上打开应用", ""),
    ("new", "", "新增一件不经热线来的工单(社区工作站接待或未诉先办);编号为 L + 日期 + 序号", ""),
    ("dispatch", "", "把工单(重新)派发给一个单位", ""),
    ("sign", "", "承办单位签收工单并承诺时限", ""),
    ("return", "", "承办单位退回工单(不属于本单位)", ""),
    ("contact", "", "与诉求人的一次联系:电话、走访、短信或微信(联系上时用 --note 写明沟通内容)", ""),
    ("extend", "", "延长(更改)承诺时限", ""),
    ("resolve", "", "问题已解决", ""),
    ("revisit", "", "解决后的回访评价(不满意需 --deadline)", ""),
    ("reopen", "", "重新办理一件已解决的工单", ""),
    ("note", "", "给工单加一条备注", ""),
    ("whistle", "", "一哨联办:召集几个部门共同办理这件工单", ""),
    ("respond", "", "被吹哨的部门响应(并说明其负责部分是否已解决)", ""),
    ("escalate", "", "每月一办:把工单提交到工作组的某个月度议题", ""),
    ("meeting", "", "居民议事:居民、社区、物业、专家就工单议定事项", ""),
    ("void", "", "撤销一条录错的记录(它仍留在时间线上并标明);如有正确的记录请另行录入", ""),
    ("completions", "", "输出 shell 补全脚本(bash、zsh、fish)", ""),
    ("man", "", "输出 man 手册页(roff)", ""),
    ("migrate", "", "把整个数据库迁入一个空数据库(目录或 postgres://…,两个方向都可以):校验链不变,查看记录和设置随之迁移;然后校验", ""),
    ("admin", "", "区里共用 PostgreSQL 时:数据库各角色的权限(以表的所有者运行;角色须已存在,createuser 角色名)", ""),
    ("grant-street", "", "街道工作站:该角色只能查看和写入该街道的工单", ""),
    ("grant-district", "", "区 12345 办:该角色可以查看和写入全区的工单", ""),
    ("grant-read", "", "单位督办:该角色可以查看全区的工单,不能写入(查看电话会记录)", ""),
    ("help", "", "显示帮助,或某个子命令的帮助", ""),
    // Options of one subcommand.
    ("import", "files", "要导入的文件;每个文件要么全部导入,要么什么都不写", ""),
    ("import", "profile", "导入配置:名称(见 `genban profiles`)或 TOML 文件", ""),
    ("import", "skip_bad_rows", "导入好的行并列出坏的行(否则有坏行的文件不导入)", ""),
    ("import", "dry_run", "只检查,什么都不写", ""),
    ("import", "update", "允许行改动数据库中已有工单的记录(承办单位、标题…);否则这样的文件不导入,并说明多少件工单、哪些字段", ""),
    ("export", "format", "格式:jsonl(完整备份,含电话)、csv 或 xlsx(每件工单一行)", "What to write: jsonl (the full backup, phones included), csv or xlsx (one row per ticket)"),
    ("export", "output", "写到这个文件(`-` 为标准输出,仅 csv 和 jsonl)", "The file to write (`-`: standard output, csv and jsonl only)"),
    ("export", "reveal", "csv/xlsx:电话号码完整显示(记入审计记录);jsonl 总是保留完整号码", ""),
    ("report", "format", "输出格式:text、json 或 xlsx(报送用工作簿,需 -o)", "Output format: text, json or xlsx (a workbook to send upward, needs -o)"),
    ("report", "output", "写到文件(xlsx 必需)", ""),
    ("report", "sort", "按某项指标把单位表排成最差在前(signing、contact、on_time、revisit)或按 misses [默认:按名称]", ""),
    ("report", "explain", "改为列出某项指标的统计对象:它计入的每件工单,未达标的在前", ""),
    ("dashboard", "sort", "单位排名的排序:某项指标(signing、contact、on_time、revisit)、overdue、awaiting_contact 或 misses", ""),
    ("review", "format", "输出格式:text 或 json", "Output format: text or json"),
    ("list", "pane", "哪一栏:awaiting-sign 待签收、in-progress 办理中、awaiting-contact 待联系、overdue 已超期、resolved 已解决、all 全部(任何状态,含未派发,最新受理在前)", "The pane: awaiting-sign, in-progress, awaiting-contact, overdue, resolved, all (every ticket in any state, newest received first)"),
    ("list", "format", "输出格式:text 或 json", "Output format: text or json"),
    ("show", "format", "输出格式:text 或 json", "Output format: text or json"),
    ("show", "reveal_phone", "完整显示电话号码(记入审计记录;也可写 --reveal)", ""),
    ("remind", "month", "哪个月,YYYY-MM [默认:本月]", "The month, YYYY-MM [default: this month]"),
    ("remind", "unit", "只看一个单位的任务", ""),
    ("remind", "format", "输出格式:text 或 json", "Output format: text or json"),
    ("calls", "format", "输出格式:text(打印用)、csv 或 xlsx(需 -o)", "Output format: text (to print), csv or xlsx (needs -o)"),
    ("calls", "output", "写到文件(csv 和 xlsx 必需)", ""),
    ("calls", "reveal", "电话号码完整显示(记入审计记录)", ""),
    ("calls", "unit", "只看一个单位的联系清单", ""),
    ("undo", "yes", "确实撤销(不加:只显示将撤销什么)", ""),
    ("backup", "dir", "备份写入的新目录(不能已存在)", "The new directory the backup is written to (must not exist)"),
    ("restore", "dir", "要导入的备份目录(`genban backup` 写的)", "The backup directory to bring in (as `genban backup` wrote it)"),
    ("migrate", "from", "迁出的数据库(目录,或 postgres://用户@主机/库名)", ""),
    ("migrate", "to", "迁入的空数据库(目录,或 postgres://用户@主机/库名)", ""),
    ("grant-street", "role", "PostgreSQL 角色名", ""),
    ("grant-street", "street", "街道名(与工单记录中的街道一致,如 顶山街道)", ""),
    ("grant-district", "role", "PostgreSQL 角色名", ""),
    ("grant-read", "role", "PostgreSQL 角色名", ""),
    ("demo", "tickets", "演示工单的件数", "How many demo tickets"),
    ("demo", "seed", "随机种子(同一种子得到同样的演示数据)", "The random seed (the same seed gives the same demo data)"),
    ("new", "title", "诉求标题:一句话说明问题", ""),
    ("new", "unit", "承办单位;工单派发给它", ""),
    ("new", "source", "来源:walk-in 社区工作站接待、proactive 未诉先办", "Where it came from: walk-in (a community workstation) or proactive (found before anyone called)"),
    ("new", "content", "诉求内容:诉求人的陈述", ""),
    ("new", "complainant", "诉求人", "The citizen (诉求人)"),
    ("new", "phone", "联系电话(数字、+、- 和空格)", "The citizen's phone (digits, +, - and spaces)"),
    ("new", "address", "诉求地址", "The address of the problem (诉求地址)"),
    ("new", "street", "所属街道", "The street (所属街道)"),
    ("new", "community", "所属社区", "The community (所属社区)"),
    ("new", "category", "诉求分类", "The category (诉求分类)"),
    ("new", "at", "受理时间(RFC 3339,或本地时区的 YYYY-MM-DD HH:MM)[默认:现在]", ""),
    ("new", "no_dispatch", "只登记工单;以后再用 `genban dispatch` 派发", ""),
    ("new", "new_unit", "这是新单位(还没有工单用过):不加时库里没有的单位会被拒绝,就像应用里先确认新单位一样", ""),
    ("dispatch", "unit", "派发给哪个单位", "The unit the ticket is sent to"),
    ("sign", "deadline", "承诺时限,YYYY-MM-DD", ""),
    ("sign", "unit", "签收单位 [默认:最近一次派发的单位]", ""),
    ("sign", "plan", "办理计划(解决方案)", "The plan (解决方案)"),
    ("return", "reason", "退回理由", "Why the unit returns it"),
    ("return", "unit", "退回的单位 [默认:最近一次派发的单位]", "The unit that returns it [default: the unit of the latest dispatch]"),
    ("contact", "channel", "联系方式:phone 电话、visit 走访、sms 短信、wechat 微信、other 其他", "How: phone, visit, sms, wechat, other"),
    ("contact", "unreached", "没有联系上诉求人", ""),
    ("contact", "person", "联系上的是谁(如本人、家属)", "Who was reached (the citizen, a relative…)"),
    ("contact", "note", "沟通内容:告诉了诉求人什么(联系上时必填)", "What the citizen was told (required when reached)"),
    ("extend", "deadline", "新的承诺时限,YYYY-MM-DD", "The new deadline, YYYY-MM-DD"),
    ("extend", "reason", "延期理由", "Why the deadline moves"),
    ("revisit", "satisfaction", "回访评价:satisfied 满意、basically-satisfied 基本满意、unsatisfied 不满意", "The verdict: satisfied, basically-satisfied, unsatisfied"),
    ("revisit", "deadline", "不满意时重新办理的承诺时限,YYYY-MM-DD", "The new deadline when unsatisfied, YYYY-MM-DD"),
    ("reopen", "deadline", "重新办理的承诺时限,YYYY-MM-DD", "The deadline of the new handling, YYYY-MM-DD"),
    ("reopen", "reason", "重新办理的理由", "Why it is taken up again"),
    ("note", "text", "备注内容", "The note"),
    ("note", "at", "发生时间(RFC 3339,或本地时区的 YYYY-MM-DD HH:MM)[默认:现在]", "When (RFC 3339, or YYYY-MM-DD HH:MM in the local zone) [default: now]"),
    ("whistle", "departments", "被召集的部门(每个部门写一次)", ""),
    ("respond", "department", "响应的部门(须是被召集的)", "The department that answers (one that was summoned)"),
    ("respond", "resolved", "该部门负责的部分已解决", ""),
    ("escalate", "topic", "月度议题(已有的议题或新议题)", "The monthly topic (an existing one or a new one)"),
    ("meeting", "participants", "参与方:姓名或身份(每个参与方写一次)", ""),
    ("meeting", "decision", "议定事项", ""),
    ("meeting", "plan", "议定的计划(可选)", ""),
    ("void", "event", "要撤销的记录在 `genban show ID` 里的序号(#1 最早)", ""),
    ("void", "event_type", "要撤销的记录的类型(contact、sign、resolve……),与 --at 一起用", ""),
    ("void", "at", "要撤销的记录的发生时间(它的 `at`),与 --type 一起用", ""),
    ("void", "recorded_at", "它的录入时间,用来区分同一时间的两条记录", ""),
    ("void", "reason", "撤销理由", ""),
    ("completions", "shell", "哪种 shell", "Which shell"),
    // Any subcommand.
    ("", "id", "工单编号", "The ticket id"),
    ("", "at", "发生时间(RFC 3339,或本地时区的 YYYY-MM-DD HH:MM;联系、解决、回访和议事需要具体时刻,不能只写日期)[默认:现在]", ""),
    ("", "note", "备注", "A note"),
    ("", "month", "某个自然月,YYYY-MM [默认:本月]", ""),
    ("", "from", "期间的第一天,YYYY-MM-DD", ""),
    ("", "to", "期间的最后一天,YYYY-MM-DD", ""),
    ("", "as_of", "截至这一天统计 [默认:今天]", ""),
    ("", "db", "数据库:一个目录(sled),或区里共用的 postgres://用户@主机/库名 [默认:用户数据目录]", ""),
    ("", "today", "程序的日期:一切按这一天统计,之后的事件不计入", ""),
    ("", "tz", "本地日期的时区 [默认:Asia/Shanghai]", ""),
    ("", "lang", "界面语言", ""),
    ("", "operator", "谁在录入(记在每条录入上)[默认:配置中的 operator]", ""),
    ("", "help", "显示帮助", ""),
    ("", "version", "显示版本", ""),
];

/// The options of every subcommand, in the order their help lists them, after the
/// subcommand's own.
const GLOBAL_ORDER: [&str; 7] = ["db", "today", "tz", "lang", "operator", "help", "version"];

/// An argument with its Chinese help: what clap would add in English brackets (the values it
/// takes, its default, its environment variable) said in Chinese instead.
fn chinese_arg(a: clap::Arg, zh: &str) -> clap::Arg {
    let mut help = zh.to_string();
    let values: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    let takes_value = a.get_action().takes_values();
    if takes_value && !values.is_empty() {
        help.push_str(&format!("(可选:{})", values.join("、")));
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if takes_value && !defaults.is_empty() {
        help.push_str(&format!(" [默认:{}]", defaults.join("、")));
    }
    if let Some(env) = a.get_env() {
        help.push_str(&format!(" [环境变量:{}]", env.to_string_lossy()));
    }
    let heading = if a.is_positional() {
        "参数"
    } else {
        "选项"
    };
    a.help(help)
        .long_help(None::<&str>)
        .help_heading(heading)
        .hide_possible_values(true)
        .hide_default_value(true)
        .hide_env(true)
}

/// The table's words for `arg` of subcommand `sub` (`""` for the subcommand itself).
fn lookup(sub: &str, arg: &str) -> Option<(&'static str, &'static str)> {
    HELP.iter()
        .find(|(s, a, _, _)| *a == arg && (*s == sub || (s.is_empty() && !arg.is_empty())))
        .map(|(_, _, zh, en)| (*zh, *en))
}

/// The command with its help in `lang`: Chinese words and headings for `Zh`, the table's
/// English where a doc comment gives none for `En`.
pub fn localize(mut cmd: Command, lang: Lang) -> Command {
    // Built first, so that the help and version flags and the help subcommand clap adds are
    // there to be given words too.
    cmd.build();
    localize_one(cmd, "", lang)
}

fn localize_one(mut cmd: Command, sub: &str, lang: Lang) -> Command {
    if let Some((zh, en)) = lookup(sub, "") {
        cmd = match lang {
            Lang::Zh => cmd.about(zh).long_about(None::<&str>),
            Lang::En if cmd.get_about().is_none() && !en.is_empty() => cmd.about(en),
            Lang::En => cmd,
        };
    }
    cmd = cmd.mut_args(|a| {
        let id = a.get_id().as_str().to_string();
        // The options every subcommand takes come after its own.
        let a = match GLOBAL_ORDER.iter().position(|g| *g == id) {
            Some(i) => a.display_order(1000 + i),
            None => a,
        };
        let Some((zh, en)) = lookup(sub, &id) else {
            return a;
        };
        match lang {
            Lang::Zh => chinese_arg(a, zh),
            Lang::En if a.get_help().is_none() && !en.is_empty() => a.help(en),
            Lang::En => a,
        }
    });
    if lang == Lang::Zh {
        cmd = cmd
            .help_template(
                "{before-help}{about-with-newline}\n用法: {usage}\n\n{all-args}{after-help}",
            )
            .subcommand_help_heading("命令")
            .subcommand_value_name("命令");
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |s| localize_one(s, &name, lang));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every (subcommand, argument) of the command line, the program's own as "".
    fn every_arg(cmd: &Command, sub: &str, out: &mut Vec<(String, String, String)>) {
        for a in cmd.get_arguments() {
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            out.push((sub.to_string(), a.get_id().to_string(), help));
        }
        for s in cmd.get_subcommands() {
            let about = s.get_about().map(|h| h.to_string()).unwrap_or_default();
            out.push((s.get_name().to_string(), String::new(), about));
            every_arg(s, s.get_name(), out);
        }
    }

    fn all(lang: Lang) -> Vec<(String, String, String)> {
        let cmd = localize(crate::cli::Cli::command(), lang);
        let mut out = Vec::new();
        every_arg(&cmd, "", &mut out);
        out
    }

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_subcommand_option_and_argument_has_a_description_in_both_languages() {
        let en = all(Lang::En);
        let missing: Vec<_> = en.iter().filter(|(_, _, h)| h.trim().is_empty()).collect();
        assert!(missing.is_empty(), "no English help: {missing:?}");
        let zh = all(Lang::Zh);
        assert_eq!(zh.len(), en.len());
        let english: Vec<_> = zh.iter().filter(|(_, _, h)| !has_han(h)).collect();
        assert!(english.is_empty(), "no Chinese help: {english:?}");
    }

    #[test]
    fn every_row_of_the_table_is_used() {
        let used = all(Lang::En);
        for (sub, arg, _, _) in HELP {
            if sub.is_empty() {
                continue;
            }
            assert!(
                used.iter().any(|(s, a, _)| s == sub && a == arg),
                "the table names {sub} {arg}, which the command line does not have"
            );
        }
    }
}
