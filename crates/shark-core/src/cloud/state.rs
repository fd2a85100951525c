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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub at: Timestamp,
    pub problem: Problem,
    pub message: String,
}

/// `sync-state.json` in the Shark home.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub last_success: Option<Timestamp>,
    pub last_failure: Option<Failure>,
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
    }

    pub fn failed(&mut self, at: Timestamp, message: &str) {
        self.last_failure = Some(Failure {
            at,
            problem: Problem::of(message),
            message: message.to_string(),
        });
    }
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
            "http request failed: client error (Connect)",
        );
        s.save(&paths).unwrap();
        let back = SyncState::load(&paths);
        assert_eq!(back.last_failure.map(|f| f.problem), Some(Problem::Offline));
    }
}
