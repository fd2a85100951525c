//! Records sync outcomes in `sync-state.json` (last success, last failure,
//! the daily tally behind the success rate) without blocking the runtime:
//! a long-lived owner pulls every second or so while it serves reads.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::pipeline::RunError;
use super::state::SyncState;
use crate::paths::SharkPaths;
use crate::time::{self, Timestamp};

/// Keeps outcomes in memory and writes the file when the outcome changes,
/// or at most once a minute otherwise, replaying them onto the file's
/// current content (so another process's records are kept). Writes run on
/// the blocking pool inside a runtime; [`Recorder::flush`] and drop write
/// what is left, in order.
#[derive(Debug)]
pub struct Recorder {
    paths: SharkPaths,
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    book: Mutex<Book>,
    /// One writer of the file at a time (a queued write and a flush).
    writing: Mutex<()>,
}

#[derive(Debug, Default)]
struct Book {
    /// The state as this process knows it (the file plus what is unsaved).
    current: SyncState,
    unsaved: Vec<(Timestamp, Option<RunError>)>,
    saved_at: Option<Timestamp>,
    /// A write is queued on the blocking pool.
    queued: bool,
}

/// The most an unchanged outcome stays unwritten.
const SAVE_EVERY: Duration = Duration::from_secs(60);

impl Recorder {
    pub fn new(paths: &SharkPaths) -> Self {
        let book = Book {
            current: SyncState::load(paths),
            ..Book::default()
        };
        Recorder {
            paths: paths.clone(),
            shared: Arc::new(Shared {
                book: Mutex::new(book),
                writing: Mutex::new(()),
            }),
        }
    }

    /// The state as recorded so far (saved or not).
    pub fn state(&self) -> SyncState {
        self.shared.book().current.clone()
    }

    /// Records one pass's outcome (at `now`); the file is written off the
    /// runtime when due.
    pub fn record<T>(&mut self, result: &Result<T, RunError>, now: Timestamp) {
        let due = {
            let mut book = self.shared.book();
            let before = book.current.last_failure.as_ref().map(|f| f.problem);
            let failure = result.as_ref().err().cloned();
            apply(&mut book.current, now, failure.as_ref());
            let after = book.current.last_failure.as_ref().map(|f| f.problem);
            book.unsaved.push((now, failure));
            let stale = book
                .saved_at
                .is_none_or(|t| (now - t).to_std().unwrap_or_default() >= SAVE_EVERY);
            let due = (before != after || stale) && !book.queued;
            book.queued |= due;
            due
        };
        if due {
            let (paths, shared) = (self.paths.clone(), self.shared.clone());
            crate::offload::write_off_runtime(move || shared.write(&paths, now));
        }
    }

    /// Writes what is not saved yet, here and now (waits for a queued write).
    pub fn flush(&mut self, now: Timestamp) {
        self.shared.write(&self.paths, now);
    }
}

impl Shared {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replays the unsaved outcomes onto the file and saves it; outcomes
    /// recorded meanwhile stay unsaved, replayed onto the new state.
    fn write(&self, paths: &SharkPaths, now: Timestamp) {
        let _one = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let batch = {
            let mut book = self.book();
            book.queued = false;
            book.unsaved.clone()
        };
        if batch.is_empty() {
            return;
        }
        let mut state = SyncState::load(paths);
        for (at, failure) in &batch {
            apply(&mut state, *at, failure.as_ref());
        }
        if let Err(e) = state.save(paths) {
            tracing::warn!("cannot save the sync state: {e}");
            return;
        }
        let mut book = self.book();
        book.unsaved.drain(..batch.len());
        for (at, failure) in &book.unsaved {
            apply(&mut state, *at, failure.as_ref());
        }
        book.current = state;
        book.saved_at = Some(now);
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
        self.shared.write(&self.paths, time::now());
    }
}
