//! Copying every row between two Shark databases by id: carrying local-only
//! data into a new replica (existing ids are kept, so repeating it duplicates
//! nothing) and saving a replica's data to a local file on disconnect. Rows
//! are copied logically, never as files (hazard 5: copying replica files
//! around loses writes).

use std::path::Path;

use turso::{Connection, Value};

use super::{Store, migrations, row};
use crate::error::{DbContext, Result};

/// Every table Shark syncs, parents first.
pub(crate) const TABLES: [&str; 7] = [
    "devices",
    "epics",
    "features",
    "tasks",
    "task_notes",
    "task_history",
    "task_completions",
];

/// What to do with a row whose id the target already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnConflict {
    Keep,
    Replace,
}

pub(crate) async fn columns(c: &Connection, table: &str) -> Result<Vec<String>> {
    row::query_all(c, &format!("PRAGMA table_info({table})"), vec![], |r| {
        row::text(r, 1)
    })
    .await
}

/// Copies all rows of every table from `from` into `to` (inside the caller's
/// transaction on `to`). Returns the number of rows read.
pub(crate) async fn copy_rows(
    from: &Connection,
    to: &Connection,
    mode: OnConflict,
) -> Result<usize> {
    let verb = match mode {
        OnConflict::Keep => "INSERT OR IGNORE",
        OnConflict::Replace => "INSERT OR REPLACE",
    };
    let mut n = 0;
    for table in TABLES {
        let cols = columns(from, table).await?;
        let wanted = columns(to, table).await?;
        let cols: Vec<String> = cols.into_iter().filter(|c| wanted.contains(c)).collect();
        let list = cols.join(", ");
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let insert = format!("{verb} INTO {table} ({list}) VALUES ({})", marks.join(", "));
        let rows = row::query_all(from, &format!("SELECT {list} FROM {table}"), vec![], |r| {
            (0..cols.len())
                .map(|i| r.get_value(i).db("reading a row"))
                .collect::<Result<Vec<Value>>>()
        })
        .await?;
        for values in rows {
            to.execute(&insert, values).await.db("copying a row")?;
            n += 1;
        }
    }
    Ok(n)
}

/// Opens a plain local Shark database file (creating it), brought to our schema.
async fn open_file(path: &Path) -> Result<(turso::Database, Connection)> {
    let db = turso::Builder::new_local(&path.to_string_lossy())
        .build()
        .await
        .db("opening the database file")?;
    let conn = db.connect().db("connecting to the database file")?;
    migrations::migrate(&conn, path).await?;
    Ok((db, conn))
}

impl Store {
    /// Adds every row of the local database at `path` that this store does
    /// not have yet (by id). Returns the number of rows read.
    #[tracing::instrument(skip_all)]
    pub async fn carry_over_from(&self, path: &Path) -> Result<usize> {
        let (_db, source) = open_file(path).await?;
        self.write(async |to: &Connection| copy_rows(&source, to, OnConflict::Keep).await)
            .await
    }

    /// Writes every row of this store into the local database at `path`
    /// (replacing rows with the same id). Returns the number of rows written.
    #[tracing::instrument(skip_all)]
    pub async fn save_to_file(&self, path: &Path) -> Result<usize> {
        let (_db, target) = open_file(path).await?;
        target
            .execute("BEGIN IMMEDIATE", ())
            .await
            .db("starting a copy")?;
        let _guard = self.write.lock().await;
        match copy_rows(&*self.reader().await?, &target, OnConflict::Replace).await {
            Ok(n) => {
                target.execute("COMMIT", ()).await.db("saving the copy")?;
                crate::paths::make_private(path)?;
                Ok(n)
            }
            Err(e) => {
                let _ = target.execute("ROLLBACK", ()).await;
                Err(e)
            }
        }
    }
}
