//! The terminal app.
use crate::cli::Context;
use crate::ledger::Ledger;

pub fn run(_ledger: Ledger, _ctx: &Context) -> anyhow::Result<()> {
    anyhow::bail!("the terminal app is being built")
}
