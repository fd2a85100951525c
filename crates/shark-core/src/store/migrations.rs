//! The schema and its versioned, forward-only, additive migrations.
//!
//! Rules, because this file becomes a synced replica (docs/turso.md, "What
//! loses data unless designed around"):
//! every table has a TEXT UUIDv7 primary key (no rowid, no AUTOINCREMENT); no
//! UNIQUE constraint two machines could both satisfy offline (key uniqueness is
//! enforced by the code); no triggers, no CHECK, no foreign keys (validation is
//! in the code); columns are only ever added, never dropped or renamed.
//!
//! Keys are not stored as text: an epic has a `number`, a feature a number
//! within its epic, a task a number within its feature, and keys (`E01`,
//! `E01-F02`, `T-E01-F02-003`) are composed when read. `origin_device` names
//! the device that created a row: the only one that may ever renumber it, so
//! a key collision made by two offline machines is resolved by exactly one
//! writer (see the sync engine) and renumbering an epic touches one row.
//!
//! Every step is idempotent (`IF NOT EXISTS`, add-column only when missing),
//! because a replica bootstrapped from the cloud gets tables through sync but
//! not our `user_version` header: running a step again must be harmless.

use turso::Connection;

use crate::error::{DbContext, Error, Result};

/// One schema step.
#[derive(Debug)]
pub(crate) enum Step {
    /// A `CREATE TABLE/INDEX IF NOT EXISTS` statement.
    Sql(&'static str),
    /// `ALTER TABLE <table> ADD COLUMN <column> <decl>` when the column is missing.
    #[allow(dead_code)] // first used by the next schema version
    AddColumn {
        table: &'static str,
        column: &'static str,
        decl: &'static str,
    },
}

/// A numbered set of steps.
#[derive(Debug)]
pub(crate) struct Migration {
    pub version: i64,
    pub steps: &'static [Step],
}

/// All migrations, oldest first. Append only.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        steps: &[
            Step::Sql(
                "CREATE TABLE IF NOT EXISTS devices (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)",
            ),
            Step::Sql(
                "CREATE TABLE IF NOT EXISTS epics (
                id TEXT PRIMARY KEY NOT NULL,
                number INTEGER NOT NULL,
                origin_device TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT,
                status TEXT NOT NULL,
                priority TEXT NOT NULL,
                business_value TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)",
            ),
            Step::Sql(
                "CREATE TABLE IF NOT EXISTS features (
                id TEXT PRIMARY KEY NOT NULL,
                epic_id TEXT NOT NULL,
                number INTEGER NOT NULL,
                origin_device TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT,
                status TEXT NOT NULL,
                execution_order INTEGER,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)",
            ),
            Step::Sql(
                "CREATE TABLE IF NOT EXISTS tasks (
                id TEXT PRIMARY KEY NOT NULL,
                feature_id TEXT NOT NULL,
                number INTEGER NOT NULL,
                origin_device TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT,
                status TEXT NOT NULL,
                priority INTEGER NOT NULL,
                agent_type TEXT,
                assigned_agent TEXT,
                depends_on TEXT NOT NULL DEFAULT '[]',
                blocked_reason TEXT,
                created_at TEXT NOT NULL,
                started_at TEXT,
                completed_at TEXT,
                blocked_at TEXT,
                updated_at TEXT NOT NULL)",
            ),
            Step::Sql(
                "CREATE TABLE IF NOT EXISTS task_notes (
                id TEXT PRIMARY KEY NOT NULL,
                task_id TEXT NOT NULL,
                note_type TEXT NOT NULL,
                content TEXT NOT NULL,
                actor_kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                device_id TEXT NOT NULL,
                created_at TEXT NOT NULL)",
            ),
            Step::Sql(
                "CREATE TABLE IF NOT EXISTS task_history (
                id TEXT PRIMARY KEY NOT NULL,
                task_id TEXT NOT NULL,
                field TEXT NOT NULL,
                old_value TEXT,
                new_value TEXT,
                reason TEXT,
                forced INTEGER NOT NULL DEFAULT 0,
                actor_kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                device_id TEXT NOT NULL,
                created_at TEXT NOT NULL)",
            ),
            Step::Sql("CREATE INDEX IF NOT EXISTS features_epic ON features (epic_id)"),
            Step::Sql("CREATE INDEX IF NOT EXISTS tasks_feature ON tasks (feature_id)"),
            Step::Sql("CREATE INDEX IF NOT EXISTS task_notes_task ON task_notes (task_id)"),
            Step::Sql("CREATE INDEX IF NOT EXISTS task_history_task ON task_history (task_id)"),
        ],
    },
    Migration {
        version: 2,
        // Sync figures per machine and UTC day (see crate::usage). Each row is
        // written only by the machine it names, so two machines never touch the
        // same row. No index: the table holds a row per machine and day.
        steps: &[Step::Sql(
            "CREATE TABLE IF NOT EXISTS usage_days (
            id TEXT PRIMARY KEY NOT NULL,
            device_id TEXT NOT NULL,
            day TEXT NOT NULL,
            rows_written INTEGER NOT NULL DEFAULT 0,
            bytes_sent INTEGER NOT NULL DEFAULT 0,
            bytes_received INTEGER NOT NULL DEFAULT 0,
            pushes INTEGER NOT NULL DEFAULT 0,
            pulls INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL)",
        )],
    },
    Migration {
        version: 3,
        // What an agent reported when it completed a task (Go Shark's
        // completion metadata). Insert-only, one row per completion, so
        // completions on two machines merge without conflicts. Lists are
        // JSON arrays of strings. No index (an index added to a synced
        // table once caused a false UNIQUE failure upstream; completions are
        // few and read per task).
        steps: &[Step::Sql(
            "CREATE TABLE IF NOT EXISTS task_completions (
                id TEXT PRIMARY KEY NOT NULL,
                task_id TEXT NOT NULL,
                files_created TEXT NOT NULL DEFAULT '[]',
                files_modified TEXT NOT NULL DEFAULT '[]',
                tests TEXT,
                summary TEXT,
                verified INTEGER NOT NULL DEFAULT 0,
                time_spent_minutes INTEGER,
                agent_id TEXT,
                actor_kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                device_id TEXT NOT NULL,
                created_at TEXT NOT NULL)",
        )],
    },
    Migration {
        version: 4,
        // Which Shark each machine runs (see `versions`): one row per
        // device, written only by that device. A table of its own, not
        // columns added to `devices`: two machines upgrading offline both
        // create it, and a CREATE TABLE IF NOT EXISTS replayed by sync is
        // harmless where a replayed ADD COLUMN would fail.
        steps: &[Step::Sql(
            "CREATE TABLE IF NOT EXISTS device_versions (
                id TEXT PRIMARY KEY NOT NULL,
                app_version TEXT NOT NULL,
                schema_version INTEGER NOT NULL,
                last_seen TEXT NOT NULL)",
        )],
    },
];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Brings the schema to [`latest_version`]; refuses a database from a newer Shark.
pub(crate) async fn migrate(conn: &Connection, path: &std::path::Path) -> Result<i64> {
    let current = user_version(conn).await?;
    let latest = latest_version();
    if current > latest {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found: current,
            supported: latest,
        });
    }
    // Steps are idempotent, so a replica whose header says 0 but whose tables
    // came through sync simply re-checks them.
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        conn.execute("BEGIN IMMEDIATE", ())
            .await
            .db("starting a migration")?;
        let applied = apply(conn, m).await;
        match applied {
            Ok(()) => conn.execute("COMMIT", ()).await.db("saving a migration")?,
            Err(e) => {
                let _ = conn.execute("ROLLBACK", ()).await;
                return Err(e);
            }
        };
        tracing::info!(version = m.version, "schema migrated");
    }
    Ok(latest)
}

