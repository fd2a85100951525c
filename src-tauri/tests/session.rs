//! The app's session without a window: it opens the local database by
//! default, reports data changes and status, connects to the real sync
//! server (carrying local work over), tests connections with classified
//! results, and disconnects keeping every record. Idle, it wakes no view;
//! a remote edit names the task it changed.

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use shark_app::session::{Event, Session};
use shark_core::cloud::{MachineState, Mode, Problem, test_connection, token::test_token};
use shark_core::model::Actor;
use shark_core::paths::SharkPaths;
use shark_core::store::{NewEpic, NewFeature, NewTask, TaskFilter, TaskPatch};
use shark_tests::{AuthProxy, FaultProxy, SyncServer, replica};

type Seen = Arc<Mutex<Vec<String>>>;

fn session() -> (tempfile::TempDir, Arc<Session>, Seen) {
    let home = tempfile::tempdir().unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let notify = Arc::new(move |e: Event| {
        let name = match e {
            Event::DataChanged(c) => {
                let what = if c.everything {
                    "*".to_string()
                } else {
                    c.tasks.join(",")
                };
                log.lock().unwrap().push(format!("data:{what}"));
                "data".to_string()
            }
            Event::Status => "status".to_string(),
            Event::Sync(s) => format!("sync:{:?}", s.phase),
            Event::Opened => "opened".to_string(),
        };
        log.lock().unwrap().push(name);
    });
    let session = Session::new(SharkPaths::under(home.path()), notify);
    (home, session, seen)
}

