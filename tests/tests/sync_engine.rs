//! The background engine against the real sync server: a write is pushed by
//! itself about a debounce later, other machines pull on their interval,
//! requests made together share one run, offline and back needs no user
//! action, pause holds changes, and subscribers see each transition.

use std::sync::Arc;
use std::time::Duration;

use shark_core::cloud::{EngineConfig, SyncEngine, SyncPhase, SyncStatus};
use shark_core::model::Actor;
use shark_core::store::{NewTask, Store, TaskFilter};
use shark_tests::SyncServer;
use shark_tests::replica::task;

struct Node {
    _home: tempfile::TempDir,
    store: Arc<Store>,
    engine: SyncEngine,
}

fn fast() -> EngineConfig {
    EngineConfig {
        debounce: Duration::from_millis(200),
        pull_floor: Duration::from_millis(500),
        long_poll: Duration::ZERO,
        attempt_timeout: Duration::from_secs(3),
        retries: 0,
        paused: false,
    }
}

async fn node(server: &SyncServer, name: &str) -> Node {
    node_with(server, name, fast()).await
}

async fn node_with(server: &SyncServer, name: &str, engine: EngineConfig) -> Node {
    let r = shark_tests::replica::replica(server, name).await;
    let engine = SyncEngine::start(r.store.clone(), r.paths.clone(), engine);
    Node {
        _home: r.home,
        store: r.store,
        engine,
    }
}

/// Waits (up to `secs`) until the status satisfies `ok`.
async fn wait_for(
    engine: &SyncEngine,
    secs: u64,
    what: &str,
    ok: impl Fn(&SyncStatus) -> bool,
) -> SyncStatus {
    let mut rx = engine.watch();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let now = rx.borrow_and_update().clone();
        if ok(&now) {
            return now;
        }
        if tokio::time::timeout_at(deadline, rx.changed())
            .await
            .is_err()
        {
            panic!("timed out waiting for {what}; status: {now:?}");
        }
    }
}

async fn count(store: &Store) -> usize {
    store
        .list_tasks(&TaskFilter::default())
        .await
        .expect("list")
        .len()
}

