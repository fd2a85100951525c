//! Reading a Shark SQLite file with a real SQLite engine (libsql), read-only:
//! a Go Shark `shark-tasks.db` of any version, or a file `shark export
//! --format sqlite` wrote (the same tables, plus our ids and history fields).
//! Only columns that exist are read; what is missing is defaulted later.

use std::path::Path;
use std::time::Duration;

use libsql::Value;

use super::rows::{RowMap, text, why};
use crate::error::{Error, Result};

/// The largest file `shark import` reads: what it holds is loaded whole.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

/// One row, by column name.

#[derive(Debug, Clone, Default)]
pub struct SrcEpic {
    pub int_id: i64,
    pub uuid: Option<String>,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub business_value: Option<String>,
    pub created_at: Option<Value>,
    pub updated_at: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct SrcFeature {
    pub int_id: i64,
    pub uuid: Option<String>,
    pub epic_int_id: i64,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub status: Option<String>,
    pub execution_order: Option<i64>,
    pub created_at: Option<Value>,
    pub updated_at: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct SrcTask {
    pub int_id: i64,
    pub uuid: Option<String>,
    pub feature_int_id: i64,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub status: Option<String>,
    pub priority: Option<i64>,
    pub agent_type: Option<String>,
    pub assigned_agent: Option<String>,
    pub depends_on: Option<String>,
    pub blocked_reason: Option<String>,
    pub created_at: Option<Value>,
    pub started_at: Option<Value>,
    pub completed_at: Option<Value>,
    pub blocked_at: Option<Value>,
    pub updated_at: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct SrcNote {
    pub int_id: i64,
    pub uuid: Option<String>,
    pub task_int_id: i64,
    pub note_type: Option<String>,
    pub content: String,
    pub created_by: Option<String>,
    pub actor_kind: Option<String>,
    pub device_id: Option<String>,
    pub created_at: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct SrcHistory {
    pub int_id: i64,
    pub uuid: Option<String>,
    pub task_int_id: i64,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    pub forced: bool,
    pub actor: Option<String>,
    pub actor_kind: Option<String>,
    pub device_id: Option<String>,
    pub created_at: Option<Value>,
}

/// A completion report (only Shark's own exports have them).
#[derive(Debug, Clone, Default)]
pub struct SrcCompletion {
    pub uuid: Option<String>,
    pub int_id: i64,
    pub task_int_id: i64,
    pub files_created: Option<String>,
    pub files_modified: Option<String>,
    pub tests: Option<String>,
    pub summary: Option<String>,
    pub verified: bool,
    pub time_spent_minutes: Option<i64>,
    pub agent_id: Option<String>,
    pub created_by: Option<String>,
    pub actor_kind: Option<String>,
    pub device_id: Option<String>,
    pub created_at: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct SrcRelation {
    pub from_task: i64,
    pub to_task: i64,
    pub kind: String,
}

/// Everything read from the file.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub epics: Vec<SrcEpic>,
    pub features: Vec<SrcFeature>,
    pub tasks: Vec<SrcTask>,
    pub notes: Vec<SrcNote>,
    pub history: Vec<SrcHistory>,
    pub completions: Vec<SrcCompletion>,
    pub relations: Vec<SrcRelation>,
    /// Devices (id, name) named by notes and history (exports of ours).
    pub devices: Vec<(String, String)>,
    /// Tables Shark does not import (documents, ideas, ...).
    pub other_tables: Vec<String>,
    /// Rows a Shark export kept as stored because they could not be read
    /// (its `damaged_rows` table): counted and left in the file.
    pub damaged_rows: usize,
}

const KNOWN: [&str; 10] = [
    "damaged_rows",
    "devices",
    "shark_export",
    "epics",
    "features",
    "tasks",
    "task_notes",
    "task_history",
    "task_completions",
    "task_relationships",
];

fn int(r: &RowMap, col: &str) -> Option<i64> {
    match r.get(col)? {
        Value::Integer(i) => Some(*i),
        Value::Real(f) => Some(*f as i64),
        Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn value(r: &RowMap, col: &str) -> Option<Value> {
    r.get(col).filter(|v| !matches!(v, Value::Null)).cloned()
}

/// An epic's or feature's status as stored: a Shark export says when the
/// status it shows was derived from the tasks (`status_source`), which is
/// stored as `draft` (follow the tasks) so it keeps following them here.
fn plan_status(r: &RowMap) -> Option<String> {
    match text(r, "status_source").as_deref() {
        Some("calculated") => Some("draft".into()),
        _ => text(r, "status"),
    }
}

/// Reads the file at `path` without changing it (opened read-only).
#[tracing::instrument(skip_all)]
pub async fn read(path: &Path) -> Result<Source> {
    if !path.exists() {
        return Err(Error::invalid(format!("{} does not exist", path.display())));
    }
    if !path.is_file() {
        return Err(Error::invalid(format!(
            "{} is a folder, not a database file",
            path.display()
        )));
    }
    // Everything read is held in memory for one transaction: bounded.
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size > MAX_IMPORT_BYTES {
        return Err(Error::invalid(format!(
            "{} is {} MiB; Shark imports files of up to {} MiB (a Go Shark database of 10,000 tasks is about 5 MiB). Nothing was imported",
            path.display(),
            size / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    let look = crate::inspect::open(path)
        .await
        .map_err(|e| why(path, &e))?;
    let conn = look.db.connect().map_err(|e| why(path, &e))?;
    conn.busy_timeout(Duration::from_secs(2))
        .map_err(|e| why(path, &e))?;
    // Text is checked as UTF-8 bytes; Go Shark and Shark write UTF-8.
    let mut enc = conn
        .query("PRAGMA encoding", ())
        .await
        .map_err(|e| why(path, &e))?;
    if let Some(r) = enc.next().await.map_err(|e| why(path, &e))?
        && let Ok(Value::Text(e)) = r.get_value(0)
        && e != "UTF-8"
    {
        return Err(Error::invalid(format!(
            "{} stores its text as {e}; Shark imports UTF-8 databases (as Go Shark writes them). Convert it with sqlite3 (.dump, then load into a new file) and import that. Nothing was imported",
            path.display()
        )));
    }
    let mut tables = Vec::new();
    let mut list = conn
        .query("SELECT name FROM sqlite_master WHERE type = 'table'", ())
        .await
        .map_err(|e| why(path, &e))?;
    while let Some(r) = list.next().await.map_err(|e| why(path, &e))? {
        if let Ok(Value::Text(n)) = r.get_value(0) {
            tables.push(n);
        }
    }
    for needed in ["epics", "features", "tasks"] {
        if !tables.iter().any(|t| t == needed) {
            return Err(Error::invalid(format!(
                "{} is an SQLite database but not a Shark one (it has no '{needed}' table)",
                path.display()
            )));
        }
    }
    let has = |t: &str| tables.iter().any(|x| x == t);
    let mut src = Source {
        other_tables: tables
            .iter()
            .filter(|t| !KNOWN.contains(&t.as_str()) && !t.starts_with("sqlite_"))
            .cloned()
            .collect(),
        ..Default::default()
    };
    let mut read = 0u64;
    if has("damaged_rows") {
        src.damaged_rows = super::rows::rows(&conn, path, "damaged_rows", &mut read)
            .await?
            .len();
    }
    for r in super::rows::rows(&conn, path, "epics", &mut read).await? {
        src.epics.push(SrcEpic {
            int_id: int(&r, "id").unwrap_or_default(),
            uuid: text(&r, "uuid"),
            key: text(&r, "key").unwrap_or_default(),
            title: text(&r, "title").unwrap_or_default(),
            description: text(&r, "description"),
            status: plan_status(&r),
            priority: text(&r, "priority"),
            business_value: text(&r, "business_value"),
            created_at: value(&r, "created_at"),
            updated_at: value(&r, "updated_at"),
        });
    }
    for r in super::rows::rows(&conn, path, "features", &mut read).await? {
        src.features.push(SrcFeature {
            int_id: int(&r, "id").unwrap_or_default(),
            uuid: text(&r, "uuid"),
            epic_int_id: int(&r, "epic_id").unwrap_or_default(),
            key: text(&r, "key").unwrap_or_default(),
            title: text(&r, "title").unwrap_or_default(),
            description: text(&r, "description"),
            status: plan_status(&r),
            execution_order: int(&r, "execution_order"),
            created_at: value(&r, "created_at"),
            updated_at: value(&r, "updated_at"),
        });
    }
    for r in super::rows::rows(&conn, path, "tasks", &mut read).await? {
        src.tasks.push(SrcTask {
            int_id: int(&r, "id").unwrap_or_default(),
            uuid: text(&r, "uuid"),
            feature_int_id: int(&r, "feature_id").unwrap_or_default(),
            key: text(&r, "key").unwrap_or_default(),
            title: text(&r, "title").unwrap_or_default(),
            description: text(&r, "description"),
            status: text(&r, "status"),
            priority: int(&r, "priority"),
            agent_type: text(&r, "agent_type"),
            assigned_agent: text(&r, "assigned_agent"),
            depends_on: text(&r, "depends_on"),
            blocked_reason: text(&r, "blocked_reason"),
            created_at: value(&r, "created_at"),
            started_at: value(&r, "started_at"),
            completed_at: value(&r, "completed_at"),
            blocked_at: value(&r, "blocked_at"),
            updated_at: value(&r, "updated_at"),
        });
    }
    if has("task_notes") {
        for r in super::rows::rows(&conn, path, "task_notes", &mut read).await? {
            src.notes.push(SrcNote {
                int_id: int(&r, "id").unwrap_or_default(),
                uuid: text(&r, "uuid"),
                task_int_id: int(&r, "task_id").unwrap_or_default(),
                note_type: text(&r, "note_type"),
                content: text(&r, "content").unwrap_or_default(),
                created_by: text(&r, "created_by"),
                actor_kind: super::rows::actor_kind(&r),
                device_id: text(&r, "device_id"),
                created_at: value(&r, "created_at"),
            });
        }
    }
    if has("task_completions") {
        for r in super::rows::rows(&conn, path, "task_completions", &mut read).await? {
            src.completions.push(SrcCompletion {
                int_id: int(&r, "id").unwrap_or_default(),
                uuid: text(&r, "uuid"),
                task_int_id: int(&r, "task_id").unwrap_or_default(),
                files_created: text(&r, "files_created"),
                files_modified: text(&r, "files_modified"),
                tests: text(&r, "tests"),
                summary: text(&r, "summary"),
                verified: int(&r, "verified").unwrap_or_default() != 0,
                time_spent_minutes: int(&r, "time_spent_minutes"),
                agent_id: text(&r, "agent_id"),
                created_by: text(&r, "created_by"),
                actor_kind: super::rows::actor_kind(&r),
                device_id: text(&r, "device_id"),
                created_at: value(&r, "created_at"),
            });
        }
    }
    if has("devices") {
        for r in super::rows::rows(&conn, path, "devices", &mut read).await? {
            if let (Some(id), Some(name)) = (text(&r, "id"), text(&r, "name")) {
                src.devices.push((id, name));
            }
        }
    }
    if has("task_history") {
        for r in super::rows::rows(&conn, path, "task_history", &mut read).await? {
            // Go Shark records status changes (old_status, new_status, agent,
            // notes, timestamp); an export of ours records any field.
            src.history.push(SrcHistory {
                int_id: int(&r, "id").unwrap_or_default(),
                uuid: text(&r, "uuid"),
                task_int_id: int(&r, "task_id").unwrap_or_default(),
                field: text(&r, "field").unwrap_or_else(|| "status".into()),
                old_value: text(&r, "old_value").or_else(|| text(&r, "old_status")),
                new_value: text(&r, "new_value").or_else(|| text(&r, "new_status")),
                reason: text(&r, "reason").or_else(|| text(&r, "notes")),
                forced: int(&r, "forced").unwrap_or(0) != 0,
                actor: text(&r, "actor").or_else(|| text(&r, "agent")),
                actor_kind: super::rows::actor_kind(&r),
                device_id: text(&r, "device_id"),
                created_at: value(&r, "created_at").or_else(|| value(&r, "timestamp")),
            });
        }
    }
    if has("task_relationships") {
        for r in super::rows::rows(&conn, path, "task_relationships", &mut read).await? {
            src.relations.push(SrcRelation {
                from_task: int(&r, "from_task_id").unwrap_or_default(),
                to_task: int(&r, "to_task_id").unwrap_or_default(),
                kind: text(&r, "relationship_type").unwrap_or_default(),
            });
        }
    }
    Ok(src)
}
