//! Taking everything out: one JSON document with stable field names, or a
//! plain SQLite file any `sqlite3` opens, with Go Shark's table and column
//! names (so tools made for Go Shark read it, and `shark import` reads it
//! back with every id kept). The file is written beside the target, 0600
//! from the start, and renamed into place, so a failed export leaves nothing
//! half-written and nothing readable by others.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{CompletionRecord, Epic, Feature, HistoryEntry, Note, Task};
use crate::paths::write_private;
use crate::store::{Store, StoredRow, TaskFilter};
use crate::time::{self, Timestamp};

/// The JSON document's `format` field.
pub const FORMAT: &str = "shark-export";
/// The document's and the SQLite file's version.
pub const VERSION: u32 = 1;

/// A device that wrote something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRow {
    pub id: String,
    pub name: String,
}

/// Everything, as `--format json` writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub format: &'static str,
    pub version: u32,
    pub exported_at: Timestamp,
    pub devices: Vec<DeviceRow>,
    pub epics: Vec<Epic>,
    pub features: Vec<Feature>,
    pub tasks: Vec<Task>,
    pub notes: Vec<Note>,
    pub history: Vec<HistoryEntry>,
    /// Completion reports (`task complete --files-created ... --summary ...`).
    pub completions: Vec<CompletionRecord>,
    /// Rows this build cannot read (another machine's, a newer Shark's, a
    /// hand edit's), every column as stored: an export leaves nothing behind.
    pub damaged_rows: Vec<StoredRow>,
    /// Each note's, history row's and completion's task, by `table/id`
    /// (links in the SQLite export: keys can be shared until a collision is
    /// renumbered).
    #[serde(skip)]
    pub owners: std::collections::HashMap<String, String>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub format: &'static str,
    pub epics: usize,
    pub features: usize,
    pub tasks: usize,
    pub notes: usize,
    pub history: usize,
    pub completions: usize,
    pub bytes: u64,
}

/// Reads everything (archived tasks included), damaged rows as stored.
pub async fn document(store: &Store) -> Result<Document> {
    let epics = store.list_epics().await?;
    let features = store.list_features(None).await?;
    let tasks = store.list_tasks(&TaskFilter::everything()).await?;
    let notes = store.all_notes().await?;
    let history = store.all_history().await?;
    let completions = store.all_completions().await?;
    let mut damaged = store.damaged_rows_of_devices_and_usage().await?;
    for d in [
        &epics.damaged,
        &features.damaged,
        &tasks.damaged,
        &notes.damaged,
        &history.damaged,
        &completions.damaged,
    ] {
        damaged.extend(d.iter().cloned());
    }
    Ok(Document {
        format: FORMAT,
        version: VERSION,
        exported_at: time::now(),
        devices: store
            .devices()
            .await?
            .into_iter()
            .map(|(id, name)| DeviceRow { id, name })
            .collect(),
        epics: epics.items,
        features: features.items,
        tasks: tasks.items,
        notes: notes.items,
        history: history.items,
        completions: completions.items,
        damaged_rows: store.stored_rows(&damaged).await?,
        owners: store.record_owners().await?,
    })
}

/// Refuses to replace an existing file unless `force`, a folder, and a
/// folder that does not exist.
fn check_target(path: &Path, force: bool) -> Result<()> {
    if path.is_dir() {
        return Err(Error::invalid(format!(
            "{} is a folder; give a file name",
            path.display()
        )));
    }
    if path.exists() && !force {
        return Err(Error::invalid(format!(
            "{} exists already; choose another name, or add --force to replace it",
            path.display()
        )));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::invalid(format!(
            "the folder {} does not exist",
            dir.display()
        )));
    }
    Ok(())
}

/// Whether `path` holds a file an earlier export wrote (a JSON document
/// whose `format` is [`FORMAT`], or a SQLite file with the `shark_export`
/// table). The app replaces only such a file: its web view must not be able
/// to overwrite anything else.
pub async fn written_by_shark(path: &Path) -> bool {
    let Ok(head) = read_head(path, 4096) else {
        return false;
    };
    if head.starts_with(b"SQLite format 3\0") {
        // Read-only: looking must not create `-wal`/`-shm` beside someone
        // else's database (as `store::ownership` and the import do).
        let Ok(look) = crate::inspect::open(path).await else {
            return false;
        };
        let Ok(c) = look.db.connect() else {
            return false;
        };
        let Ok(mut rows) = c
            .query(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'shark_export'",
                (),
            )
            .await
        else {
            return false;
        };
        return matches!(rows.next().await, Ok(Some(_)));
    }
    let text = String::from_utf8_lossy(&head);
    text.trim_start().starts_with('{') && text.contains(&format!("\"format\": \"{FORMAT}\""))
}

