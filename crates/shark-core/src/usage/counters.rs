//! What this machine measures about its own syncing, per UTC day, and the
//! small file that holds the figures of the last syncs until a push carries
//! them into the synced `usage_days` table.
//!
//! Why a file: writing the figures into the database right after a sync would
//! itself be a change to push, whose push would be measured and written, and
//! so on forever. So the figures wait here (0600, beside the database) and
//! are folded into the table only when a push happens anyway, at most every
//! ten minutes (so small edits do not each cost a row more), or once an hour
//! so a machine that only reads still shows up on the others (see
//! [`should_fold`]). This machine always shows its own figures exactly: the
//! report adds what waits here.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::paths::{SharkPaths, read_json_or_default, write_json};
use crate::time::Timestamp;

/// One machine's sync figures for one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Counters {
    /// Change records pushed to the cloud (each is a row written there).
    pub rows_written: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub pushes: u64,
    pub pulls: u64,
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.rows_written += o.rows_written;
        self.bytes_sent += o.bytes_sent;
        self.bytes_received += o.bytes_received;
        self.pushes += o.pushes;
        self.pulls += o.pulls;
    }

    pub fn is_zero(&self) -> bool {
        *self == Counters::default()
    }

    /// Bytes sent plus received.
    pub fn bytes_synced(&self) -> u64 {
        self.bytes_sent + self.bytes_received
    }
}

/// The day a figure belongs to (`YYYY-MM-DD`, UTC).
pub fn day_of(t: &Timestamp) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Figures measured here and not yet in the synced table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsent {
    /// Per day.
    pub days: BTreeMap<String, Counters>,
    /// When the oldest of them was measured.
    pub since: Option<Timestamp>,
}

/// Unsent figures older than this are folded in even without other changes.
pub const FOLD_AT_LEAST_EVERY: Duration = Duration::from_secs(3600);

/// Figures ride along with other changes at most this often (except the
/// first of a day, so a new machine shows up at once).
pub const FOLD_AT_MOST_EVERY: Duration = Duration::from_secs(600);

fn file(paths: &SharkPaths) -> std::path::PathBuf {
    paths.data_dir.join("usage-unsent.json")
}

/// One reader-writer of the file at a time in this process: the meter
/// writes from the blocking pool while a pass may be folding.
static FILE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn file_lock() -> std::sync::MutexGuard<'static, ()> {
    FILE_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Unsent {
    /// Reads the file; a missing or unreadable one is empty (figures are
    /// a measurement, not user data: losing a few is acceptable, failing a
    /// sync over them is not).
    pub fn load(paths: &SharkPaths) -> Self {
        read_json_or_default(&file(paths))
    }

    fn save(&self, paths: &SharkPaths) -> crate::Result<()> {
        write_json(&file(paths), self)
    }

    /// Adds one measurement taken at `at`.
    pub fn record(paths: &SharkPaths, at: Timestamp, c: &Counters) -> crate::Result<()> {
        if c.is_zero() {
            return Ok(());
        }
        let _one = file_lock();
        let mut u = Self::load(paths);
        u.days.entry(day_of(&at)).or_default().add(c);
        u.since.get_or_insert(at);
        u.save(paths)
    }

    /// Takes the figures out of the file (read and removed under one lock,
    /// so a measurement recorded meanwhile is neither lost nor counted
    /// twice), for a fold; [`Unsent::put_back`] if the fold fails.
    pub fn take(paths: &SharkPaths) -> crate::Result<Self> {
        let _one = file_lock();
        let u = Self::load(paths);
        match std::fs::remove_file(file(paths)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(crate::Error::io("cannot remove", file(paths), e))
            }
            _ => Ok(u),
        }
    }

    /// Puts taken figures back (their fold failed), added to any recorded
    /// since.
    pub fn put_back(paths: &SharkPaths, taken: &Unsent) -> crate::Result<()> {
        if taken.is_empty() {
            return Ok(());
        }
        let _one = file_lock();
        let mut u = Self::load(paths);
        for (day, c) in &taken.days {
            u.days.entry(day.clone()).or_default().add(c);
        }
        u.since = match (u.since, taken.since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        u.save(paths)
    }

    pub fn is_empty(&self) -> bool {
        self.days.values().all(Counters::is_zero)
    }
}

/// Whether to write the unsent figures into the synced table before this
/// push. Never when there is nothing to write; always once they have waited
/// [`FOLD_AT_LEAST_EVERY`]; otherwise only with other changes to push, and
/// then when this machine has no row for today yet or they have waited
/// [`FOLD_AT_MOST_EVERY`].
pub fn should_fold(
    unsent: &Unsent,
    other_pending: i64,
    has_row_today: bool,
    now: Timestamp,
) -> bool {
    if unsent.is_empty() {
        return false;
    }
    let waited = unsent
        .since
        .and_then(|s| (now - s).to_std().ok())
        .unwrap_or(Duration::ZERO);
    waited >= FOLD_AT_LEAST_EVERY
        || (other_pending > 0 && (!has_row_today || waited >= FOLD_AT_MOST_EVERY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time;

    #[test]
    fn figures_wait_for_a_push_or_an_hour() {
        let now = time::now();
        let mut u = Unsent::default();
        assert!(!should_fold(&u, 5, false, now), "nothing to write");
        u.days.insert(
            day_of(&now),
            Counters {
                pulls: 1,
                ..Default::default()
            },
        );
        u.since = Some(now - chrono::Duration::minutes(5));
        assert!(
            !should_fold(&u, 0, false, now),
            "would cause a push of its own"
        );
        assert!(
            should_fold(&u, 3, false, now),
            "the day's first row rides along at once"
        );
        assert!(
            !should_fold(&u, 3, true, now),
            "later ones at most every 10 minutes"
        );
        u.since = Some(now - chrono::Duration::minutes(11));
        assert!(should_fold(&u, 3, true, now), "10 minutes on: rides along");
        assert!(!should_fold(&u, 0, true, now), "still no push of its own");
        u.since = Some(now - chrono::Duration::minutes(61));
        assert!(should_fold(&u, 0, true, now), "an hour old: written anyway");
    }

    #[test]
    fn records_add_up_per_day_are_taken_and_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        paths.ensure_dirs().unwrap();
        let now = time::now();
        let c = Counters {
            rows_written: 2,
            bytes_sent: 10,
            ..Default::default()
        };
        Unsent::record(&paths, now, &c).unwrap();
        Unsent::record(&paths, now, &c).unwrap();
        let u = Unsent::load(&paths);
        assert_eq!(u.days[&day_of(&now)].rows_written, 4);
        assert_eq!(u.days[&day_of(&now)].bytes_synced(), 20);
        let taken = Unsent::take(&paths).unwrap();
        assert_eq!(taken.days[&day_of(&now)].rows_written, 4);
        assert!(Unsent::load(&paths).is_empty());
        // Recorded while a fold runs, then the fold fails: both are kept.
        Unsent::record(&paths, now, &c).unwrap();
        Unsent::put_back(&paths, &taken).unwrap();
        let u = Unsent::load(&paths);
        assert_eq!(u.days[&day_of(&now)].rows_written, 6);
        assert_eq!(u.since, Some(now));
    }
}
