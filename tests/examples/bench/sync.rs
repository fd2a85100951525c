//! Sync through the real sync server on loopback: push latency, write on A
//! to visible on B (the engine's own intervals, and `shark cloud sync` on
//! B), catch-up after time offline, bootstrap of a new machine, bytes on the
//! wire for one edit next to the replica file, and reads during a pull.

use std::sync::Arc;
use std::time::{Duration, Instant};

use shark_core::cloud::engine::LONG_POLL;
use shark_core::cloud::{EngineConfig, SyncEngine};
use shark_core::model::Actor;
use shark_core::store::{NewTask, TaskFilter, TaskPatch};
use shark_tests::replica::{Replica, replica, replica_at, seed, task};
use shark_tests::{FaultProxy, Machine, SyncServer};

use crate::Sizes;
use crate::reads::label;
use crate::stats::{Figure, median_p95, ms};

fn actor() -> Actor {
    Actor::user("bench")
}

/// Creates `n` tasks in one transaction, 9,000 per feature of E01 (a
/// feature holds at most 9,999 task numbers), adding features as needed.
async fn bulk(a: &Replica, n: usize, tag: &str) {
    const PER_FEATURE: usize = 9_000;
    let features = a.store.list_features(None).await.expect("features").len();
    for f in features..n.div_ceil(PER_FEATURE) {
        shark_tests::replica::feature(&a.store, &format!("bulk {f}")).await;
    }
    let news = (0..n)
        .map(|i| NewTask {
            feature: format!("E01-F{:02}", i / PER_FEATURE + 1),
            ..task(&format!("{tag} {i}"))
        })
        .collect();
    a.store.create_tasks(news, &actor()).await.expect("create");
}

async fn edit(a: &Replica, key: &str, title: &str) {
    let patch = TaskPatch {
        title: Some(title.to_string()),
        ..Default::default()
    };
    a.store
        .update_task(key, patch, &actor())
        .await
        .expect("edit");
}

/// A with E01-F01 and `n` tasks, pushed.
async fn seeded(server: &SyncServer, n: usize) -> Replica {
    let a = replica(server, "a").await;
    seed(&a.store).await;
    bulk(&a, n, "task").await;
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .expect("sync");
    a
}

pub async fn run(sizes: &Sizes, out: &mut Vec<Figure>) {
    push_and_visible(sizes, out).await;
    engine_live(sizes, out).await;
    long_poll_visible(sizes, out).await;
    writes_during_sync(sizes, out).await;
    idle_cost(sizes, out).await;
    for &n in &sizes.catch_up {
        catch_up(n, sizes, out).await;
    }
    bootstrap(sizes, out).await;
    bytes_per_edit(out).await;
    reads_during_pull(sizes, out).await;
}

