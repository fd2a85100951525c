//! The usage meter: a sync observer (see `cloud::pipeline`) that adds each
//! pass's traffic to this machine's unsent figures (`usage-unsent.json`).
//! A long-lived owner pulls every second or so, so figures are gathered in
//! memory and written when a pass pushed, once a minute, and on drop.

use std::sync::Mutex;
use std::time::Duration;

use super::counters::{Counters, Unsent};
use crate::cloud::pipeline::{PassFigures, SyncObserver};
use crate::paths::SharkPaths;
use crate::time::{self, Timestamp};

/// The most figures wait in memory.
const WRITE_EVERY: Duration = Duration::from_secs(60);

/// Meters sync traffic into the unsent figures.
#[derive(Debug)]
pub struct UsageMeter {
    paths: SharkPaths,
    gathered: Mutex<(Counters, Option<Timestamp>)>,
}

impl UsageMeter {
    pub fn new(paths: &SharkPaths) -> Self {
        UsageMeter {
            paths: paths.clone(),
            gathered: Mutex::new((Counters::default(), None)),
        }
    }

    /// Writes the gathered figures now. A failure is logged: figures never
    /// fail a sync.
    pub fn flush(&self) {
        let Ok(mut g) = self.gathered.lock() else {
            return;
        };
        let (counters, since) = std::mem::take(&mut *g);
        if counters.is_zero() {
            return;
        }
        let at = since.unwrap_or_else(time::now);
        if let Err(e) = Unsent::record(&self.paths, at, &counters) {
            tracing::warn!("cannot record sync figures: {e}");
        }
    }
}

impl SyncObserver for UsageMeter {
    fn observed(&self, f: &PassFigures) {
        let now = time::now();
        let due = {
            let Ok(mut g) = self.gathered.lock() else {
                return;
            };
            g.0.add(&Counters {
                rows_written: f.rows_written,
                bytes_sent: f.bytes_sent,
                bytes_received: f.bytes_received,
                pushes: f.pushes,
                pulls: f.pulls,
            });
            let since = *g.1.get_or_insert(now);
            f.pushes > 0 || (now - since).to_std().unwrap_or_default() >= WRITE_EVERY
        };
        if due {
            self.flush();
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
}
