//! The owners' live sync (issue 16): write on A to visible on B with both
//! owners running, push to visible against a long-polling server, a write
//! while sync runs back to back (server at 0 ms, at 300 ms round trips,
//! black-holed), and what an idle owner's pulls cost.

use std::sync::Arc;
use std::time::{Duration, Instant};

use shark_core::cloud::engine::LONG_POLL;
use shark_core::cloud::{EngineConfig, SyncEngine};
use shark_tests::replica::{Replica, replica, replica_at, seed};
use shark_tests::{FaultProxy, SyncServer};

use crate::Sizes;
use crate::stats::{Figure, ms};
use crate::sync::{bulk, edit, seeded};

pub async fn run(sizes: &Sizes, out: &mut Vec<Figure>) {
    engine_live(sizes, out).await;
    long_poll_visible(sizes, out).await;
    writes_during_sync(sizes, out).await;
    idle_cost(sizes, out).await;
}

/// B waits until task `key` has `title` (at most 3 minutes).
async fn until_seen(b: &Replica, key: &str, title: &str) {
    let t = Instant::now();
    while b.store.get_task(key).await.expect("get").title != title {
        assert!(
            t.elapsed() < Duration::from_secs(180),
            "B never saw the edit"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Both owners with default settings (push 1 s after a write, live pulls),
/// no sync command: write on A to visible on B.
async fn engine_live(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let a = seeded(&server, 100).await;
    let b = replica(&server, "b").await;
    let config = EngineConfig::default();
    let _ea = SyncEngine::start(a.store.clone(), a.paths.clone(), config);
    let _eb = SyncEngine::start(b.store.clone(), b.paths.clone(), config);
    let mut seen = Vec::new();
    for i in 0..sizes.engine_runs {
        // Writes fall at random against B's pull cycle in real use: spread them over it.
        let phase = config
            .pull_floor
            .mul_f64(i as f64 / sizes.engine_runs as f64);
        tokio::time::sleep(Duration::from_millis(300) + phase).await;
        let title = format!("engine {i}");
        let t = Instant::now();
        edit(&a, "T-E01-F01-003", &title).await;
        until_seen(&b, "T-E01-F01-003", &title).await;
        seen.push(ms(t.elapsed()));
    }
    out.push(
        Figure::from(
            "sync_a_to_b_engine",
            "Sync",
            format!(
                "write on A to visible on B, both owners with default settings (push {} ms after a write, a pull at least every {} ms), no sync command",
                config.debounce.as_millis(),
                config.pull_floor.as_millis()
            ),
            "ms",
            &seen,
        )
        .target("p95", "<", 2_000.0, "< 2 s")
        .note("the local server answers pulls at once, so B pulls every floor; the 1 s push debounce is most of the figure"),
    );
}

/// A pushes by itself (no engine on A); B's owner keeps a pull waiting on
/// a server that long-polls (the fault proxy emulates Turso Cloud's).
async fn long_poll_visible(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    proxy
        .faults
        .long_poll_ms
        .store(5_000, std::sync::atomic::Ordering::SeqCst);
    // A pushes through the proxy too: that is what releases B's held pull.
    let a = replica_at(&proxy.url(), "a", None).await;
    seed(&a.store).await;
    bulk(&a, 10, "task").await;
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .expect("sync");
    let b = replica_at(&proxy.url(), "b", Some(LONG_POLL)).await;
    let _eb = SyncEngine::start(b.store.clone(), b.paths.clone(), EngineConfig::default());
    let mut seen = Vec::new();
    for i in 0..sizes.engine_runs {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let title = format!("held {i}");
        edit(&a, "T-E01-F01-003", &title).await;
        let t = Instant::now();
        a.store.push().await.expect("push");
        until_seen(&b, "T-E01-F01-003", &title).await;
        seen.push(ms(t.elapsed()));
    }
    out.push(
        Figure::from(
            "sync_push_to_b_long_poll",
            "Sync",
            "push on A to visible on B, B's owner long-polling (fault proxy holding empty pulls as Turso Cloud does)",
            "ms",
            &seen,
        )
        .target("p95", "<", 300.0, "< 300 ms"),
    );
}

/// What an idle owner's live sync costs: requests and bytes per empty pull
/// (measured at the proxy, HTTP included, and by the engine), and per day
/// at the floor (a server that answers at once) and with Turso Cloud's
/// long-poll holding each pull [`LONG_POLL`].
async fn idle_cost(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let a = replica_at(&proxy.url(), "a", Some(LONG_POLL)).await;
    seed(&a.store).await;
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .expect("sync");
    let config = EngineConfig::default();
    let engine = SyncEngine::start(a.store.clone(), a.paths.clone(), config);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = engine.sync_now().await;
    let seen = &proxy.seen;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::SeqCst);
    let count = |a: &std::sync::atomic::AtomicUsize| a.load(std::sync::atomic::Ordering::SeqCst);
    let (p0, up0, down0) = (
        count(&seen.pulls),
        load(&seen.bytes_up),
        load(&seen.bytes_down),
    );
    let stats0 = a.store.sync_stats().await.expect("stats").expect("replica");
    let idle = if sizes.quick { 3 } else { 30 };
    tokio::time::sleep(Duration::from_secs(idle)).await;
    let pulls = (count(&seen.pulls) - p0).max(1) as f64;
    let wire = (load(&seen.bytes_up) - up0 + load(&seen.bytes_down) - down0) as f64 / pulls;
    let stats = a.store.sync_stats().await.expect("stats").expect("replica");
    let engine_bytes = ((stats.network_sent_bytes - stats0.network_sent_bytes)
        + (stats.network_received_bytes - stats0.network_received_bytes))
        as f64
        / pulls;
    drop(engine);
    let per_day_floor = 86_400.0 / config.pull_floor.as_secs_f64();
    let per_day_cloud = 86_400.0 / LONG_POLL.as_secs_f64();
    out.push(
        Figure::from(
            "sync_idle_pull_bytes",
            "Sync",
            "an idle owner's empty pull: bytes on the wire (HTTP included) per pull",
            "bytes",
            &[wire],
        )
        .note(format!(
            "{pulls} pulls in {idle} s; the engine counts {engine_bytes:.0} bytes of payload per pull. A day idle: {:.0} pulls, {:.1} MB at the {} ms floor (a server that answers at once); {:.0} pulls, {:.1} MB against Turso Cloud holding each pull {} s",
            per_day_floor,
            per_day_floor * engine_bytes / 1e6,
            config.pull_floor.as_millis(),
            per_day_cloud,
            per_day_cloud * engine_bytes / 1e6,
            LONG_POLL.as_secs()
        )),
    );
}

/// A write through the core's owner while a sync is in flight, the server
/// at 0 ms, at ~300 ms round trips, and black-holed.
async fn writes_during_sync(sizes: &Sizes, out: &mut Vec<Figure>) {
    for (id, name, each_way, hole) in [
        ("write_during_sync_0ms", "server at 0 ms", 0, false),
        ("write_during_sync_300ms", "~300 ms round trips", 150, false),
        (
            "write_during_sync_black_hole",
            "server black-holed",
            0,
            true,
        ),
    ] {
        let server = SyncServer::start();
        let proxy = FaultProxy::start(server.addr());
        let a = replica_at(&proxy.url(), "a", None).await;
        seed(&a.store).await;
        bulk(&a, 20, "task").await;
        proxy.latency(Duration::from_millis(each_way));
        proxy
            .faults
            .black_hole
            .store(hole, std::sync::atomic::Ordering::SeqCst);
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let syncing = {
            let (store, done) = (a.store.clone(), done.clone());
            tokio::spawn(async move {
                let attempts = shark_core::cloud::Attempts {
                    timeout: Duration::from_secs(10),
                    retries: 0,
                };
                let mut passes = 0u32;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    let _ = shark_core::cloud::pipeline::run(
                        &store,
                        shark_core::cloud::Trigger::Requested,
                        attempts,
                        &[],
                    )
                    .await;
                    passes += 1;
                }
                passes
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut took = Vec::new();
        for i in 0..sizes.writes_during_sync {
            let t = Instant::now();
            edit(&a, "T-E01-F01-001", &format!("{id} {i}")).await;
            took.push(ms(t.elapsed()));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        proxy.heal();
        let passes = syncing.await.expect("sync task");
        let f = Figure::from(
            id,
            "Sync",
            format!("a write while sync runs back to back, {name} (p99 held to the target)"),
            "ms",
            &took,
        )
        .target("p99", "<", 50.0, "p99 < 50 ms");
        let note = format!("p99 {:.1} ms; {passes} sync passes ran meanwhile", f.p99);
        out.push(f.note(note));
    }
}
