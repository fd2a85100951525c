//! The background sync engine of a replica's long-lived owner (the app, a
//! background owner): live pulls (a pull kept waiting on the server, or
//! repeated after a short floor when the server answers at once), a push
//! about a second after writes (debounced), `sync_now` on demand (requests
//! that arrive together share one pass), pause/resume, and a status that
//! subscribers watch. After a failure the next attempt is the retry
//! policy's (`policy`): a pause for what may pass, none at all for what
//! needs the user until the user acts. Each pass is the replica's
//! (`replica::Replica`: for a store, `pipeline::run_with`; a fake in
//! `engine_tests`).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::Instant;

use super::classify::Problem;
use super::pipeline::{Attempts, RunError, SyncObserver, SyncReport, Trigger};
use super::policy::{self, Retry};
use super::recorder::Recorder;
use super::replica::Replica;
use super::state::{Failure, SyncState};
use crate::paths::SharkPaths;
use crate::store::Store;
use crate::time::{self, Timestamp};

/// How long the owner asks the server to hold a pull that finds nothing
/// new (Turso's own example uses 10 s). Turso Cloud answers as soon as a
/// change arrives. The engine runs one request at a time, so a write's push
/// or a Sync now would wait behind a held pull: the relay ends the hold for
/// them (`Relay::release`), and the hold only sets the idle cost (requests
/// per hour) and how soon a silently dead connection is noticed (the hold
/// plus the relay's grace). Measured per hold in docs/sync.md ("Timing") and docs/benchmarks.md.
pub const LONG_POLL: Duration = Duration::from_secs(10);

/// The least time between the starts of two pulls, for a server that
/// answers at once (the local development server ignores long-poll). An
/// empty pull is one small request (figures in docs/benchmarks.md, "Idle").
pub const PULL_FLOOR: Duration = Duration::from_millis(500);

/// How long after a live pull a push skips pulling again: the floor
/// between pulls plus this margin.
const FRESH_MARGIN: Duration = Duration::from_secs(2);

/// The default safety net on one pass ([`EngineConfig::attempt_timeout`]).
pub const PASS_SAFETY: Duration = Duration::from_secs(10 * 60);

/// How long a paused engine sleeps between looks (a resume wakes it at once).
const PAUSED_NAP: Duration = Duration::from_secs(3600);

/// Engine timings.
#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// Wait after a write before pushing (writes in between join the push).
    pub debounce: Duration,
    /// The least time between the starts of two pulls ([`PULL_FLOOR`]).
    pub pull_floor: Duration,
    /// The long-poll the store was opened with ([`LONG_POLL`]; zero when the
    /// server is not asked to hold pulls): added to a pull's timeout.
    pub long_poll: Duration,
    /// The safety net on one pass. The relay's deadlines already end a
    /// request that stops moving (`relay`), so this only bounds a pass that
    /// keeps moving for very long; a large push or pull on a slow link is
    /// never cut for its size.
    pub attempt_timeout: Duration,
    /// Retries of a requested pass that failed for a reason that may pass.
    /// 0 by default: the owner's live pulls retry by themselves (1 s, 2 s,
    /// 4 s... apart), so "Sync now" on a dead network answers at once.
    pub retries: u32,
    /// Paused from the first instant (the user paused sync): no pass runs
    /// until [`SyncEngine::resume`].
    pub paused: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            debounce: Duration::from_secs(1),
            pull_floor: PULL_FLOOR,
            long_poll: LONG_POLL,
            attempt_timeout: PASS_SAFETY,
            retries: 0,
            paused: false,
        }
    }
}

/// The states the UI, the tray and the CLI show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    UpToDate,
    Syncing,
    Pending,
    Offline,
    AuthError,
    QuotaBlocked,
    Error,
    Paused,
}

/// A snapshot of the engine for subscribers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub phase: SyncPhase,
    pub pending_changes: i64,
    pub last_success: Option<Timestamp>,
    pub last_error: Option<Failure>,
    /// Sync runs so far in this process.
    pub runs: u64,
    /// Automatic attempts stopped on a failure only the user can end (see
    /// `policy`); Sync now, a resume or new settings try again.
    pub stopped: bool,
}

type Reply = oneshot::Sender<Result<SyncReport, RunError>>;

/// Publishes status changes: the latest value (`watch`) and every
/// transition as an event (`broadcast`, which does not coalesce).
#[derive(Clone)]
struct Publisher {
    latest: watch::Sender<SyncStatus>,
    events: broadcast::Sender<SyncStatus>,
}

impl Publisher {
    /// Applies `f`; publishes when it reports a change.
    fn update(&self, f: impl FnOnce(&mut SyncStatus) -> bool) {
        let mut changed = None;
        self.latest.send_if_modified(|s| {
            let c = f(s);
            if c {
                changed = Some(s.clone());
            }
            c
        });
        if let Some(s) = changed {
            let _ = self.events.send(s);
        }
    }

