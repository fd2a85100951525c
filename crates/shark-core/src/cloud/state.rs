//! What this machine remembers about syncing between runs (last success, last
//! failure), and the pure rule deciding whether a run should sync now.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::classify::Problem;
use crate::error::{Error, Result};
use crate::paths::{SharkPaths, read_json_or_default, write_private};
use crate::time::Timestamp;

/// Default seconds between pulls.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// After a failure, automatic syncs wait this long (or the sync interval, if
/// shorter) before trying again.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);

/// The pause after a failure for a given sync interval.
pub fn retry_pause(interval: Duration) -> Duration {
    interval.min(RETRY_AFTER_FAILURE)
}

/// The last failure, as shown in status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Failure {
    pub at: Timestamp,
    pub problem: Problem,
    pub message: String,
}

/// Sync attempts and successes of one UTC day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTally {
    pub attempts: u64,
    pub successes: u64,
}

/// Days of attempts kept, and the window of the success rate.
pub const RATE_DAYS: i64 = 30;

/// The sync success rate over the last [`RATE_DAYS`] days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SuccessRate {
    pub days: i64,
    pub attempts: u64,
    pub successes: u64,
    /// `None` when nothing was attempted.
    pub percent: Option<f64>,
}

/// `sync-state.json` in the Shark home.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub last_success: Option<Timestamp>,
    pub last_failure: Option<Failure>,
    /// Attempts and successes per UTC day (`YYYY-MM-DD`), the last 30 days.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub days: std::collections::BTreeMap<String, DayTally>,
}

fn file(paths: &SharkPaths) -> std::path::PathBuf {
    paths.data_dir.join("sync-state.json")
}

impl SyncState {
    /// Reads the state; a missing or unreadable file is a fresh state.
    pub fn load(paths: &SharkPaths) -> Self {
        read_json_or_default(&file(paths))
    }

    pub fn save(&self, paths: &SharkPaths) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::Corrupt(e.to_string()))?;
        write_private(&file(paths), &bytes)
    }

    pub fn succeeded(&mut self, at: Timestamp) {
        self.last_success = Some(at);
        self.last_failure = None;
        self.tally(at, true);
    }

    pub fn failed(&mut self, at: Timestamp, problem: Problem, message: &str) {
        self.tally(at, false);
        self.last_failure = Some(Failure {
            at,
            problem,
            message: message.to_string(),
        });
    }
}

impl SyncState {
    fn tally(&mut self, at: Timestamp, success: bool) {
        let day = self.days.entry(day_of(at)).or_default();
        day.attempts += 1;
        day.successes += u64::from(success);
        let oldest = day_of(at - chrono::Duration::days(RATE_DAYS - 1));
        self.days.retain(|d, _| *d >= oldest);
    }

    /// The success rate over the [`RATE_DAYS`] days ending with `now`'s day.
    pub fn success_rate(&self, now: Timestamp) -> SuccessRate {
        let oldest = day_of(now - chrono::Duration::days(RATE_DAYS - 1));
        let (attempts, successes) = self
            .days
            .range(oldest..)
            .fold((0, 0), |(a, s), (_, t)| (a + t.attempts, s + t.successes));
        SuccessRate {
            days: RATE_DAYS,
            attempts,
            successes,
            percent: (attempts > 0).then(|| successes as f64 * 100.0 / attempts as f64),
        }
    }
}

fn day_of(at: Timestamp) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Whether a run should sync now: there are changes to push or the last pull
/// is older than `interval`, and no failure happened within the retry pause.
pub fn should_sync(
    now: Timestamp,
    pending: i64,
    last_pull: Option<Timestamp>,
    last_failure: Option<Timestamp>,
    interval: Duration,
) -> bool {
    let ago = |t: Timestamp| (now - t).to_std().unwrap_or(Duration::ZERO);
    if last_failure.is_some_and(|f| ago(f) < retry_pause(interval)) {
        return false;
    }
    pending > 0 || last_pull.is_none_or(|p| ago(p) >= interval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration as D;

    #[test]
    fn policy() {
        let now = crate::time::now();
        let i = DEFAULT_INTERVAL;
        assert!(
            should_sync(now, 1, Some(now), None, i),
            "pending changes push"
        );
        assert!(
            !should_sync(now, 0, Some(now - D::seconds(5)), None, i),
            "fresh pull, nothing pending"
        );
        assert!(
            should_sync(now, 0, Some(now - D::seconds(31)), None, i),
            "pull is due"
        );
        assert!(should_sync(now, 0, None, None, i), "never pulled");
        assert!(
            !should_sync(now, 5, None, Some(now - D::seconds(3)), i),
            "pause after a failure"
        );
        assert!(
            should_sync(now, 5, None, Some(now - D::seconds(40)), i),
            "retry after the pause"
        );
    }

    #[test]
    fn state_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        let mut s = SyncState::load(&paths);
        assert_eq!(s, SyncState::default());
        s.failed(
            crate::time::now(),
            Problem::Offline,
            "http request failed: client error (Connect)",
        );
        s.save(&paths).unwrap();
        let back = SyncState::load(&paths);
        assert_eq!(back.last_failure.map(|f| f.problem), Some(Problem::Offline));
    }

    #[test]
    fn success_rate_counts_the_last_30_days() {
        let now = crate::time::now();
        let mut s = SyncState::default();
        assert_eq!(s.success_rate(now).percent, None);
        s.succeeded(now - D::days(40));
        s.failed(now - D::days(29), Problem::Server, "status=500");
        for _ in 0..3 {
            s.succeeded(now);
        }
        let r = s.success_rate(now);
        assert_eq!((r.attempts, r.successes), (4, 3));
        assert_eq!(r.percent, Some(75.0));
        assert_eq!(s.days.len(), 2, "days older than the window are dropped");
        assert_eq!(s.success_rate(now + D::days(29)).attempts, 3);
    }
}
