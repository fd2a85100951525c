//! Go Shark's README agent workflow, run as written there (its commands,
//! `--flag=value` forms and jq reads of the JSON), against the real binary:
//! the documented outcomes, JSON paths and exit codes (1 not found, 2
//! database error, 3 invalid state; 4 usage, Shark's own).

use serde_json::Value;
use shark_tests::Machine;

/// `jq -r PATH` over a command's JSON output (PATH as a JSON pointer).
fn jq(m: &Machine, args: &[&str], path: &str) -> Value {
    let v = m.json(args);
    v.pointer(path)
        .cloned()
        .unwrap_or_else(|| panic!("shark {args:?}: no {path} in {v}"))
}

/// Epics E01-E04 and features E04-F01..F06, so the README's keys exist.
fn plan(m: &Machine) {
    for e in ["Core", "Storage", "Sync", "Task management CLI"] {
        m.ok(&["epic", "create", e]);
    }
    for f in 1..=6 {
        m.ok(&["feature", "create", "--epic=E04", &format!("Feature {f}")]);
    }
    m.ok(&[
        "task",
        "create",
        "--epic=E04",
        "--feature=F06",
        "--title=Key generation",
        "--agent=backend",
        "--priority=2",
    ]);
    m.ok(&[
        "task",
        "create",
        "--epic=E04",
        "--feature=F06",
        "--title=Key parsing",
        "--agent=backend",
        "--priority=4",
    ]);
}