    fn set(&self, f: impl FnOnce(&mut SyncStatus)) {
        self.update(|s| {
            let before = s.clone();
            f(s);
            *s != before
        });
    }
}

enum Msg {
    Wrote,
    SyncNow(Reply),
    Pause(bool),
}

/// A running engine; dropping it stops the loop.
#[derive(Debug)]
pub struct SyncEngine {
    tx: mpsc::UnboundedSender<Msg>,
    status: watch::Receiver<SyncStatus>,
    events: broadcast::Sender<SyncStatus>,
    task: tokio::task::JoinHandle<()>,
    release: Release,
}

/// Ends a pull the server is holding (`Replica::release_held_pull`), for
/// a write's push or a Sync now that would otherwise wait out the hold.
#[derive(Clone)]
struct Release(Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Release")
    }
}

impl Drop for SyncEngine {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SyncEngine {
    /// Starts the engine for a replica (a [`Store`]; a fake in the loop's
    /// tests). Call inside a tokio runtime.
    pub fn start<R: Replica>(store: Arc<R>, paths: SharkPaths, config: EngineConfig) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let saved = SyncState::load(&paths);
        let (latest, status) = watch::channel(SyncStatus {
            phase: if config.paused {
                SyncPhase::Paused
            } else {
                SyncPhase::UpToDate
            },
            pending_changes: 0,
            last_success: saved.last_success,
            last_error: saved.last_failure.clone(),
            runs: 0,
            stopped: false,
        });
        let hook_tx = tx.clone();
        // Weak: the hook lives in the store; it must not keep it alive.
        let held = Arc::downgrade(&store);
        let release = Release(Arc::new(move || {
            if let Some(store) = held.upgrade() {
                store.release_held_pull();
            }
        }));
        let on_write = release.clone();
        store.on_write(Box::new(move || {
            let _ = hook_tx.send(Msg::Wrote);
            // The loop may be inside a held pull: end it so the push can go.
            (on_write.0)();
        }));
        let (events, _) = broadcast::channel(256);
        let publisher = Publisher {
            latest,
            events: events.clone(),
        };
        let task = tokio::spawn(run_loop(store, paths, config, rx, publisher));
        SyncEngine {
            tx,
            status,
            events,
            task,
            release,
        }
    }

    /// The engine of a long-lived owner (the app, the daemon) as the
    /// settings ask: live pulls, spaced out to `[cloud] sync_interval_secs`
    /// when one is set (fewer requests), paused when the user paused sync.
    pub fn for_owner(store: Arc<Store>, paths: SharkPaths, config: &crate::config::Config) -> Self {
        let pull_floor = config
            .cloud
            .sync_interval_secs
            .map_or(PULL_FLOOR, Duration::from_secs);
        SyncEngine::start(
            store,
            paths,
            EngineConfig {
                pull_floor,
                paused: config.cloud.paused == Some(true),
                ..EngineConfig::default()
            },
        )
    }

    /// Pushes and pulls now; requests made together share one run.
    pub async fn sync_now(&self) -> Result<SyncReport, RunError> {
        let (reply, rx) = oneshot::channel();
        let stopped = || RunError {
            problem: Problem::Other,
            message: "the sync engine stopped".into(),
            retry_after: None,
        };
        self.tx.send(Msg::SyncNow(reply)).map_err(|_| stopped())?;
        // The loop may be inside a held pull: answer it now, not at its end.
        (self.release.0)();
        rx.await.map_err(|_| stopped())?
    }

    /// Stops automatic syncing (writes still queue locally).
    pub fn pause(&self) {
        let _ = self.tx.send(Msg::Pause(true));
    }

    pub fn resume(&self) {
        let _ = self.tx.send(Msg::Pause(false));
    }

    /// Every status transition as an event, in order.
    pub fn subscribe(&self) -> broadcast::Receiver<SyncStatus> {
        self.events.subscribe()
    }

    /// The latest status, for waiters that only need the current value.
    pub fn watch(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }
}

/// The phase a failed pass of kind `problem` leaves the engine in.
pub(crate) fn phase_of(problem: Problem) -> SyncPhase {
    match problem {
        Problem::Offline => SyncPhase::Offline,
        Problem::Auth => SyncPhase::AuthError,
        Problem::Quota => SyncPhase::QuotaBlocked,
        Problem::Server
        | Problem::Rejected
        | Problem::Redirect
        | Problem::Busy
        | Problem::Local
        | Problem::Other => SyncPhase::Error,
    }
}

/// How a pass ended, for scheduling the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It worked; whether its pull brought changes.
    Ok { brought_changes: bool },
    /// It failed; what the retry policy said.
    Failed(Retry),
}

