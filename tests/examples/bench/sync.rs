//! Sync through the real sync server on loopback: push latency, write on A
//! to visible on B with `shark cloud sync` on B, catch-up after time
//! offline, bootstrap of a new machine, bytes on the wire for one edit next
//! to the replica file, and reads during a pull (the owners' live sync is
//! `live`).

use std::sync::Arc;
use std::time::Instant;

use shark_core::model::Actor;
use shark_core::store::{NewTask, TaskFilter, TaskPatch};
use shark_tests::replica::{Replica, replica, seed, task};
use shark_tests::{Machine, SyncServer};

use crate::Sizes;
use crate::reads::label;
use crate::stats::{Figure, median_p95, ms};

pub(crate) fn actor() -> Actor {
    Actor::user("bench")
}

/// Creates `n` tasks in one transaction, 9,000 per feature of E01 (a
/// feature holds at most 9,999 task numbers), adding features as needed.
pub(crate) async fn bulk(a: &Replica, n: usize, tag: &str) {
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

pub(crate) async fn edit(a: &Replica, key: &str, title: &str) {
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
pub(crate) async fn seeded(server: &SyncServer, n: usize) -> Replica {
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
    crate::live::run(sizes, out).await;
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
