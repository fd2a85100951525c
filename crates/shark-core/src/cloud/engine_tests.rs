//! The engine's loop on a fake replica and paused tokio time: the debounce
//! after writes, requests that arrive together sharing one pass, pause and
//! resume, and the phases subscribers see. No network and no real clock:
//! time moves only when every task waits, so each assertion is exact.
//! (The same loop against the real sync server: tests/tests/sync_*.rs.)

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::classify::Problem;
use super::engine::{EngineConfig, SyncEngine, SyncPhase};
use super::pipeline::{Attempts, RunError, SyncObserver, SyncReport, Trigger};
use super::replica::Replica;
use crate::paths::SharkPaths;
use crate::store::WriteHook;

/// A replica that records each pass (its trigger and when it started) and
/// fails while told to; it keeps the relay's hold rule (pulls unheld while
/// a release is ahead of the latest settled mark) and records, per pass,
/// whether its pulls would go out unheld.
#[derive(Default)]
struct Fake {
    hook: Mutex<Option<WriteHook>>,
    pending: AtomicI64,
    passes: Mutex<Vec<(Trigger, Instant)>>,
    failing: Mutex<Option<Problem>>,
    releases: AtomicU64,
    settled: AtomicU64,
    unheld_in_pass: Mutex<Vec<bool>>,
}

impl Fake {
    /// A local write: one change record more, and the engine told.
    fn write(&self) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if let Some(hook) = self.hook.lock().unwrap().as_ref() {
            hook();
        }
    }

    fn passes(&self) -> Vec<Trigger> {
        self.passes.lock().unwrap().iter().map(|p| p.0).collect()
    }

    fn fail_with(&self, p: Option<Problem>) {
        *self.failing.lock().unwrap() = p;
    }

    fn unheld(&self) -> bool {
        self.releases.load(Ordering::SeqCst) > self.settled.load(Ordering::SeqCst)
    }
}

/// How long a pass takes (virtual time).
const PASS: Duration = Duration::from_millis(50);

impl Replica for Fake {
    fn on_write(&self, hook: WriteHook) {
        *self.hook.lock().unwrap() = Some(hook);
    }

    fn release_held_pull(&self) {
        self.releases.fetch_add(1, Ordering::SeqCst);
    }

    fn release_mark(&self) -> u64 {
        self.releases.load(Ordering::SeqCst)
    }

    fn hold_again(&self, mark: u64) {
        self.settled.fetch_max(mark, Ordering::SeqCst);
    }

    fn pending(&self) -> impl Future<Output = i64> + Send {
        let n = self.pending.load(Ordering::SeqCst);
        async move { n }
    }

    async fn pass<'a>(
        &'a self,
        trigger: Trigger,
        _pulled_fresh: bool,
        _attempts: Attempts,
        _observers: &'a [&'a dyn SyncObserver],
    ) -> Result<SyncReport, RunError> {
        self.passes.lock().unwrap().push((trigger, Instant::now()));
        self.unheld_in_pass.lock().unwrap().push(self.unheld());
        tokio::time::sleep(PASS).await;
        let failing = *self.failing.lock().unwrap();
        match failing {
            Some(problem) => Err(RunError {
                problem,
                message: "the fake replica failed".into(),
                retry_after: None,
            }),
            None => Ok(SyncReport {
                steps: Vec::new(),
                asked_for_news: true,
                pulled: false,
                renumbered: Vec::new(),
                pushed_changes: self.pending.swap(0, Ordering::SeqCst),
            }),
        }
    }
}

/// An engine on a fake replica; live pulls an hour apart, so only the
/// passes a test causes happen.
fn engine() -> (Arc<Fake>, SyncEngine, tempfile::TempDir) {
    engine_pulling_every(Duration::from_secs(3600))
}

/// An engine on a fake replica with live pulls `floor` apart.
fn engine_pulling_every(floor: Duration) -> (Arc<Fake>, SyncEngine, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let fake = Arc::new(Fake::default());
    let config = EngineConfig {
        pull_floor: floor,
        ..EngineConfig::default()
    };
    let engine = SyncEngine::start(fake.clone(), SharkPaths::under(tmp.path()), config);
    (fake, engine, tmp)
}

