//! The write-ahead log stays bounded: after many single writes (local file
//! and replica, through the core and through the real binary), a database
//! left with a large WAL by an older version is brought back to size when it
//! is opened, and checkpoints taken while changes wait to be pushed or pulled
//! lose nothing and push nothing twice (against the real sync server).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use shark_core::model::Actor;
use shark_core::store::{FileSizes, Store, TaskFilter, TaskPatch, WAL_LIMIT};
use shark_tests::replica::{replica, seed, task};
use shark_tests::{Machine, SyncServer};

/// What one more write can add on top of the bound before the check after
/// it runs (a task create writes a handful of pages; a generous margin).
const ONE_WRITE: u64 = 256 * 1024;

fn user() -> Actor {
    Actor::user("tester")
}

/// Every task's title and how often it appears (a doubled write shows as 2).
async fn titles(store: &Store) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for t in store.list_tasks(&TaskFilter::everything()).await.unwrap() {
        *seen.entry(t.title).or_insert(0) += 1;
    }
    seen
}

/// Creates, edits and notes: the kinds of single writes people make.
async fn churn(store: &Store, label: &str, n: usize) -> usize {
    let mut max_wal = 0;
    for i in 0..n {
        let t = store
            .create_task(task(&format!("{label} {i}")), &user())
            .await
            .unwrap();
        max_wal = max_wal.max(store.file_sizes().wal);
        let patch = TaskPatch {
            description: Some(format!("edited {i}")),
            ..Default::default()
        };
        store.update_task(&t.key, patch, &user()).await.unwrap();
        max_wal = max_wal.max(store.file_sizes().wal);
    }
    usize::try_from(max_wal).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_s_wal_stays_bounded_and_checkpoints_lose_nothing() {
    let server = SyncServer::start();
    let a = replica(&server, "desktop").await;
    let b = replica(&server, "laptop").await;
    seed(&a.store).await;
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    shark_core::cloud::pipeline::sync_once(&b.store)
        .await
        .unwrap();

    // Many single writes with syncs in between: the WAL never passes the
    // bound (plus one write), so checkpoints ran while changes waited.
    let mut max_wal = 0;
    for round in 0..6 {
        max_wal = max_wal.max(churn(&a.store, &format!("a{round}"), 40).await);
        shark_core::cloud::pipeline::sync_once(&a.store)
            .await
            .unwrap();
    }
    assert!(
        (max_wal as u64) <= WAL_LIMIT + ONE_WRITE,
        "WAL reached {max_wal} bytes (bound {WAL_LIMIT})"
    );

    // Both machines write; each checkpoints with its changes unpushed (and,
    // for a, before pulling b's: the pull must roll back and replay a's
    // checkpointed changes from the revert log).
    churn(&a.store, "a-late", 10).await;
    churn(&b.store, "b-late", 10).await;
    a.store.checkpoint().await.unwrap();
    let (before, after) = b.store.checkpoint().await.unwrap();
    assert!(before.wal > 0 && after.wal == 0, "{before:?} -> {after:?}");
    shark_core::cloud::pipeline::sync_once(&b.store)
        .await
        .unwrap();
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    a.store.checkpoint().await.unwrap();
    shark_core::cloud::pipeline::sync_once(&b.store)
        .await
        .unwrap();

    let on_a = titles(&a.store).await;
    let on_b = titles(&b.store).await;
    assert_eq!(on_a, on_b, "both machines hold the same tasks");
    assert_eq!(on_a.len(), 6 * 40 + 10 + 10);
    assert!(
        on_a.values().all(|&n| n == 1),
        "a task written twice: {on_a:?}"
    );
    let edited = a
        .store
        .list_tasks(&TaskFilter::everything())
        .await
        .unwrap()
        .into_iter()
        .filter(|t| {
            t.description
                .as_deref()
                .is_some_and(|d| d.starts_with("edited "))
        })
        .count();
    assert_eq!(edited, on_a.len(), "every edit arrived");
    for r in [&a, &b] {
        assert_eq!(r.store.pending_changes().await, 0);
        assert!(r.store.integrity_check().await.unwrap().is_empty());
    }
}

/// Through the real binary, one command per write, as people and agents
/// work: the WAL stays bounded and the data is all there.
#[test]
fn single_commands_keep_the_local_wal_bounded() {
    let m = Machine::new();
    m.seed(0);
    let mut max_wal = 0;
    for i in 0..120 {
        let key = m.json(&["task", "create", "E01", "F01", &format!("Task {i}")])["key"]
            .as_str()
            .unwrap()
            .to_string();
        m.ok(&["task", "start", &key]);
        max_wal = max_wal.max(FileSizes::of(&m.path().join("shark.db")).wal);
    }
    assert!(
        max_wal <= WAL_LIMIT + ONE_WRITE,
        "WAL reached {max_wal} bytes (bound {WAL_LIMIT})"
    );
    let tasks = m.json(&["task", "list", "--all"]);
    assert_eq!(tasks.as_array().unwrap().len(), 120);
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "in_progress")
    );
}

/// Set in the child process that plays an older `shark`.
const OLD_WRITER: &str = "SHARK_TEST_OLD_WAL_WRITER";

/// Not a test of its own: run as a child process by the next test (with
/// [`OLD_WRITER`] naming the database), it writes as a version without a
/// checkpoint policy left its files: hundreds of writes in the WAL, and an
/// exit with no clean close (so no checkpoint on close either).
#[tokio::test(flavor = "current_thread")]
async fn old_version_writer() {
    let Some(db) = std::env::var_os(OLD_WRITER) else {
        return;
    };
    let engine = turso::Builder::new_local(db.to_str().unwrap())
        .build()
        .await
        .unwrap();
    let conn = engine.connect().unwrap();
    // A reader that stays open keeps the engine's automatic checkpoint from
    // reusing the log, as no checkpoint ran in those versions.
    let reader = engine.connect().unwrap();
    reader.execute("BEGIN", ()).await.unwrap();
    let mut rows = reader
        .query("SELECT count(*) FROM tasks", ())
        .await
        .unwrap();
    while rows.next().await.unwrap().is_some() {}
    for i in 0..400 {
        conn.execute(
            "UPDATE tasks SET description = ?1",
            (format!("rewritten {i} {}", "x".repeat(2000)),),
        )
        .await
        .unwrap();
    }
    std::process::exit(0);
}

/// A database whose WAL grew large before this version is brought back to
/// size by the next command, and nothing in it is lost.
#[test]
fn an_old_large_wal_is_checkpointed_on_open() {
    let m = Machine::new();
    m.seed(3);
    let db = m.path().join("shark.db");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "old_version_writer",
            "--quiet",
            "--test-threads=1",
        ])
        .env(OLD_WRITER, &db)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let before = FileSizes::of(&db).wal;
    assert!(before > 4 * WAL_LIMIT, "the old WAL: {before} bytes");

    let out = m.json(&["task", "list"]);
    let after = FileSizes::of(&db).wal;
    assert!(after <= WAL_LIMIT, "{before} -> {after} bytes");
    let tasks = out.as_array().unwrap();
    assert_eq!(tasks.len(), 3);
    for t in tasks {
        let got = m.json(&["task", "get", t["key"].as_str().unwrap()]);
        let description = got["description"].as_str().unwrap();
        assert!(
            description.starts_with("rewritten 399 "),
            "the last rewrite survived the checkpoint: {description:.20}"
        );
    }
}
