//! `shark import` and `shark export` through the real binary, on Go-Shark-
//! shaped files the tests write (old and new schemas, with triggers): what
//! comes in, idempotent re-imports, round trips, every bad file, and an
//! import on a connected machine reaching a second machine.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;
use shark_tests::goshark::{self, Schema};
use shark_tests::{Machine, SyncServer, keys};

fn fixture(dir: &Path, schema: Schema) -> std::path::PathBuf {
    let path = dir.join(format!("shark-tasks-{schema:?}.db"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(goshark::write(&path, schema, 0));
    path
}

fn change(path: &Path, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(goshark::change(path, sql));
}

fn import(m: &Machine, path: &Path) -> Value {
    m.json(&["import", path.to_str().unwrap()])
}

fn counts(v: &Value, what: &str) -> [u64; 4] {
    let c = &v[what];
    ["imported", "updated", "unchanged", "skipped"].map(|k| c[k].as_u64().unwrap())
}

#[test]
fn a_go_shark_database_comes_in_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture(dir.path(), Schema::New);
    let before = std::fs::read(&file).unwrap();
    let m = Machine::new();
    let s = import(&m, &file);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the file is never modified"
    );
    assert_eq!(counts(&s, "epics"), [2, 0, 0, 0]);
    assert_eq!(counts(&s, "features"), [3, 0, 0, 0]);
    assert_eq!(counts(&s, "tasks"), [5, 0, 0, 0]);
    assert_eq!(counts(&s, "notes"), [2, 0, 0, 0]);
    assert_eq!(counts(&s, "history"), [3, 0, 0, 0]);
    let remarks = s["remarks"].to_string();
    for r in [
        "task status 'in_development' imported as in_progress",
        "epic status 'planning' imported as draft",
        "table 'documents' is not part of Shark's model",
        "task relationship 'related_to' is not a dependency",
    ] {
        assert!(remarks.contains(r), "{r}: {remarks}");
    }
    // Keys (the slug after E02 dropped), fields, timestamps, dependencies.
    assert_eq!(
        keys(&m.json(&["task", "list", "--all"])),
        [
            "T-E01-F01-001",
            "T-E01-F01-002",
            "T-E01-F01-003",
            "T-E01-F02-001",
            "T-E02-F01-001"
        ]
    );
    let t = m.json(&["task", "get", "T-E01-F02-001"]);
    assert_eq!(
        (t["status"].as_str(), t["priority"].as_u64()),
        (Some("completed"), Some(4))
    );
    assert_eq!(t["assigned_agent"], "claude");
    assert_eq!(t["created_at"], "2025-12-04T09:00:00Z");
    assert_eq!(t["started_at"], "2025-12-04T10:00:00Z", "Go's time format");
    assert_eq!(t["completed_at"], "2025-12-06T09:00:00Z");
    let deps: Vec<&str> = t["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        deps.len(),
        3,
        "two from the column, one from task_relationships: {deps:?}"
    );
    let b = m.json(&["task", "get", "T-E02-F01-001"]);
    assert_eq!(
        (b["status"].as_str(), b["blocked_reason"].as_str()),
        (Some("blocked"), Some("waiting for the API"))
    );
    let e = m.json(&["epic", "get", "E01"]);
    assert_eq!(
        (e["priority"].as_str(), e["business_value"].as_str()),
        (Some("high"), Some("high"))
    );
    let notes = m.json(&["task", "notes", "T-E01-F01-002"]);
    assert_eq!(
        (notes[0]["note_type"].as_str(), notes[0]["content"].as_str()),
        (Some("decision"), Some("Use OAuth"))
    );
    let hist = m.json(&["task", "history", "T-E02-F01-001"]);
    let status_rows: Vec<_> = hist
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["field"] == "status")
        .collect();
    assert!(
        status_rows.iter().any(|h| h["new_value"] == "blocked"
            && h["reason"] == "waiting for the API"
            && h["actor"] == "claude"),
        "{hist}"
    );
}

#[test]
fn a_re_import_duplicates_nothing_and_updates_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture(dir.path(), Schema::New);
    let m = Machine::new();
    import(&m, &file);
    let snapshot = m.snapshot();
    let again = import(&m, &file);
    assert_eq!(counts(&again, "tasks"), [0, 0, 5, 0]);
    assert_eq!(counts(&again, "notes"), [0, 0, 2, 0]);
    assert_eq!(counts(&again, "history"), [0, 0, 3, 0]);
    assert_eq!(m.snapshot(), snapshot, "nothing changed");
    // The Go Shark file changes (its trigger bumps updated_at), and a task is added.
    change(
        &file,
        "UPDATE tasks SET title = 'Log in with SSO' WHERE key = 'T-E01-F01-002'",
    );
    change(
        &file,
        "INSERT INTO tasks (feature_id, key, title, status) VALUES (1, 'T-E01-F01-004', 'Log out', 'todo')",
    );
    let third = import(&m, &file);
    assert_eq!(counts(&third, "tasks"), [1, 1, 4, 0]);
    assert_eq!(
        m.json(&["task", "get", "T-E01-F01-002"])["title"],
        "Log in with SSO"
    );
    assert_eq!(keys(&m.json(&["task", "list", "--all"])).len(), 6);
}

