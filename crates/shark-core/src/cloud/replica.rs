//! What the sync engine needs from a replica, behind one narrow trait: the
//! engine's loop (debounce, coalescing, pause, phases) is then tested with a
//! fake replica on paused time (`engine_tests`) as well as against the real
//! server through [`Store`].
//!
//! Invariants an implementation keeps:
//! - the write hook is called after every local write that leaves something
//!   to push, from any thread, and never blocks;
//! - `release_held_pull` ends the wait of a pull the server is holding (so
//!   a push behind it goes now) and keeps pulls unheld until `hold_again`
//!   is given a mark at least as recent (`release_mark` read after it); it
//!   never blocks, and is harmless when no pull is held;
//! - `pending` counts the change records not yet pushed (0 when everything
//!   is pushed, and for a local database);
//! - `pass` runs one sync pass as `pipeline::run_with` does (the steps the
//!   plan gives for the trigger, retried within `attempts`), tells the
//!   observers its figures, and returns its report or its classified
//!   failure; it never panics on a network failure.

use std::future::Future;

use super::pipeline::{self, Attempts, RunError, SyncObserver, SyncReport, Trigger};
use crate::store::{Store, WriteHook};

/// A database the sync engine can drive.
pub trait Replica: Send + Sync + 'static {
    /// Sets the function called after local writes (the first one set stays).
    fn on_write(&self, hook: WriteHook);
    /// A local write wants to push: a pull the server holds answers now.
    fn release_held_pull(&self) {}
    /// The latest release's mark (read when a pass starts).
    fn release_mark(&self) -> u64 {
        0
    }
    /// A pass that started at `mark` ended: its releases are answered.
    fn hold_again(&self, _mark: u64) {}
    /// Change records waiting to be pushed.
    fn pending(&self) -> impl Future<Output = i64> + Send;
    /// One sync pass.
    fn pass<'a>(
        &'a self,
        trigger: Trigger,
        pulled_fresh: bool,
        attempts: Attempts,
        observers: &'a [&'a dyn SyncObserver],
    ) -> impl Future<Output = Result<SyncReport, RunError>> + Send + 'a;
}

impl Replica for Store {
    fn on_write(&self, hook: WriteHook) {
        self.set_write_hook(hook);
    }

    fn release_held_pull(&self) {
        Store::release_held_pull(self);
    }

    fn release_mark(&self) -> u64 {
        Store::release_mark(self)
    }

    fn hold_again(&self, mark: u64) {
        self.hold_pulls_again(mark);
    }

    fn pending(&self) -> impl Future<Output = i64> + Send {
        self.pending_changes()
    }

    fn pass<'a>(
        &'a self,
        trigger: Trigger,
        pulled_fresh: bool,
        attempts: Attempts,
        observers: &'a [&'a dyn SyncObserver],
    ) -> impl Future<Output = Result<SyncReport, RunError>> + Send + 'a {
        pipeline::run_with(self, trigger, pulled_fresh, attempts, observers)
    }
}