async fn apply(conn: &Connection, m: &Migration) -> Result<()> {
    for step in m.steps {
        match step {
            Step::Sql(sql) => {
                conn.execute(*sql, ()).await.db("applying a schema step")?;
            }
            Step::AddColumn {
                table,
                column,
                decl,
            } => {
                if !has_column(conn, table, column).await? {
                    let sql = format!("ALTER TABLE {table} ADD COLUMN {column} {decl}");
                    conn.execute(sql, ()).await.db("adding a column")?;
                }
            }
        }
    }
    conn.execute(format!("PRAGMA user_version = {}", m.version), ())
        .await
        .db("recording the schema version")?;
    Ok(())
}

async fn user_version(conn: &Connection) -> Result<i64> {
    let mut rows = conn
        .query("PRAGMA user_version", ())
        .await
        .db("reading the schema version")?;
    let row = rows.next().await.db("reading the schema version")?;
    Ok(row
        .and_then(|r| r.get_value(0).ok())
        .and_then(|v| v.as_integer().copied())
        .unwrap_or(0))
}

async fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool> {
    let mut rows = conn
        .query(format!("PRAGMA table_info({table})"), ())
        .await
        .db("reading a table's columns")?;
    while let Some(row) = rows.next().await.db("reading a table's columns")? {
        if row
            .get_value(1)
            .ok()
            .and_then(|v| v.as_text().cloned())
            .as_deref()
            == Some(column)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_tables_have_text_primary_keys() {
        let mut last = 0;
        for m in MIGRATIONS {
            assert!(m.version > last, "versions must increase");
            last = m.version;
            for s in m.steps {
                if let Step::Sql(sql) = s {
                    let upper = sql.to_ascii_uppercase();
                    assert!(upper.contains("IF NOT EXISTS"), "not idempotent: {sql}");
                    assert!(
                        !upper.contains("UNIQUE"),
                        "no UNIQUE on synced tables: {sql}"
                    );
                    assert!(!upper.contains("AUTOINCREMENT"), "{sql}");
                    assert!(!upper.contains("TRIGGER"), "{sql}");
                    if upper.contains("CREATE TABLE") {
                        assert!(upper.contains("ID TEXT PRIMARY KEY NOT NULL"), "{sql}");
                    }
                }
            }
        }
    }
}
