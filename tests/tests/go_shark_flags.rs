//! Every flag and command added for Go Shark's users: completion metadata,
//! notes, list filters, status commands, dependencies, epic and feature
//! lifecycle, `--db`, `--no-color`, `shark status`, slugged keys, history
//! formats, and bad input that writes nothing.

use shark_tests::{Machine, keys};

#[test]
fn complete_keeps_the_agents_report_and_bad_values_write_nothing() {
    let m = Machine::new();
    m.seed(1);
    let k = "T-E01-F01-001";
    m.ok(&["task", "start", k]);
    let before = m.snapshot();
    m.fails(4, &["task", "complete", k, "--time-spent", "-5"]);
    m.fails(4, &["task", "complete", k, "--time-spent", "soon"]);
    assert_eq!(m.snapshot(), before, "a refused report changes nothing");
    m.ok(&[
        "task",
        "complete",
        k,
        "-n",
        "done",
        "--files-created",
        "src/a.rs,src/b.rs",
        "--files-modified=README.md",
        "--tests",
        "12 passing",
        "--summary",
        "Added a and b",
        "--verified",
        "--time-spent",
        "45",
        "--agent-id",
        "run-7",
    ]);
    let t = m.json(&["task", "get", k]);
    let c = &t["completions"][0];
    assert_eq!(
        c["files_created"],
        serde_json::json!(["src/a.rs", "src/b.rs"])
    );
    assert_eq!(c["files_modified"], serde_json::json!(["README.md"]));
    assert_eq!(
        (c["tests"].as_str(), c["summary"].as_str()),
        (Some("12 passing"), Some("Added a and b"))
    );
    assert_eq!(
        (c["verified"].as_bool(), c["time_spent_minutes"].as_i64()),
        (Some(true), Some(45))
    );
    assert_eq!(c["agent_id"], "run-7");
    assert_eq!(t["notes"][0]["note_type"], "implementation");
    let shown = m.ok(&["task", "get", k]);
    assert!(
        shown.contains("src/a.rs, src/b.rs") && shown.contains("45 min"),
        "{shown}"
    );
    // Completion flags belong to complete only.
    m.fails(4, &["task", "approve", k, "--files-created", "x"]);
    // Approve and reopen take Go's flags; the reason lands in history.
    m.ok(&["task", "approve", k, "--notes", "LGTM"]);
    m.ok(&[
        "task",
        "reopen",
        k,
        "--rejection-reason",
        "missed a case",
        "--reason-doc",
        "docs/review.md",
    ]);
    let h = m.json(&["task", "history", k]);
    let last = h.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["reason"], "missed a case (document: docs/review.md)");
    let rejections = m.json(&["task", "notes", k, "--type", "rejection"]);
    assert_eq!(rejections.as_array().map(Vec::len), Some(1));
    let csv = m.ok(&["task", "history", k, "--format", "csv"]);
    assert!(
        csv.starts_with("task_key,timestamp,relative_age,old_status,new_status"),
        "{csv}"
    );
    assert!(
        csv.contains(
            ",completed,in_progress,tester,,missed a case (document: docs/review.md),false"
        ),
        "{csv}"
    );
}

#[test]
fn notes_in_both_forms_and_filtered_by_several_types() {
    let m = Machine::new();
    m.seed(1);
    let k = "T-E01-F01-001";
    m.ok(&[
        "task", "note", "add", k, "--type", "decision", "Use", "SQLite",
    ]);
    m.ok(&["task", "note", k, "plain text", "-c", "bob"]);
    m.ok(&["task", "note", k, "--type=question", "why?"]);
    let n = m.json(&["task", "notes", k, "-t", "decision,comment"]);
    let got: Vec<(&str, &str, &str)> = n
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["note_type"].as_str().unwrap(),
                n["content"].as_str().unwrap(),
                n["created_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("decision", "Use SQLite", "tester"),
            ("comment", "plain text", "bob")
        ]
    );
    m.fails(4, &["task", "note", "add", k]);
    m.fails(4, &["task", "notes", k, "-t", "decision,nonsense"]);
}