/// When the next live pull starts after a pass that started at `started`
/// and ended at `now`: at once when it brought changes (more may follow; a
/// long-polling server holds the next one anyway), else the floor after
/// its start (at once when the server held it that long); after a failure,
/// the policy's pause, or never by itself (`None`) when only the user can
/// end it.
pub fn next_pull(started: Instant, now: Instant, ended: Ended, floor: Duration) -> Option<Instant> {
    match ended {
        Ended::Ok {
            brought_changes: true,
        } => Some(now),
        Ended::Ok {
            brought_changes: false,
        } => Some((started + floor).max(now)),
        Ended::Failed(Retry::After(pause)) => Some(now + pause),
        Ended::Failed(Retry::WhenAsked) => None,
    }
}

/// The loop's own state.
struct Loop<R> {
    store: Arc<R>,
    config: EngineConfig,
    status: Publisher,
    recorder: Recorder,
    meter: crate::usage::meter::UsageMeter,
    paused: bool,
    failures: u32,
    /// Automatic attempts stopped on a failure only the user can end.
    stopped: bool,
    /// When the last pull ended well.
    pulled_at: Option<Instant>,
}

async fn run_loop<R: Replica>(
    store: Arc<R>,
    paths: SharkPaths,
    config: EngineConfig,
    mut rx: mpsc::UnboundedReceiver<Msg>,
    status: Publisher,
) {
    let mut l = Loop {
        store,
        config,
        status,
        recorder: Recorder::new(&paths),
        meter: crate::usage::meter::UsageMeter::new(&paths),
        paused: config.paused,
        failures: 0,
        stopped: false,
        pulled_at: None,
    };
    let mut push_at: Option<Instant> = None;
    // A health check at start: a requested pass at once (unless paused).
    let mut pull_at = Instant::now();
    let mut first = !config.paused;
    let mut waiters: Vec<Reply> = Vec::new();
    loop {
        // A push due: no live pull before it (the server could hold that
        // pull, and the push would wait behind it); the push's pass pulls.
        let next = push_at.unwrap_or(pull_at);
        tokio::select! {
            msg = rx.recv() => {
                match msg {
                    None => return,
                    Some(Msg::Wrote) => {
                        // Stopped: the write waits for the user to act.
                        if !l.stopped {
                            push_at.get_or_insert_with(|| Instant::now() + l.config.debounce);
                        }
                        l.refresh_pending().await;
                        continue;
                    }
                    Some(Msg::Pause(p)) => {
                        l.set_paused(p).await;
                        if !p {
                            // A resume is the user acting: try again now.
                            l.stopped = false;
                            pull_at = Instant::now();
                        }
                        continue;
                    }
                    Some(Msg::SyncNow(reply)) => {
                        waiters.push(reply);
                        // Everyone who asked by now shares this pass.
                        while let Ok(m) = rx.try_recv() {
                            match m {
                                Msg::SyncNow(r) => waiters.push(r),
                                Msg::Wrote => { push_at.get_or_insert_with(Instant::now); }
                                Msg::Pause(p) => l.set_paused(p).await,
                            }
                        }
                    }
                }
            }
            _ = tokio::time::sleep_until(next) => {
                if l.paused || l.stopped {
                    pull_at = Instant::now() + PAUSED_NAP;
                    push_at = None;
                    continue;
                }
            }
        }
        let now = Instant::now();
        let trigger = if !waiters.is_empty() || std::mem::take(&mut first) {
            Trigger::Requested
        } else if push_at.is_some_and(|p| p <= now) {
            Trigger::Wrote
        } else {
            Trigger::LivePull
        };
        if trigger != Trigger::LivePull {
            push_at = None;
        }
        let started = Instant::now();
        let result = l.pass(trigger).await;
        let ended = match &result {
            Ok(r) => Ended::Ok {
                brought_changes: r.pulled,
            },
            Err(e) => Ended::Failed(policy::after_failure(e.problem, l.failures, e.retry_after)),
        };
        match next_pull(started, Instant::now(), ended, l.config.pull_floor) {
            Some(at) => pull_at = at,
            None => {
                // Said once (the status); nothing more until the user acts.
                tracing::info!("sync stopped until the user acts");
                pull_at = Instant::now() + PAUSED_NAP;
                push_at = None;
            }
        }
        for w in waiters.drain(..) {
            let _ = w.send(result.clone());
        }
    }
}

impl<R: Replica> Loop<R> {
    async fn set_paused(&mut self, p: bool) {
        self.paused = p;
        if p {
            self.status.set(|s| s.phase = SyncPhase::Paused);
        } else {
            self.refresh_pending().await;
        }
    }

