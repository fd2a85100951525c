//! Bringing existing Shark databases in: a Go Shark `shark-tasks.db` of any
//! version, or a file `shark export --format sqlite` wrote. The file is read
//! with a real SQLite engine, read-only (`source`); its values are mapped by
//! pure rules (`map`); everything is written in one transaction
//! (`Store::import_source`), so a bad file writes nothing, and a re-import of
//! the same file updates what changed and duplicates nothing.

pub mod map;
mod rows;
pub mod source;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::store::Store;

/// What happened to one kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(rename = "ImportCounts")]
pub struct Counts {
    /// New here.
    pub imported: usize,
    /// Here already; some fields changed in the file.
    pub updated: usize,
    /// Here already, the same.
    pub unchanged: usize,
    /// Not imported (see the remarks).
    pub skipped: usize,
}

/// The import's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ImportSummary {
    pub file: String,
    pub epics: Counts,
    pub features: Counts,
    pub tasks: Counts,
    pub notes: Counts,
    pub history: Counts,
    /// Completion reports (Shark's own exports carry them).
    pub completions: Counts,
    /// Mapped values, renumbered keys, skipped rows and why, ignored tables.
    pub remarks: Vec<String>,
}

/// Collects remarks, counting repeats ("... (3 tasks)").
#[derive(Debug, Default)]
pub(crate) struct Remarks(BTreeMap<String, usize>);

impl Remarks {
    pub(crate) fn add(&mut self, what: impl Into<String>) {
        *self.0.entry(what.into()).or_default() += 1;
    }

    pub(crate) fn into_vec(self) -> Vec<String> {
        self.0
            .into_iter()
            .map(|(k, n)| if n > 1 { format!("{k} (x{n})") } else { k })
            .collect()
    }
}

/// Imports the file at `path` into `store` (the file is never modified).
#[tracing::instrument(skip_all)]
pub async fn import_file(store: &Store, path: &Path) -> Result<ImportSummary> {
    let src = source::read(path).await?;
    let mut summary = store.import_source(&src).await?;
    summary.file = path.display().to_string();
    Ok(summary)
}