#[test]
fn list_filters_and_go_sharks_default_set() {
    let m = Machine::new();
    m.seed(4);
    m.ok(&["feature", "create", "E01", "Billing"]);
    m.ok(&[
        "task", "create", "E01", "F02", "Invoice", "-p", "1", "-a", "frontend",
    ]);
    m.ok(&["task", "update", "T-E01-F01-002", "-p", "9"]);
    for s in ["start", "complete", "approve"] {
        m.ok(&["task", s, "T-E01-F01-001"]);
    }
    m.ok(&["task", "archive", "T-E01-F01-003"]);
    m.ok(&["task", "block", "T-E01-F01-004", "-r", "waiting"]);
    // Completed and archived are hidden by default.
    assert_eq!(
        keys(&m.json(&["task", "list"])),
        ["T-E01-F01-002", "T-E01-F01-004", "T-E01-F02-001"]
    );
    assert_eq!(keys(&m.json(&["task", "list", "--show-all"])).len(), 5);
    assert_eq!(keys(&m.json(&["task", "list", "--all"])).len(), 5);
    assert_eq!(
        keys(&m.json(&["task", "list", "-s", "completed"])),
        ["T-E01-F01-001"]
    );
    assert_eq!(keys(&m.json(&["task", "list", "-b"])), ["T-E01-F01-004"]);
    assert_eq!(
        keys(&m.json(&["task", "list", "-e", "E01", "-f", "F02"])),
        ["T-E01-F02-001"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "-a", "frontend"])),
        ["T-E01-F02-001"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "--priority-min", "2", "--priority-max", "9"])),
        ["T-E01-F01-002", "T-E01-F01-004"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "--priority-max=1"])),
        ["T-E01-F02-001"]
    );
    m.fails(4, &["task", "list", "--priority-min", "0"]);
    m.fails(
        4,
        &["task", "list", "--priority-min", "7", "--priority-max", "2"],
    );
    m.fails(4, &["task", "list", "-b", "-s", "todo"]);
}

#[test]
fn status_commands_delete_and_dependencies() {
    let m = Machine::new();
    m.seed(3);
    m.ok(&[
        "task",
        "update",
        "T-E01-F01-003",
        "--depends-on",
        "T-E01-F01-001,T-E01-F01-002",
    ]);
    // set-status and update --status walk the workflow, or need --force.
    assert_eq!(
        m.json(&["task", "set-status", "T-E01-F01-001", "in_progress"])["status"],
        "in_progress"
    );
    m.fails(3, &["task", "set-status", "T-E01-F01-001", "completed"]);
    let t = m.json(&[
        "task",
        "set-status",
        "T-E01-F01-001",
        "completed",
        "--force",
        "--reason",
        "done elsewhere",
    ]);
    assert_eq!(t["status"], "completed");
    let h = m.json(&["task", "history", "T-E01-F01-001"]);
    assert_eq!(h.as_array().unwrap().last().unwrap()["forced"], true);
    m.fails(3, &["task", "set-status", "T-E01-F01-001", "completed"]);
    m.fails(4, &["task", "set-status", "T-E01-F01-001", "done"]);
    let before = m.snapshot();
    m.fails(
        3,
        &[
            "task",
            "update",
            "T-E01-F01-002",
            "--status",
            "completed",
            "--title",
            "Renamed",
        ],
    );
    assert_eq!(
        m.snapshot(),
        before,
        "a refused status change writes no field either"
    );
    let u = m.json(&[
        "task",
        "update",
        "T-E01-F01-002",
        "--status",
        "in_progress",
        "--title",
        "Renamed",
    ]);
    assert_eq!(
        (u["status"].as_str(), u["title"].as_str()),
        (Some("in_progress"), Some("Renamed"))
    );
    assert_eq!(u["changed"], serde_json::json!(["title", "status"]));
    // deps, blocked-by, blocks.
    let k = "T-E01-F01-003";
    assert_eq!(
        keys(&m.json(&["task", "deps", k])["results"]),
        ["T-E01-F01-001", "T-E01-F01-002"]
    );
    assert_eq!(
        keys(&m.json(&["task", "blocked-by", k])["results"]),
        ["T-E01-F01-002"]
    );
    assert_eq!(
        keys(&m.json(&["task", "blocks", "T-E01-F01-001"])["results"]),
        [k]
    );
    assert!(
        m.json(&["task", "next"])["message"].is_string(),
        "003 waits for 002"
    );
    // delete archives (reopen brings it back).
    assert_eq!(
        m.json(&["task", "delete", "T-E01-F01-002"])["status"],
        "archived"
    );
    assert_eq!(
        m.json(&["task", "blocked-by", k])["count"],
        0,
        "an archived dependency no longer blocks"
    );
    assert_eq!(m.json(&["task", "next"])["key"], k);
    assert_eq!(
        m.json(&["task", "reopen", "T-E01-F01-002"])["status"],
        "in_progress"
    );
}

