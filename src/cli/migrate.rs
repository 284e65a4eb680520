//! `genban migrate --from STORE --to STORE`: a whole store moved into an empty one, sled or
//! PostgreSQL either way, its chain unchanged (the same head), then verified.

use super::{Context, Io};
use crate::ledger::Ledger;
use crate::store::{self, StoreError};
use anyhow::{bail, Result};
use std::path::Path;

pub fn run(from: &Path, to: &Path, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    store::locate(from)?;
    store::locate(to)?;
    if from == to {
        bail!(
            "{}",
            lang.t(
                "--from 和 --to 是同一个数据库",
                "--from and --to name the same store"
            )
        );
    }
    // The store moved from must exist: a mistyped --from must not leave an empty store behind.
    if !store::exists(from) {
        return Err(StoreError::Missing(from.to_path_buf()).into());
    }
    let source = store::open(from, ctx.clock.tz)?;
    let target = store::open(to, ctx.clock.tz)?;
    let bar = progress_bar(io.progress);
    let moved = store::migrate::copy(
        source.as_ref(),
        target.as_ref(),
        ctx.clock.tz,
        &mut |n, all| {
            bar.set_length(all as u64);
            bar.set_position(n as u64);
        },
    )
    .map_err(|e| anyhow::anyhow!("{}", e.message(lang)))?;
    bar.finish_and_clear();
    drop(source);
    let ledger = Ledger::new(target, ctx.clock);
    let findings = ledger.verify()?;
    if let Some(f) = findings.first() {
        bail!(
            "{} ({} {})",
            f.message(lang),
            findings.len(),
            lang.t("处问题", "problems")
        );
    }
    let head = moved
        .head
        .as_ref()
        .map(|h| format!("#{} {}", h.seq, h.hash))
        .unwrap_or_else(|| "-".into());
    match lang {
        crate::i18n::Lang::Zh => writeln!(
            io.out,
            "已迁移 {} 件工单、{} 条事件、{} 条查看记录、{} 项设置到 {};校验链终点相同({head});校验通过",
            moved.tickets,
            moved.events,
            moved.audit,
            moved.settings,
            ledger.location()
        )?,
        crate::i18n::Lang::En => writeln!(
            io.out,
            "moved {} tickets, {} events, {} audit records and {} settings into {}; the chain ends in the same head ({head}); verify passed",
            moved.tickets,
            moved.events,
            moved.audit,
            moved.settings,
            ledger.location()
        )?,
    }
    Ok(())
}

fn progress_bar(show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("迁移 migrating {bar:30} {pos}/{len}")
    {
        bar.set_style(style);
    }
    bar
}