#[test]
fn an_old_schema_imports_with_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture(dir.path(), Schema::Old);
    let m = Machine::new();
    let s = import(&m, &file);
    assert_eq!(counts(&s, "tasks"), [5, 0, 0, 0]);
    assert_eq!(counts(&s, "notes"), [3, 0, 0, 0]);
    assert!(
        s["remarks"]
            .to_string()
            .contains("note type 'idea' imported as comment"),
        "{s}"
    );
    let f = m.json(&["feature", "get", "E01-F02"]);
    assert_eq!(
        f["execution_order"],
        Value::Null,
        "a column the old file lacks is defaulted"
    );
    let b = m.json(&["task", "get", "T-E02-F01-001"]);
    assert_eq!(b["blocked_at"], Value::Null);
}

#[test]
fn keys_used_here_already_get_the_next_number() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture(dir.path(), Schema::New);
    let m = Machine::new();
    m.seed(1); // E01, E01-F01, T-E01-F01-001 of this machine
    let s = import(&m, &file);
    assert!(
        s["remarks"]
            .to_string()
            .contains("E01 is used here already: imported as E02"),
        "{s}"
    );
    assert_eq!(
        m.json(&["epic", "get", "E01"])["title"],
        "Platform",
        "this machine's epic kept"
    );
    assert_eq!(m.json(&["task", "get", "T-E02-F01-002"])["title"], "Log in");
    assert_eq!(m.json(&["epic", "list"])["count"], 3);
    // Importing again recognizes its own rows: nothing new.
    assert_eq!(counts(&import(&m, &file), "tasks"), [0, 0, 5, 0]);
}

#[test]
fn export_then_import_elsewhere_gives_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture(dir.path(), Schema::New);
    let a = Machine::new();
    import(&a, &file);
    a.ok(&[
        "task",
        "note",
        "T-E01-F01-001",
        "made on A",
        "--type",
        "question",
    ]);
    a.ok(&[
        "task",
        "complete",
        "T-E01-F01-002",
        "--files-created",
        "src/login.rs",
        "--summary",
        "Log in works",
        "--time-spent",
        "20",
    ]);
    let out = dir.path().join("out.db");
    let s = a.json(&["export", "--format", "sqlite", out.to_str().unwrap()]);
    assert_eq!(
        (s["tasks"].as_u64(), s["format"].as_str()),
        (Some(5), Some("sqlite"))
    );
    // Any sqlite3 opens it.
    let q = shark_tests::sqlite3(
        &out,
        "SELECT key, status FROM tasks ORDER BY key LIMIT 1; SELECT value FROM shark_export WHERE name = 'format';",
    );
    assert_eq!(q, "T-E01-F01-001|todo\nshark-export\n");
    let b = Machine::new();
    let back = import(&b, &out);
    assert_eq!(counts(&back, "notes"), [3, 0, 0, 0]);
    assert_eq!(counts(&back, "completions"), [1, 0, 0, 0]);
    assert_eq!(
        back["remarks"],
        serde_json::json!([]),
        "our own export maps cleanly"
    );
    let doc = |m: &Machine| {
        let p = m.path().join("all.json");
        m.ok(&["export", "--format", "json", p.to_str().unwrap()]);
        let mut v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("exported_at");
        v.as_object_mut().unwrap().remove("devices");
        v
    };
    let (da, db) = (doc(&a), doc(&b));
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [out.clone(), a.path().join("all.json")] {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is readable by others", p.display());
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file left behind");
    }
    assert_eq!(da["format"], "shark-export");
    assert_eq!(da["tasks"].as_array().unwrap().len(), 5);
    assert_eq!(da["completions"][0]["files_created"][0], "src/login.rs");
    assert_eq!(
        da, db,
        "ids, keys, fields, times, notes, history and completion reports all the same"
    );
    // A refused overwrite, then --force.
    let err = a.fails(4, &["export", "--format", "sqlite", out.to_str().unwrap()]);
    assert!(
        err.contains("exists already") && err.contains("--force"),
        "{err}"
    );
    a.ok(&[
        "export",
        "--format",
        "sqlite",
        out.to_str().unwrap(),
        "--force",
    ]);
}

