//! The core's replica against the real sync server: two machines see each
//! other's work, and writes keep working while the server is down.

use std::time::Duration;

use shark_core::config::{Config, Device};
use shark_core::model::Actor;
use shark_core::paths::SharkPaths;
use shark_core::secret::SecretToken;
use shark_core::store::{Backend, NewEpic, NewFeature, NewTask, Remote, Store, TaskFilter};
use shark_tests::SyncServer;

struct Machine {
    _home: tempfile::TempDir,
    store: Store,
}

async fn machine(server: &SyncServer, name: &str) -> Machine {
    let home = tempfile::tempdir().expect("temp dir");
    let paths = SharkPaths::under(home.path());
    paths.ensure_dirs().expect("shark home");
    let config = Config {
        device_name: Some(name.into()),
        ..Default::default()
    };
    let device = Device::load_or_create(&paths, &config).expect("device id");
    let backend = Backend::Replica(Remote {
        url: server.url(),
        token: None,
    });
    let store = Store::open_with(&paths, device, Duration::from_secs(1), &backend)
        .await
        .expect("open the replica");
    Machine { _home: home, store }
}

fn user() -> Actor {
    Actor::user("tester")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_machines_see_each_others_work() {
    let server = SyncServer::start();
    let a = machine(&server, "desktop").await;
    a.store
        .create_epic(NewEpic {
            title: "Sync".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    a.store
        .create_feature(NewFeature {
            epic: "E01".into(),
            title: "Replicas".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let t = NewTask {
        feature: "E01-F01".into(),
        title: "From the desktop".into(),
        ..Default::default()
    };
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
        .create_epic(NewEpic {
            title: "Offline".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    a.store.push().await.unwrap();

    server.stop();
    a.store
        .create_feature(NewFeature {
            epic: "E01".into(),
            title: "Plane".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let t = NewTask {
        feature: "E01-F01".into(),
        title: "Written offline".into(),
        ..Default::default()
    };
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
    };
    let shown = format!("{remote:?}");
    assert!(!shown.contains("very-secret-token"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_creates_in_one_feature_lose_nothing_and_resolve_alike() {
    let mut server = SyncServer::start();
    let a = machine(&server, "desktop").await;
    a.store
        .create_epic(NewEpic {
            title: "E".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    a.store
        .create_feature(NewFeature {
            epic: "E01".into(),
            title: "F".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    a.store.push().await.unwrap();
    let b = machine(&server, "laptop").await;

    // Both offline, both create "the next task" in E01-F01.
    server.stop();
    let new = |t: &str| NewTask {
        feature: "E01-F01".into(),
        title: t.into(),
        ..Default::default()
    };
    let ta = a
        .store
        .create_task(new("from the desktop"), &user())
        .await
        .unwrap();
    let tb = b
        .store
        .create_task(new("from the laptop"), &user())
        .await
        .unwrap();
    assert_eq!(ta.key, tb.key, "each machine picked the same next number");

    server.restart();
    for m in [&a, &b, &a, &b] {
        m.store.pull().await.unwrap();
        m.store.push().await.unwrap();
    }
    for m in [&a, &b] {
        let tasks = m.store.list_tasks(&TaskFilter::default()).await.unwrap();
        let mut ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        let mut want = vec![ta.id.as_str(), tb.id.as_str()];
        want.sort_unstable();
        assert_eq!(ids, want, "both tasks exist, once each, on every machine");
    }
    // Until the creator renumbers it, the shared key means the oldest task everywhere.
    let on_a = a.store.get_task(&ta.key).await.unwrap();
    let on_b = b.store.get_task(&ta.key).await.unwrap();
    assert_eq!(on_a.id, on_b.id);
    assert_eq!(on_a.id, ta.id, "the desktop's task was created first");
}
