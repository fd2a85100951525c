//! Migrations through a real sync: two machines create the whole schema
//! (every version, the usage table of version 2 and the completion reports
//! of version 3 and the machines' versions of version 4 included) independently,
//! before either has pushed, as two machines upgrading offline do. Both then
//! sync without a rejected push, and each sees the other's tasks and figures.

#![allow(clippy::unwrap_used)]

use shark_core::config::UsageSettings;
use shark_core::model::{Actor, Completion};
use shark_core::store::{TransitionRequest, latest_version};
use shark_core::usage::{ApiMode, gather};
use shark_core::workflow::Action;
use shark_tests::SyncServer;
use shark_tests::replica::{replica, seed, task};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_machines_that_migrated_independently_sync() {
    assert_eq!(
        latest_version(),
        4,
        "add the new version's tables to this test"
    );
    let server = SyncServer::start();
    // Both bootstrap from the empty server and create every table locally.
    let a = replica(&server, "a").await;
    let b = replica(&server, "b").await;
    seed(&a.store).await;
    a.store
        .create_task(task("from a"), &Actor::user("me"))
        .await
        .unwrap();
    shark_tests::replica::metered_sync(&a.store).await.unwrap();
    // B's schema steps are replayed after A's arrive: no "already exists".
    shark_tests::replica::metered_sync(&b.store).await.unwrap();
    b.store
        .create_task(task("from b"), &Actor::user("me"))
        .await
        .unwrap();
    shark_tests::replica::metered_sync(&b.store).await.unwrap();
    b.store
        .create_task(task("again from b"), &Actor::user("me"))
        .await
        .unwrap();
    shark_tests::replica::metered_sync(&b.store).await.unwrap();
    a.store
        .create_task(task("again from a"), &Actor::user("me"))
        .await
        .unwrap();
    shark_tests::replica::metered_sync(&a.store).await.unwrap();
    shark_tests::replica::metered_sync(&b.store).await.unwrap();
    // A completion report (version 3's table) written on A reaches B.
    let first = a.store.list_tasks(&Default::default()).await.unwrap()[0]
        .key
        .clone();
    let me = Actor::user("me");
    a.store
        .transition(&first, Action::Start, TransitionRequest::default(), &me)
        .await
        .unwrap();
    let report = TransitionRequest {
        notes: Some("done".into()),
        completion: Some(Completion {
            files_created: vec!["src/a.rs".into()],
            time_spent_minutes: Some(5),
            ..Completion::default()
        }),
        ..TransitionRequest::default()
    };
    a.store
        .transition(&first, Action::Complete, report, &me)
        .await
        .unwrap();
    shark_tests::replica::metered_sync(&a.store).await.unwrap();
    shark_tests::replica::metered_sync(&b.store).await.unwrap();
    let seen = b.store.task_completions(&first).await.unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].report.files_created, ["src/a.rs"]);
    for m in [&a, &b] {
        let titles: Vec<String> = m
            .store
            .list_tasks(&Default::default())
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.title)
            .collect();
        assert_eq!(titles.len(), 4, "{titles:?}");
        assert_eq!(m.store.pending_changes().await, 0);
        let r = gather(&m.store, &UsageSettings::default(), ApiMode::Cached)
            .await
            .unwrap();
        assert_eq!(
            r.machines.len(),
            2,
            "both machines' figures: {:?}",
            r.machines
        );
        // Version 4: each machine's Shark is recorded, and none is newer.
        assert_eq!(m.store.newer_shark().await.unwrap(), None);
    }
}