async fn wait_for(seen: &Seen, what: &str) {
    for _ in 0..200 {
        if seen.lock().unwrap().iter().any(|s| s == what) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no {what} event: {:?}", seen.lock().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_launch_is_local_and_reports_changes() {
    let (_home, session, seen) = session();
    assert_eq!(session.status().await.phase, MachineState::Opening);
    let live = session.open().await.unwrap();
    let status = session.status().await;
    assert_eq!(status.phase, MachineState::Local);
    assert_eq!(status.line, "Local only (no cloud connected)");
    assert!(!status.offline);
    seen.lock().unwrap().clear();
    live.store
        .create_epic(NewEpic::titled("Desktop"))
        .await
        .unwrap();
    wait_for(&seen, "data").await;
    // Commands wait for the open database rather than failing.
    assert_eq!(
        session
            .live()
            .await
            .unwrap()
            .store
            .list_epics()
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_carries_work_over_then_disconnect_keeps_it() {
    let server = SyncServer::start();
    let (_home, session, seen) = session();
    let live = session.open().await.unwrap();
    live.store
        .create_epic(NewEpic::titled("Made before connecting"))
        .await
        .unwrap();
    drop(live);

    let url = server.url();
    let live = session
        .reconfigure(move |c| {
            c.cloud.url = Some(url);
            c.cloud.sync_interval_secs = Some(1);
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(live.info.mode, Mode::Replica);
    assert!(live.engine.is_some());
    wait_for(&seen, "sync:UpToDate").await;
    let status = session.status().await;
    assert_eq!(status.mode, Some(Mode::Replica));
    assert!(status.line.starts_with("Synced"), "{}", status.line);

    // Another machine sees the carried-over epic.
    let other = replica::replica(&server, "laptop-2").await;
    let epics = other.store.list_epics().await.unwrap();
    assert_eq!(epics.len(), 1, "{epics:?}");
    assert_eq!(epics[0].title, "Made before connecting");

    // A change made on the other machine reaches the open views by itself.
    seen.lock().unwrap().clear();
    other
        .store
        .create_epic(NewEpic::titled("Made on laptop-2"))
        .await
        .unwrap();
    other.store.push().await.unwrap();
    wait_for(&seen, "data").await;
    let mut titles = Vec::new();
    for _ in 0..100 {
        titles = live.store.list_epics().await.unwrap().items;
        if titles.iter().any(|e| e.title == "Made on laptop-2") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        titles.iter().any(|e| e.title == "Made on laptop-2"),
        "{titles:?}"
    );
    drop(live);

    let saved = session.disconnect().await.unwrap();
    assert!(saved > 0);
    let live = session.live().await.unwrap();
    assert_eq!(live.info.mode, Mode::Local);
    assert_eq!(live.store.list_epics().await.unwrap().len(), 2);
    assert_eq!(
        live.store
            .list_tasks(&TaskFilter::everything())
            .await
            .unwrap()
            .len(),
        0
    );
    assert_eq!(session.status().await.phase, MachineState::Local);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_setting_is_refused_and_nothing_is_lost() {
    let (_home, session, _seen) = session();
    session.open().await.unwrap();
    let r = session
        .reconfigure(|c| {
            c.cloud.url = Some("libsql://user:s3cret-pw@x.turso.io".into());
            Ok(())
        })
        .await;
    let e = r.unwrap_err();
    assert!(!e.message.contains("s3cret-pw"), "{}", e.message);
    assert!(e.message.contains("credentials"), "{}", e.message);
    // The old settings are back and the database is open again.
    assert_eq!(session.status().await.phase, MachineState::Local);
    let config = shark_core::config::Config::load(&session.paths).unwrap();
    assert_eq!(config.cloud.url, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_connection_classifies_the_outcome() {
    let mut server = SyncServer::start();
    let ok = test_connection(&server.url(), None, false, Duration::from_secs(10)).await;
    assert!(ok.ok, "{ok:?}");

    let token = test_token(&serde_json::json!({"id": "right"}));
    let proxy = AuthProxy::start(server.addr(), token.expose());
    let wrong = test_token(&serde_json::json!({"id": "wrong"}));
    let auth = test_connection(&proxy.url(), Some(&wrong), false, Duration::from_secs(10)).await;
    assert!(!auth.ok);
    assert_eq!(auth.problem, Some(Problem::Auth), "{auth:?}");
    assert!(!auth.message.contains(wrong.expose()));
    let good = test_connection(&proxy.url(), Some(&token), false, Duration::from_secs(10)).await;
    assert!(good.ok, "{good:?}");

    let bad = test_connection("not a url at all", None, false, Duration::from_secs(2)).await;
    assert!(!bad.ok);

    server.stop();
    let offline = test_connection(&server.url(), None, false, Duration::from_secs(5)).await;
    assert_eq!(offline.problem, Some(Problem::Offline), "{offline:?}");
}

/// A Connect that fails puts the token back (issue 18): connected to one
/// database, trying another with a token it refuses leaves the first with
/// its own token, connected and syncing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_connect_puts_the_old_token_back() {
    let a_server = SyncServer::start();
    let a_token = test_token(&serde_json::json!({"id": "a"}));
    let a = AuthProxy::start(a_server.addr(), a_token.expose());
    let b_server = SyncServer::start();
    let b = AuthProxy::start(
        b_server.addr(),
        test_token(&serde_json::json!({"id": "b"})).expose(),
    );
    let (_home, session, _seen) = session();
    session.open().await.unwrap();
    session
        .connect(&a.url(), Some(a_token.expose().to_string()))
        .await
        .unwrap();
    assert_eq!(session.status().await.mode, Some(Mode::Replica));

    let wrong = test_token(&serde_json::json!({"id": "not-b"}));
    let e = session
        .connect(&b.url(), Some(wrong.expose().to_string()))
        .await
        .unwrap_err();
    assert!(!e.message.contains(wrong.expose()), "{}", e.message);
    let saved = shark_core::cloud::token::saved_token(&session.paths)
        .unwrap()
        .unwrap();
    assert_eq!(saved.expose(), a_token.expose(), "the old token is back");
    let config = shark_core::config::Config::load(&session.paths).unwrap();
    assert_eq!(config.cloud.url.as_deref(), Some(a.url().as_str()));
    // And it works: the first database still syncs with it.
    let live = session.live().await.unwrap();
    assert_eq!(live.info.mode, Mode::Replica);
    shark_core::cloud::pipeline::sync_once(&live.store)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_saved_token_is_never_sent_to_another_host() {
    let server = SyncServer::start();
    let token = test_token(&serde_json::json!({"id": "mine"}));
    let good = AuthProxy::start(server.addr(), token.expose());
    let (_home, session, _seen) = session();
    session.open().await.unwrap();
    session
        .connect(&good.url(), Some(token.expose().to_string()))
        .await
        .unwrap();
    assert_eq!(session.status().await.mode, Some(Mode::Replica));
    session.disconnect().await.unwrap();
    // A listener that counts whoever connects: a host typed by mistake.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let e = session.connect(&other, None).await.unwrap_err();
    assert!(
        e.message.contains("Nothing was sent") && e.message.contains("Settings > Cloud"),
        "{}",
        e.message
    );
    assert!(
        listener.accept().is_err(),
        "nothing may reach another host with the saved token"
    );
    assert!(!e.message.contains(token.expose()));
    // A failed connect elsewhere with a made-up token does not unbind the
    // saved one (a page could otherwise clear the way for the next try).
    let evil_server = SyncServer::start();
    let evil = AuthProxy::start(
        evil_server.addr(),
        test_token(&serde_json::json!({"id": "evil"})).expose(),
    );
    let fake = test_token(&serde_json::json!({"id": "fake"}));
    assert!(
        session
            .connect(&evil.url(), Some(fake.expose().to_string()))
            .await
            .is_err(),
        "the made-up token is refused (401)"
    );
    let before = shark_core::cloud::token_host::bound_host(&session.paths);
    assert_eq!(
        before.as_deref(),
        Some(good.url().trim_start_matches("http://"))
    );
    drop(listener);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let third = format!("http://{}", listener.local_addr().unwrap());
    assert!(session.connect(&third, None).await.is_err());
    assert!(listener.accept().is_err(), "still nothing sent elsewhere");
    // The same host keeps working with the saved token.
    session.connect(&good.url(), None).await.unwrap();
    assert_eq!(session.status().await.mode, Some(Mode::Replica));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_it_wakes_no_view_and_a_remote_edit_names_its_task() {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let other = replica::replica_at(&proxy.url(), "laptop-2", None).await;
    other.store.create_epic(NewEpic::titled("E")).await.unwrap();
    other
        .store
        .create_feature(NewFeature::new("E01", "F"))
        .await
        .unwrap();
    let news = (0..3)
        .map(|_| NewTask::new("E01-F01".to_string(), "t"))
        .collect();
    let made = other
        .store
        .create_tasks(news, &Actor::user("u"))
        .await
        .unwrap();
    other.store.push().await.unwrap();

    let (_home, session, seen) = session();
    drop(session.open().await.unwrap());
    let url = proxy.url();
    let live = session
        .reconfigure(move |c| {
            c.cloud.url = Some(url);
            Ok(())
        })
        .await
        .unwrap();
    wait_for(&seen, "sync:UpToDate").await;
    let mut here = 0;
    for _ in 0..400 {
        here = live
            .store
            .list_tasks(&TaskFilter::default())
            .await
            .unwrap()
            .len();
        if here == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(here, 3, "the other machine's tasks arrived");

    // Idle: live pulls keep asking, and no view is woken.
    seen.lock().unwrap().clear();
    let pulls = proxy.seen.pulls.load(std::sync::atomic::Ordering::SeqCst);
    for _ in 0..400 {
        if proxy.seen.pulls.load(std::sync::atomic::Ordering::SeqCst) >= pulls + 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        proxy.seen.pulls.load(std::sync::atomic::Ordering::SeqCst) >= pulls + 4,
        "live pulls ran"
    );
    let woken: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.starts_with("data"))
        .cloned()
        .collect();
    assert!(woken.is_empty(), "idle pulls woke views: {woken:?}");

    // One task edited elsewhere: the event names that task alone.
    let patch = TaskPatch {
        title: Some("edited on laptop-2".into()),
        ..TaskPatch::default()
    };
    other
        .store
        .update_task(&made[1].key, patch, &Actor::user("u"))
        .await
        .unwrap();
    other.store.push().await.unwrap();
    wait_for(&seen, &format!("data:{}", made[1].id)).await;
    assert!(
        !seen.lock().unwrap().iter().any(|s| s == "data:*"),
        "a remote edit made the window read everything: {:?}",
        seen.lock().unwrap()
    );
}
