//! Prints the sync figures issue 3 asks for, measured through the real sync
//! server on loopback: catch-up time of a machine that missed N changes,
//! write-on-A-to-visible-on-B latency (push + pull on demand), and bytes sent
//! for one small edit next to the replica file's size.
//!
//! Run: `cargo run --release -p shark-tests --example sync_figures`
//! (needs `npm install` for the server).

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use shark_core::model::{Actor, TaskPriority};
use shark_core::store::TaskPatch;
use shark_tests::SyncServer;

use shark_tests::replica::{Replica as Node, replica as node};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    let median = v[v.len() / 2];
    let p95 = v[((v.len() as f64 * 0.95).ceil() as usize).saturating_sub(1)];
    format!("median {median:.1} ms, p95 {p95:.1} ms ({} runs)", v.len())
}

async fn seed(a: &Node) {
    shark_tests::replica::seed(&a.store).await;
    a.store.sync_now().await.expect("sync");
}

/// Creates `n` tasks in E01-F01 in one transaction.
async fn bulk(a: &Node, n: usize) {
    let news = (0..n)
        .map(|i| shark_tests::replica::task(&format!("task {i}")))
        .collect();
    a.store
        .create_tasks(news, &Actor::user("bench"))
        .await
        .expect("create");
}

async fn catch_up(n: usize) {
    let server = SyncServer::start();
    let a = node(&server, "a").await;
    seed(&a).await;
    let b = node(&server, "b").await;
    bulk(&a, n).await;
    a.store.push().await.expect("push");
    let t = Instant::now();
    b.store.pull().await.expect("pull");
    let took = t.elapsed();
    let have = b
        .store
        .list_tasks(&Default::default())
        .await
        .expect("list")
        .len();
    assert_eq!(have, n);
    println!(
        "catch-up of {n} tasks created elsewhere ({} rows: task + history each): {:.0} ms",
        2 * n,
        ms(took)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for n in [100, 1_000, 10_000] {
        catch_up(n).await;
    }

    let server = SyncServer::start();
    let a = node(&server, "a").await;
    seed(&a).await;
    bulk(&a, 1_000).await;
    a.store.sync_now().await.expect("sync");
    let b = node(&server, "b").await;
    let actor = Actor::user("bench");
    let mut lat = Vec::new();
    for i in 0..30 {
        let p = TaskPriority::new(1 + (i % 10) as i64).expect("priority");
        let title = format!("edit {i}");
        let t = Instant::now();
        a.store
            .update_task(
                "T-E01-F01-001",
                TaskPatch {
                    title: Some(title.clone()),
                    priority: Some(p),
                    ..Default::default()
                },
                &actor,
            )
            .await
            .expect("edit");
        a.store.push().await.expect("push");
        b.store.pull().await.expect("pull");
        let elapsed = t.elapsed();
        assert_eq!(
            b.store.get_task("T-E01-F01-001").await.expect("get").title,
            title
        );
        lat.push(ms(elapsed));
    }
    println!(
        "write on A to visible on B (edit + push + pull on demand, 1,000 tasks): {}",
        summary(lat)
    );

    let before = a.store.sync_stats().await.expect("stats").expect("replica");
    a.store
        .update_task(
            "T-E01-F01-002",
            TaskPatch {
                title: Some("one small edit".into()),
                ..Default::default()
            },
            &actor,
        )
        .await
        .expect("edit");
    a.store.push().await.expect("push");
    let after = a.store.sync_stats().await.expect("stats").expect("replica");
    let sent = after.network_sent_bytes - before.network_sent_bytes;
    let received = after.network_received_bytes - before.network_received_bytes;
    let file = |s: &str| {
        std::fs::metadata(format!("{}{s}", a.paths.replica_file().display())).map_or(0, |m| m.len())
    };
    let replica = file("") + file("-wal");
    println!(
        "one small edit on the wire: {sent} bytes sent, {received} received; replica file {replica} bytes (1,000 tasks) = {:.0}x the edit",
        replica as f64 / sent.max(1) as f64
    );
}
