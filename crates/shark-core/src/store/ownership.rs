//! Whose database this is. A URL can come from a generic environment
//! variable another program set (`DATABASE_URL`, `TURSO_DATABASE_URL`), so
//! before Shark creates or migrates its tables in a database it checks that
//! the database is empty or already Shark's; another program's database is
//! refused before anything is written to it (or, for a replica, pushed).

use std::path::Path;

use turso::Connection;

use super::row;
use crate::error::{Error, Result};

/// The tables that mark a database as Shark's.
const SHARK_TABLES: [&str; 3] = ["epics", "features", "tasks"];

/// Whether `name` is an engine's own table (SQLite, Turso sync), not data.
fn internal(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let bare = n.trim_start_matches('_');
    n.starts_with("sqlite_") || bare.starts_with("turso") || bare.starts_with("libsql")
}

/// The rule (pure): `tables` (user tables of a database) are acceptable
/// when there are none or Shark's own are there; else the foreign ones.
pub fn foreign_tables(tables: &[String]) -> Option<Vec<String>> {
    let user: Vec<&String> = tables.iter().filter(|t| !internal(t)).collect();
    let shark = SHARK_TABLES
        .iter()
        .all(|s| user.iter().any(|t| t.eq_ignore_ascii_case(s)));
    if user.is_empty() || shark {
        return None;
    }
    Some(user.into_iter().take(5).cloned().collect())
}

fn refuse(location: String, tables: Vec<String>) -> Error {
    Error::Foreign {
        location,
        tables: tables.join(", "),
        hint: String::new(),
    }
}

/// Checks a plain database file before the engine opens it (opening alone
/// could change another program's file), with SQLite itself, read-only. A
/// missing or empty file is Shark's to create.
pub async fn check_file(path: &Path) -> Result<()> {
    if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        return Ok(());
    }
    let read = async {
        let look = crate::inspect::open(path).await?;
        let c = look.db.connect()?;
        let mut rows = c
            .query("SELECT name FROM sqlite_master WHERE type = 'table'", ())
            .await?;
        let mut names = Vec::new();
        while let Some(r) = rows.next().await? {
            if let Ok(libsql::Value::Text(n)) = r.get_value(0) {
                names.push(n);
            }
        }
        Ok::<_, libsql::Error>(names)
    };
    let names = read.await.map_err(|e| {
        Error::invalid(format!(
            "{} cannot be read as a database ({e}); Shark will not use it",
            path.display()
        ))
    })?;
    match foreign_tables(&names) {
        Some(t) => Err(refuse(path.display().to_string(), t)),
        None => Ok(()),
    }
}

/// Checks an open replica (just downloaded: nothing written yet).
pub async fn check_replica(conn: &Connection, location: &str) -> Result<()> {
    let names = row::query_all(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table'",
        vec![],
        |r| row::text(r, 0),
    )
    .await?;
    match foreign_tables(&names) {
        Some(t) => Err(refuse(location.to_string(), t)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::foreign_tables;

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn empty_or_shark_s_own_only() {
        assert_eq!(foreign_tables(&v(&[])), None);
        assert_eq!(
            foreign_tables(&v(&[
                "sqlite_sequence",
                "turso_cdc",
                "__turso_internal_seq___turso_internal_autoincrement_turso_cdc",
                "libsql_wasm_func_table"
            ])),
            None
        );
        assert_eq!(
            foreign_tables(&v(&["epics", "features", "tasks", "task_notes", "devices"])),
            None
        );
        assert_eq!(
            foreign_tables(&v(&[
                "User",
                "Post",
                "_prisma_migrations",
                "sqlite_sequence"
            ])),
            Some(v(&["User", "Post", "_prisma_migrations"]))
        );
        // A table named tasks alone does not make a database Shark's.
        assert_eq!(foreign_tables(&v(&["tasks"])), Some(v(&["tasks"])));
    }
}
