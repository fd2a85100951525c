//! Reads during a sync: while machine B pulls a large batch, task lists on B
//! keep coming from the read pool without errors, each one a whole snapshot
//! (before or after the pull, never half of it). Timings with and without
//! the pull are printed for the record: the sync engine makes readers wait
//! while it applies a pull to the file (its WAL session), so a read that
//! lands in that window takes longer; `npm run bench` reports the figures.

use std::time::Instant;

use shark_core::model::Actor;
use shark_core::store::{NewTask, TaskFilter};
use shark_tests::SyncServer;
use shark_tests::replica::{replica, seed, task};

/// Tasks on B before the pull, and tasks the pull brings (each task is two
/// change records: the row and its history row). Kept moderate for a debug
/// build; `npm run bench` measures 10,000 in release.
const BEFORE: usize = 500;
const PULLED: usize = 3_000;

fn p95(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * 0.95).ceil() as usize).saturating_sub(1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_lists_during_a_large_pull_are_whole_and_do_not_fail() {
    let server = SyncServer::start();
    let a = replica(&server, "a").await;
    seed(&a.store).await;
    let actor = Actor::user("test");
    let news = |n: usize, tag: &str| (0..n).map(|i| task(&format!("{tag} {i}"))).collect();
    a.store
        .create_tasks(news(BEFORE, "old"), &actor)
        .await
        .unwrap();
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    let b = replica(&server, "b").await;
    let all = TaskFilter::default();
    let filter = TaskFilter {
        feature: Some("E01-F01".into()),
        ..Default::default()
    };
    assert_eq!(b.store.list_tasks(&all).await.unwrap().len(), BEFORE);

    // Baseline: lists with nothing else going on.
    let mut quiet = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        b.store.list_tasks(&filter).await.unwrap();
        quiet.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    // The pulled tasks go to another feature, so the timed list (feature
    // E01-F01) returns the same rows before, during and after the pull.
    shark_tests::replica::feature(&a.store, "pulled").await;
    let elsewhere = (0..PULLED)
        .map(|i| NewTask {
            feature: "E01-F02".into(),
            ..task(&format!("new {i}"))
        })
        .collect();
    a.store.create_tasks(elsewhere, &actor).await.unwrap();
    a.store.push().await.unwrap();

    let store = b.store.clone();
    let pull = tokio::spawn(async move {
        let t = Instant::now();
        let pulled = store.pull().await;
        (pulled, t.elapsed())
    });
    let mut during = Vec::new();
    let mut sizes = std::collections::BTreeSet::new();
    while !pull.is_finished() {
        let t = Instant::now();
        let n = b
            .store
            .list_tasks(&filter)
            .await
            .expect("a read during the pull")
            .len();
        during.push(t.elapsed().as_secs_f64() * 1000.0);

        sizes.insert(n);
        tokio::task::yield_now().await;
    }
    let (pulled, took) = pull.await.unwrap();
    assert!(
        pulled.expect("the pull succeeds"),
        "the pull brought changes"
    );
    assert_eq!(
        b.store.list_tasks(&all).await.unwrap().len(),
        BEFORE + PULLED
    );
    assert!(!during.is_empty(), "at least one read overlapped the pull");
    assert!(
        sizes.iter().all(|&n| n == BEFORE || n == BEFORE + PULLED),
        "every read saw the data before or after the pull, never part of it: {sizes:?}"
    );
    let stats = b.store.pool_stats();
    assert!(stats.checkouts > during.len() as u64, "{stats:?}");
    assert!(stats.open <= stats.size, "{stats:?}");
    eprintln!(
        "list of {BEFORE} tasks (debug build): p95 {:.1} ms quiet ({} reads), p95 {:.1} ms during a pull of {} changes taking {:.0} ms ({} reads); pool {stats:?}",
        p95(quiet),
        20,
        p95(during.clone()),
        2 * PULLED,
        took.as_secs_f64() * 1000.0,
        during.len()
    );
    drop(server);
}
