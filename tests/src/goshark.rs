//! Go-Shark-shaped SQLite files, written by the tests with a real SQLite
//! engine (libsql): the newer schema (AUTOINCREMENT ids, UNIQUE keys, CHECK
//! constraints, triggers, columns added over time, tables Shark ignores) and
//! an older one without the later columns and constraints.

use std::path::Path;

use libsql::Value;

/// Which Go Shark schema to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// The newer schema (execution_order, file_path, slug, completed_by, ...).
    New,
    /// An early one: no execution_order, file_path, blocked_at, no CHECKs.
    Old,
}

const NEW: &str = "
CREATE TABLE epics (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  description TEXT, status TEXT NOT NULL, priority TEXT NOT NULL CHECK (priority IN ('high','medium','low')),
  business_value TEXT CHECK (business_value IN ('high','medium','low')), file_path TEXT, slug TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TRIGGER epics_updated_at AFTER UPDATE ON epics FOR EACH ROW
  BEGIN UPDATE epics SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TABLE features (id INTEGER PRIMARY KEY AUTOINCREMENT, epic_id INTEGER NOT NULL, key TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL, description TEXT, status TEXT NOT NULL,
  progress_pct REAL NOT NULL DEFAULT 0.0 CHECK (progress_pct >= 0.0 AND progress_pct <= 100.0),
  execution_order INTEGER NULL, file_path TEXT, slug TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (epic_id) REFERENCES epics(id) ON DELETE CASCADE);
CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, feature_id INTEGER NOT NULL, key TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL, description TEXT, status TEXT NOT NULL, agent_type TEXT,
  priority INTEGER NOT NULL DEFAULT 5 CHECK (priority >= 1 AND priority <= 10), depends_on TEXT,
  assigned_agent TEXT, file_path TEXT, blocked_reason TEXT, execution_order INTEGER NULL, slug TEXT,
  completed_by TEXT, completion_notes TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, started_at TIMESTAMP, completed_at TIMESTAMP,
  blocked_at TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (feature_id) REFERENCES features(id) ON DELETE CASCADE);
CREATE TRIGGER tasks_updated_at AFTER UPDATE ON tasks FOR EACH ROW
  BEGIN UPDATE tasks SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TABLE task_history (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, old_status TEXT,
  new_status TEXT NOT NULL, agent TEXT, notes TEXT, forced BOOLEAN DEFAULT FALSE,
  timestamp TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, FOREIGN KEY (task_id) REFERENCES tasks(id) ON DELETE CASCADE);
CREATE TABLE task_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL,
  note_type TEXT CHECK (note_type IN ('comment','decision','blocker','solution','reference','implementation',
  'testing','future','question','rejection')) NOT NULL, content TEXT NOT NULL, created_by TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, FOREIGN KEY (task_id) REFERENCES tasks(id) ON DELETE CASCADE);
CREATE TABLE task_relationships (id INTEGER PRIMARY KEY AUTOINCREMENT, from_task_id INTEGER NOT NULL,
  to_task_id INTEGER NOT NULL, relationship_type TEXT CHECK (relationship_type IN ('depends_on','blocks',
  'related_to','follows','spawned_from','duplicates','references')) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, UNIQUE(from_task_id, to_task_id, relationship_type));
CREATE TABLE documents (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, file_path TEXT NOT NULL);
CREATE TABLE ideas (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, title TEXT NOT NULL);
";

