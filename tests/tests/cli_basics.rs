//! Creating and listing through the real binary: every accepted spelling,
//! filters, JSON field names, key forms and file permissions.

use shark_tests::{Machine, keys};

#[test]
fn epics_features_and_tasks_in_every_create_form() {
    let m = Machine::new();
    assert_eq!(m.json(&["epic", "create", "Auth"])["key"], "E01");
    let e2 = m.json(&[
        "epic",
        "create",
        "--title",
        "Billing",
        "--priority",
        "high",
        "--description",
        "Money",
    ]);
    assert_eq!(
        (
            e2["key"].as_str(),
            e2["priority"].as_str(),
            e2["status"].as_str()
        ),
        (Some("E02"), Some("high"), Some("draft"))
    );

    assert_eq!(
        m.json(&["feature", "create", "E01", "Login"])["key"],
        "E01-F01"
    );
    assert_eq!(
        m.json(&["feature", "create", "--epic", "e01", "--title", "Signup"])["key"],
        "E01-F02"
    );
    assert_eq!(
        m.json(&["feature", "create", "Invoices", "--epic", "E02"])["key"],
        "E02-F01"
    );

    assert_eq!(
        m.json(&["task", "create", "E01", "F01", "Form"])["key"],
        "T-E01-F01-001"
    );
    assert_eq!(
        m.json(&["task", "create", "e01-f01", "Validation"])["key"],
        "T-E01-F01-002"
    );
    let t = m.json(&[
        "task",
        "create",
        "--epic",
        "E01",
        "--feature",
        "F02",
        "--title",
        "Email",
        "--priority",
        "1",
        "--agent",
        "backend",
        "--description",
        "Send it",
        "--depends-on",
        "T-E01-F01-001,e01-f01-002",
    ]);
    assert_eq!(t["key"], "T-E01-F02-001");
    assert_eq!(t["priority"], 1);
    assert_eq!(t["agent_type"], "backend");
    assert_eq!(
        t["depends_on"],
        serde_json::json!(["T-E01-F01-001", "T-E01-F01-002"])
    );
    assert_eq!(
        m.json(&["task", "create", "Refunds", "--feature", "E02-F01"])["key"],
        "T-E02-F01-001"
    );

    // Human output says what was made.
    let out = m.ok(&["task", "create", "E01", "F01", "Third"]);
    assert!(out.contains("Created task T-E01-F01-003: Third"), "{out}");
}

#[test]
fn json_uses_go_shark_field_names_and_rfc3339_times() {
    let m = Machine::new();
    m.seed(1);
    let t = &m.json(&["task", "list"])[0];
    for field in [
        "id",
        "key",
        "title",
        "description",
        "status",
        "priority",
        "agent_type",
        "assigned_agent",
        "depends_on",
        "blocked_reason",
        "created_at",
        "started_at",
        "completed_at",
        "blocked_at",
        "updated_at",
        "feature_key",
        "epic_key",
    ] {
        assert!(t.get(field).is_some(), "missing {field} in {t}");
    }
    let created = t["created_at"].as_str().unwrap();
    assert!(chrono_like(created), "{created}");
    assert_eq!(t["status"], "todo");
    assert_eq!(t["priority"], 5, "default priority");
    let id = t["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "7", "UUIDv7 ids: {id}");
}

fn chrono_like(s: &str) -> bool {
    // 2026-11-22T01:54:19.123456Z; JSON drops trailing zero digits in
    // groups of three (.165Z when the microseconds end in 000), so the
    // width is not checked: any RFC 3339 UTC time is.
    shark_core::time::from_text(s).is_some() && s.as_bytes()[10] == b'T' && s.ends_with('Z')
}

#[test]
fn list_filters_by_place_status_and_agent() {
    let m = Machine::new();
    m.ok(&["epic", "create", "One"]);
    m.ok(&["epic", "create", "Two"]);
    m.ok(&["feature", "create", "E01", "A"]);
    m.ok(&["feature", "create", "E01", "B"]);
    m.ok(&["feature", "create", "E02", "C"]);
    m.ok(&["task", "create", "E01", "F01", "a1", "--agent", "backend"]);
    m.ok(&["task", "create", "E01", "F02", "b1", "--agent", "frontend"]);
    m.ok(&["task", "create", "E02", "F01", "c1"]);
    m.ok(&["task", "start", "T-E02-F01-001", "--agent", "Claude"]);

    assert_eq!(keys(&m.json(&["task", "list"])).len(), 3);
    assert_eq!(
        keys(&m.json(&["task", "list", "E01"])),
        ["T-E01-F01-001", "T-E01-F02-001"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "E01", "F02"])),
        ["T-E01-F02-001"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "e01-f02"])),
        ["T-E01-F02-001"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "--epic", "E01", "--feature", "F01"])),
        ["T-E01-F01-001"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "--status", "in_progress"])),
        ["T-E02-F01-001"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "--status", "todo,in-progress"])).len(),
        3
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "--agent", "FRONTEND"])),
        ["T-E01-F02-001"]
    );
    assert_eq!(
        keys(&m.json(&["task", "list", "--agent", "claude"])),
        ["T-E02-F01-001"],
        "matches the assigned agent too"
    );

    let table = m.ok(&["task", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("KEY"), "{table}");
    let col = lines[0].find("STATUS").unwrap();
    assert!(
        lines[1..]
            .iter()
            .all(|l| l[col..].starts_with(|c: char| c.is_ascii_lowercase())),
        "aligned:\n{table}"
    );
}

