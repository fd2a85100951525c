//! The background sync engine, shared by the app and any long-running
//! process: a push about a second after writes (debounced), a pull on an
//! interval, `sync_now` on demand (requests that arrive together share one
//! run), pause/resume, and a status that subscribers watch. Reads and writes
//! never wait for it; push and pull are serialized with writes by the store.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::Instant;

use super::classify::Problem;
use super::state::{Failure, SyncState};
use crate::paths::SharkPaths;
use crate::store::{Store, SyncReport};
use crate::time::{self, Timestamp};

/// Engine timings.
#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// Wait after a write before pushing (writes in between join the push).
    pub debounce: Duration,
    /// Time between pulls.
    pub interval: Duration,
    /// Timeout of one network attempt.
    pub attempt_timeout: Duration,
    /// Retries of an attempt that failed for a reason that may pass.
    pub retries: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            debounce: Duration::from_secs(1),
            interval: super::state::DEFAULT_INTERVAL,
            attempt_timeout: Duration::from_secs(10),
            retries: 3,
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
}

/// A failed run, cloneable for every waiter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunError {
    pub problem: Problem,
    pub message: String,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.problem.advice(), self.message)
    }
}

impl std::error::Error for RunError {}

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
}

impl Drop for SyncEngine {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SyncEngine {
    /// Starts the engine for a replica store (call inside a tokio runtime).
    pub fn start(store: Arc<Store>, paths: SharkPaths, config: EngineConfig) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let saved = SyncState::load(&paths);
        let (latest, status) = watch::channel(SyncStatus {
            phase: SyncPhase::UpToDate,
            pending_changes: 0,
            last_success: saved.last_success,
            last_error: saved.last_failure.clone(),
            runs: 0,
        });
        let hook_tx = tx.clone();
        store.set_write_hook(Box::new(move || {
            let _ = hook_tx.send(Msg::Wrote);
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
        }
    }

    /// Pushes and pulls now; requests made together share one run.
    pub async fn sync_now(&self) -> Result<SyncReport, RunError> {
        let (reply, rx) = oneshot::channel();
        let stopped = || RunError {
            problem: Problem::Other,
            message: "the sync engine stopped".into(),
        };
        self.tx.send(Msg::SyncNow(reply)).map_err(|_| stopped())?;
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

fn phase_of(problem: Problem) -> SyncPhase {
    match problem {
        Problem::Offline => SyncPhase::Offline,
        Problem::Auth => SyncPhase::AuthError,
        Problem::Quota => SyncPhase::QuotaBlocked,
        Problem::Server | Problem::Rejected | Problem::Redirect | Problem::Other => {
            SyncPhase::Error
        }
    }
}

async fn run_loop(
    store: Arc<Store>,
    paths: SharkPaths,
    config: EngineConfig,
    mut rx: mpsc::UnboundedReceiver<Msg>,
    status: Publisher,
) {
    let mut paused = false;
    let mut push_at: Option<Instant> = None;
    // A health check at start: sync at once.
    let mut pull_at = Instant::now();
    let mut waiters: Vec<Reply> = Vec::new();
    loop {
        let next = match push_at {
            Some(p) if p < pull_at => p,
            _ => pull_at,
        };
        tokio::select! {
            msg = rx.recv() => {
                match msg {
                    None => return,
                    Some(Msg::Wrote) => {
                        push_at.get_or_insert_with(|| Instant::now() + config.debounce);
                        refresh_pending(&store, &status, paused).await;
                        continue;
                    }
                    Some(Msg::Pause(p)) => {
                        paused = p;
                        if p {
                            status.set(|s| s.phase = SyncPhase::Paused);
                        } else {
                            pull_at = Instant::now();
                            refresh_pending(&store, &status, paused).await;
                        }
                        continue;
                    }
                    Some(Msg::SyncNow(reply)) => {
                        waiters.push(reply);
                        // Everyone who asked by now shares this run.
                        while let Ok(m) = rx.try_recv() {
                            match m {
                                Msg::SyncNow(r) => waiters.push(r),
                                Msg::Wrote => { push_at.get_or_insert_with(Instant::now); }
                                Msg::Pause(p) => paused = p,
                            }
                        }
                    }
                }
            }
            _ = tokio::time::sleep_until(next) => {
                if paused {
                    pull_at = Instant::now() + config.interval;
                    push_at = None;
                    continue;
                }
            }
        }
        push_at = None;
        let result = run_once(&store, &paths, &config, &status).await;
        pull_at = Instant::now() + config.interval;
        for w in waiters.drain(..) {
            let _ = w.send(result.clone());
        }
        if paused {
            status.set(|s| s.phase = SyncPhase::Paused);
        }
    }
}

async fn refresh_pending(store: &Store, status: &Publisher, paused: bool) {
    let pending = store.pending_changes().await;
    status.update(|s| {
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

async fn run_once(
    store: &Store,
    paths: &SharkPaths,
    config: &EngineConfig,
    status: &Publisher,
) -> Result<SyncReport, RunError> {
    status.set(|s| {
        s.phase = SyncPhase::Syncing;
        s.runs += 1;
    });
    let result = store
        .sync_with_retries(config.attempt_timeout, config.retries)
        .await;
    let mut saved = SyncState::load(paths);
    let now = time::now();
    let out = match result {
        Ok(report) => {
            saved.succeeded(now);
            Ok(report)
        }
        Err(e) => {
            let message = e.to_string();
            saved.failed(now, &message);
            Err(RunError {
                problem: Problem::of(&message),
                message,
            })
        }
    };
    if let Err(e) = saved.save(paths) {
        tracing::warn!("cannot save the sync state: {e}");
    }
    let pending = store.pending_changes().await;
    status.set(|s| {
        s.pending_changes = pending;
        s.last_success = saved.last_success;
        s.last_error = saved.last_failure.clone();
        s.phase = match &out {
            Ok(_) if pending > 0 => SyncPhase::Pending,
            Ok(_) => SyncPhase::UpToDate,
            Err(e) => phase_of(e.problem),
        };
    });
    out
}