#[test]
fn bad_files_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let m = Machine::new();
    m.seed(2);
    let snapshot = m.snapshot();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some notes, not a database\n".repeat(200)).unwrap();
    let other = dir.path().join("other.db");
    shark_tests::sqlite3(
        &other,
        "CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT);",
    );
    let missing = dir.path().join("missing.db");
    let folder = dir.path().to_path_buf();
    for (path, words) in [
        (&text, "is not an SQLite database"),
        (
            &other,
            "is an SQLite database but not a Shark one (it has no 'epics' table)",
        ),
        (&missing, "does not exist"),
        (&folder, "is a folder, not a database file"),
    ] {
        let err = m.fails(4, &["import", path.to_str().unwrap()]);
        assert!(err.contains(words), "{}: {err}", path.display());
        assert_eq!(m.snapshot(), snapshot, "{} wrote something", path.display());
    }
    // A file another program holds locked (an exclusive lock, as a writer in
    // the middle of a transaction has).
    let locked = fixture(dir.path(), Schema::New);
    let mut holder = std::process::Command::new("sqlite3")
        .arg(&locked)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let stdin = holder.stdin.as_mut().unwrap();
        stdin
            .write_all(
                b"PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE; UPDATE epics SET title = title;\n",
            )
            .unwrap();
        stdin.flush().unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let err = m.fails(4, &["import", locked.to_str().unwrap()]);
    assert!(err.contains("is locked by another program"), "{err}");
    assert_eq!(m.snapshot(), snapshot);
    let _ = holder.kill();
    let _ = holder.wait();
    // Once released, the same file imports.
    assert_eq!(counts(&import(&m, &locked), "tasks"), [5, 0, 0, 0]);
}

// The foreground path: the import's own command pushes before it exits.
#[test]
fn an_import_on_a_connected_machine_reaches_the_other_machines() {
    let server = SyncServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = fixture(dir.path(), Schema::New);
    let a = Machine::new().foreground();
    a.set_sync_interval(1);
    a.ok(&["cloud", "init", "--url", &server.url()]);
    import(&a, &file);
    assert_eq!(
        a.json(&["cloud", "status"])["pending_changes"],
        0,
        "pushed by the import itself"
    );
    let b = Machine::new().foreground();
    b.set_sync_interval(1);
    b.ok(&["cloud", "init", "--url", &server.url()]);
    assert_eq!(keys(&b.json(&["task", "list", "--all"])).len(), 5);
    assert_eq!(
        b.json(&["task", "notes", "T-E01-F01-002"])[0]["content"],
        "Use OAuth"
    );
}

/// Values Shark cannot store are refused before anything is written, with
/// the table, row and column named; never a panic, never a partial import.
#[test]
fn an_import_source_with_values_shark_cannot_store_is_refused_naming_the_row() {
    let cases = [
        (
            "UPDATE tasks SET title = CAST(X'C328' AS TEXT) WHERE id = 1",
            "table tasks, id 1, column title: the text is not valid UTF-8",
        ),
        (
            "UPDATE tasks SET description = 'a' || char(0) || 'b' WHERE id = 2",
            "table tasks, id 2, column description: the text holds a NUL character",
        ),
        (
            "UPDATE tasks SET created_at = 253402300800 WHERE id = 3",
            "table tasks, id 3, column created_at: +10000-01-01 00:00:00 UTC is outside the years 1 to 9999",
        ),
        (
            "ALTER TABLE task_notes ADD COLUMN actor_kind TEXT;\nUPDATE task_notes SET actor_kind = 'a robot; really' WHERE id = 1",
            "table task_notes, id 1, column actor_kind: 'a robot; really' is not an actor kind (user, agent, or a newer Shark's)",
        ),
    ];
    for (sql, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let file = fixture(dir.path(), Schema::New);
        for statement in sql.split(";\n") {
            change(&file, statement);
        }
        let before = std::fs::read(&file).unwrap();
        let m = Machine::new();
        let err = m.fails(4, &["import", file.to_str().unwrap()]);
        assert!(err.contains(expected), "{sql}: {err}");
        assert!(err.contains("Nothing was imported"), "{err}");
        assert_eq!(
            std::fs::read(&file).unwrap(),
            before,
            "the file is untouched"
        );
        let tasks = m.json(&["task", "list", "--all"]);
        assert_eq!(tasks, serde_json::json!([]), "nothing was written: {tasks}");
    }
}

/// A generated column can compute far more than the file holds: it is
/// never read, so a few-KB file cannot expand in memory.
#[test]
fn a_generated_column_is_not_read_by_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture(dir.path(), Schema::New);
    change(
        &file,
        "ALTER TABLE tasks ADD COLUMN bomb TEXT GENERATED ALWAYS AS (printf('%.*c', 2000000000, 'x')) VIRTUAL",
    );
    let m = Machine::new();
    let s = import(&m, &file);
    assert_eq!(counts(&s, "tasks"), [5, 0, 0, 0], "{s}");
}

/// A column added with a large default costs nothing in the file but every
/// row inherits it: an import bounds what it reads, not the file's size.
#[test]
fn an_import_bounds_what_it_reads_not_the_files_size() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inflated.db");
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(goshark::write(&file, Schema::New, 300));
    let pad = "x".repeat(1024 * 1024);
    change(
        &file,
        &format!("ALTER TABLE tasks ADD COLUMN pad TEXT DEFAULT '{pad}'"),
    );
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size < 8 * 1024 * 1024, "the file stays small: {size} bytes");
    let m = Machine::new();
    let err = m.fails(4, &["import", file.to_str().unwrap()]);
    assert!(err.contains("more than 256 MiB of values"), "{err}");
    assert_eq!(m.json(&["task", "list", "--all"]), serde_json::json!([]));
}