#[test]
fn epics_and_features_follow_their_tasks_unless_set_by_hand() {
    let m = Machine::new();
    m.seed(2);
    let status = |args: &[&str]| {
        let v = m.json(args);
        (
            v["status"].as_str().unwrap().to_string(),
            v["status_source"].as_str().unwrap().to_string(),
        )
    };
    let calc = |s: &str| (s.to_string(), "calculated".to_string());
    assert_eq!(status(&["feature", "get", "E01-F01"]), calc("draft"));
    m.ok(&["task", "start", "T-E01-F01-001"]);
    assert_eq!(status(&["feature", "get", "E01-F01"]), calc("active"));
    assert_eq!(status(&["epic", "get", "E01"]), calc("active"));
    // Completing by hand is refused while work is open, exit 3, nothing written.
    m.fails(3, &["epic", "complete", "E01"]);
    m.fails(3, &["feature", "complete", "E01-F01"]);
    assert_eq!(status(&["epic", "get", "E01"]), calc("active"));
    for k in ["T-E01-F01-001", "T-E01-F01-002"] {
        m.ok(&["task", "set-status", k, "completed", "--force"]);
    }
    assert_eq!(status(&["feature", "get", "E01-F01"]), calc("completed"));
    assert_eq!(status(&["epic", "get", "E01"]), calc("completed"));
    // Set by hand, then back to following the tasks.
    let e = m.json(&[
        "epic",
        "update",
        "E01",
        "--status",
        "active",
        "--title",
        "Platform v2",
        "-p",
        "high",
    ]);
    assert_eq!(
        (
            e["status"].as_str(),
            e["status_source"].as_str(),
            e["title"].as_str(),
            e["priority"].as_str()
        ),
        (
            Some("active"),
            Some("manual"),
            Some("Platform v2"),
            Some("high")
        )
    );
    assert_eq!(
        status(&["epic", "update", "E01", "--status", "auto"]),
        calc("completed")
    );
    m.fails(4, &["epic", "update", "E01"]);
    m.fails(4, &["epic", "update", "E01", "--status", "finished"]);
    m.fails(4, &["feature", "update", "E01-F01", "--status", "done"]);
    let f = m.json(&[
        "feature",
        "update",
        "E01-F01",
        "--order",
        "5",
        "-d",
        "About accounts",
    ]);
    assert_eq!(
        (f["execution_order"].as_i64(), f["description"].as_str()),
        (Some(5), Some("About accounts"))
    );
    assert_eq!(
        status(&["feature", "complete", "E01-F01"]),
        ("completed".into(), "manual".into())
    );
    // Delete archives the feature and its tasks; lists hide it unless asked.
    m.ok(&["feature", "create", "E01", "Scratch", "--status", "active"]);
    m.ok(&["task", "create", "E01", "F02", "Try"]);
    m.fails(3, &["feature", "delete", "E01-F02"]);
    let d = m.json(&["feature", "delete", "E01-F02", "--force"]);
    assert_eq!(
        (d["status"].as_str(), d["archived_tasks"].as_u64()),
        (Some("deleted"), Some(1))
    );
    assert_eq!(m.json(&["feature", "list", "E01"])["count"], 1);
    assert_eq!(
        m.json(&["feature", "list", "E01", "--show-all"])["count"],
        2
    );
    assert_eq!(
        m.json(&["feature", "list", "-e", "E01", "--status", "archived"])["count"],
        1
    );
    assert_eq!(
        m.json(&["task", "get", "T-E01-F02-001"])["status"],
        "archived"
    );
    m.ok(&["epic", "create", "Empty"]);
    m.json(&["epic", "delete", "E02"]);
    assert_eq!(m.json(&["epic", "list"])["count"], 1);
    assert_eq!(m.json(&["epic", "list", "--show-all"])["count"], 2);
}

