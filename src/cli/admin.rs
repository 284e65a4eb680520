//! `genban admin`: the rights of a PostgreSQL database's roles (see `store::pg_store::Grant`).

use super::{Context, Io};
use crate::store::pg_store::{Grant, PgStore};
use crate::store::{self, Location};
use anyhow::{bail, Result};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// A street's workstation: ROLE sees and writes only the tickets of STREET (街道)
    GrantStreet {
        /// The PostgreSQL role
        role: String,
        /// The street, as the tickets' records name it (e.g. 顶山街道)
        street: String,
    },
    /// The district office: ROLE sees and writes every ticket
    GrantDistrict {
        /// The PostgreSQL role
        role: String,
    },
    /// A supervisor of units: ROLE reads every ticket, writes none (its reveals are audited)
    GrantRead {
        /// The PostgreSQL role
        role: String,
    },
}

pub fn run(action: Action, ctx: &Context, io: &mut Io) -> Result<()> {
    let lang = ctx.lang;
    let Location::Postgres(url) = store::locate(&ctx.db)? else {
        bail!(
            "{}",
            lang.t(
                "admin 只用于 PostgreSQL 数据库(--db postgres://…)",
                "admin is for a PostgreSQL database only (--db postgres://…)"
            )
        );
    };
    let db = PgStore::open(url)?;
    let (role, grant) = match &action {
        Action::GrantStreet { role, street } => {
            if street.trim().is_empty() {
                bail!("STREET: {}", lang.t("不能为空", "must not be empty"));
            }
            (role, Grant::Street(street.trim()))
        }
        Action::GrantDistrict { role } => (role, Grant::District),
        Action::GrantRead { role } => (role, Grant::ReadOnly),
    };
    db.grant(role, grant)?;
    let what = match (grant, lang) {
        (Grant::Street(s), crate::i18n::Lang::Zh) => format!("只能查看和写入「{s}」的工单"),
        (Grant::Street(s), _) => format!("sees and writes only the tickets of {s}"),
        (Grant::District, crate::i18n::Lang::Zh) => "可以查看和写入全区的工单".to_string(),
        (Grant::District, _) => "sees and writes every ticket".to_string(),
        (Grant::ReadOnly, crate::i18n::Lang::Zh) => "可以查看全区的工单,不能写入".to_string(),
        (Grant::ReadOnly, _) => "reads every ticket and writes none".to_string(),
    };
    writeln!(io.out, "{role}: {what}")?;
    Ok(())
}
