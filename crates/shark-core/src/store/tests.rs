//! Store tests on a real database file: reopening, re-running migrations the
//! way a replica bootstrapped from the cloud will, and batch key allocation.

use std::time::Duration;

use super::*;
use crate::config::Config;
use crate::model::Actor;

async fn open(paths: &SharkPaths) -> Store {
    let device = Device::load_or_create(paths, &Config::default()).unwrap();
    Store::open(paths, device, Duration::from_secs(1))
        .await
        .unwrap()
}

fn setup() -> (tempfile::TempDir, SharkPaths) {
    let tmp = tempfile::tempdir().unwrap();
    let paths = SharkPaths::under(tmp.path());
    (tmp, paths)
}

#[tokio::test]
async fn migrations_rerun_harmlessly_when_the_header_is_reset() {
    let (_tmp, paths) = setup();
    let store = open(&paths).await;
    store.create_epic(NewEpic::titled("E")).await.unwrap();
    // A replica bootstrapped from the cloud has our tables but user_version 0.
    store
        .conn
        .execute("PRAGMA user_version = 0", ())
        .await
        .unwrap();
    drop(store);
    let store = open(&paths).await;
    assert_eq!(store.list_epics().await.unwrap().len(), 1);
    let v = row::query_opt(
        &store.reader().await.unwrap(),
        "PRAGMA user_version",
        vec![],
        |r| row::int(r, 0),
    )
    .await
    .unwrap();
    assert_eq!(v, Some(latest_version()));
}

#[tokio::test]
async fn the_device_row_is_written_once_and_renamed_when_the_name_changes() {
    let (_tmp, paths) = setup();
    drop(open(&paths).await);
    Config {
        device_name: Some("laptop".into()),
        ..Default::default()
    }
    .save(&paths)
    .unwrap();
    let device = Device::load_or_create(&paths, &Config::load(&paths).unwrap()).unwrap();
    let store = Store::open(&paths, device, Duration::from_secs(1))
        .await
        .unwrap();
    let names = row::query_all(
        &store.reader().await.unwrap(),
        "SELECT name FROM devices",
        vec![],
        |r| row::text(r, 0),
    )
    .await
    .unwrap();
    assert_eq!(names, ["laptop"]);
}

#[tokio::test]
async fn a_batch_numbers_each_feature_on_its_own() {
    let (_tmp, paths) = setup();
    let store = open(&paths).await;
    store.create_epic(NewEpic::titled("E")).await.unwrap();
    for t in ["A", "B"] {
        store
            .create_feature(NewFeature::new("E01", t))
            .await
            .unwrap();
    }
    let news = ["e01-f01", "E01-F02", "E01-F01", "E01-F02", "E01-F01"]
        .iter()
        .map(|f| NewTask::new(f.to_string(), "t"))
        .collect();
    let made = store.create_tasks(news, &Actor::user("u")).await.unwrap();
    let keys: Vec<&str> = made.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "T-E01-F01-001",
            "T-E01-F02-001",
            "T-E01-F01-002",
            "T-E01-F02-002",
            "T-E01-F01-003"
        ]
    );
    let listed = store.list_tasks(&TaskFilter::default()).await.unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(
        listed[0], made[0],
        "what create returns is what a read gives back"
    );
}

