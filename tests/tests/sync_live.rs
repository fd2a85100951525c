//! The owner's live sync through the fault proxy: a write never waits for
//! a sync stuck on a dead network, an idle owner keeps one pull waiting on
//! a server that long-polls (few requests), and a change pushed by another
//! machine arrives as soon as that push passes, long before the hold ends;
//! a write on the owner itself leaves without waiting out its own held pull.

use std::sync::atomic::Ordering;
use std::time::Duration;

use shark_core::cloud::{EngineConfig, SyncEngine, SyncPhase};
use shark_core::model::Actor;
use shark_core::store::TaskPatch;
use shark_tests::replica::{replica_at, seed, task};
use shark_tests::{FaultProxy, SyncServer};

fn owner(long_poll: Duration) -> EngineConfig {
    EngineConfig {
        debounce: Duration::from_millis(100),
        pull_floor: Duration::from_millis(100),
        long_poll,
        attempt_timeout: Duration::from_secs(5),
        retries: 0,
        paused: false,
    }
}

/// Waits (up to `secs`) for `ok`, polling.
async fn until(secs: u64, what: &str, mut ok: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !ok().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_never_waits_for_a_sync_stuck_on_a_dead_network() {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let a = replica_at(&proxy.url(), "a", None).await;
    seed(&a.store).await;
    let engine = SyncEngine::start(
        a.store.clone(),
        a.paths.clone(),
        EngineConfig {
            attempt_timeout: Duration::from_secs(60),
            ..owner(Duration::ZERO)
        },
    );
    until(10, "the start-up pass", async || {
        engine.status().runs >= 1 && engine.status().phase != SyncPhase::Syncing
    })
    .await;
    // The network dies: the next pass hangs in its pull for up to a minute.
    proxy.faults.black_hole.store(true, Ordering::SeqCst);
    let stuck = tokio::spawn({
        let store = a.store.clone();
        async move { shark_core::cloud::pipeline::sync_once(&store).await }
    });
    // The owner's live pull and the pass both end up in the black hole.
    let before = proxy.seen.requests.load(Ordering::SeqCst);
    until(10, "a request into the black hole", async || {
        proxy.seen.requests.load(Ordering::SeqCst) > before
    })
    .await;
    // Writes and reads go on while the pass is stuck.
    for i in 0..5 {
        a.store
            .create_task(task(&format!("written while stuck {i}")), &Actor::user("t"))
            .await
            .expect("a write while sync is stuck");
    }
    assert_eq!(
        a.store.list_tasks(&Default::default()).await.unwrap().len(),
        5
    );
    assert!(
        !stuck.is_finished(),
        "the stuck pass ended before the writes did"
    );
    proxy.heal();
    let _ = stuck.await;
    until(
        20,
        "the writes to leave once the network is back",
        async || engine.sync_now().await.is_ok() && a.store.pending_changes().await == 0,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_pull_answers_as_soon_as_another_machine_pushes() {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    // The proxy holds an empty pull for 30 s, as Turso Cloud does.
    proxy.faults.long_poll_ms.store(30_000, Ordering::SeqCst);
    let a = replica_at(&proxy.url(), "a", None).await;
    seed(&a.store).await;
    a.store
        .create_task(task("to edit"), &Actor::user("a"))
        .await
        .unwrap();
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    let b = replica_at(&proxy.url(), "b", Some(Duration::from_secs(30))).await;
    let opened = proxy.seen.pulls.load(Ordering::SeqCst);
    let _engine = SyncEngine::start(
        b.store.clone(),
        b.paths.clone(),
        owner(Duration::from_secs(30)),
    );
    // Idle: B's pull waits on the server instead of asking again and again.
    until(20, "B's first pull", async || {
        proxy.seen.pulls.load(Ordering::SeqCst) > opened
    })
    .await;
    let pulls = proxy.seen.pulls.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let idle = proxy.seen.pulls.load(Ordering::SeqCst) - pulls;
    assert!(
        idle <= 2,
        "an idle owner made {idle} pulls in 1.5 s against a long-polling server"
    );
    // A pushes an edit: B's held pull answers with it, well before 30 s.
    let patch = TaskPatch {
        title: Some("edited on a".into()),
        ..Default::default()
    };
    a.store
        .update_task("T-E01-F01-001", patch, &Actor::user("a"))
        .await
        .unwrap();
    let pushed_at = tokio::time::Instant::now();
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    until(
        15,
        "B to see the edit while its pull was held",
        async || b.store.get_task("T-E01-F01-001").await.unwrap().title == "edited on a",
    )
    .await;
    assert!(
        pushed_at.elapsed() < Duration::from_secs(25),
        "B saw the edit only when the hold ran out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_leaves_at_once_though_the_owners_own_pull_is_held() {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    proxy.faults.long_poll_ms.store(30_000, Ordering::SeqCst);
    let b = replica_at(&proxy.url(), "b", Some(Duration::from_secs(30))).await;
    seed(&b.store).await;
    b.store
        .create_task(task("to edit"), &Actor::user("b"))
        .await
        .unwrap();
    shark_core::cloud::pipeline::sync_once(&b.store)
        .await
        .unwrap();
    let engine = SyncEngine::start(
        b.store.clone(),
        b.paths.clone(),
        owner(Duration::from_secs(30)),
    );
    held(&proxy).await;
    let pushes = proxy.seen.pushes.load(Ordering::SeqCst);
    let wrote_at = tokio::time::Instant::now();
    let patch = TaskPatch {
        title: Some("edited on b".into()),
        ..Default::default()
    };
    b.store
        .update_task("T-E01-F01-001", patch, &Actor::user("b"))
        .await
        .unwrap();
    until(25, "B's push to pass", async || {
        proxy.seen.pushes.load(Ordering::SeqCst) > pushes && b.store.pending_changes().await == 0
    })
    .await;
    assert!(
        wrote_at.elapsed() < Duration::from_secs(15),
        "the push waited out the 30 s hold: {:?}",
        wrote_at.elapsed()
    );
    let a = replica_at(&server.url(), "a", None).await;
    assert_eq!(
        a.store.get_task("T-E01-F01-001").await.unwrap().title,
        "edited on b"
    );
    // Once the push's pass ended, pulls are held again (an idle owner does
    // not poll); a Sync now then answers without waiting out the hold, and
    // the hold comes back after it.
    held(&proxy).await;
    let asked = tokio::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(25), engine.sync_now())
        .await
        .expect("Sync now waited out the 30 s hold")
        .unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(15),
        "Sync now waited for the held pull: {:?}",
        asked.elapsed()
    );
    held(&proxy).await;
}

/// Waits until the proxy sees no pull answered for a while: the owner's
/// pull is being held. Panics after 25 s (pulls kept going unheld).
async fn held(proxy: &FaultProxy) {
    let started = tokio::time::Instant::now();
    let mut last = proxy.seen.pulls.load(Ordering::SeqCst);
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let now = proxy.seen.pulls.load(Ordering::SeqCst);
        if now == last && now > 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(25),
            "pulls kept going unheld: {now} in {:?}",
            started.elapsed()
        );
        last = now;
    }
}
