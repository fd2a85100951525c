//! One sync pass for every front end (the app's engine, the CLI, a
//! background owner): a pure plan of the steps ([`plan`]), their execution
//! against the store with a timeout per attempt and retries decided by the
//! failure's class ([`Problem::is_transient`]), then recording (the state
//! file with its success rate, via [`Recorder`]) and the observers the
//! caller attaches (the usage meter is one, see `crate::usage::meter`).

use std::time::Duration;

use serde::Serialize;

use super::classify::Problem;
use super::state::SyncState;
use crate::error::Error;
use crate::paths::SharkPaths;
use crate::store::{Renumbered, Store};
use crate::time::{self, Timestamp};

/// Why a pass runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Someone asked (sync now, a first connect, a health check).
    Requested,
    /// Local writes wait to be pushed (the debounce after a write).
    Wrote,
    /// A routine pass: the interval passed, or a command found one due.
    Due,
    /// The owner's next live pull (long-poll, or after the floor).
    LivePull,
}

/// The steps of one pass. When both run, the pull comes first, so this
/// device's rows that lost a key race are renumbered before they leave
/// (synced tables have no UNIQUE constraint, so a push never fails over a
/// duplicate key; renumbering first only saves a second push).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub pull: bool,
    pub push: bool,
}

/// What to do for `trigger` with `pending` local changes not yet pushed.
/// `pulled_fresh`: an owner's live pull ended moments ago, so a push need
/// not pull again (on a long-polling server an empty pull is held for
/// seconds; a write must not wait for that).
pub fn plan(trigger: Trigger, pending: i64, pulled_fresh: bool) -> Plan {
    match trigger {
        // A request is also a health check: it pushes even with nothing to send.
        Trigger::Requested => Plan {
            pull: !pulled_fresh,
            push: true,
        },
        Trigger::Wrote => Plan {
            pull: !pulled_fresh,
            push: pending > 0,
        },
        Trigger::Due => Plan {
            pull: true,
            push: pending > 0,
        },
        // Changes that wait (a write during the pull, a renumbered key) go
        // with it rather than a debounce later.
        Trigger::LivePull => Plan {
            pull: true,
            push: pending > 0,
        },
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Whether the pull brought anything.
    pub pulled: bool,
    /// Keys this device gave up because another machine took them first.
    pub renumbered: Vec<Renumbered>,
    /// Change records the push carried (rows written in the cloud).
    pub pushed_changes: i64,
}

/// The traffic of one pass (all attempts), for observers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassFigures {
    pub pulls: u64,
    pub pushes: u64,
    pub rows_written: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// Told about every pass's traffic (and about an open's bootstrap).
pub trait SyncObserver: Send + Sync {
    fn observed(&self, figures: &PassFigures);
}

/// A failed pass, its class decided once (see [`Error::problem`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunError {
    pub problem: Problem,
    pub message: String,
}

impl RunError {
    fn of(e: &Error) -> Self {
        RunError {
            problem: e.problem(),
            message: e.to_string(),
        }
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.problem.explain(), self.message)
    }
}

impl std::error::Error for RunError {}

/// Timeout of one attempt and how many times a transient failure is
/// retried (1 s, 2 s, 4 s... apart).
#[derive(Debug, Clone, Copy)]
pub struct Attempts {
    pub timeout: Duration,
    pub retries: u32,
}

/// Runs one pass for `trigger`: plan, execute (retrying transient
/// failures), tell the observers what it cost. Recording the outcome is the
/// caller's [`Recorder`].
pub async fn run(
    store: &Store,
    trigger: Trigger,
    attempts: Attempts,
    observers: &[&dyn SyncObserver],
) -> Result<SyncReport, RunError> {
    run_with(store, trigger, false, attempts, observers).await
}