#[tokio::test]
async fn a_failed_write_leaves_nothing_behind() {
    let (_tmp, paths) = setup();
    let store = open(&paths).await;
    store.create_epic(NewEpic::titled("E")).await.unwrap();
    store
        .create_feature(NewFeature::new("E01", "F"))
        .await
        .unwrap();
    let news = vec![
        NewTask::new("E01-F01", "ok"),
        NewTask {
            feature: "E01-F01".into(),
            title: "bad dep".into(),
            depends_on: vec!["T-E01-F01-099".into()],
            ..Default::default()
        },
    ];
    let err = store
        .create_tasks(news, &Actor::user("u"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("task 2 of the batch") && err.contains("T-E01-F01-099"),
        "{err}"
    );
    assert!(
        store
            .list_tasks(&TaskFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let history = row::query_all(
        &store.reader().await.unwrap(),
        "SELECT id FROM task_history",
        vec![],
        |r| row::text(r, 0),
    )
    .await
    .unwrap();
    assert!(history.is_empty(), "history rolled back too");
}

#[tokio::test]
async fn a_pooled_reader_sees_every_committed_write() {
    // A read that stops after its first row (query_opt) must not leave its
    // pooled connection on an old snapshot for the next read.
    let (_tmp, paths) = setup();
    let store = open(&paths).await;
    for title in ["A", "B", "C"] {
        store.create_epic(NewEpic::titled(title)).await.unwrap();
    }
    async fn first(s: &Store) -> Option<String> {
        row::query_opt(
            &s.reader().await.unwrap(),
            "SELECT title FROM epics ORDER BY number",
            vec![],
            |r| row::text(r, 0),
        )
        .await
        .unwrap()
    }
    assert_eq!(first(&store).await.as_deref(), Some("A"));
    assert_eq!(store.pool_stats().open, 1);
    store
        .write(async |c: &Connection| {
            c.execute("UPDATE epics SET title = 'A2' WHERE number = 1", ())
                .await
                .db("test")?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(first(&store).await.as_deref(), Some("A2"));
    assert_eq!(store.get_epic("E01").await.unwrap().title, "A2");
    assert_eq!(store.pool_stats().open, 1, "the same pooled connection");
}

/// A write whose future is dropped mid-transaction (what a timeout around a
/// sync does when it fires while the sync's own bookkeeping writes) leaves
/// no transaction open: the next write works and the dropped one left
/// nothing behind (issue 18).
#[tokio::test]
async fn a_write_cancelled_mid_transaction_does_not_block_later_writes() {
    let (_tmp, paths) = setup();
    let store = open(&paths).await;
    let cancelled = tokio::time::timeout(
        Duration::from_millis(50),
        store.write(async |c: &Connection| {
            c.execute(
                "INSERT INTO devices (id, name, created_at, updated_at) VALUES ('x', 'half', 'a', 'a')",
                (),
            )
            .await
            .db("test insert")?;
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        }),
    )
    .await;
    assert!(cancelled.is_err(), "the write was cut off by the timeout");
    store
        .create_epic(NewEpic::titled("After"))
        .await
        .expect("the next write works");
    let half = row::query_opt(
        &store.reader().await.unwrap(),
        "SELECT name FROM devices WHERE id = 'x'",
        vec![],
        |r| row::text(r, 0),
    )
    .await
    .unwrap();
    assert_eq!(half, None, "the cancelled write was rolled back");
}

#[tokio::test]
async fn fingerprints_name_the_rows_that_changed_however_they_were_written() {
    use crate::model::NoteType;
    let (_tmp, paths) = setup();
    let store = open(&paths).await;
    store.create_epic(NewEpic::titled("E")).await.unwrap();
    store
        .create_feature(NewFeature::new("E01", "F"))
        .await
        .unwrap();
    let news = (0..3)
        .map(|_| NewTask::new("E01-F01".to_string(), "t"))
        .collect();
    let made = store.create_tasks(news, &Actor::user("u")).await.unwrap();
    let ids: Vec<String> = made.iter().map(|t| t.id.clone()).collect();
    let before = store.fingerprints().await.unwrap();
    assert!(before.since(&before).is_empty());

    // A hand edit in a SQL shell, to a status this build does not know.
    let edit = format!(
        "UPDATE tasks SET status = 'cancelled' WHERE id = '{}'",
        ids[1]
    );
    store.conn.execute(&edit, ()).await.unwrap();
    let after = store.fingerprints().await.unwrap();
    let change = after.since(&before);
    assert_eq!(change.tasks, vec![ids[1].clone()]);
    assert!(!change.everything && change.plans && change.removed.is_empty());
    let read = store.tasks_by_ids(&change.tasks).await.unwrap();
    assert_eq!(read.items.len() + read.damaged.len(), 1, "{read:?}");

    // A note changes no row a list shows, only the detail.
    store
        .add_note(&made[0].key, NoteType::Comment, "seen", &Actor::user("u"))
        .await
        .unwrap();
    let noted = store.fingerprints().await.unwrap();
    let change = noted.since(&after);
    assert_eq!(change.notes, vec![ids[0].clone()]);
    assert!(change.tasks.is_empty() && !change.plans);

    // A row deleted by hand is named as removed, and reads as absent.
    let gone = format!("DELETE FROM tasks WHERE id = '{}'", ids[2]);
    store.conn.execute(&gone, ()).await.unwrap();
    let change = store.fingerprints().await.unwrap().since(&noted);
    assert_eq!(change.removed, vec![ids[2].clone()]);
    assert!(
        store
            .tasks_by_ids(&change.removed)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let many = vec![String::new(); changes::MAX_NAMED + 1];
    assert!(store.tasks_by_ids(&many).await.is_err(), "a bounded read");
}
