//! Status transitions, notes, history and `task next` through the real binary.

use shark_tests::{Machine, keys};

#[test]
fn full_lifecycle_with_timestamps() {
    let m = Machine::new();
    m.seed(1);
    let k = "T-E01-F01-001";
    let t = m.json(&["task", "start", k, "--agent", "claude"]);
    assert_eq!(
        (t["status"].as_str(), t["assigned_agent"].as_str()),
        (Some("in_progress"), Some("claude"))
    );
    assert!(t["started_at"].is_string());
    let t = m.json(&["task", "block", k, "--reason", "waiting for API keys"]);
    assert_eq!(
        (t["status"].as_str(), t["blocked_reason"].as_str()),
        (Some("blocked"), Some("waiting for API keys"))
    );
    assert!(t["blocked_at"].is_string());
    let t = m.json(&["task", "unblock", k]);
    assert_eq!(
        t["status"], "todo",
        "unblock returns to todo, as in Go Shark (start resumes)"
    );
    assert!(t["blocked_reason"].is_null() && t["blocked_at"].is_null());
    assert!(t["started_at"].is_string(), "the first start is kept");
    assert_eq!(m.json(&["task", "start", k])["status"], "in_progress");
    assert_eq!(
        m.json(&["task", "complete", k])["status"],
        "ready_for_review"
    );
    let t = m.json(&["task", "approve", k]);
    assert_eq!(t["status"], "completed");
    assert!(t["completed_at"].is_string());
    let t = m.json(&["task", "reopen", k, "--reason", "edge case found"]);
    assert_eq!(t["status"], "in_progress");
    assert!(t["completed_at"].is_null());
}

#[test]
fn unblocking_a_never_started_task_returns_it_to_todo() {
    let m = Machine::new();
    m.seed(1);
    m.ok(&["task", "block", "E01-F01-001", "--reason", "x"]);
    assert_eq!(
        m.json(&["task", "unblock", "E01-F01-001"])["status"],
        "todo"
    );
}

#[test]
fn illegal_transitions_are_refused_naming_the_allowed_ones() {
    let m = Machine::new();
    m.seed(1);
    let before = m.snapshot();
    let err = m.fails(3, &["task", "approve", "T-E01-F01-001"]);
    assert!(
        err.contains("cannot approve T-E01-F01-001: it is todo"),
        "{err}"
    );
    assert!(
        err.contains("Allowed from todo: start, block, archive"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    m.fails(3, &["task", "complete", "T-E01-F01-001"]);
    m.fails(3, &["task", "unblock", "T-E01-F01-001"]);
    assert_eq!(m.snapshot(), before, "refused transitions change nothing");

    let json_err = m.run(&["task", "approve", "T-E01-F01-001", "--json"]);
    assert_eq!(json_err.code, 3);
    let doc: serde_json::Value =
        serde_json::from_str(json_err.stderr.trim()).expect("JSON error on stderr");
    assert_eq!(doc["error"]["code"], "illegal_transition");
}

#[test]
fn block_and_reopen_need_a_reason() {
    let m = Machine::new();
    m.seed(1);
    let err = m.fails(4, &["task", "block", "T-E01-F01-001"]);
    assert!(err.contains("--reason"), "{err}");
    m.fails(4, &["task", "block", "T-E01-F01-001", "--reason", "  "]);
    assert_eq!(m.json(&["task", "get", "T-E01-F01-001"])["status"], "todo");
}

#[test]
fn force_applies_and_is_recorded_in_history() {
    let m = Machine::new();
    m.seed(1);
    let t = m.json(&["task", "approve", "T-E01-F01-001", "--force"]);
    assert_eq!(t["status"], "completed");
    let h = m.json(&["task", "history", "T-E01-F01-001"]);
    let last = h.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["field"].as_str(),
            last["old_value"].as_str(),
            last["new_value"].as_str()
        ),
        (Some("status"), Some("todo"), Some("completed"))
    );
    assert_eq!(last["forced"], true);
    assert!(
        m.ok(&["task", "history", "T-E01-F01-001"])
            .contains("(forced)")
    );
}

