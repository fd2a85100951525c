//! The usage meter: a sync observer (see `cloud::pipeline`) that adds each
//! pass's traffic to this machine's unsent figures (`usage-unsent.json`).
//! A long-lived owner pulls every second or so, so figures are gathered in
//! memory and written when a pass pushed, once a minute, and on drop.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::counters::{Counters, Unsent};
use crate::cloud::pipeline::{PassFigures, SyncObserver};
use crate::paths::SharkPaths;
use crate::time::{self, Timestamp};

/// The most figures wait in memory.
const WRITE_EVERY: Duration = Duration::from_secs(60);

/// Meters sync traffic into the unsent figures. Inside a runtime the file
/// is written on the blocking pool; figures stay in memory until a writer
/// takes them, so a write queued at exit loses nothing to the final flush.
#[derive(Debug)]
pub struct UsageMeter {
    paths: SharkPaths,
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    /// Figures not written yet, since when, and whether a write is queued.
    gathered: Mutex<(Counters, Option<Timestamp>, bool)>,
    /// One writer of the file at a time.
    writing: Mutex<()>,
}

impl UsageMeter {
    pub fn new(paths: &SharkPaths) -> Self {
        UsageMeter {
            paths: paths.clone(),
            shared: Arc::default(),
        }
    }

    /// Writes the gathered figures now. A failure is logged: figures never
    /// fail a sync.
    pub fn flush(&self) {
        self.shared.write(&self.paths);
    }
}

impl Shared {
    fn write(&self, paths: &SharkPaths) {
        let _one = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let (counters, since) = {
            let mut g = self.gathered.lock().unwrap_or_else(PoisonError::into_inner);
            g.2 = false;
            (std::mem::take(&mut g.0), g.1.take())
        };
        if counters.is_zero() {
            return;
        }
        let at = since.unwrap_or_else(time::now);
        if let Err(e) = Unsent::record(paths, at, &counters) {
            tracing::warn!("cannot record sync figures: {e}");
        }
    }
}

impl SyncObserver for UsageMeter {
    fn observed(&self, f: &PassFigures) {
        let now = time::now();
        let due = {
            let mut g = self
                .shared
                .gathered
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            g.0.add(&Counters {
                rows_written: f.rows_written,
                bytes_sent: f.bytes_sent,
                bytes_received: f.bytes_received,
                pushes: f.pushes,
                pulls: f.pulls,
            });
            let since = *g.1.get_or_insert(now);
            let due =
                !g.2 && (f.pushes > 0 || (now - since).to_std().unwrap_or_default() >= WRITE_EVERY);
            g.2 |= due;
            due
        };
        if due {
            let (paths, shared) = (self.paths.clone(), self.shared.clone());
            crate::offload::write_off_runtime(move || shared.write(&paths));
        }
    }
}

impl Drop for UsageMeter {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulls_gather_and_a_push_writes() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        paths.ensure_dirs().unwrap();
        let meter = UsageMeter::new(&paths);
        let pull = PassFigures {
            pulls: 1,
            bytes_sent: 100,
            bytes_received: 50,
            ..Default::default()
        };
        meter.observed(&pull);
        meter.observed(&pull);
        assert!(Unsent::load(&paths).is_empty(), "pulls wait in memory");
        meter.observed(&PassFigures {
            pulls: 1,
            pushes: 1,
            rows_written: 3,
            ..Default::default()
        });
        let total = Unsent::load(&paths)
            .days
            .values()
            .fold(Counters::default(), |mut a, c| {
                a.add(c);
                a
            });
        assert_eq!(
            (
                total.pulls,
                total.pushes,
                total.rows_written,
                total.bytes_sent
            ),
            (3, 1, 3, 200)
        );
        drop(meter);
    }

    /// Inside a runtime a push's figures are written by the blocking pool
    /// (the observer returns at once); figures gathered after it wait for
    /// the next write or the final flush, never lost.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn writes_leave_the_runtime_and_lose_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        paths.ensure_dirs().unwrap();
        let meter = UsageMeter::new(&paths);
        let push = PassFigures {
            pushes: 1,
            rows_written: 2,
            ..Default::default()
        };
        meter.observed(&push);
        meter.observed(&push);
        let written = |p: &SharkPaths| {
            Unsent::load(p)
                .days
                .values()
                .fold(0, |a, c| a + c.rows_written)
        };
        for _ in 0..500 {
            if written(&paths) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(written(&paths) > 0, "a push's figures reach the file");
        drop(meter);
        assert_eq!(written(&paths), 4, "the final flush writes the rest");
    }
}
