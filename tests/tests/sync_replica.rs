//! The core's replica against the real sync server: two machines see each
//! other's work, and writes keep working while the server is down.

use std::time::Duration;

use shark_core::model::Actor;
use shark_core::secret::SecretToken;
use shark_core::store::{NewEpic, NewFeature, NewTask, Remote, TaskFilter};
use shark_tests::SyncServer;

type Machine = shark_tests::replica::Replica;

async fn machine(server: &SyncServer, name: &str) -> Machine {
    shark_tests::replica::replica(server, name).await
}

fn user() -> Actor {
    Actor::user("tester")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_machines_see_each_others_work() {
    let server = SyncServer::start();
    let a = machine(&server, "desktop").await;
    a.store.create_epic(NewEpic::titled("Sync")).await.unwrap();
    a.store
        .create_feature(NewFeature::new("E01", "Replicas"))
        .await
        .unwrap();
    let t = NewTask::new("E01-F01", "From the desktop");
    a.store.create_task(t, &user()).await.unwrap();
    let pending = a.store.sync_stats().await.unwrap().unwrap().pending_changes;
    assert!(pending > 0, "writes are queued for push");
    a.store.push().await.unwrap();
    assert_eq!(
        a.store.sync_stats().await.unwrap().unwrap().pending_changes,
        0
    );

    // A new machine bootstraps from the server and has everything.
    let b = machine(&server, "laptop").await;
    let tasks = b.store.list_tasks(&TaskFilter::default()).await.unwrap();
    assert_eq!(
        tasks.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        ["T-E01-F01-001"]
    );

    // And its edits flow back.
    b.store
        .transition(
            "T-E01-F01-001",
            shark_core::workflow::Action::Start,
            Default::default(),
            &user(),
        )
        .await
        .unwrap();
    b.store.push().await.unwrap();
    assert!(a.store.pull().await.unwrap(), "the pull brought changes");
    let t = a.store.get_task("T-E01-F01-001").await.unwrap();
    assert_eq!(t.status.as_str(), "in_progress");
    let history = a.store.task_history("T-E01-F01-001").await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        last.device_name, "laptop",
        "history names the machine that made the change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_work_while_the_server_is_down_and_sync_after() {
    let mut server = SyncServer::start();
    let a = machine(&server, "desktop").await;
    a.store
        .create_epic(NewEpic::titled("Offline"))
        .await
        .unwrap();
    a.store.push().await.unwrap();

    server.stop();
    a.store
        .create_feature(NewFeature::new("E01", "Plane"))
        .await
        .unwrap();
    let t = NewTask::new("E01-F01", "Written offline");
    a.store.create_task(t, &user()).await.unwrap();
    assert_eq!(
        a.store
            .list_tasks(&TaskFilter::default())
            .await
            .unwrap()
            .len(),
        1,
        "reads are local"
    );
    let err = a.store.push().await.unwrap_err();
    assert_eq!(err.code(), "sync", "{err}");
    assert!(a.store.sync_stats().await.unwrap().unwrap().pending_changes > 0);

    server.restart();
    a.store.push().await.unwrap();
    let b = machine(&server, "laptop").await;
    let tasks = b.store.list_tasks(&TaskFilter::default()).await.unwrap();
    assert_eq!(tasks.len(), 1, "nothing written offline was lost");
    assert_eq!(tasks[0].title, "Written offline");
}

#[test]
fn the_token_type_never_prints() {
    let remote = Remote {
        url: "http://127.0.0.1:1".into(),
        token: Some(SecretToken::new("very-secret-token")),
        long_poll: None,
        deadlines: Default::default(),
    };
    let shown = format!("{remote:?}");
    assert!(!shown.contains("very-secret-token"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_creates_in_one_scope_end_with_unique_keys_everywhere() {
    let mut server = SyncServer::start();
    let a = machine(&server, "desktop").await;
    shark_tests::replica::seed(&a.store).await;
    a.store.push().await.unwrap();
    let b = machine(&server, "laptop").await;

    // Both offline: each creates an epic, a feature in E01, and tasks in E01-F01.
    server.stop();
    let new = |t: &str| NewTask::new("E01-F01", t);
    let mut ids = Vec::new();
    for (m, name) in [(&a, "desktop"), (&b, "laptop")] {
        let e = m
            .store
            .create_epic(NewEpic::titled(format!("epic {name}")))
            .await
            .unwrap();
        assert_eq!(
            e.key, "E02",
            "each machine picked the same next epic number"
        );
        let f = NewFeature::new("E01", format!("feature {name}"));
        assert_eq!(m.store.create_feature(f).await.unwrap().key, "E01-F02");
        let t1 = m
            .store
            .create_task(new(&format!("{name} 1")), &user())
            .await
            .unwrap();
        let t2 = m
            .store
            .create_task(new(&format!("{name} 2")), &user())
            .await
            .unwrap();
        assert_eq!(
            (t1.key.as_str(), t2.key.as_str()),
            ("T-E01-F01-001", "T-E01-F01-002")
        );
        ids.extend([t1.id, t2.id]);
    }

    server.restart();
    let report = shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    assert!(
        report.renumbered.is_empty(),
        "the first to push keeps its keys"
    );
    let report = shark_core::cloud::pipeline::sync_once(&b.store)
        .await
        .unwrap();
    let moved: Vec<(&str, &str)> = report
        .renumbered
        .iter()
        .map(|r| (r.old_key.as_str(), r.new_key.as_str()))
        .collect();
    assert_eq!(
        moved,
        [
            ("T-E01-F01-001", "T-E01-F01-003"),
            ("T-E01-F01-002", "T-E01-F01-004")
        ]
    );
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();

    let snapshot = |tasks: Vec<shark_core::model::Task>| {
        let mut v: Vec<(String, String, String)> =
            tasks.into_iter().map(|t| (t.key, t.id, t.title)).collect();
        v.sort();
        v
    };
    let on_a = snapshot(
        a.store
            .list_tasks(&TaskFilter::default())
            .await
            .unwrap()
            .items,
    );
    let on_b = snapshot(
        b.store
            .list_tasks(&TaskFilter::default())
            .await
            .unwrap()
            .items,
    );
    assert_eq!(on_a, on_b, "both machines hold identical data");
    assert_eq!(on_a.len(), 4, "every task exists once");
    let keys: std::collections::BTreeSet<&str> = on_a.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(keys.len(), 4, "keys are unique: {on_a:?}");
    let mut got: Vec<&str> = on_a.iter().map(|(_, id, _)| id.as_str()).collect();
    got.sort_unstable();
    ids.sort_unstable();
    assert_eq!(got, ids);

    let epics: Vec<String> = a
        .store
        .list_epics()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(epics, ["E01", "E02", "E03"]);
    let features: Vec<String> = b
        .store
        .list_features(Some("E01"))
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.key)
        .collect();
    assert_eq!(features, ["E01-F01", "E01-F02", "E01-F03"]);

    // The laptop's renumbered task says so in its history, on both machines.
    let h = a.store.task_history("T-E01-F01-003").await.unwrap();
    let key_change = h
        .iter()
        .find(|e| e.field == "key")
        .expect("a key change in history");
    assert_eq!(key_change.old_value.as_deref(), Some("T-E01-F01-001"));
    assert_eq!(key_change.device_name, "laptop");
}

async fn two_with_a_task(server: &SyncServer) -> (Machine, Machine) {
    let a = machine(server, "desktop").await;
    shark_tests::replica::seed(&a.store).await;
    let t = NewTask::new("E01-F01", "original");
    a.store.create_task(t, &user()).await.expect("setup");
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .expect("setup");
    let b = machine(server, "laptop").await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_field_edited_on_both_last_push_wins_and_history_keeps_the_other() {
    let server = SyncServer::start();
    let (a, b) = two_with_a_task(&server).await;
    let title = |t: &str| shark_core::store::TaskPatch {
        title: Some(t.into()),
        ..Default::default()
    };
    a.store
        .update_task("E01-F01-001", title("desktop title"), &user())
        .await
        .unwrap();
    b.store
        .update_task("E01-F01-001", title("laptop title"), &user())
        .await
        .unwrap();
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    shark_core::cloud::pipeline::sync_once(&b.store)
        .await
        .unwrap(); // pushes last
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    for m in [&a, &b] {
        assert_eq!(
            m.store.get_task("E01-F01-001").await.unwrap().title,
            "laptop title"
        );
        let h = m.store.task_history("E01-F01-001").await.unwrap();
        let overwritten = h
            .iter()
            .find(|e| e.field == "title" && e.new_value.as_deref() == Some("desktop title"))
            .expect("the overwritten value stays in history");
        assert_eq!(
            overwritten.device_name, "desktop",
            "with the machine that wrote it"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_fields_edited_on_both_are_both_kept() {
    let server = SyncServer::start();
    let (a, b) = two_with_a_task(&server).await;
    let p = shark_core::model::TaskPriority::new(1).unwrap();
    let patch_a = shark_core::store::TaskPatch {
        priority: Some(p),
        ..Default::default()
    };
    let patch_b = shark_core::store::TaskPatch {
        description: Some("from the laptop".into()),
        ..Default::default()
    };
    a.store
        .update_task("E01-F01-001", patch_a, &user())
        .await
        .unwrap();
    b.store
        .update_task("E01-F01-001", patch_b, &user())
        .await
        .unwrap();
    b.store
        .transition(
            "E01-F01-001",
            shark_core::workflow::Action::Start,
            Default::default(),
            &user(),
        )
        .await
        .unwrap();
    for m in [&a, &b, &a] {
        shark_core::cloud::pipeline::sync_once(&m.store)
            .await
            .unwrap();
    }
    for m in [&a, &b] {
        let t = m.store.get_task("E01-F01-001").await.unwrap();
        assert_eq!(t.priority.get(), 1);
        assert_eq!(t.description.as_deref(), Some("from the laptop"));
        assert_eq!(t.status.as_str(), "in_progress");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_during_a_big_push_loses_and_duplicates_nothing() {
    let mut server = SyncServer::start();
    let a = machine(&server, "desktop").await;
    shark_tests::replica::seed(&a.store).await;
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    let news: Vec<NewTask> = (0..1000)
        .map(|i| NewTask::new("E01-F01", format!("bulk {i}")))
        .collect();
    a.store.create_tasks(news, &user()).await.unwrap();

    // Kill the server (SIGKILL) while the push is in flight.
    let push = a.store.push();
    let kill = async {
        tokio::time::sleep(Duration::from_millis(15)).await;
        server.stop();
    };
    let (pushed, ()) = tokio::join!(push, kill);
    eprintln!(
        "push during the kill: {}",
        if pushed.is_ok() {
            "completed"
        } else {
            "failed"
        }
    );
    server.restart();
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .unwrap();
    assert_eq!(
        a.store.sync_stats().await.unwrap().unwrap().pending_changes,
        0
    );

    let b = machine(&server, "laptop").await;
    let tasks = b.store.list_tasks(&TaskFilter::default()).await.unwrap();
    assert_eq!(tasks.len(), 1000, "every task arrived exactly once");
    let ids: std::collections::BTreeSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), 1000);
    let keys: std::collections::BTreeSet<&str> = tasks.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys.len(), 1000);
}

/// A pass cut after its pull applied another machine's row with the same
/// key (a timeout, an answer broken on the way back) never ran its
/// collision check; the next pass checks it though its own pull brings
/// nothing, so the key still becomes unique.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collision_a_cut_pass_never_checked_is_checked_by_the_next() {
    use shark_core::cloud::pipeline::{self, Attempts, Step, Trigger};
    let server = SyncServer::start();
    let a = machine(&server, "a").await;
    let b = machine(&server, "b").await;
    shark_tests::replica::seed(&a.store).await;
    a.store.push().await.unwrap();
    b.store.pull().await.unwrap();
    b.store.resolve_key_collisions().await.unwrap();
    let first = shark_tests::replica::task("on a first");
    a.store.create_task(first, &user()).await.unwrap();
    a.store.push().await.unwrap();
    let later = shark_tests::replica::task("on b later");
    let mine = b.store.create_task(later, &user()).await.unwrap();
    b.store.push().await.unwrap();
    // The pull of a pass that is then cut: applied, never checked.
    assert!(b.store.pull().await.unwrap(), "a's task arrived");
    assert!(b.store.unchecked_news());
    let attempts = Attempts {
        timeout: Duration::from_secs(30),
        retries: 0,
    };
    let report = pipeline::run(&b.store, Trigger::LivePull, attempts, &[])
        .await
        .unwrap();
    assert!(!report.pulled, "the next pull brings nothing new");
    assert!(
        report.steps.contains(&Step::RenumberAfterNews),
        "{report:?}"
    );
    assert!(!b.store.unchecked_news());
    let tasks = b.store.list_tasks(&TaskFilter::default()).await.unwrap();
    let keys: std::collections::BTreeSet<_> = tasks.iter().map(|t| t.key.clone()).collect();
    assert_eq!(keys.len(), 2, "unique keys: {tasks:?}");
    let moved = tasks.iter().find(|t| t.id == mine.id).unwrap();
    assert_ne!(moved.key, mine.key, "the later task gave up its key");
}
