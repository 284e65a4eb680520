//! Each sees what is theirs: the rights of the database's roles on genban's tables. A street's
//! role sees and writes only its street's tickets (row-level security, schema 2); the district
//! office's role sees and writes all; a supervisor's role reads all and writes only the audit
//! trail (a reveal of a phone is audited with the role that asked).

use super::PgStore;
use crate::store::{DbProblem, StoreError};

/// What a role may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant<'a> {
    /// See and write the tickets of one street.
    Street(&'a str),
    /// See and write every ticket (the district office).
    District,
    /// Read every ticket (supervisors of units).
    ReadOnly,
}

/// `name` as an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl PgStore {
    /// Gives `role` (which must exist: `createuser ROLE`) the rights of `grant`, replacing a
    /// street it had. Run as the tables' owner.
    pub fn grant(&self, role: &str, grant: Grant) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let exists = conn
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role])
            .map_err(|e| self.err(e))?
            .is_some();
        if !exists {
            return Err(StoreError::Database {
                location: self.shown.clone(),
                problem: DbProblem::NoRole,
                detail: role.to_string(),
            });
        }
        let r = ident(role);
        let mut sql = format!(
            "REVOKE ALL ON genban_tickets, genban_events, genban_head, genban_settings, genban_audit FROM {r};\n"
        );
        sql += &format!(
            "GRANT SELECT ON genban_tickets, genban_events, genban_head, genban_settings, genban_audit, refinery_schema_history TO {r};\n\
             GRANT INSERT ON genban_audit TO {r};\n\
             GRANT USAGE ON SEQUENCE genban_audit_n_seq TO {r};\n"
        );
        if grant != Grant::ReadOnly {
            sql += &format!(
                "GRANT INSERT, UPDATE ON genban_tickets, genban_events, genban_settings TO {r};\n\
                 GRANT UPDATE ON genban_head TO {r};\n"
            );
        }
        let mut tx = conn.transaction().map_err(|e| self.err(e))?;
        tx.batch_execute(&sql)
            .map_err(|e| super::classify(&self.shown, e))?;
        match grant {
            Grant::Street(street) => tx.execute(
                "INSERT INTO genban_street_roles (role, street) VALUES ($1, $2) \
                 ON CONFLICT (role) DO UPDATE SET street = EXCLUDED.street",
                &[&role, &street],
            ),
            Grant::District | Grant::ReadOnly => {
                tx.execute("DELETE FROM genban_street_roles WHERE role = $1", &[&role])
            }
        }
        .map_err(|e| super::classify(&self.shown, e))?;
        tx.commit().map_err(|e| super::classify(&self.shown, e))?;
        Ok(())
    }
}
