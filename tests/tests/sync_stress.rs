//! No write is lost or doubled while sync runs: machine A writes steadily
//! (creates, edits, status changes, notes) while its owner pushes and pulls
//! back to back and machine B writes too, all through the fault proxy:
//! latency, a black-hole period, 503s, push answers cut after the server
//! committed them, and the server killed and restarted. At the end both
//! machines hold the same data and every write is there exactly once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use shark_core::cloud::{EngineConfig, SyncEngine};
use shark_core::model::{Actor, NoteType};
use shark_core::store::{NewFeature, NewTask, Store, TaskFilter, TaskPatch, TransitionRequest};
use shark_core::workflow::Action;
use shark_tests::replica::{replica_at, seed};
use shark_tests::{FaultProxy, SyncServer};

fn busy_owner() -> EngineConfig {
    EngineConfig {
        debounce: Duration::from_millis(50),
        pull_floor: Duration::from_millis(50),
        long_poll: Duration::ZERO,
        attempt_timeout: Duration::from_secs(2),
        retries: 0,
        paused: false,
    }
}

fn new_task(feature: &str, title: &str) -> NewTask {
    NewTask::new(feature, title)
}

/// Tasks by title: status and sorted notes; and every note's text.
async fn dump(s: &Store) -> (BTreeMap<String, String>, Vec<String>) {
    let mut tasks = BTreeMap::new();
    for t in s
        .list_tasks(&TaskFilter::everything())
        .await
        .expect("tasks")
    {
        let prev = tasks.insert(t.title.clone(), format!("{} {}", t.key, t.status));
        assert!(prev.is_none(), "the title {} is there twice", t.title);
    }
    let mut notes: Vec<String> = s
        .all_notes()
        .await
        .expect("notes")
        .into_iter()
        .map(|n| format!("{} {}", n.task_key, n.content))
        .collect();
    notes.sort();
    (tasks, notes)
}

/// One step of A's steady writing; returns how long each write took.
async fn a_step(a: &Store, i: usize, keys: &mut Vec<String>, actor: &Actor) -> Vec<f64> {
    let mut took = Vec::new();
    let mut timed = Instant::now();
    let mut lap = |took: &mut Vec<f64>| {
        took.push(timed.elapsed().as_secs_f64() * 1000.0);
        timed = Instant::now();
    };
    let t = a
        .create_task(new_task("E01-F01", &format!("a{i}")), actor)
        .await
        .expect("create on A");
    keys.push(t.key.clone());
    lap(&mut took);
    a.add_note(&t.key, NoteType::Comment, &format!("note a{i}"), actor)
        .await
        .expect("note on A");
    lap(&mut took);
    if i % 3 == 1 {
        let patch = TaskPatch {
            title: Some(format!("a{} edited", i - 1)),
            ..Default::default()
        };
        a.update_task(&keys[i - 1], patch, actor)
            .await
            .expect("edit on A");
        lap(&mut took);
    }
    if i % 3 == 2 {
        a.transition(
            &keys[i - 2],
            Action::Start,
            TransitionRequest::default(),
            actor,
        )
        .await
        .expect("start on A");
        lap(&mut took);
    }
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steady_writes_survive_sync_faults_exactly_once() {
    let mut server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let a = replica_at(&proxy.url(), "a", None).await;
    seed(&a.store).await;
    a.store
        .create_feature(NewFeature::new("E01", "B's"))
        .await
        .expect("feature for B");
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .expect("first push");
    let b = replica_at(&proxy.url(), "b", None).await;
    let ea = SyncEngine::start(a.store.clone(), a.paths.clone(), busy_owner());
    let eb = SyncEngine::start(b.store.clone(), b.paths.clone(), busy_owner());
    let ea = Arc::new(ea);

    // Besides the engine's own passes: requested passes back to back on A.
    let done = Arc::new(AtomicBool::new(false));
    let hammer = {
        let (ea, done) = (ea.clone(), done.clone());
        tokio::spawn(async move {
            let mut passes = 0;
            while !done.load(Ordering::SeqCst) {
                let _ = ea.sync_now().await;
                passes += 1;
            }
            passes
        })
    };
    // B writes on its own all along (its own feature, so no key races).
    let b_writer = {
        let store = b.store.clone();
        tokio::spawn(async move {
            let actor = Actor::user("b");
            for j in 0..30 {
                let t = store
                    .create_task(new_task("E01-F02", &format!("b{j}")), &actor)
                    .await
                    .expect("create on B");
                store
                    .add_note(&t.key, NoteType::Comment, &format!("note b{j}"), &actor)
                    .await
                    .expect("note on B");
                tokio::time::sleep(Duration::from_millis(70)).await;
            }
        })
    };

    let actor = Actor::user("a");
    let mut keys = Vec::new();
    let mut took = Vec::new();
    let f = &proxy.faults;
    for i in 0..60 {
        match i {
            10 => proxy.latency(Duration::from_millis(100)),
            20 => f.black_hole.store(true, Ordering::SeqCst),
            28 => f.black_hole.store(false, Ordering::SeqCst),
            30 => f.errors_503.store(3, Ordering::SeqCst),
            35 => f.cut_push_answers.store(2, Ordering::SeqCst),
            42 => server.stop(),
            46 => server.restart(),
            50 => proxy.heal(),
            _ => {}
        }
        took.extend(a_step(&a.store, i, &mut keys, &actor).await);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    b_writer.await.expect("B's writer");
    done.store(true, Ordering::SeqCst);
    let passes = hammer.await.expect("the hammer");
    proxy.heal();
    assert!(server.is_running());

    // Quiet now: both owners sync until nothing moves.
    for _ in 0..3 {
        ea.sync_now().await.expect("A's final sync");
        eb.sync_now().await.expect("B's final sync");
    }
    let (tasks_a, notes_a) = dump(&a.store).await;
    let (tasks_b, notes_b) = dump(&b.store).await;
    assert_eq!(tasks_a, tasks_b, "A and B differ");
    assert_eq!(notes_a, notes_b, "A and B differ in notes");
    for i in 0..60 {
        let edited = i % 3 == 0 && i + 1 < 60;
        let title = if edited {
            format!("a{i} edited")
        } else {
            format!("a{i}")
        };
        let status = tasks_a
            .get(&title)
            .unwrap_or_else(|| panic!("{title} is missing"));
        let started = i % 3 == 0 && i + 2 < 60;
        assert_eq!(
            status.ends_with("in_progress"),
            started,
            "{title}: {status}"
        );
        let note = format!("note a{i}");
        assert_eq!(
            notes_a.iter().filter(|n| n.ends_with(&note)).count(),
            1,
            "{note} is not there exactly once"
        );
    }
    for j in 0..30 {
        assert!(tasks_a.contains_key(&format!("b{j}")), "b{j} is missing");
        let note = format!("note b{j}");
        assert_eq!(notes_a.iter().filter(|n| n.ends_with(&note)).count(), 1);
    }
    assert_eq!(tasks_a.len(), 90, "no task more, none less");
    let seen = &proxy.seen;
    assert!(
        seen.pushes.load(Ordering::SeqCst) > 10,
        "pushes ran meanwhile"
    );
    took.sort_by(f64::total_cmp);
    eprintln!(
        "{} writes on A during {passes} requested passes and the owner's own: median {:.1} ms, max {:.1} ms; {} requests through the proxy",
        took.len(),
        took[took.len() / 2],
        took[took.len() - 1],
        seen.requests.load(Ordering::SeqCst)
    );
}