/// Lets virtual time run until `done` holds (at most an hour of it).
async fn until(what: &str, done: impl Fn() -> bool) {
    let end = Instant::now() + Duration::from_secs(3600);
    while !done() {
        assert!(Instant::now() < end, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn writes_are_pushed_once_a_debounce_after_the_first() {
    let (fake, engine, _tmp) = engine();
    // A health check at start.
    until("the first pass", || fake.passes() == [Trigger::Requested]).await;
    until("up to date", || {
        engine.status().phase == SyncPhase::UpToDate
    })
    .await;
    let first = Instant::now();
    fake.write();
    tokio::time::sleep(Duration::from_millis(300)).await;
    fake.write();
    tokio::time::sleep(Duration::from_millis(300)).await;
    fake.write();
    until("three changes pending", || {
        let s = engine.status();
        s.phase == SyncPhase::Pending && s.pending_changes == 3
    })
    .await;
    assert_eq!(fake.passes().len(), 1, "no push before the debounce");
    until("the push", || fake.passes().len() == 2).await;
    let (trigger, at) = fake.passes.lock().unwrap()[1];
    assert_eq!(trigger, Trigger::Wrote);
    // One push for the three writes, a debounce after the first one.
    assert_eq!(at - first, EngineConfig::default().debounce);
    until("pushed", || engine.status().phase == SyncPhase::UpToDate).await;
    assert_eq!(engine.status().pending_changes, 0);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        fake.passes().len(),
        2,
        "nothing more to do: {:?}",
        fake.passes()
    );
}

#[tokio::test(start_paused = true)]
async fn requests_made_together_share_one_pass() {
    let (fake, engine, _tmp) = engine();
    until("the first pass", || fake.passes().len() == 1).await;
    let (a, b, c) = tokio::join!(engine.sync_now(), engine.sync_now(), engine.sync_now());
    assert!(a.is_ok() && b.is_ok() && c.is_ok());
    assert_eq!(fake.passes(), [Trigger::Requested, Trigger::Requested]);
    // One asked while a pass runs gets a pass of its own, after it.
    let (d, e) = tokio::join!(engine.sync_now(), async {
        until("a pass running", || fake.passes().len() == 3).await;
        engine.sync_now().await
    });
    assert!(d.is_ok() && e.is_ok());
    assert_eq!(fake.passes().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_paused_engine_runs_nothing_until_resumed() {
    let (fake, engine, _tmp) = engine();
    until("the first pass", || fake.passes().len() == 1).await;
    engine.pause();
    until("paused", || engine.status().phase == SyncPhase::Paused).await;
    fake.write();
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(fake.passes().len(), 1, "{:?}", fake.passes());
    assert_eq!(engine.status().phase, SyncPhase::Paused);
    engine.resume();
    until("a pass after resuming", || fake.passes().len() == 2).await;
    until("pushed", || engine.status().phase == SyncPhase::UpToDate).await;
    assert_eq!(engine.status().pending_changes, 0);
}

#[tokio::test(start_paused = true)]
async fn failures_show_as_their_phase_and_clear_on_success() {
    let (fake, engine, _tmp) = engine();
    until("the first pass", || fake.passes().len() == 1).await;
    until("its end", || engine.status().phase == SyncPhase::UpToDate).await;
    let mut seen = engine.subscribe();
    fake.fail_with(Some(Problem::Offline));
    let err = engine.sync_now().await.unwrap_err();
    assert_eq!(err.problem, Problem::Offline);
    assert_eq!(engine.status().phase, SyncPhase::Offline);
    fake.fail_with(Some(Problem::Auth));
    assert!(engine.sync_now().await.is_err());
    assert_eq!(engine.status().phase, SyncPhase::AuthError);
    assert!(engine.status().last_error.is_some());
    fake.fail_with(None);
    engine.sync_now().await.unwrap();
    assert_eq!(engine.status().phase, SyncPhase::UpToDate);
    // Subscribers saw every phase, in order (a pass starts as Syncing).
    let mut phases = Vec::new();
    while let Ok(s) = seen.try_recv() {
        if phases.last() != Some(&s.phase) {
            phases.push(s.phase);
        }
    }
    assert_eq!(
        phases,
        [
            SyncPhase::Syncing,
            SyncPhase::Offline,
            SyncPhase::Syncing,
            SyncPhase::AuthError,
            SyncPhase::Syncing,
            SyncPhase::UpToDate
        ],
        "{phases:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn pulls_go_unheld_from_a_release_until_a_pass_after_it_ends() {
    let (fake, engine, _tmp) = engine_pulling_every(Duration::from_secs(5));
    let unheld = || fake.unheld_in_pass.lock().unwrap().clone();
    // The start-up health check is a requested pass: its pulls go unheld;
    // once it ended, pulls are held again (an idle owner long-polls).
    until("the first pass", || fake.passes() == [Trigger::Requested]).await;
    until("up to date", || {
        engine.status().phase == SyncPhase::UpToDate
    })
    .await;
    assert_eq!(unheld(), [true]);
    assert!(!fake.unheld());
    // A write during a live pull: that pull is asked again unheld (the
    // relay's part), and pulls stay unheld after it ends, for the push.
    until("a live pull", || fake.passes().len() == 2).await;
    assert_eq!(fake.passes()[1], Trigger::LivePull);
    assert!(!unheld()[1], "an idle live pull is held");
    fake.write();
    tokio::time::sleep(PASS).await;
    assert_eq!(
        fake.passes().len(),
        2,
        "the live pull ended, the push waits"
    );
    assert!(fake.unheld(), "the write's release outlives the live pull");
    until("the push", || fake.passes().contains(&Trigger::Wrote)).await;
    assert_eq!(unheld().last(), Some(&true), "the push's pass pulls unheld");
    tokio::time::sleep(PASS * 2).await;
    assert!(!fake.unheld(), "held again after the push's pass");
    // A Sync now that fails (an outage) settles its release too.
    fake.fail_with(Some(Problem::Offline));
    assert!(engine.sync_now().await.is_err());
    assert_eq!(unheld().last(), Some(&true));
    assert!(!fake.unheld(), "a failed pass settles its release");
}