#[test]
fn archived_tasks_are_hidden_unless_asked_for() {
    let m = Machine::new();
    m.seed(2);
    m.ok(&["task", "archive", "E01-F01-002"]);
    assert_eq!(keys(&m.json(&["task", "list"])), ["T-E01-F01-001"]);
    assert_eq!(keys(&m.json(&["task", "list", "--all"])).len(), 2);
    assert_eq!(
        keys(&m.json(&["task", "list", "--status", "archived"])),
        ["T-E01-F01-002"]
    );
}

#[test]
fn get_shows_epics_features_and_tasks_with_progress() {
    let m = Machine::new();
    m.seed(4);
    for k in ["E01-F01-001", "E01-F01-002"] {
        m.ok(&["task", "start", k]);
        m.ok(&["task", "complete", k]);
        m.ok(&["task", "approve", k]);
    }
    let f = m.json(&["feature", "get", "E01", "F01"]);
    assert_eq!(f["progress_pct"], 50.0);
    assert_eq!(f["task_count"], 4);
    assert_eq!(f["tasks"].as_array().map(Vec::len), Some(4));
    let e = m.json(&["epic", "get", "e1"]);
    assert_eq!(e["key"], "E01");
    assert_eq!(e["features"][0]["key"], "E01-F01");
    let human = m.ok(&["feature", "get", "E01-F01"]);
    assert!(human.contains("Progress:  50% of 4 tasks"), "{human}");
    assert_eq!(m.json(&["epic", "list"])["results"][0]["title"], "Platform");
}

#[test]
fn keys_are_case_insensitive_with_short_forms() {
    let m = Machine::new();
    m.seed(1);
    for k in ["T-E01-F01-001", "t-e01-f01-001", "E01-F01-001", "e1-f1-1"] {
        assert_eq!(m.json(&["task", "get", k])["key"], "T-E01-F01-001", "{k}");
    }
}

#[test]
fn task_keys_number_past_nine_and_sort_numerically() {
    let m = Machine::new();
    m.seed(11);
    let k = keys(&m.json(&["task", "list"]));
    assert_eq!(k.len(), 11);
    assert_eq!(k[9], "T-E01-F01-010");
    assert_eq!(k[10], "T-E01-F01-011");
}

#[test]
fn batch_create_is_all_or_nothing() {
    let m = Machine::new();
    m.seed(0);
    let good = m.path().join("good.json");
    std::fs::write(&good, r#"[{"feature":"E01-F01","title":"a","priority":2},{"epic":"E01","feature":"F01","title":"b","depends_on":["T-E01-F01-001"]}]"#).unwrap();
    let created = m.json(&["task", "create", "--batch", good.to_str().unwrap()]);
    assert_eq!(keys(&created), ["T-E01-F01-001", "T-E01-F01-002"]);
    assert_eq!(created[1]["depends_on"][0], "T-E01-F01-001");

    let before = m.snapshot();
    let bad = m.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"feature":"E01-F01","title":"fine"},{"feature":"E01-F01","title":""}]"#,
    )
    .unwrap();
    let err = m.fails(4, &["task", "create", "--batch", bad.to_str().unwrap()]);
    assert!(
        err.contains("task 2 of the batch") && err.contains("title is empty"),
        "{err}"
    );
    std::fs::write(&bad, "not json").unwrap();
    let err = m.fails(4, &["task", "create", "--batch", bad.to_str().unwrap()]);
    assert!(err.contains("not a JSON array of tasks"), "{err}");
    assert_eq!(m.snapshot(), before, "a failed batch writes nothing");
}

#[cfg(unix)]
#[test]
fn data_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let home = parent.path().join("new-home");
    let m = Machine::new();
    let r = m
        .command(&["epic", "create", "x"])
        .env("SHARK_HOME", &home)
        .output()
        .unwrap();
    assert!(r.status.success());
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home), 0o700);
    for f in ["shark.db", "device-id", "shark.lock"] {
        assert_eq!(mode(&home.join(f)), 0o600, "{f}");
    }
    if home.join("shark.db-wal").exists() {
        assert_eq!(mode(&home.join("shark.db-wal")), 0o600);
    }
}
