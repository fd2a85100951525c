//! `shark import PATH` and `shark export --format sqlite|json PATH`: the
//! summary of what came in (imported, updated, unchanged, skipped, and why),
//! and of what went out.

use std::path::Path;

use shark_core::export;
use shark_core::import::{self, Counts};
use shark_core::store::Store;

use crate::render::Out;

fn counts(what: &str, c: &Counts) -> String {
    format!(
        "  {what:<9} {} imported, {} updated, {} unchanged, {} skipped",
        c.imported, c.updated, c.unchanged, c.skipped
    )
}

pub async fn import(store: &Store, path: &Path, out: &Out) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let s = import::import_file(store, path).await?;
    if out.json {
        return out.json(&s);
    }
    let mut lines = vec![format!(
        "Imported {} in {:.1} s (the file was only read):",
        path.display(),
        started.elapsed().as_secs_f64()
    )];
    lines.push(counts("epics", &s.epics));
    lines.push(counts("features", &s.features));
    lines.push(counts("tasks", &s.tasks));
    lines.push(counts("notes", &s.notes));
    lines.push(counts("history", &s.history));
    if s.completions != Default::default() {
        lines.push(counts("completion reports", &s.completions));
    }
    lines.extend(s.remarks.iter().map(|r| format!("note: {r}")));
    out.lines(&lines)
}

pub async fn export(
    store: &Store,
    format: &str,
    path: &Path,
    force: bool,
    out: &Out,
) -> anyhow::Result<()> {
    let s = match format {
        "json" => export::to_json(store, path, force).await?,
        _ => export::to_sqlite(store, path, force).await?,
    };
    if out.json {
        return out.json(&s);
    }
    out.lines(&[format!(
        "Exported {} epics, {} features, {} tasks, {} notes, {} history rows and {} completion reports to {} ({}, {} bytes).",
        s.epics,
        s.features,
        s.tasks,
        s.notes,
        s.history,
        s.completions,
        s.path.display(),
        s.format,
        s.bytes
    )])
}
