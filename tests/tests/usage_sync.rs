//! Local usage accounting against the real sync server: the counters match
//! what was pushed, survive a restart, and every machine sees every
//! machine's share.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use shark_core::config::{Config, Device, UsageSettings};
use shark_core::model::Actor;
use shark_core::store::{Backend, Remote, Store};
use shark_core::usage::report::Source;
use shark_core::usage::{ApiMode, Quota, UsageReport, gather};
use shark_tests::SyncServer;
use shark_tests::replica::{replica, seed, task};

async fn report(store: &Store) -> UsageReport {
    gather(store, &UsageSettings::default(), ApiMode::Cached)
        .await
        .unwrap()
}

fn rows_written(r: &UsageReport) -> u64 {
    let q = r
        .quotas
        .iter()
        .find(|q| q.quota == Quota::RowsWritten)
        .unwrap();
    assert_eq!(q.source, Source::Local);
    q.used.unwrap()
}

fn machine<'a>(r: &'a UsageReport, name: &str) -> &'a shark_core::usage::report::MachineShare {
    r.machines
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name} in {:?}", r.machines))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_match_pushes_survive_restarts_and_show_every_machine() {
    let server = SyncServer::start();
    let a = replica(&server, "desk").await;
    seed(&a.store).await;
    for i in 0..5 {
        a.store
            .create_task(task(&format!("t{i}")), &Actor::user("me"))
            .await
            .unwrap();
    }
    let before = a.store.pending_changes().await;
    assert!(before >= 7, "epic, feature, five tasks: {before}");
    let first = shark_tests::replica::metered_sync(&a.store).await.unwrap();
    assert!(first.pushed_changes >= before, "{first:?}");
    let r = report(&a.store).await;
    assert_eq!(
        rows_written(&r),
        first.pushed_changes as u64,
        "the counter says what was pushed"
    );
    let me = machine(&r, "desk");
    assert!(me.this_machine);
    assert_eq!((me.counters.pushes, me.counters.pulls), (1, 1));
    assert!(me.bytes_synced > 0, "bytes were measured");

    // More work, another sync: the figures add up.
    a.store
        .create_task(task("t5"), &Actor::user("me"))
        .await
        .unwrap();
    let second = shark_tests::replica::metered_sync(&a.store).await.unwrap();
    let total = (first.pushed_changes + second.pushed_changes) as u64;
    let r = report(&a.store).await;
    assert_eq!(rows_written(&r), total);
    let bytes = machine(&r, "desk").bytes_synced;

    // Restart: the same figures.
    let shark_tests::replica::Replica { home, paths, store } = a;
    drop(store);
    let config = Config {
        device_name: Some("desk".into()),
        ..Default::default()
    };
    let device = Device::load_or_create(&paths, &config).unwrap();
    let backend = Backend::Replica(Remote {
        url: server.url(),
        token: None,
        long_poll: None,
        deadlines: Default::default(),
    });
    let a = Arc::new(
        Store::open_with(&paths, device, Duration::from_secs(5), &backend)
            .await
            .unwrap(),
    );
    let r = report(&a).await;
    assert_eq!(rows_written(&r), total, "counters survive a restart");
    assert!(machine(&r, "desk").bytes_synced >= bytes);

    // A second machine: both shares on both machines.
    let b = replica(&server, "laptop").await;
    b.store
        .create_task(task("from laptop"), &Actor::user("me"))
        .await
        .unwrap();
    shark_tests::replica::metered_sync(&b.store).await.unwrap();
    b.store
        .create_task(task("again"), &Actor::user("me"))
        .await
        .unwrap();
    shark_tests::replica::metered_sync(&b.store).await.unwrap();
    a.create_task(task("t6"), &Actor::user("me")).await.unwrap();
    shark_tests::replica::metered_sync(&a).await.unwrap(); // carries desk's figures so far, brings laptop's
    shark_tests::replica::metered_sync(&b.store).await.unwrap();
    let on_a = report(&a).await;
    let on_b = report(&b.store).await;
    for r in [&on_a, &on_b] {
        assert_eq!(r.machines.len(), 2, "{:?}", r.machines);
    }
    // Each machine's own figures are exact on itself; the other's arrive with
    // its pushes (the day's first at once, then at most every 10 minutes).
    assert!(machine(&on_a, "desk").this_machine && !machine(&on_a, "laptop").this_machine);
    assert!(machine(&on_a, "desk").counters.rows_written >= total);
    assert!(
        machine(&on_a, "laptop").bytes_synced > 0,
        "laptop's first figures reached desk"
    );
    assert!(machine(&on_b, "laptop").this_machine);
    assert!(
        machine(&on_b, "laptop").counters.rows_written >= 2,
        "laptop's two pushes"
    );
    assert!(
        machine(&on_b, "desk").bytes_synced > 0,
        "desk's first figures reached laptop"
    );
    assert!(rows_written(&on_a) >= machine(&on_b, "desk").counters.rows_written);
    drop(home);
}