/// [`run`] for an owner that knows whether its live pull is fresh.
#[tracing::instrument(skip_all, fields(?trigger))]
pub async fn run_with(
    store: &Store,
    trigger: Trigger,
    pulled_fresh: bool,
    attempts: Attempts,
    observers: &[&dyn SyncObserver],
) -> Result<SyncReport, RunError> {
    let steps = plan(trigger, store.pending_changes().await, pulled_fresh);
    let mut figures = PassFigures::default();
    let mut attempt = 0;
    let result = loop {
        let result =
            match tokio::time::timeout(attempts.timeout, execute(store, steps, &mut figures)).await
            {
                Ok(r) => r,
                Err(_) => Err(Error::SyncTimeout {
                    secs: attempts.timeout.as_secs(),
                }),
            };
        match result {
            Err(e) if e.problem().is_transient() && attempt < attempts.retries => {
                let wait = Duration::from_secs(1 << attempt.min(5));
                tracing::info!(
                    attempt,
                    wait_s = wait.as_secs(),
                    "sync failed; retrying: {e}"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            other => break other.map_err(|e| RunError::of(&e)),
        }
    };
    let (sent, received) = store.traffic_since_last().await;
    figures.bytes_sent = sent;
    figures.bytes_received = received;
    for o in observers {
        o.observed(&figures);
    }
    result
}

/// One requested pass with no retries and no observers (tests, tools).
pub async fn sync_once(store: &Store) -> Result<SyncReport, RunError> {
    let attempts = Attempts {
        timeout: Duration::from_secs(30),
        retries: 0,
    };
    run(store, Trigger::Requested, attempts, &[]).await
}

/// The steps themselves: pull, renumber lost keys, fold the usage figures
/// into the synced table, push.
async fn execute(
    store: &Store,
    steps: Plan,
    figures: &mut PassFigures,
) -> crate::Result<SyncReport> {
    let mut report = SyncReport::default();
    if steps.pull {
        report.pulled = store.pull().await?;
        figures.pulls += 1;
        report.renumbered = store.resolve_key_collisions().await?;
    }
    let pending = store.pending_changes().await;
    if steps.push || pending > 0 && !report.renumbered.is_empty() {
        store.fold_usage(pending).await?;
        let pushed = store.push().await?;
        figures.pushes += 1;
        figures.rows_written += u64::try_from(pushed).unwrap_or(0);
        report.pushed_changes = pushed;
    }
    Ok(report)
}

/// Records outcomes in `sync-state.json` (last success, last failure, the
/// daily tally behind the success rate). A long-lived owner pulls every
/// second or so: it keeps outcomes in memory and writes the file when the
/// outcome changes, or at most once a minute otherwise, replaying them onto
/// the file's current content (so another process's records are kept).
#[derive(Debug)]
pub struct Recorder {
    paths: SharkPaths,
    /// The state as this process knows it (the file plus what is unsaved).
    current: SyncState,
    unsaved: Vec<(Timestamp, Option<RunError>)>,
    saved_at: Option<Timestamp>,
}

/// The most an unchanged outcome stays unwritten.
const SAVE_EVERY: Duration = Duration::from_secs(60);

impl Recorder {
    pub fn new(paths: &SharkPaths) -> Self {
        Recorder {
            paths: paths.clone(),
            current: SyncState::load(paths),
            unsaved: Vec::new(),
            saved_at: None,
        }
    }

    /// The state as recorded so far (saved or not).
    pub fn state(&self) -> &SyncState {
        &self.current
    }

    /// Records one pass's outcome (at `now`).
    pub fn record<T>(&mut self, result: &Result<T, RunError>, now: Timestamp) {
        let before = self.current.last_failure.as_ref().map(|f| f.problem);
        let failure = result.as_ref().err().cloned();
        apply(&mut self.current, now, failure.as_ref());
        let after = self.current.last_failure.as_ref().map(|f| f.problem);
        self.unsaved.push((now, failure));
        let stale = self
            .saved_at
            .is_none_or(|t| (now - t).to_std().unwrap_or_default() >= SAVE_EVERY);
        if before != after || stale {
            self.flush(now);
        }
    }

    /// Writes what is not saved yet.
    pub fn flush(&mut self, now: Timestamp) {
        if self.unsaved.is_empty() {
            return;
        }
        let mut state = SyncState::load(&self.paths);
        for (at, failure) in &self.unsaved {
            apply(&mut state, *at, failure.as_ref());
        }
        if let Err(e) = state.save(&self.paths) {
            tracing::warn!("cannot save the sync state: {e}");
            return;
        }
        self.current = state;
        self.unsaved.clear();
        self.saved_at = Some(now);
    }
}

fn apply(state: &mut SyncState, at: Timestamp, failure: Option<&RunError>) {
    match failure {
        None => state.succeeded(at),
        Some(e) => state.failed(at, e.problem, &e.message),
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.flush(time::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        let p = |pull, push| Plan { pull, push };
        assert_eq!(plan(Trigger::Requested, 0, false), p(true, true));
        assert_eq!(plan(Trigger::Requested, 0, true), p(false, true));
        assert_eq!(plan(Trigger::Wrote, 3, false), p(true, true));
        assert_eq!(plan(Trigger::Wrote, 3, true), p(false, true));
        assert_eq!(plan(Trigger::Wrote, 0, false), p(true, false));
        assert_eq!(plan(Trigger::Due, 0, true), p(true, false));
        assert_eq!(plan(Trigger::LivePull, 0, true), p(true, false));
        assert_eq!(plan(Trigger::LivePull, 2, true), p(true, true));
    }
}