fn read_head(path: &Path, n: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::with_capacity(n);
    std::fs::File::open(path)?
        .take(n as u64)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn summary(d: &Document, path: &Path, format: &'static str, bytes: u64) -> ExportSummary {
    ExportSummary {
        path: path.to_path_buf(),
        format,
        epics: d.epics.len(),
        features: d.features.len(),
        tasks: d.tasks.len(),
        notes: d.notes.len(),
        history: d.history.len(),
        completions: d.completions.len(),
        bytes,
    }
}

/// Writes the JSON document to `path` (atomically, 0600 from the start).
#[tracing::instrument(skip_all)]
pub async fn to_json(store: &Store, path: &Path, force: bool) -> Result<ExportSummary> {
    check_target(path, force)?;
    let d = document(store).await?;
    let bytes = serde_json::to_vec_pretty(&d).map_err(|e| Error::Corrupt(e.to_string()))?;
    write_private(path, &bytes)?;
    Ok(summary(&d, path, "json", size(path)))
}

/// Writes a plain SQLite file to `path` (schema: [`sqlite::SCHEMA`]): built
/// beside it in a file that is 0600 before SQLite opens it (SQLite gives its
/// journal the same mode), then renamed into place.
#[tracing::instrument(skip_all)]
pub async fn to_sqlite(store: &Store, path: &Path, force: bool) -> Result<ExportSummary> {
    check_target(path, force)?;
    let tmp = crate::paths::temp_beside(path, "partial");
    let d = document(store).await?;
    write_private(&tmp, b"")?;
    let written = match sqlite::write(&tmp, &d).await {
        Ok(()) => std::fs::rename(&tmp, path).map_err(|e| Error::io("cannot write", path, e)),
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(summary(&d, path, "sqlite", size(path)))
}

pub mod sqlite;

#[cfg(test)]
mod tests {
    // Test helpers may unwrap: a failure is the test failing.
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Every file of a folder with its size and a digest of its bytes.
    fn folder(dir: &Path) -> Vec<(std::ffi::OsString, usize, u64)> {
        use std::hash::{Hash, Hasher};
        let mut out: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let bytes = std::fs::read(e.path()).unwrap();
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                (e.file_name(), bytes.len(), h.finish())
            })
            .collect();
        out.sort();
        out
    }

    #[tokio::test]
    async fn looking_at_a_foreign_database_leaves_its_folder_byte_identical() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("theirs.db");
        {
            let db = libsql::Builder::new_local(&path).build().await.unwrap();
            let c = db.connect().unwrap();
            c.execute("PRAGMA journal_mode = WAL", ()).await.ok();
            c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", ())
                .await
                .unwrap();
            c.execute("INSERT INTO notes (body) VALUES ('mine')", ())
                .await
                .unwrap();
        }
        let before = folder(tmp.path());
        assert!(!written_by_shark(&path).await);
        assert_eq!(folder(tmp.path()), before, "nothing created or changed");
    }

    #[tokio::test]
    async fn a_wal_not_yet_checkpointed_is_read_from_a_private_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("busy.sqlite");
        let db = libsql::Builder::new_local(&path).build().await.unwrap();
        let c = db.connect().unwrap();
        c.execute("PRAGMA journal_mode = WAL", ()).await.ok();
        c.execute("PRAGMA wal_autocheckpoint = 0", ()).await.ok();
        c.execute("CREATE TABLE shark_export (k TEXT)", ())
            .await
            .unwrap();
        // Still open (another program writing): the table is only in its WAL.
        let wal = tmp.path().join("busy.sqlite-wal");
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        let before = folder(tmp.path());
        assert!(written_by_shark(&path).await, "the WAL's table is seen");
        assert_eq!(folder(tmp.path()), before, "nothing created or changed");
        drop(c);
    }

    #[tokio::test]
    async fn a_shark_export_is_recognized_read_only_even_with_odd_characters_in_its_path() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a%b?c#d e");
        std::fs::create_dir(&dir).unwrap();
        let path = dir.join("ours.sqlite");
        {
            let db = libsql::Builder::new_local(&path).build().await.unwrap();
            let c = db.connect().unwrap();
            c.execute("PRAGMA journal_mode = WAL", ()).await.ok();
            c.execute("CREATE TABLE shark_export (k TEXT)", ())
                .await
                .unwrap();
        }
        let before = folder(&dir);
        assert!(written_by_shark(&path).await);
        assert_eq!(folder(&dir), before, "nothing created or changed");
    }
}