#[test]
fn setup_flags_dashboard_and_slugged_keys() {
    let m = Machine::new();
    m.seed(2);
    // Slugged and case-insensitive keys, with or without T-.
    assert_eq!(
        m.json(&["task", "get", "e01-f01-002-some-slug"])["key"],
        "T-E01-F01-002"
    );
    assert_eq!(
        m.json(&["task", "get", "T-E01-F01-001-x"])["key"],
        "T-E01-F01-001"
    );
    assert_eq!(
        m.json(&["feature", "get", "E01-F01-accounts"])["key"],
        "E01-F01"
    );
    assert_eq!(m.json(&["epic", "get", "e01-platform"])["key"], "E01");
    m.fails(4, &["task", "get", "E01-F01-002-bad_slug"]);
    // --no-color is accepted anywhere; output is the same.
    assert_eq!(
        m.ok(&["--no-color", "task", "list"]),
        m.ok(&["task", "list", "--no-color"])
    );
    // shark status: a dashboard.
    m.ok(&["task", "start", "T-E01-F01-001"]);
    m.ok(&["task", "complete", "T-E01-F01-001"]);
    m.ok(&["task", "block", "T-E01-F01-002", "--reason", "waiting"]);
    let s = m.json(&["status"]);
    assert_eq!(s["epics"][0]["key"], "E01");
    assert_eq!(s["tasks"]["ready_for_review"], 1);
    assert_eq!(s["ready_for_review"][0], "T-E01-F01-001");
    assert_eq!(s["blocked"][0]["reason"], "waiting");
    let text = m.ok(&["status"]);
    assert!(
        text.contains("Waiting for review") && text.contains("waiting"),
        "{text}"
    );
    // --db: another database file for one command, created on first use;
    // this machine's database is untouched.
    let other = m.path().join("other").join("tasks.db");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    let db = other.to_str().unwrap();
    assert_eq!(
        m.json(&["--db", db, "epic", "create", "Elsewhere"])["key"],
        "E01"
    );
    assert_eq!(
        m.json(&["--db", db, "epic", "list"])["results"][0]["title"],
        "Elsewhere"
    );
    assert_eq!(m.json(&["epic", "list"])["results"][0]["title"], "Platform");
    assert_eq!(m.json(&["init", "--db", db])["database"], db);
    m.fails(4, &["--db", m.path().to_str().unwrap(), "task", "list"]);
    m.fails(4, &["--db", db, "cloud", "status"]);
    // A file that is not a Shark database is a database error (2), untouched.
    let foreign = m.path().join("other").join("notes.db");
    std::fs::write(&foreign, b"this is not a database at all, just some text").unwrap();
    let before = std::fs::read(&foreign).unwrap();
    m.fails(2, &["--db", foreign.to_str().unwrap(), "task", "list"]);
    assert_eq!(std::fs::read(&foreign).unwrap(), before);
}
