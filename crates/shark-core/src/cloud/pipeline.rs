//! One sync pass for every front end (the app's engine, the CLI, a
//! background owner): a pure plan that names every step ([`plan`]), their
//! execution against the store with a timeout per attempt and retries as
//! the retry policy says (`policy`), a report of what ran, then recording
//! (the state file with its success rate, by `cloud::recorder`) and the
//! observers the caller attaches (the usage meter is one, see
//! `crate::usage::meter`).

use std::time::Duration;

use serde::Serialize;

use super::classify::Problem;
use crate::error::Error;
use crate::store::{Renumbered, Store};

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

/// One step of a pass. Synced tables have no UNIQUE constraint, so a push
/// never fails over a key another machine also took: local changes leave
/// first (nobody waits for a pull to send them), the pull brings the
/// others', and a key this machine lost is renumbered and pushed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Fold the usage figures waiting in their side file into the synced
    /// table, so they leave with the push (only when a push runs).
    FoldUsage,
    /// Send the local changes.
    Push,
    /// Fetch and apply the server's changes.
    Pull,
    /// Give up keys another machine took first (an explicit request checks
    /// every time: a first connect carries local rows in beside the server's).
    Renumber,
    /// [`Step::Renumber`] only after a pull that brought changes (nothing
    /// else can make a key collide), or while a pull's news are unchecked
    /// (`Store::unchecked_news`: a pass cut between applying and checking).
    RenumberAfterNews,
    /// Send what waits after a renumbering ran (the new keys of tasks,
    /// features or epics, and writes made during the pull), so no machine
    /// has to wait for a later pass to see them. Without news to check,
    /// a write made during a live pull keeps its own debounced push (which
    /// a pause holds).
    PushAgain,
}

/// The steps of one pass, in order; a step whose condition does not hold
/// when its turn comes (see [`Step`]) is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn pulls(&self) -> bool {
        self.steps.contains(&Step::Pull)
    }
}

/// What to do for `trigger` with `pending` local changes not yet pushed.
/// `pulled_fresh`: an owner's live pull ended moments ago, so a push after
/// a write need not pull again (its live pulls go on). An explicit request
/// always pushes and pulls: "Sync now" means now.
pub fn plan(trigger: Trigger, pending: i64, pulled_fresh: bool) -> Plan {
    use Step::*;
    let renumber = if trigger == Trigger::Requested {
        Renumber
    } else {
        RenumberAfterNews
    };
    let (push, pull) = match trigger {
        // A request is also a health check: it pushes even with nothing to send.
        Trigger::Requested => (true, true),
        Trigger::Wrote => (pending > 0, !pulled_fresh),
        Trigger::Due | Trigger::LivePull => (pending > 0, true),
    };
    let mut steps = Vec::new();
    if push {
        steps.extend([FoldUsage, Push]);
    }
    if pull {
        steps.extend([Pull, renumber, PushAgain]);
    }
    Plan { steps }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The steps that ran, in order.
    pub steps: Vec<Step>,
    /// Whether a pull ran and brought changes.
    pub pulled: bool,
    /// Whether a pull ran (false: this pass did not ask the server for news).
    pub asked_for_news: bool,
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
    /// The server's `Retry-After` for this failure, if it sent one.
    #[serde(skip)]
    pub retry_after: Option<Duration>,
}

impl RunError {
    fn of(e: &Error, retry_after: Option<Duration>) -> Self {
        RunError {
            problem: e.problem(),
            message: e.to_string(),
            retry_after,
        }
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.problem.explain(), self.message)
    }
}

impl std::error::Error for RunError {}

/// Timeout of one attempt and how many times a failure is retried within
/// the pass, when the retry policy allows it (`policy::retry_in_command`).
#[derive(Debug, Clone, Copy)]
pub struct Attempts {
    pub timeout: Duration,
    pub retries: u32,
}