async fn push_and_visible(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let a = seeded(&server, 1_000).await;
    let mut push = Vec::new();
    for i in 0..sizes.edit_runs {
        edit(&a, "T-E01-F01-001", &format!("push {i}")).await;
        let t = Instant::now();
        a.store.push().await.expect("push");
        push.push(ms(t.elapsed()));
    }
    out.push(Figure::from(
        "sync_push_one_edit",
        "Sync",
        "push of one edit (1,000-task database)",
        "ms",
        &push,
    ));

    // B is a terminal: `shark cloud sync` as a whole process.
    let b = Machine::new();
    b.ok(&["cloud", "init", "--url", &server.url()]);
    let mut visible = Vec::new();
    for i in 0..sizes.edit_runs.min(20) {
        let title = format!("seen by B {i}");
        let t = Instant::now();
        edit(&a, "T-E01-F01-002", &title).await;
        a.store.push().await.expect("push");
        b.ok(&["cloud", "sync"]);
        visible.push(ms(t.elapsed()));
        let got = b.json(&["task", "get", "T-E01-F01-002"]);
        assert_eq!(
            got["task"]["title"].as_str().or(got["title"].as_str()),
            Some(title.as_str()),
            "{got}"
        );
    }
    out.push(Figure::from(
        "sync_a_to_b_cloud_sync",
        "Sync",
        "write on A to visible on B: edit + push on A, `shark cloud sync` on B (whole process)",
        "ms",
        &visible,
    ));
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

async fn catch_up(n: usize, sizes: &Sizes, out: &mut Vec<Figure>) {
    let mut took = Vec::new();
    for _ in 0..sizes.sync_runs {
        let server = SyncServer::start();
        let a = seeded(&server, 0).await;
        let b = replica(&server, "b").await;
        bulk(&a, n, "offline").await;
        a.store.push().await.expect("push");
        let t = Instant::now();
        shark_core::cloud::pipeline::sync_once(&b.store)
            .await
            .expect("sync");
        took.push(ms(t.elapsed()));
        let have = b
            .store
            .list_tasks(&TaskFilter::default())
            .await
            .expect("list")
            .len();
        assert_eq!(have, n);
    }
    let mut f = Figure::from(
        format!("sync_catch_up_{n}"),
        "Sync",
        format!(
            "catch-up of a machine that missed {} new tasks ({} change records), `sync_now`",
            label(n),
            label(2 * n)
        ),
        "ms",
        &took,
    );
    f = match n {
        100 => f.target("p95", "<", 500.0, "< 0.5 s"),
        10_000 => f.target("p95", "<", 5_000.0, "< 5 s"),
        _ => f,
    };
    out.push(f);
}

async fn bootstrap(sizes: &Sizes, out: &mut Vec<Figure>) {
    let n = sizes.bootstrap;
    let server = SyncServer::start();
    let _a = seeded(&server, n).await;
    let mut took = Vec::new();
    for i in 0..sizes.sync_runs {
        let t = Instant::now();
        let b = replica(&server, &format!("new-{i}")).await;
        took.push(ms(t.elapsed()));
        assert_eq!(
            b.store
                .list_tasks(&TaskFilter::default())
                .await
                .expect("list")
                .len(),
            n
        );
    }
    out.push(Figure::from(
        format!("sync_bootstrap_{n}"),
        "Sync",
        format!(
            "a new machine joining a {}-task database (download and open)",
            label(n)
        ),
        "ms",
        &took,
    ));
}

async fn bytes_per_edit(out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let a = seeded(&server, 1_000).await;
    let before = a.store.sync_stats().await.expect("stats").expect("replica");
    edit(&a, "T-E01-F01-004", "one small edit").await;
    a.store.push().await.expect("push");
    let after = a.store.sync_stats().await.expect("stats").expect("replica");
    let wire = (after.network_sent_bytes - before.network_sent_bytes)
        + (after.network_received_bytes - before.network_received_bytes);
    let file = |s: &str| {
        std::fs::metadata(format!("{}{s}", a.paths.replica_file().display())).map_or(0, |m| m.len())
    };
    let replica_bytes = file("") + file("-wal");
    out.push(Figure::from(
        "sync_bytes_one_edit",
        "Sync",
        "one small edit on the wire (sent + received, 1,000-task database)",
        "bytes",
        &[wire as f64],
    ));
    out.push(
        Figure::from(
            "sync_file_over_edit",
            "Sync",
            "copying the replica file instead (file + WAL) ÷ the edit's bytes",
            "x",
            &[replica_bytes as f64 / wire.max(1) as f64],
        )
        .target("median", ">=", 100.0, ">= 100x")
        .note(format!("replica file {} kB", replica_bytes / 1000)),
    );
}

/// Lists of 1,000 tasks on B, quiet and while B applies a large pull.
async fn reads_during_pull(sizes: &Sizes, out: &mut Vec<Figure>) {
    let (listed, pulled) = sizes.pull_reads;
    let mut quiet = Vec::new();
    let mut during = Vec::new();
    for _ in 0..sizes.sync_runs {
        let server = SyncServer::start();
        let a = seeded(&server, listed).await;
        // The pulled tasks go to features of their own, 9,000 each.
        for f in 0..pulled.div_ceil(9_000) {
            shark_tests::replica::feature(&a.store, &format!("pulled {f}")).await;
        }
        let b = replica(&server, "b").await;
        let f01 = TaskFilter {
            feature: Some("E01-F01".into()),
            ..Default::default()
        };
        for _ in 0..sizes.runs {
            let t = Instant::now();
            assert_eq!(b.store.list_tasks(&f01).await.expect("list").len(), listed);
            quiet.push(ms(t.elapsed()));
        }
        let news = (0..pulled)
            .map(|i| NewTask {
                feature: format!("E01-F{:02}", i / 9_000 + 2),
                ..task(&format!("pulled {i}"))
            })
            .collect();
        a.store.create_tasks(news, &actor()).await.expect("create");
        a.store.push().await.expect("push");
        let store: Arc<_> = b.store.clone();
        let pull = tokio::spawn(async move { store.pull().await });
        while !pull.is_finished() {
            let t = Instant::now();
            assert_eq!(
                b.store
                    .list_tasks(&f01)
                    .await
                    .expect("a read during the pull")
                    .len(),
                listed
            );
            during.push(ms(t.elapsed()));
            tokio::task::yield_now().await;
        }
        assert!(pull.await.expect("join").expect("pull"));
    }
    let k = label(listed);
    out.push(Figure::from(
        format!("pool_list_{listed}_quiet"),
        "Reads during sync",
        format!("list of {k} tasks in-process, nothing else running"),
        "ms",
        &quiet,
    ));
    let (_, quiet_p95) = median_p95(&quiet);
    out.push(
        Figure::from(
            format!("pool_list_{listed}_during_pull"),
            "Reads during sync",
            format!(
                "the same list while a pull of {} tasks ({} change records) is applied",
                label(pulled),
                label(2 * pulled)
            ),
            "ms",
            &during,
        )
        .target(
            "p95",
            "<",
            quiet_p95 * 1.5 + 1.0,
            "p95 as fast as without it (within 1.5x + 1 ms)",
        ),
    );
}
