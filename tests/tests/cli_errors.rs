//! Every bad input gets a clear error, the right exit code, and writes nothing.

use shark_tests::Machine;

/// Runs a failing command and checks the database is unchanged.
fn refused(m: &Machine, code: i32, args: &[&str], expect: &str) {
    let before = m.snapshot();
    let err = m.fails(code, args);
    assert!(
        err.to_lowercase().contains(&expect.to_lowercase()),
        "shark {args:?}: expected '{expect}' in: {err}"
    );
    assert_eq!(
        m.snapshot(),
        before,
        "shark {args:?} changed data although it failed"
    );
}

#[test]
fn unknown_and_malformed_keys() {
    let m = Machine::new();
    m.seed(1);
    refused(
        &m,
        1,
        &["task", "get", "T-E01-F01-999"],
        "task T-E01-F01-999 not found",
    );
    refused(&m, 1, &["task", "start", "E09-F01-001"], "not found");
    refused(&m, 4, &["task", "get", "banana"], "not a valid task key");
    refused(&m, 1, &["epic", "get", "E07"], "epic E07 not found");
    refused(
        &m,
        1,
        &["feature", "get", "E01-F09"],
        "feature E01-F09 not found",
    );
    refused(&m, 1, &["feature", "get", "E05-F01"], "epic E05 not found");
    refused(&m, 1, &["task", "list", "E04"], "epic E04 not found");
}

#[test]
fn dependencies_must_exist_and_not_form_cycles() {
    let m = Machine::new();
    m.seed(3);
    refused(
        &m,
        4,
        &[
            "task",
            "create",
            "E01",
            "F01",
            "x",
            "--depends-on",
            "T-E01-F01-042",
        ],
        "dependency T-E01-F01-042 does not exist",
    );
    refused(
        &m,
        4,
        &[
            "task",
            "update",
            "E01-F01-001",
            "--depends-on",
            "E01-F01-001",
        ],
        "cycle",
    );
    m.ok(&[
        "task",
        "update",
        "E01-F01-002",
        "--depends-on",
        "E01-F01-001",
    ]);
    m.ok(&[
        "task",
        "update",
        "E01-F01-003",
        "--depends-on",
        "E01-F01-002",
    ]);
    refused(
        &m,
        4,
        &[
            "task",
            "update",
            "E01-F01-001",
            "--depends-on",
            "E01-F01-003",
        ],
        "T-E01-F01-001 -> T-E01-F01-003 -> T-E01-F01-002 -> T-E01-F01-001",
    );
}

#[test]
fn priorities_out_of_range() {
    let m = Machine::new();
    m.seed(1);
    for p in ["0", "11", "-1", "high", "2.5"] {
        refused(
            &m,
            4,
            &["task", "create", "E01", "F01", "x", "--priority", p],
            "priority",
        );
        refused(
            &m,
            4,
            &["task", "update", "E01-F01-001", "--priority", p],
            "1 (highest) to 10 (lowest)",
        );
    }
    refused(
        &m,
        4,
        &["epic", "create", "x", "--priority", "urgent"],
        "unknown priority 'urgent'; use one of: high, medium, low",
    );
}

#[test]
fn empty_and_over_long_titles() {
    let m = Machine::new();
    m.seed(1);
    let long = "x".repeat(201);
    refused(
        &m,
        4,
        &["task", "create", "E01", "F01", "   "],
        "title is empty",
    );
    refused(
        &m,
        4,
        &["task", "create", "E01", "F01", &long],
        "limit is 200",
    );
    refused(&m, 4, &["epic", "create", ""], "title is empty");
    refused(&m, 4, &["feature", "create", "E01", &long], "limit is 200");
    refused(
        &m,
        4,
        &["task", "update", "E01-F01-001", "--title", ""],
        "title is empty",
    );
    refused(
        &m,
        4,
        &["task", "create", "E01", "F01", "two\nlines"],
        "control characters",
    );
    refused(&m, 4, &["epic", "create"], "give the epic a title");
}

#[test]
fn unknown_status_and_missing_parents() {
    let m = Machine::new();
    m.seed(1);
    refused(
        &m,
        4,
        &["task", "list", "--status", "doing"],
        "unknown task status 'doing'; use one of: todo, in_progress",
    );
    refused(
        &m,
        1,
        &["feature", "create", "E09", "Orphan"],
        "epic E09 not found",
    );
    refused(
        &m,
        1,
        &["task", "create", "E01", "F07", "Orphan"],
        "feature E01-F07 not found",
    );
    refused(
        &m,
        1,
        &["task", "create", "E03", "F01", "Orphan"],
        "epic E03 not found",
    );
}

#[test]
fn usage_errors_exit_4() {
    let m = Machine::new();
    m.seed(1);
    refused(&m, 4, &["task", "frobnicate"], "unrecognized subcommand");
    refused(
        &m,
        4,
        &["task", "create", "E01", "Title only, no feature"],
        "which feature",
    );
    refused(&m, 4, &["task", "create", "F01", "Title"], "needs its epic");
    refused(
        &m,
        4,
        &["task", "create", "E01", "E02-F01", "T"],
        "feature E02-F01 is not in epic E01",
    );
    refused(&m, 4, &["task", "list", "potato"], "neither an epic key");
    refused(
        &m,
        4,
        &["task", "update", "E01-F01-001"],
        "nothing to update",
    );
    let r = m.run(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("epic") && r.stdout.contains("task"));
}

#[test]
fn a_newer_schema_is_refused_not_damaged() {
    let m = Machine::new();
    m.seed(1);
    // Pretend a future Shark wrote this file: the header says schema 99.
    let db = m.path().join("shark.db");
    shark_tests::sqlite3(&db, "PRAGMA user_version = 99;");
    let before = std::fs::read(&db).unwrap();
    let err = m.fails(2, &["task", "list"]);
    assert!(
        err.contains("schema version 99") && err.contains("upgrade shark"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the newer file is left untouched"
    );
}
