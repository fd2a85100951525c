//! Sync never stops on content: a row Shark did not write, pushed by
//! another client straight through the server (as `turso db shell` or
//! another version would), does not stop this machine's syncs, its writes
//! or a new machine joining. (Reading such rows tolerantly in lists and
//! exports is the next step; this test covers sync.)

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
    conn.execute(sql, ()).await.unwrap();
    db.push().await.unwrap();
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