/// Runs one pass for `trigger`: plan, execute (retrying transient
/// failures), tell the observers what it cost. Recording the outcome is the
/// caller's recorder (`cloud::recorder`).
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
    let mut failures = 0;
    let result =
        loop {
            let result =
                match tokio::time::timeout(attempts.timeout, execute(store, &steps, &mut figures))
                    .await
                {
                    Ok(r) => r,
                    Err(_) => {
                        // The engine's request goes on without us: cut it, so the
                        // next step does not queue behind it.
                        store.cut_connections();
                        Err(Error::SyncTimeout {
                            secs: attempts.timeout.as_secs(),
                        })
                    }
                };
            match result {
                Ok(report) => break Ok(report),
                Err(e) => {
                    failures += 1;
                    let retry_after = store.take_retry_after();
                    let wait = if failures <= attempts.retries {
                        super::policy::retry_in_command(e.problem(), failures, retry_after)
                    } else if trigger == Trigger::Requested
                        && failures == 1
                        && matches!(e, Error::Sync { .. })
                    {
                        super::policy::retry_requested_once(e.problem(), retry_after)
                    } else {
                        None
                    };
                    let Some(wait) = wait else {
                        break Err(RunError::of(&e, retry_after));
                    };
                    tracing::warn!(
                        failures,
                        wait_ms = wait.as_millis() as u64,
                        "sync failed; retrying: {e}"
                    );
                    tokio::time::sleep(wait).await;
                }
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

/// One requested pass with no counted retries (only the one more try of
/// `policy::retry_requested_once`) and no observers (tests, tools).
pub async fn sync_once(store: &Store) -> Result<SyncReport, RunError> {
    let attempts = Attempts {
        timeout: Duration::from_secs(30),
        retries: 0,
    };
    run(store, Trigger::Requested, attempts, &[]).await
}

/// Carries out the plan's steps, each when its condition holds.
async fn execute(
    store: &Store,
    plan: &Plan,
    figures: &mut PassFigures,
) -> crate::Result<SyncReport> {
    let mut report = SyncReport::default();
    for &step in &plan.steps {
        let ran = match step {
            Step::FoldUsage => {
                store.fold_usage(store.pending_changes().await).await?;
                true
            }
            Step::Push => {
                push(store, &mut report, figures).await?;
                true
            }
            Step::Pull => {
                report.pulled = store.pull().await?;
                report.asked_for_news = true;
                figures.pulls += 1;
                true
            }
            Step::Renumber => {
                report.renumbered = store.resolve_key_collisions().await?;
                true
            }
            // Also when an earlier pull may have applied news whose check
            // never ran (cut after applying, or the check failed).
            Step::RenumberAfterNews if report.pulled || store.unchecked_news() => {
                report.renumbered = store.resolve_key_collisions().await?;
                true
            }
            Step::PushAgain
                if report
                    .steps
                    .iter()
                    .any(|s| matches!(s, Step::Renumber | Step::RenumberAfterNews))
                    && store.pending_changes().await > 0 =>
            {
                push(store, &mut report, figures).await?;
                true
            }
            Step::RenumberAfterNews | Step::PushAgain => false,
        };
        if ran {
            report.steps.push(step);
        }
    }
    Ok(report)
}

async fn push(
    store: &Store,
    report: &mut SyncReport,
    figures: &mut PassFigures,
) -> crate::Result<()> {
    let pushed = store.push().await?;
    figures.pushes += 1;
    figures.rows_written += u64::try_from(pushed).unwrap_or(0);
    report.pushed_changes += pushed;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        use Step::*;
        let p = |steps: &[Step]| Plan {
            steps: steps.to_vec(),
        };
        let full = [FoldUsage, Push, Pull, Renumber, PushAgain];
        let pull_only = [Pull, RenumberAfterNews, PushAgain];
        // Sync now always pushes and pulls, even right after a live pull.
        assert_eq!(plan(Trigger::Requested, 0, false), p(&full));
        assert_eq!(plan(Trigger::Requested, 0, true), p(&full));
        assert_eq!(
            plan(Trigger::Wrote, 3, false),
            p(&[FoldUsage, Push, Pull, RenumberAfterNews, PushAgain])
        );
        assert_eq!(plan(Trigger::Wrote, 3, true), p(&[FoldUsage, Push]));
        assert_eq!(plan(Trigger::Wrote, 0, false), p(&pull_only));
        assert_eq!(plan(Trigger::Wrote, 0, true), p(&[]));
        assert_eq!(plan(Trigger::Due, 0, true), p(&pull_only));
        assert_eq!(plan(Trigger::LivePull, 0, true), p(&pull_only));
        assert_eq!(
            plan(Trigger::LivePull, 2, true),
            p(&[FoldUsage, Push, Pull, RenumberAfterNews, PushAgain])
        );
        assert!(plan(Trigger::Requested, 0, true).pulls());
        assert!(!plan(Trigger::Wrote, 1, true).pulls());
    }
}