const OLD: &str = "
CREATE TABLE epics (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  description TEXT, status TEXT NOT NULL, priority TEXT NOT NULL, business_value TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE features (id INTEGER PRIMARY KEY AUTOINCREMENT, epic_id INTEGER NOT NULL, key TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL, description TEXT, status TEXT NOT NULL, progress_pct REAL NOT NULL DEFAULT 0.0,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, feature_id INTEGER NOT NULL, key TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL, description TEXT, status TEXT NOT NULL, agent_type TEXT, priority INTEGER NOT NULL DEFAULT 5,
  depends_on TEXT, assigned_agent TEXT, blocked_reason TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, started_at TIMESTAMP, completed_at TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE task_history (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, old_status TEXT,
  new_status TEXT NOT NULL, agent TEXT, notes TEXT, timestamp TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE task_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, note_type TEXT NOT NULL,
  content TEXT NOT NULL, created_by TEXT, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
";

async fn exec(c: &libsql::Connection, sql: &str, params: Vec<Value>) {
    c.execute(sql, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// Writes a Go Shark database at `path` with `extra` more tasks in E01-F01
/// beyond the fixed set below.
///
/// Fixed set: E01 (with a slug), E02; E01-F01, E01-F02, E02-F01; tasks
/// T-E01-F01-001..003 (todo, in_progress, `in_development`), T-E01-F02-001
/// (completed, depends on 001 and 002 by the column and 003 by a
/// relationship), T-E02-F01-001 (blocked); two notes; three history rows.
pub async fn write(path: &Path, schema: Schema, extra: usize) {
    let db = libsql::Builder::new_local(path)
        .build()
        .await
        .expect("create fixture");
    let c = db.connect().expect("connect fixture");
    c.execute_batch(if schema == Schema::New { NEW } else { OLD })
        .await
        .expect("fixture schema");
    exec(&c, "BEGIN", vec![]).await;
    let new = schema == Schema::New;
    exec(&c, "INSERT INTO epics (key, title, description, status, priority, business_value, created_at, updated_at) VALUES ('E01', 'Platform', 'The base', 'active', 'high', 'high', '2025-12-01 09:00:00', '2025-12-02 09:00:00')", vec![]).await;
    exec(&c, "INSERT INTO epics (key, title, status, priority, created_at, updated_at) VALUES ('E02-mobile-app', 'Mobile', 'planning', 'low', '2025-12-01T10:00:00Z', '2025-12-01T10:00:00Z')", vec![]).await;
    for (epic, key, title) in [
        (1, "E01-F01", "Accounts"),
        (1, "E01-F02", "Billing"),
        (2, "E02-F01", "Offline mode"),
    ] {
        exec(&c, "INSERT INTO features (epic_id, key, title, status, created_at, updated_at) VALUES (?1, ?2, ?3, 'active', '2025-12-03 09:00:00', '2025-12-03 09:00:00')", vec![Value::Integer(epic), t(key), t(title)]).await;
    }
    if new {
        exec(
            &c,
            "UPDATE features SET execution_order = 2 WHERE key = 'E01-F02'",
            vec![],
        )
        .await;
    }
    // feature, key, title, status, priority, depends_on
    type Row<'a> = (i64, &'a str, &'a str, &'a str, i64, Option<&'a str>);
    let tasks: [Row; 5] = [
        (1, "T-E01-F01-001", "Sign up", "todo", 2, None),
        (1, "T-E01-F01-002", "Log in", "in_progress", 3, None),
        (
            1,
            "T-E01-F01-003",
            "Reset password",
            "in_development",
            5,
            None,
        ),
        (
            2,
            "T-E01-F02-001",
            "Invoices",
            "completed",
            4,
            Some(r#"["T-E01-F01-001", "T-E01-F01-002"]"#),
        ),
        (3, "T-E02-F01-001", "Sync queue", "blocked", 1, None),
    ];
    for (feature, key, title, status, priority, deps) in tasks {
        exec(&c, "INSERT INTO tasks (feature_id, key, title, status, priority, agent_type, depends_on, created_at, updated_at, started_at) VALUES (?1, ?2, ?3, ?4, ?5, 'backend', ?6, '2025-12-04 09:00:00', '2025-12-05 09:00:00', '2025-12-04 10:00:00 +0000 UTC')",
            vec![Value::Integer(feature), t(key), t(title), t(status), Value::Integer(priority), deps.map_or(Value::Null, t)]).await;
    }
    exec(
        &c,
        "UPDATE tasks SET blocked_reason = 'waiting for the API' WHERE key = 'T-E02-F01-001'",
        vec![],
    )
    .await;
    exec(&c, "UPDATE tasks SET completed_at = '2025-12-06 09:00:00', assigned_agent = 'claude' WHERE key = 'T-E01-F02-001'", vec![]).await;
    if new {
        exec(&c, "UPDATE tasks SET blocked_at = '2025-12-06 10:00:00', completed_by = 'x', file_path = 'docs/t.md' WHERE key = 'T-E02-F01-001'", vec![]).await;
        exec(&c, "INSERT INTO task_relationships (from_task_id, to_task_id, relationship_type) VALUES (4, 3, 'depends_on'), (4, 5, 'related_to')", vec![]).await;
        exec(
            &c,
            "INSERT INTO documents (title, file_path) VALUES ('Spec', 'docs/spec.md')",
            vec![],
        )
        .await;
    }
    exec(&c, "INSERT INTO task_notes (task_id, note_type, content, created_by, created_at) VALUES (2, 'decision', 'Use OAuth', 'claude', '2025-12-04 11:00:00'), (4, 'comment', 'Looks good', NULL, '2025-12-06 08:00:00')", vec![]).await;
    if !new {
        exec(&c, "INSERT INTO task_notes (task_id, note_type, content, created_at) VALUES (1, 'idea', 'Magic links?', '2025-12-04 12:00:00')", vec![]).await;
    }
    exec(&c, "INSERT INTO task_history (task_id, old_status, new_status, agent, notes, timestamp) VALUES (2, 'todo', 'in_progress', 'claude', NULL, '2025-12-04 10:00:00'), (4, 'ready_for_review', 'completed', NULL, 'approved', '2025-12-06 09:00:00'), (5, 'todo', 'blocked', 'claude', 'waiting for the API', '2025-12-06 10:00:00')", vec![]).await;
    for i in 0..extra {
        exec(&c, "INSERT INTO tasks (feature_id, key, title, status, priority, created_at, updated_at) VALUES (1, ?1, ?2, 'todo', 5, '2025-12-07 09:00:00', '2025-12-07 09:00:00')",
            vec![t(&format!("T-E01-F01-{:03}", i + 4)), t(&format!("Bulk task {i}"))]).await;
    }
    exec(&c, "COMMIT", vec![]).await;
}

/// Runs one statement on a fixture (to change it between imports).
pub async fn change(path: &Path, sql: &str) {
    let db = libsql::Builder::new_local(path)
        .build()
        .await
        .expect("open fixture");
    let c = db.connect().expect("connect fixture");
    exec(&c, sql, vec![]).await;
}