#[test]
fn history_records_every_status_change_and_field_edit_with_who_and_where() {
    let m = Machine::new();
    m.seed(2);
    let k = "T-E01-F01-001";
    m.ok(&["task", "start", k, "--agent", "claude"]);
    let upd = m.json(&[
        "task",
        "update",
        k,
        "--title",
        "New title",
        "--priority",
        "2",
        "--agent",
        "backend",
        "--description",
        "Details",
    ]);
    assert_eq!(
        upd["changed"],
        serde_json::json!(["title", "description", "priority", "agent_type"])
    );
    m.ok(&["task", "update", k, "--depends-on", "E01-F01-002"]);
    m.ok(&["task", "update", k, "--description", ""]);
    let same = m.json(&["task", "update", k, "--priority", "2"]);
    assert_eq!(
        same["changed"],
        serde_json::json!([]),
        "no-op edits record nothing"
    );

    let h = m.json(&["task", "history", k]);
    let rows: Vec<(String, Option<String>, Option<String>, String)> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["field"].as_str().unwrap().to_string(),
                r["old_value"].as_str().map(str::to_string),
                r["new_value"].as_str().map(str::to_string),
                format!(
                    "{}:{}",
                    r["actor_kind"].as_str().unwrap(),
                    r["actor"].as_str().unwrap()
                ),
            )
        })
        .collect();
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        rows,
        vec![
            ("status".into(), None, s("todo"), "user:tester".into()),
            (
                "status".into(),
                s("todo"),
                s("in_progress"),
                "agent:claude".into()
            ),
            (
                "assigned_agent".into(),
                None,
                s("claude"),
                "agent:claude".into()
            ),
            (
                "title".into(),
                s("Task 1"),
                s("New title"),
                "user:tester".into()
            ),
            (
                "description".into(),
                None,
                s("Details"),
                "user:tester".into()
            ),
            ("priority".into(), s("5"), s("2"), "user:tester".into()),
            (
                "agent_type".into(),
                None,
                s("backend"),
                "user:tester".into()
            ),
            (
                "depends_on".into(),
                None,
                s("T-E01-F01-002"),
                "user:tester".into()
            ),
            (
                "description".into(),
                s("Details"),
                None,
                "user:tester".into()
            ),
        ]
    );
    let device_id = std::fs::read_to_string(m.path().join("device-id")).unwrap();
    for r in h.as_array().unwrap() {
        assert_eq!(r["device_id"].as_str(), Some(device_id.trim()));
        assert!(!r["device_name"].as_str().unwrap().is_empty());
    }
    // Restoring an old value is an update with it, recorded like any edit.
    m.ok(&["task", "update", k, "--title", "Task 1"]);
    assert_eq!(m.json(&["task", "get", k])["title"], "Task 1");
}

#[test]
fn the_agent_can_come_from_the_environment() {
    let m = Machine::new();
    m.seed(1);
    let r = m
        .command(&["task", "note", "E01-F01-001", "hello", "--json"])
        .env("SHARK_AGENT", "codex")
        .output()
        .unwrap();
    assert!(r.status.success());
    let note: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(
        (note["actor_kind"].as_str(), note["created_by"].as_str()),
        (Some("agent"), Some("codex"))
    );
}

#[test]
fn notes_are_typed() {
    let m = Machine::new();
    m.seed(1);
    let k = "T-E01-F01-001";
    m.ok(&["task", "note", k, "--type", "decision", "Use argon2id"]);
    m.ok(&["task", "note", k, "plain comment"]);
    m.ok(&["task", "note", k, "--type", "REJECTION", "Not like this"]);
    let notes = m.json(&["task", "notes", k]);
    let types: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["note_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["decision", "comment", "rejection"]);
    assert_eq!(
        m.json(&["task", "notes", k, "--type", "decision"])
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        m.json(&["task", "get", k])["notes"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let err = m.fails(4, &["task", "note", k, "--type", "rant", "x"]);
    assert!(
        err.contains("unknown note type 'rant'") && err.contains("comment, decision"),
        "{err}"
    );
    m.fails(4, &["task", "note", k, "   "]);
    assert_eq!(
        m.json(&["task", "notes", k]).as_array().map(Vec::len),
        Some(3)
    );
}

#[test]
fn next_picks_the_highest_priority_ready_task() {
    let m = Machine::new();
    m.ok(&["epic", "create", "One"]);
    m.ok(&["epic", "create", "Two"]);
    m.ok(&["feature", "create", "E01", "A"]);
    m.ok(&["feature", "create", "E02", "B"]);
    m.ok(&[
        "task",
        "create",
        "E01",
        "F01",
        "base",
        "--priority",
        "5",
        "--agent",
        "backend",
    ]);
    m.ok(&[
        "task",
        "create",
        "E01",
        "F01",
        "blocked by base",
        "--priority",
        "1",
        "--depends-on",
        "E01-F01-001",
    ]);
    m.ok(&[
        "task",
        "create",
        "E02",
        "F01",
        "other epic",
        "--priority",
        "3",
        "--agent",
        "frontend",
    ]);

    assert_eq!(
        m.json(&["task", "next"])["key"],
        "T-E02-F01-001",
        "priority 1 waits for its dependency"
    );
    assert_eq!(
        m.json(&["task", "next", "--epic", "E01"])["key"],
        "T-E01-F01-001"
    );
    assert_eq!(
        m.json(&["task", "next", "--agent", "backend"])["key"],
        "T-E01-F01-001"
    );
    for a in ["start", "complete", "approve"] {
        m.ok(&["task", a, "E01-F01-001"]);
    }
    assert_eq!(
        m.json(&["task", "next"])["key"],
        "T-E01-F01-002",
        "dependency completed"
    );
    let none = m.json(&["task", "next", "--agent", "nobody"]);
    assert!(
        none["key"].is_null() && none["message"].is_string(),
        "{none}"
    );
    assert!(
        m.ok(&["task", "next", "--agent", "nobody"])
            .contains("No tasks available")
    );
}

#[test]
fn archive_and_reopen_bring_a_task_back() {
    let m = Machine::new();
    m.seed(1);
    m.ok(&["task", "archive", "E01-F01-001"]);
    assert!(keys(&m.json(&["task", "list"])).is_empty());
    m.ok(&["task", "reopen", "E01-F01-001", "--reason", "still needed"]);
    assert_eq!(keys(&m.json(&["task", "list"])), ["T-E01-F01-001"]);
}