async fn wait_tasks(store: &Store, n: usize, secs: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while count(store).await != n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {n} tasks within {secs} s, have {}",
            count(store).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn seed(n: &Node) {
    shark_tests::replica::seed(&n.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_push_by_themselves_and_other_machines_pull_on_their_interval() {
    let server = SyncServer::start();
    // A pulls rarely, so the only run after its start-up check is the push the write causes.
    let a = node_with(
        &server,
        "a",
        EngineConfig {
            pull_floor: Duration::from_secs(600),
            ..fast()
        },
    )
    .await;
    seed(&a).await;
    let b = node(&server, "b").await;
    wait_for(&a.engine, 10, "the start-up run and the seed's push", |s| {
        s.runs >= 1 && s.phase == SyncPhase::UpToDate && s.pending_changes == 0
    })
    .await;
    // Let any push the seed scheduled finish: wait until the engine is quiet.
    let mut runs = a.engine.status().runs;
    loop {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let now = a.engine.status();
        if now.runs == runs && now.phase == SyncPhase::UpToDate {
            break;
        }
        runs = now.runs;
    }
    let mut phases = a.engine.subscribe();
    let seen = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Ok(status) = phases.recv().await {
            if status.phase == SyncPhase::Error {
                eprintln!("engine error: {:?}", status.last_error);
            }
            v.push(status.phase);
            if v.len() > 40 {
                break;
            }
        }
        v
    });
    a.store
        .create_task(task("pushed by the engine"), &Actor::user("t"))
        .await
        .unwrap();
    wait_for(&a.engine, 5, "the push", |s| {
        s.phase == SyncPhase::UpToDate && s.pending_changes == 0
    })
    .await;
    wait_tasks(&b.store, 1, 5).await;
    // Idle means idle: a finished sync must not schedule another one.
    let runs = a.engine.status().runs;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        a.engine.status().runs,
        runs,
        "the engine kept syncing with nothing to do"
    );
    drop(a);
    let phases = seen.await.unwrap();
    assert!(phases.contains(&SyncPhase::Pending), "{phases:?}");
    assert!(phases.contains(&SyncPhase::Syncing), "{phases:?}");
    assert!(phases.contains(&SyncPhase::UpToDate), "{phases:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_made_together_share_one_run() {
    let server = SyncServer::start();
    let a = node(&server, "a").await;
    wait_for(&a.engine, 5, "the start-up check", |s| {
        s.runs >= 1 && s.phase != SyncPhase::Syncing
    })
    .await;
    let before = a.engine.status().runs;
    let e = &a.engine;
    let (r1, r2, r3, r4, r5, r6) = tokio::join!(
        e.sync_now(),
        e.sync_now(),
        e.sync_now(),
        e.sync_now(),
        e.sync_now(),
        e.sync_now()
    );
    let results = [r1, r2, r3, r4, r5, r6];
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let runs = a.engine.status().runs - before;
    assert!((1..=2).contains(&runs), "6 requests made {runs} runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_then_back_syncs_without_user_action() {
    let mut server = SyncServer::start();
    let a = node(&server, "a").await;
    seed(&a).await;
    wait_for(&a.engine, 5, "the first push", |s| {
        s.phase == SyncPhase::UpToDate && s.pending_changes == 0
    })
    .await;
    server.stop();
    a.store
        .create_task(task("offline"), &Actor::user("t"))
        .await
        .unwrap();
    // Offline, with the write waiting (a live pull that failed before the
    // write was counted may show Offline with 0 pending for a moment).
    let s = wait_for(&a.engine, 10, "the offline state", |s| {
        s.phase == SyncPhase::Offline && s.pending_changes > 0
    })
    .await;
    assert!(s.last_error.is_some());
    server.restart();
    wait_for(&a.engine, 10, "the automatic catch-up", |s| {
        s.phase == SyncPhase::UpToDate && s.pending_changes == 0
    })
    .await;
    let b = node(&server, "b").await;
    wait_tasks(&b.store, 1, 5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_holds_changes_and_resume_sends_them() {
    let server = SyncServer::start();
    let a = node(&server, "a").await;
    seed(&a).await;
    wait_for(&a.engine, 5, "the first push", |s| {
        s.phase == SyncPhase::UpToDate && s.pending_changes == 0
    })
    .await;
    a.engine.pause();
    a.store
        .create_task(task("held"), &Actor::user("t"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(900)).await;
    let s = a.engine.status();
    assert_eq!(s.phase, SyncPhase::Paused);
    assert!(s.pending_changes > 0, "paused: nothing pushed");
    a.engine.resume();
    wait_for(&a.engine, 5, "the push after resume", |s| {
        s.phase == SyncPhase::UpToDate && s.pending_changes == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_during_a_large_pull_never_fail() {
    let server = SyncServer::start();
    let patient = EngineConfig {
        attempt_timeout: Duration::from_secs(60),
        ..fast()
    };
    let a = node_with(&server, "a", patient).await;
    seed(&a).await;
    let b = node_with(&server, "b", patient).await;
    let news: Vec<NewTask> = (0..1000).map(|i| task(&format!("bulk {i}"))).collect();
    a.store
        .create_tasks(news, &Actor::user("t"))
        .await
        .expect("create");
    // A pushes; B's engine pulls on its own interval; B keeps reading all along.
    let reading = async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut reads = 0;
        loop {
            let n = b
                .store
                .list_tasks(&TaskFilter::default())
                .await
                .expect("a read during a pull");
            b.store.get_epic("E01").await.expect("a read during a pull");
            reads += 1;
            if n.len() == 1000 {
                return reads;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the pull did not arrive"
            );
        }
    };
    let (pushed, reads) = tokio::join!(a.engine.sync_now(), reading);
    pushed.expect("push");
    assert!(
        reads > 1,
        "reads ran while the push and pull were under way ({reads})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_pulls_that_bring_nothing_write_nothing_and_wake_no_view() {
    let server = SyncServer::start();
    let a = node(&server, "a").await;
    seed(&a).await;
    wait_for(&a.engine, 5, "the first push", |s| {
        s.phase == SyncPhase::UpToDate && s.pending_changes == 0
    })
    .await;
    // Let the echo of that push come back, then watch an idle second or two.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut views = a.store.changes();
    views.borrow_and_update();
    let runs = a.engine.status().runs;
    let received = |s: shark_core::store::SyncStats| s.network_received_bytes;
    let before = received(a.store.sync_stats().await.unwrap().unwrap());
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !views.has_changed().unwrap(),
        "an idle live pull woke the views (a write or a version bump)"
    );
    assert_eq!(a.store.pending_changes().await, 0, "nothing was written");
    assert_eq!(
        a.engine.status().runs,
        runs,
        "live pulls are not counted as runs"
    );
    // It did pull meanwhile (every 500 ms here): bytes came in.
    let after = received(a.store.sync_stats().await.unwrap().unwrap());
    assert!(after > before, "no pull ran: {before} -> {after} bytes");
}
