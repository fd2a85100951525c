//! Rows Shark did not write never stop a machine: values pushed by another
//! client straight through the real server (as `turso db shell` or a newer
//! Shark would), a fixed set and seeded random ones in every column of
//! every synced table, plus a newer version's column and table. Afterwards
//! every read command, both exports, an edit, a create and a sync succeed
//! on a daemon-owned machine, and a new machine joins.

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use shark_tests::{Machine, SyncServer};

/// Runs `sql` on the server's database as a foreign client would: through
/// a replica of its own (the raw engine, no Shark), then pushed.
async fn foreign_sql(server: &SyncServer, sql: &str) {
    // Two TLS stacks are linked in the workspace's test build: without a
    // chosen provider the engine's IO thread panics and its open never ends.
    shark_core::ensure_tls_provider();
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        foreign_sql_inner(server, sql),
    )
    .await
    .expect("the foreign client finished within 60 s");
}

async fn foreign_sql_inner(server: &SyncServer, sql: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foreign.db");
    let db = turso::sync::Builder::new_remote(path.to_str().unwrap())
        .with_remote_url(server.url())
        .bootstrap_if_empty(true)
        .build()
        .await
        .unwrap();
    let conn = db.connect().await.unwrap();
    for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        if let Err(e) = conn.execute(statement, ()).await {
            panic!("the foreign client's statement failed: {statement}: {e}");
        }
    }
    db.push().await.unwrap();
}

/// [`foreign_sql`] from a test without a runtime.
fn foreign(server: &SyncServer, sql: &str) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(foreign_sql(server, sql));
}

/// A machine connected to `server` (its daemon owns the replica) with an
/// epic, a feature and `n` tasks (n >= 2), each with a note, the first two
/// completed with a report, all pushed (usage figures included).
fn connected(server: &SyncServer, n: usize) -> Machine {
    let a = Machine::new();
    a.ok(&["cloud", "init", "--url", &server.url()]);
    a.seed(n);
    for i in 1..=n {
        a.ok(&["task", "note", &format!("T-E01-F01-{i:03}"), "a note"]);
    }
    for key in ["T-E01-F01-001", "T-E01-F01-002"] {
        a.ok(&["task", "start", key]);
        a.ok(&[
            "task",
            "complete",
            key,
            "--files-created",
            "src/a.rs",
            "--summary",
            "done",
        ]);
    }
    a.ok(&["cloud", "sync"]);
    a.ok(&["cloud", "sync"]);
    a
}

