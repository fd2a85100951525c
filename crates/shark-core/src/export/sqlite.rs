//! The `--format sqlite` file: Go Shark's table and column names with
//! integer row ids, plus `uuid` (Shark's id, kept by a re-import), keys as
//! text, dependencies as a JSON array of task keys, every history field, and
//! the devices that wrote, and the rows this build could not read (as
//! stored, in `damaged_rows`; a note or history row whose task is one of
//! them has no `task_id`, and likewise a feature's `epic_id` and a task's `feature_id`). Keys are not unique: two offline machines' key
//! collision exports while it waits to be renumbered. Written with a real
//! SQLite engine (libsql).

use std::collections::HashMap;
use std::path::Path;

use libsql::Value;

use super::Document;
use crate::error::{Error, Result};
use crate::time;

/// The schema, as documented in docs/guide.md ("Import, export").
pub const SCHEMA: &str = "
CREATE TABLE shark_export (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE devices (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE epics (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, key TEXT NOT NULL,
    title TEXT NOT NULL, description TEXT, status TEXT NOT NULL, priority TEXT NOT NULL,
    business_value TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, status_source TEXT NOT NULL);
CREATE TABLE features (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, epic_id INTEGER REFERENCES epics(id),
    key TEXT NOT NULL, title TEXT NOT NULL, description TEXT, status TEXT NOT NULL,
    execution_order INTEGER, progress_pct REAL NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    status_source TEXT NOT NULL);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, feature_id INTEGER REFERENCES features(id),
    key TEXT NOT NULL, title TEXT NOT NULL, description TEXT, status TEXT NOT NULL,
    agent_type TEXT, priority INTEGER NOT NULL, depends_on TEXT NOT NULL, assigned_agent TEXT,
    blocked_reason TEXT, created_at TEXT NOT NULL, started_at TEXT, completed_at TEXT,
    blocked_at TEXT, updated_at TEXT NOT NULL);
CREATE TABLE task_notes (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, task_id INTEGER REFERENCES tasks(id),
    note_type TEXT NOT NULL, content TEXT NOT NULL, created_by TEXT NOT NULL, actor_kind TEXT NOT NULL,
    device_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE task_history (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, task_id INTEGER REFERENCES tasks(id),
    field TEXT NOT NULL, old_value TEXT, new_value TEXT, reason TEXT, forced INTEGER NOT NULL,
    actor TEXT NOT NULL, actor_kind TEXT NOT NULL, device_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE task_completions (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, task_id INTEGER REFERENCES tasks(id),
    files_created TEXT NOT NULL, files_modified TEXT NOT NULL, tests TEXT, summary TEXT,
    verified INTEGER NOT NULL, time_spent_minutes INTEGER, agent_id TEXT, created_by TEXT NOT NULL,
    actor_kind TEXT NOT NULL, device_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE damaged_rows (
    id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, row_id TEXT, problems TEXT NOT NULL,
    columns TEXT NOT NULL);
";

fn db_err(path: &Path, e: libsql::Error) -> Error {
    Error::invalid(format!("cannot write {}: {e}", path.display()))
}

fn opt(v: &Option<String>) -> Value {
    v.clone().map_or(Value::Null, Value::Text)
}

/// How the export names where a status comes from (read back by import).
fn source(s: crate::plan_status::StatusSource) -> &'static str {
    match s {
        crate::plan_status::StatusSource::Calculated => "calculated",
        crate::plan_status::StatusSource::Manual => "manual",
    }
}

fn txt(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// Writes `d` into a new SQLite file at `path`, in one transaction.
pub async fn write(path: &Path, d: &Document) -> Result<()> {
    let db = libsql::Builder::new_local(path)
        .build()
        .await
        .map_err(|e| db_err(path, e))?;
    let c = db.connect().map_err(|e| db_err(path, e))?;
    let e = |e| db_err(path, e);
    c.execute_batch(SCHEMA).await.map_err(e)?;
    c.execute("BEGIN", ()).await.map_err(e)?;
    let meta = [
        ("format", super::FORMAT.to_string()),
        ("version", super::VERSION.to_string()),
        ("exported_at", time::to_text(&d.exported_at)),
    ];
    for (n, v) in meta {
        c.execute(
            "INSERT INTO shark_export VALUES (?1, ?2)",
            vec![txt(n), txt(v)],
        )
        .await
        .map_err(e)?;
    }
    for dev in &d.devices {
        c.execute(
            "INSERT INTO devices VALUES (?1, ?2)",
            vec![txt(&dev.id), txt(&dev.name)],
        )
        .await
        .map_err(e)?;
    }
    let mut epic_ids = HashMap::new();
    for (i, x) in d.epics.iter().enumerate() {
        let n = i as i64 + 1;
        epic_ids.insert(x.id.clone(), n);
        c.execute(
            "INSERT INTO epics VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            vec![
                Value::Integer(n),
                txt(&x.id),
                txt(&x.key),
                txt(&x.title),
                opt(&x.description),
                txt(x.status.as_str()),
                txt(x.priority.as_str()),
                x.business_value.map_or(Value::Null, |b| txt(b.as_str())),
                txt(time::to_text(&x.created_at)),
                txt(time::to_text(&x.updated_at)),
                txt(source(x.status_source)),
            ],
        )
        .await
        .map_err(e)?;
    }
    let mut feature_ids = HashMap::new();
    for (i, x) in d.features.iter().enumerate() {
        let n = i as i64 + 1;
        feature_ids.insert(x.id.clone(), n);
        c.execute(
            "INSERT INTO features VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            vec![
                Value::Integer(n),
                txt(&x.id),
                epic_ids
                    .get(&x.epic_id)
                    .map_or(Value::Null, |n| Value::Integer(*n)),
                txt(&x.key),
                txt(&x.title),
                opt(&x.description),
                txt(x.status.as_str()),
                x.execution_order.map_or(Value::Null, Value::Integer),
                Value::Real(x.progress_pct),
                txt(time::to_text(&x.created_at)),
                txt(time::to_text(&x.updated_at)),
                txt(source(x.status_source)),
            ],
        )
        .await
        .map_err(e)?;
    }
    // Notes, history and completions are linked by their task's id, not its
    // key: until two offline machines' key collision is renumbered, two
    // tasks share a key here.
    let mut row_of_task = HashMap::new();
    for (i, x) in d.tasks.iter().enumerate() {
        row_of_task.insert(x.id.clone(), i as i64 + 1);
    }
    // The export row of a note's, history row's or completion's task.
    let link = |table: &str, id: &str| {
        d.owners
            .get(&format!("{table}/{id}"))
            .and_then(|task| row_of_task.get(task))
            .map_or(Value::Null, |n| Value::Integer(*n))
    };
    for (i, x) in d.tasks.iter().enumerate() {
        let n = i as i64 + 1;
        let ts =
            |t: &Option<time::Timestamp>| t.as_ref().map_or(Value::Null, |t| txt(time::to_text(t)));
        c.execute(
            "INSERT INTO tasks VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            vec![
                Value::Integer(n),
                txt(&x.id),
                feature_ids.get(&x.feature_id).map_or(Value::Null, |n| Value::Integer(*n)),
                txt(&x.key),
                txt(&x.title),
                opt(&x.description),
                txt(x.status.as_str()),
                opt(&x.agent_type),
                Value::Integer(i64::from(x.priority.get())),
                txt(serde_json::to_string(&x.depends_on).unwrap_or_else(|_| "[]".into())),
                opt(&x.assigned_agent),
                opt(&x.blocked_reason),
                txt(time::to_text(&x.created_at)),
                ts(&x.started_at),
                ts(&x.completed_at),
                ts(&x.blocked_at),
                txt(time::to_text(&x.updated_at)),
            ],
        )
        .await
        .map_err(e)?;
    }
    for (i, x) in d.notes.iter().enumerate() {
        c.execute(
            "INSERT INTO task_notes VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            vec![
                Value::Integer(i as i64 + 1),
                txt(&x.id),
                link("task_notes", &x.id),
                txt(x.note_type.as_str()),
                txt(&x.content),
                txt(&x.created_by),
                txt(x.actor_kind.as_str()),
                txt(&x.device_id),
                txt(time::to_text(&x.created_at)),
            ],
        )
        .await
        .map_err(e)?;
    }
    for (i, x) in d.history.iter().enumerate() {
        c.execute(
            "INSERT INTO task_history VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            vec![
                Value::Integer(i as i64 + 1),
                txt(&x.id),
                link("task_history", &x.id),
                txt(&x.field),
                opt(&x.old_value),
                opt(&x.new_value),
                opt(&x.reason),
                Value::Integer(i64::from(x.forced)),
                txt(&x.actor),
                txt(x.actor_kind.as_str()),
                txt(&x.device_id),
                txt(time::to_text(&x.created_at)),
            ],
        )
        .await
        .map_err(e)?;
    }
    for (i, x) in d.completions.iter().enumerate() {
        let r = &x.report;
        let list = |v: &[String]| txt(serde_json::to_string(v).unwrap_or_else(|_| "[]".into()));
        c.execute(
            "INSERT INTO task_completions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            vec![
                Value::Integer(i as i64 + 1),
                txt(&x.id),
                link("task_completions", &x.id),
                list(&r.files_created),
                list(&r.files_modified),
                opt(&r.tests),
                opt(&r.summary),
                Value::Integer(i64::from(r.verified)),
                r.time_spent_minutes.map_or(Value::Null, Value::Integer),
                opt(&r.agent_id),
                txt(&x.created_by),
                txt(x.actor_kind.as_str()),
                txt(&x.device_id),
                txt(time::to_text(&x.created_at)),
            ],
        )
        .await
        .map_err(e)?;
    }
    for (i, r) in d.damaged_rows.iter().enumerate() {
        c.execute(
            "INSERT INTO damaged_rows VALUES (?1, ?2, ?3, ?4, ?5)",
            vec![
                Value::Integer(i as i64 + 1),
                txt(&r.table),
                opt(&r.id),
                txt(serde_json::to_string(&r.problems).unwrap_or_default()),
                txt(serde_json::to_string(&r.columns).unwrap_or_default()),
            ],
        )
        .await
        .map_err(e)?;
    }
    c.execute("COMMIT", ()).await.map_err(e)?;
    Ok(())
}
