//! `genban new`: a ticket that did not come through the hotline, added by hand.

use super::args::{self, MAX_NAME, MAX_TEXT};
use super::{Context, Io};
use crate::domain::event::{Source, TicketRecord};
use crate::domain::new_ticket;
use crate::ledger::Ledger;
use anyhow::{anyhow, Result};
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum SourceArg {
    /// Brought to a community workstation (社区工作站)
    WalkIn,
    /// Found by the community before anyone called (未诉先办)
    Proactive,
}

#[derive(Args, Debug, Clone)]
pub struct NewTicketArgs {
    /// What the problem is, in a line (诉求标题)
    #[arg(long)]
    pub title: String,
    /// The unit that handles it (承办单位); the ticket is dispatched to it
    #[arg(long)]
    pub unit: String,
    #[arg(long, value_enum, default_value = "walk-in")]
    pub source: SourceArg,
    /// The citizen's account (诉求内容)
    #[arg(long)]
    pub content: Option<String>,
    #[arg(long)]
    pub complainant: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long)]
    pub street: Option<String>,
    #[arg(long)]
    pub community: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    /// When it was received (RFC 3339, or YYYY-MM-DD HH:MM in the local zone) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Record the ticket only; dispatch it later with `genban dispatch`
    #[arg(long)]
    pub no_dispatch: bool,
    /// The unit is new (no ticket has it yet): without this a unit the store does not know is
    /// refused, as the app asks before a new unit
    #[arg(long)]
    pub new_unit: bool,
}

impl NewTicketArgs {
    /// The record, every field checked.
    fn record(&self, lang: crate::i18n::Lang) -> Result<TicketRecord> {
        let opt = |v: &Option<String>, flag: &str, max: usize| {
            args::optional(v.as_deref(), flag, max, lang)
        };
        let record = TicketRecord {
            title: Some(args::required(&self.title, "--title", MAX_TEXT, lang)?),
            unit: Some(args::required(&self.unit, "--unit", MAX_NAME, lang)?),
            content: opt(&self.content, "--content", MAX_TEXT)?,
            complainant: opt(&self.complainant, "--complainant", MAX_NAME)?,
            phone: opt(&self.phone, "--phone", MAX_NAME)?,
            address: opt(&self.address, "--address", MAX_TEXT)?,
            street: opt(&self.street, "--street", MAX_NAME)?,
            community: opt(&self.community, "--community", MAX_NAME)?,
            category: opt(&self.category, "--category", MAX_NAME)?,
            ..Default::default()
        };
        // What the form in the app checks too (a phone number that is one).
        if let Err((key, problem)) = new_ticket::check(&record) {
            anyhow::bail!(
                "--{key}: {}",
                crate::labels::new_ticket_problem(key, &problem, lang)
            );
        }
        Ok(record)
    }

    /// A unit the store does not know is refused unless `--new-unit` says it is new.
    fn check_unit(&self, unit: &str, ledger: &Ledger, lang: crate::i18n::Lang) -> Result<()> {
        if self.new_unit || ledger.units()?.iter().any(|u| u == unit) {
            return Ok(());
        }
        anyhow::bail!(
            "--unit: {}",
            match lang {
                crate::i18n::Lang::Zh => format!(
                    "库里没有承办单位「{unit}」(名称可能有误,genban list 可查看已有单位);确是新单位请加 --new-unit"
                ),
                crate::i18n::Lang::En => format!(
                    "no ticket has the unit “{unit}” (a typo? see the units in genban list); if it is new, add --new-unit"
                ),
            }
        )
    }
}

/// Adds the ticket and prints its id on stdout (for scripts); what was done goes to stderr.
pub fn run(ledger: &Ledger, a: &NewTicketArgs, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let record = a.record(lang)?;
    a.check_unit(record.unit.as_deref().unwrap_or_default(), ledger, lang)?;
    let tz = ctx.clock.tz;
    let at = match &a.at {
        Some(s) => args::time(s, "--at", tz, lang)?,
        None => ctx.clock.now().with_timezone(&tz).fixed_offset(),
    };
    let source = match a.source {
        SourceArg::WalkIn => Source::WalkIn,
        SourceArg::Proactive => Source::Proactive,
    };
    let id = ledger
        .record_new_ticket(&new_ticket::id_prefix(&at), |id| {
            new_ticket::events(id, record.clone(), source, at, !a.no_dispatch)
        })
        .map_err(|e| anyhow!("{}", e.message(lang)))?;
    writeln!(io.out, "{id}")?;
    let unit = record.unit.as_deref().unwrap_or_default();
    if a.no_dispatch {
        writeln!(io.err, "{} {id}", lang.t("已登记新工单", "added ticket"))?;
    } else {
        writeln!(
            io.err,
            "{} {id}, {} {unit}",
            lang.t("已登记新工单", "added ticket"),
            lang.t("已派发给", "dispatched to")
        )?;
    }
    super::commands::operator_hint(ledger, ctx, io)
}