#[test]
fn quick_start_and_core_workflows_as_documented() {
    let m = Machine::new();
    // 1. Project initialization: idempotent, exit 0 both times.
    assert_eq!(
        jq(&m, &["init", "--non-interactive"], "/status"),
        "initialized"
    );
    assert_eq!(
        jq(&m, &["init", "--non-interactive"], "/status"),
        "already_initialized"
    );
    assert!(m.path().join("config.toml").exists());
    plan(&m);

    // 2. Discovering available work.
    let epics = m.json(&["epic", "list"]);
    assert_eq!(epics["count"], 4);
    assert_eq!(epics["results"][3]["key"], "E04");
    assert!(epics["results"][3]["progress_pct"].is_number());
    assert_eq!(m.json(&["epic", "list", "--status=active"])["count"], 0);
    assert_eq!(
        jq(&m, &["epic", "get", "E04"], "/features/5/key"),
        "E04-F06"
    );
    assert_eq!(m.json(&["feature", "list", "--epic=E04"])["count"], 6);
    assert_eq!(
        m.json(&["feature", "list", "--epic=E04", "--status=active"])["count"],
        0
    );
    assert_eq!(
        jq(&m, &["feature", "get", "E04-F06"], "/tasks/1/key"),
        "T-E04-F06-002"
    );
    assert_eq!(jq(&m, &["task", "next"], "/key"), "T-E04-F06-001");
    assert_eq!(
        jq(&m, &["task", "next", "--agent=backend"], "/key"),
        "T-E04-F06-001"
    );
    assert_eq!(
        jq(&m, &["task", "next", "--agent=frontend"], "/message")
            .as_str()
            .map(|s| s.contains("No tasks")),
        Some(true)
    );
    assert_eq!(
        jq(&m, &["task", "next", "--epic=E04"], "/key"),
        "T-E04-F06-001"
    );

    // 4. Creating tasks, exactly the README's command.
    let created = m.json(&[
        "task",
        "create",
        "--epic=E04",
        "--feature=F06",
        "--title=Implement task validation",
        "--agent=backend",
        "--priority=3",
        "--description=Add validation logic for task creation",
        "--depends-on=T-E04-F06-001,T-E04-F06-002",
    ]);
    assert_eq!(created["key"], "T-E04-F06-003");
    assert_eq!(created["status"], "todo");

    // 3. Querying tasks.
    assert_eq!(m.json(&["task", "list"]).as_array().map(Vec::len), Some(3));
    for s in [
        "todo",
        "in_progress",
        "ready_for_review",
        "completed",
        "blocked",
    ] {
        m.json(&["task", "list", &format!("--status={s}")]);
    }
    let mine = m.json(&[
        "task",
        "list",
        "--epic=E04",
        "--agent=backend",
        "--status=todo",
    ]);
    assert_eq!(mine.as_array().map(Vec::len), Some(3));
    let got = m.json(&["task", "get", "T-E04-F06-003"]);
    assert_eq!(got["task"]["key"], "T-E04-F06-003", "Go's .task wrapper");
    assert_eq!(got["key"], "T-E04-F06-003", "and Shark's flat fields");
    assert_eq!(got["dependency_status"]["T-E04-F06-001"], "todo");
    assert_eq!(got["blocked_by"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        jq(&m, &["task", "get", "T-E04-F06-001"], "/blocks/0"),
        "T-E04-F06-003"
    );

    // 5. Task lifecycle, standard workflow.
    let k = "T-E04-F06-001";
    assert_eq!(jq(&m, &["task", "start", k], "/status"), "in_progress");
    assert_eq!(
        jq(&m, &["task", "complete", k], "/status"),
        "ready_for_review"
    );
    assert_eq!(jq(&m, &["task", "approve", k], "/status"), "completed");
    // The feature and epic follow their tasks (draft -> active).
    assert_eq!(jq(&m, &["feature", "get", "E04-F06"], "/status"), "active");
    assert_eq!(m.json(&["epic", "list", "--status=active"])["count"], 1);

    // Blocked tasks: block with a reason, list them, unblock back to todo.
    let k = "T-E04-F06-002";
    let b = m.json(&[
        "task",
        "block",
        k,
        "--reason=Waiting for API design approval",
    ]);
    assert_eq!(b["status"], "blocked");
    assert_eq!(jq(&m, &["task", "list", "--blocked"], "/0/key"), k);
    assert_eq!(jq(&m, &["task", "unblock", k], "/status"), "todo");

    // Review feedback: reopen with notes, then complete again.
    m.ok(&["task", "start", k]);
    m.ok(&["task", "complete", k]);
    assert_eq!(
        jq(
            &m,
            &["task", "reopen", k, "--notes=Need to add error handling"],
            "/status"
        ),
        "in_progress"
    );
    assert_eq!(
        jq(&m, &["task", "complete", k], "/status"),
        "ready_for_review"
    );
    let notes = m.json(&["task", "notes", k, "-t", "rejection"]);
    assert_eq!(notes[0]["content"], "Need to add error handling");

    // 7. Progress tracking.
    let e = m.json(&["epic", "get", "E04"]);
    assert_eq!(e["progress_pct"], 33.3, "1 of 3 tasks completed: {e}");

    // Exit codes: 1 not found, 3 invalid state; usage mistakes are 4.
    m.fails(1, &["task", "get", "T-E04-F06-099"]);
    m.fails(1, &["epic", "get", "E09"]);
    m.fails(3, &["task", "start", "T-E04-F06-001"]);
    m.fails(3, &["task", "approve", "T-E04-F06-003"]);
    m.fails(4, &["task", "list", "--no-such-flag"]);
    m.fails(
        4,
        &[
            "task",
            "create",
            "--epic=E04",
            "--feature=F06",
            "--title=x",
            "--priority=11",
        ],
    );
    // Go Shark's file sync (`shark sync`) is not built (see the README).
    m.fails(4, &["sync"]);
}

#[test]
fn complete_ai_agent_workflow_as_documented() {
    let m = Machine::new();
    m.ok(&["init", "--non-interactive"]);
    plan(&m);
    // NEXT_TASK=$(shark task next --agent=backend --json | jq -r '.key')
    let next = jq(&m, &["task", "next", "--agent=backend"], "/key");
    let next = next.as_str().unwrap().to_string();
    m.ok(&["task", "start", &next, "--agent=ai-agent-001"]);
    m.ok(&[
        "task",
        "complete",
        &next,
        "--agent=ai-agent-001",
        "--notes=Implementation complete, all tests passing",
    ]);
    m.ok(&[
        "task",
        "approve",
        &next,
        "--agent=reviewer-001",
        "--notes=LGTM, approved",
    ]);
    let t = m.json(&["task", "get", &next]);
    assert_eq!(t["status"], "completed");
    assert_eq!(t["assigned_agent"], "ai-agent-001");
    let kinds: Vec<&str> = t["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["note_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["implementation", "comment"]);
    let h = m.json(&["task", "history", &next, "--format", "json"]);
    assert_eq!(h["task_key"], next.as_str());
    let steps: Vec<(&str, &str)> = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|e| {
            (
                e["new_status"].as_str().unwrap(),
                e["agent"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("in_progress", "ai-agent-001"),
            ("ready_for_review", "ai-agent-001"),
            ("completed", "reviewer-001")
        ]
    );
    assert_eq!(h["history"][3]["notes"], "LGTM, approved");
    // The next task is the other one; then none is left for backend.
    let second = jq(&m, &["task", "next", "--agent=backend"], "/key");
    assert_eq!(second, "T-E04-F06-002");
}