/// `m.ok` that names the round when it fails.
fn ok(m: &Machine, why: &str, args: &[&str]) -> String {
    let r = m.run(args);
    assert_eq!(r.code, 0, "{why}: shark {args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

/// Every read a user has, both exports, an edit, a create and a sync:
/// each must succeed whatever the database holds.
fn everything_works(m: &Machine, good: &str, why: &str) {
    // The good task's feature and epic, for the gets and the create.
    let parts: Vec<&str> = good.trim_start_matches("T-").split('-').collect();
    let (epic, feature) = (parts[0], parts[1]);
    let feature_key = format!("{epic}-{feature}");
    let dir = tempfile::tempdir().unwrap();
    ok(m, why, &["cloud", "sync"]);
    for args in [
        vec!["task", "list"],
        vec!["task", "list", "--all"],
        vec!["epic", "list"],
        vec!["feature", "list"],
        vec!["status"],
        vec!["epic", "get", epic],
        vec!["feature", "get", &feature_key],
        vec!["task", "next"],
        vec!["cloud", "status"],
    ] {
        let r = m.run(&args);
        assert_eq!(r.code, 0, "{why}: shark {args:?}: {}{}", r.stdout, r.stderr);
        let mut json = args.clone();
        json.push("--json");
        let r = m.run(&json);
        assert_eq!(r.code, 0, "{why}: shark {json:?}: {}", r.stderr);
        serde_json::from_str::<serde_json::Value>(&r.stdout)
            .unwrap_or_else(|e| panic!("{why}: shark {json:?}: not JSON ({e})"));
    }
    for format in ["json", "sqlite"] {
        let path = dir.path().join(format!("out.{format}"));
        let r = m.run(&["export", "--format", format, path.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{why}: export {format}: {}", r.stderr);
    }
    // Reads of a good task, an edit, a create, a sync.
    ok(m, why, &["task", "get", good]);
    ok(m, why, &["task", "history", good]);
    ok(
        m,
        why,
        &[
            "task",
            "update",
            good,
            "--title",
            "Edited beside the damage",
        ],
    );
    ok(
        m,
        why,
        &["task", "create", epic, feature, "Created beside the damage"],
    );
    ok(m, why, &["cloud", "sync"]);
    let doctor = m.run(&["doctor", "--json"]);
    assert!(
        doctor.stdout.contains("damaged_rows"),
        "{why}: doctor reports rows: {}{}",
        doctor.stdout,
        doctor.stderr
    );
}

#[test]
fn a_fixed_set_of_foreign_values_stops_nothing_and_a_newer_sharks_values_are_kept() {
    let server = SyncServer::start();
    let a = connected(&server, 10);
    // A feature that will be damaged, with a task in it.
    a.ok(&["feature", "create", "E01", "Second"]);
    a.ok(&["task", "create", "E01", "F02", "In a damaged feature"]);
    a.ok(&["cloud", "sync"]);
    let t = |n: usize| format!("(SELECT id FROM tasks WHERE title = 'Task {n}')");
    let fixed = [
        // A newer Shark's values: kept and shown as they are.
        format!("UPDATE tasks SET status = 'cancelled' WHERE id = {}", t(1)),
        "UPDATE epics SET priority = 'urgent'".to_string(),
        format!("UPDATE task_history SET actor_kind = 'robot' WHERE task_id = {}", t(1)),
        // A newer Shark's column and table.
        "ALTER TABLE tasks ADD COLUMN estimate_hours INTEGER".to_string(),
        format!("UPDATE tasks SET estimate_hours = 3 WHERE id = {}", t(1)),
        "CREATE TABLE sprints (id TEXT PRIMARY KEY NOT NULL, name TEXT)".to_string(),
        "INSERT INTO sprints VALUES ('s1', 'Sprint 1')".to_string(),
        // Values nobody can read.
        format!("UPDATE tasks SET number = 0 WHERE id = {}", t(2)),
        format!("UPDATE tasks SET created_at = 'yesterday' WHERE id = {}", t(3)),
        format!("UPDATE tasks SET depends_on = '{{broken' WHERE id = {}", t(4)),
        format!("UPDATE tasks SET priority = 'high' WHERE id = {}", t(5)),
        format!("UPDATE tasks SET title = X'00FF' WHERE id = {}", t(6)),
        format!("UPDATE tasks SET number = 12000 WHERE id = {}", t(7)),
        format!("UPDATE task_notes SET note_type = 'a b c' WHERE task_id = {}", t(8)),
        format!("UPDATE task_notes SET created_at = 'then' WHERE task_id = {}", t(9)),
        "INSERT INTO tasks (id, feature_id, number, origin_device, title, status, priority, depends_on, created_at, updated_at) \
         VALUES ('orphan-1', 'no-such-feature', 1, 'elsewhere', 'Orphan', 'todo', 5, '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')".to_string(),
        "INSERT INTO usage_days (id, device_id, day, rows_written, updated_at) VALUES ('u1', 'elsewhere', '2026-01-01', 'lots', 'now')".to_string(),
        "INSERT INTO devices (id, name, created_at, updated_at) VALUES ('d1', 'Someone''s box', 'long ago', 'x')".to_string(),
        // A completion report nobody can read.
        format!("UPDATE task_completions SET files_created = 'not json' WHERE task_id = {}", t(1)),
        // A parent that cannot be read whole.
        "UPDATE features SET updated_at = 'later' WHERE title = 'Second'".to_string(),
        // A newer Shark says so in the versions table.
        "INSERT INTO device_versions (id, app_version, schema_version, last_seen) VALUES ('d1', '9.0.0', 99, '2026-12-01T00:00:00Z')".to_string(),
        // Readable, but not what Shark writes: control characters, huge text, a duplicate key.
        format!("UPDATE tasks SET title = 'bell' || char(7) || 'here' WHERE id = {}", t(10)),
        format!("UPDATE tasks SET description = printf('%.*c', 200000, 'x') WHERE id = {}", t(10)),
    ];
    foreign(&server, &fixed.join(";\n"));
    everything_works(&a, "T-E01-F01-010", "fixed set");

    // A task whose completion report cannot be read shows the rest, and says so.
    let r = a.run(&["task", "get", "T-E01-F01-001"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("files_created holds 'not json'"),
        "{}",
        r.stderr
    );

    // A damaged parent stops nothing below it.
    a.ok(&["task", "get", "T-E01-F02-001"]);
    a.ok(&["task", "start", "T-E01-F02-001"]);
    a.ok(&[
        "task",
        "create",
        "E01",
        "F02",
        "Also in the damaged feature",
    ]);
    a.ok(&["task", "list", "--feature", "E01-F02"]);
    let err = a.fails(2, &["feature", "get", "E01-F02"]);
    assert!(err.contains("updated_at holds 'later'"), "{err}");

    // A damaged task asked for by its key says what parses and what does not.
    let err = a.fails(2, &["task", "get", "T-E01-F01-003"]);
    assert!(
        err.contains("tasks T-E01-F01-003 ('Task 3') cannot be read whole")
            && err.contains("created_at holds 'yesterday'"),
        "{err}"
    );

    // The machine on the newer Shark is named, with what to do.
    let status = a.ok(&["cloud", "status"]);
    assert!(
        status.contains("used by Shark 9.0.0 on Someone's box")
            && status.contains("update Shark on this machine"),
        "{status}"
    );
    let doctor = a.json(&["doctor"]);
    let versions = doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "versions")
        .unwrap_or_else(|| panic!("{doctor}"));
    assert_eq!(versions["status"], "warn", "{versions}");

    // The newer status is shown as it is and left alone.
    let got = a.json(&["task", "get", "T-E01-F01-001"]);
    assert_eq!(got["status"], "cancelled", "{got}");
    let shown = a.ok(&["task", "get", "T-E01-F01-001"]);
    assert!(shown.contains("cancelled (from a newer Shark)"), "{shown}");
    let err = a.fails(3, &["task", "start", "T-E01-F01-001", "--force"]);
    assert!(err.contains("update Shark on this machine"), "{err}");
    a.ok(&[
        "task",
        "update",
        "T-E01-F01-001",
        "--title",
        "Still editable",
    ]);
    let list = a.run(&["task", "list", "--json"]);
    assert!(list.stderr.contains("could not be read"), "{}", list.stderr);
    let listed: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    let cancelled = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "T-E01-F01-001")
        .unwrap_or_else(|| panic!("the newer status is listed: {listed}"));
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["title"], "Still editable");

    // Both exports carry the damaged rows as stored.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.json");
    a.ok(&["export", "--format", "json", out.to_str().unwrap()]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let damaged = doc["damaged_rows"].as_array().unwrap();
    assert!(
        damaged
            .iter()
            .any(|d| d["columns"]["created_at"] == "yesterday"),
        "{damaged:?}"
    );
    assert!(damaged.iter().any(|d| d["id"] == "orphan-1"), "{damaged:?}");
    // Importing its own export back changes no newer value.
    let db = dir.path().join("all.sqlite");
    a.ok(&["export", "--format", "sqlite", db.to_str().unwrap()]);
    let back = a.json(&["import", db.to_str().unwrap()]);
    assert!(
        back["remarks"]
            .to_string()
            .contains("could not read were not imported"),
        "{back}"
    );
    assert_eq!(
        a.json(&["task", "get", "T-E01-F01-001"])["status"],
        "cancelled"
    );

    // Doctor lists them; repair fixes the safe ones, each in history.
    let report = a.json(&["doctor"]);
    let before = report["damaged_rows"].as_array().unwrap().len();
    assert!(before >= 8, "{report}");
    let repaired = a.json(&["doctor", "--repair"]);
    let fixes = repaired["repaired"].as_array().unwrap();
    assert!(
        fixes.iter().any(|f| f["id"] == "orphan-1"),
        "the orphan is moved: {repaired}"
    );
    let after = repaired["damaged_rows"].as_array().unwrap().len();
    assert!(
        after < before,
        "repair fixed something: {before} -> {after}"
    );
    let recovered = a.json(&["epic", "list"]);
    assert!(
        recovered.to_string().contains("Recovered by shark doctor"),
        "{recovered}"
    );
    everything_works(&a, "T-E01-F01-010", "after repair");

    // A new machine joins a database that holds damaged rows.
    let b = Machine::new();
    b.ok(&["cloud", "init", "--url", &server.url()]);
    everything_works(&b, "T-E01-F01-010", "a new machine");
    let kept = b.json(&["task", "get", "T-E01-F01-001"]);
    assert_eq!(kept["status"], "cancelled", "{kept}");
}

/// Random bad values: each round, several columns of the synced tables get
/// a value of the wrong type, an unknown enum value, an out-of-range number,
/// broken JSON, a dangling reference, control characters or a duplicate key.
#[test]
fn seeded_random_foreign_values_stop_nothing() {
    const TARGETS: &[(&str, &[&str])] = &[
        (
            "epics",
            &[
                "number",
                "title",
                "status",
                "priority",
                "business_value",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "features",
            &[
                "epic_id",
                "number",
                "title",
                "status",
                "execution_order",
                "created_at",
            ],
        ),
        (
            "tasks",
            &[
                "feature_id",
                "number",
                "title",
                "description",
                "status",
                "priority",
                "depends_on",
                "created_at",
                "started_at",
                "blocked_reason",
            ],
        ),
        (
            "task_notes",
            &[
                "task_id",
                "note_type",
                "content",
                "actor_kind",
                "created_at",
            ],
        ),
        (
            "task_history",
            &["task_id", "field", "forced", "actor_kind", "created_at"],
        ),
        ("devices", &["name", "created_at"]),
        (
            "task_completions",
            &[
                "task_id",
                "files_created",
                "files_modified",
                "verified",
                "time_spent_minutes",
                "actor_kind",
                "created_at",
            ],
        ),
        (
            "usage_days",
            &[
                "device_id",
                "day",
                "rows_written",
                "bytes_sent",
                "pushes",
                "updated_at",
            ],
        ),
    ];
    const VALUES: &[&str] = &[
        "0",
        "-1",
        "99999",
        "9223372036854775807",
        "3.5",
        "X'DEADBEEF'",
        "''",
        "'cancelled'",
        "'ROBOT'",
        "'{not json'",
        "'[1,2'",
        "'no-such-id'",
        "'2026-13-45T99:00:00Z'",
        "'+10000-01-01T00:00:00Z'",
        "'tab' || char(9) || char(0) || 'nul'",
        "printf('%.*c', 50000, 'y')",
        "'1'",
        "'\u{1F988} shark'",
    ];
    // SHARK_TEST_SEED=N runs one seed (to replay a failure).
    let seeds: Vec<u64> = match std::env::var("SHARK_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(s) => vec![s],
        None => vec![0x5EED_F00D, 0xC0FF_EE11, 0xBAD_5EED],
    };
    for seed in seeds {
        random_rounds(seed, TARGETS, VALUES);
    }
}

fn random_rounds(seed: u64, targets: &[(&str, &[&str])], values: &[&str]) {
    let server = SyncServer::start();
    let a = connected(&server, 6);
    let mut rng = shark_tests::rng::Rng(seed);
    // The good task lives in an epic the random values never reach (they
    // hit the first rows of each table: E01, its feature, its tasks).
    a.ok(&["epic", "create", "Untouched"]);
    a.ok(&["feature", "create", "E02", "Untouched"]);
    a.ok(&["task", "create", "E02", "F01", "Untouched"]);
    a.ok(&["cloud", "sync"]);
    for round in 0..8 {
        let mut sql = Vec::new();
        for _ in 0..4 {
            let (table, cols) = targets[rng.below(targets.len())];
            let col = cols[rng.below(cols.len())];
            let value = values[rng.below(values.len())];
            // Epics and features: only the first (E01, E01-F01).
            let offset = match table {
                "epics" | "features" => 0,
                _ => rng.below(3),
            };
            sql.push(format!(
                "UPDATE {table} SET {col} = {value} WHERE id = (SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET {offset})"
            ));
        }
        let why = format!("seed {seed:#x}, round {round}: {sql:?}");
        foreign(&server, &sql.join(";\n"));
        everything_works(&a, "T-E02-F01-001", &why);
    }
    let b = Machine::new();
    b.ok(&["cloud", "init", "--url", &server.url()]);
    everything_works(
        &b,
        "T-E02-F01-001",
        &format!("seed {seed:#x}: a new machine"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_number_nobody_can_read_stops_no_sync_no_write_and_no_join() {
    let server = SyncServer::start();
    let a = Machine::new();
    let url = server.url();
    let a_init = {
        let c = a.command(&["cloud", "init", "--url", &url]);
        tokio::task::spawn_blocking(move || {
            let mut c = c;
            c.output().unwrap()
        })
    };
    assert!(a_init.await.unwrap().status.success());
    let run = |m: &Machine, args: &[&str]| {
        let mut c = m.command(args);
        async move {
            tokio::task::spawn_blocking(move || shark_tests::Run::from(c.output().unwrap()))
                .await
                .unwrap()
        }
    };
    for args in [
        vec!["epic", "create", "Platform"],
        vec!["feature", "create", "E01", "Accounts"],
        vec!["task", "create", "E01", "F01", "Fine"],
        vec!["task", "create", "E01", "F01", "Damaged elsewhere"],
        vec!["cloud", "sync"],
    ] {
        let r = run(&a, &args).await;
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
    foreign_sql(
        &server,
        "UPDATE tasks SET number = 0 WHERE title = 'Damaged elsewhere'",
    )
    .await;
    // This machine syncs, writes and syncs again.
    let r = run(&a, &["cloud", "sync", "--json"]).await;
    assert_eq!(r.code, 0, "sync with a damaged row: {}", r.stderr);
    let r = run(&a, &["task", "create", "E01", "F01", "Written after"]).await;
    assert_eq!(r.code, 0, "a write with a damaged row: {}", r.stderr);
    let r = run(&a, &["cloud", "sync"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A new machine joins and syncs.
    let b = Machine::new();
    let r = run(&b, &["cloud", "init", "--url", &url]).await;
    assert_eq!(r.code, 0, "a new machine joins: {}", r.stderr);
    let r = run(&b, &["cloud", "sync"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The damaged row gave up its number 2, so the later write took it.
    let r = run(&b, &["task", "get", "T-E01-F01-002"]).await;
    assert_eq!(r.code, 0, "the later write reached it: {}", r.stderr);
    assert!(r.stdout.contains("Written after"), "{}", r.stdout);
}