    /// One pass, recorded, with the status published. A live pull that
    /// changes nothing a subscriber sees publishes nothing (it runs every
    /// second or so); its success refreshes "last synced" twice a minute.
    async fn pass(&mut self, trigger: Trigger) -> Result<SyncReport, RunError> {
        let live = trigger == Trigger::LivePull;
        if !live {
            self.status.set(|s| {
                s.phase = SyncPhase::Syncing;
                s.runs += 1;
            });
        }
        let attempts = Attempts {
            timeout: self.config.attempt_timeout + self.config.long_poll,
            retries: match trigger {
                Trigger::Requested => self.config.retries,
                // A failed push or live pull is retried by the loop (see next_pull).
                _ => 0,
            },
        };
        let observers: [&dyn SyncObserver; 1] = [&self.meter];
        let fresh = self
            .pulled_at
            .is_some_and(|t| t.elapsed() < self.config.pull_floor + FRESH_MARGIN);
        // A pass a user or a write asked for never waits out a hold (the
        // start-up health check included); a live pull answers, when it
        // ends, the releases made before it started.
        if !live {
            self.store.release_held_pull();
        }
        let mark = self.store.release_mark();
        let result = self.store.pass(trigger, fresh, attempts, &observers).await;
        self.store.hold_again(mark);
        // Whether it pulled is the report's to say.
        if result.as_ref().is_ok_and(|r| r.asked_for_news) {
            self.pulled_at = Some(Instant::now());
        }
        let now = time::now();
        self.recorder.record(&result, now);
        self.failures = if result.is_ok() { 0 } else { self.failures + 1 };
        self.stopped = result.as_ref().is_err_and(|e| e.problem.is_permanent());
        let pending = self.store.pending().await;
        let saved = self.recorder.state();
        let (last_success, last_error) = (saved.last_success, saved.last_failure.clone());
        let paused = self.paused;
        let stopped = self.stopped;
        self.status.update(|s| {
            let phase = match &result {
                _ if paused => SyncPhase::Paused,
                Ok(_) if pending > 0 => SyncPhase::Pending,
                Ok(_) => SyncPhase::UpToDate,
                Err(e) => phase_of(e.problem),
            };
            let stale = match (s.last_success, last_success) {
                (Some(a), Some(b)) => (b - a).num_seconds() >= 30,
                (a, b) => a != b,
            };
            let changed = s.phase != phase
                || s.stopped != stopped
                || s.pending_changes != pending
                || s.last_error != last_error
                || !live
                || stale;
            if changed {
                s.phase = phase;
                s.pending_changes = pending;
                s.last_success = last_success;
                s.last_error = last_error.clone();
                s.stopped = stopped;
            }
            changed
        });
        result
    }

    async fn refresh_pending(&self) {
        let pending = self.store.pending().await;
        let paused = self.paused;
        self.status.update(|s| {
            let phase = if paused {
                SyncPhase::Paused
            } else if matches!(s.phase, SyncPhase::UpToDate | SyncPhase::Pending) {
                if pending > 0 {
                    SyncPhase::Pending
                } else {
                    SyncPhase::UpToDate
                }
            } else {
                s.phase
            };
            let changed = s.pending_changes != pending || s.phase != phase;
            s.pending_changes = pending;
            s.phase = phase;
            changed
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_pulls_keep_the_floor_and_follow_the_policy_after_failures() {
        let t0 = Instant::now();
        let floor = Duration::from_millis(500);
        let ok = |brought_changes| Ended::Ok { brought_changes };
        // A quick empty answer: the next pull waits out the floor.
        let quick = t0 + Duration::from_millis(20);
        assert_eq!(next_pull(t0, quick, ok(false), floor), Some(t0 + floor));
        // A quick answer with changes: ask again at once.
        assert_eq!(next_pull(t0, quick, ok(true), floor), Some(quick));
        // A held pull (long-poll): the next one starts at once.
        let held = t0 + Duration::from_secs(5);
        assert_eq!(next_pull(t0, held, ok(false), floor), Some(held));
        // Failures: the policy's pause, or nothing until the user acts.
        let s = Duration::from_secs;
        let failed = |p, n| Ended::Failed(policy::after_failure(p, n, None));
        assert_eq!(
            next_pull(t0, quick, failed(Problem::Server, 1), floor),
            Some(quick + s(1))
        );
        assert_eq!(
            next_pull(t0, quick, failed(Problem::Server, 3), floor),
            Some(quick + s(4))
        );
        assert_eq!(
            next_pull(t0, quick, failed(Problem::Server, 40), floor),
            Some(quick + policy::MAX_FAILURE_PAUSE)
        );
        assert_eq!(
            next_pull(t0, quick, failed(Problem::Offline, 40), floor),
            Some(quick + policy::MAX_OFFLINE_PAUSE)
        );
        assert_eq!(next_pull(t0, quick, failed(Problem::Auth, 1), floor), None);
    }
}
