//! Keeps the write-ahead log bounded. Neither kind of database checkpoints
//! by itself here (a short-lived `shark` process never closes its engine
//! cleanly, and the sync engine turns automatic checkpoints off), so without
//! this every write would stay in `-wal` forever and every open would pay
//! for all of them.
//!
//! The rule is one pure function ([`due`]): checkpoint once the WAL passes
//! [`WAL_LIMIT`]. It is applied right after a write commits (still holding
//! the write lock, so the checkpoint never races a write; a replica's only
//! when no sync step is in flight), after a push or pull (unless a write is
//! in progress), and when a database is opened (an old, large WAL is
//! brought back to size). A local file is checkpointed with SQLite's
//! `wal_checkpoint(TRUNCATE)`; a replica with the sync engine's own
//! checkpoint, which first saves the pages of changes not yet pulled over
//! into `-wal-revert` so a later pull can still roll them back and replay
//! them (nothing unpushed is lost: the changes to push are kept as logical
//! records in the database itself, not in the WAL).

use std::path::Path;

use serde::Serialize;

use super::engine::Engine;
use super::{Store, sidecar};
use crate::error::{DbContext, Error, Result};

/// The WAL size past which a checkpoint is due: about 250 pages, a few
/// dozen single-command writes. Opening a database reads its whole WAL, so
/// this bounds what history adds to every command (well under a
/// millisecond), while a checkpoint copies at most this much.
pub const WAL_LIMIT: u64 = 1024 * 1024;

/// The WAL size `shark doctor` warns about: the policy keeps it under
/// [`WAL_LIMIT`] plus one write, so this much means checkpoints fail.
pub const WAL_WARN: u64 = 8 * WAL_LIMIT;

/// Whether a WAL of `wal_bytes` should be checkpointed now.
pub fn due(wal_bytes: u64) -> bool {
    wal_bytes > WAL_LIMIT
}

/// The sizes of a database's files, in bytes (0 for a file not there).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FileSizes {
    pub database: u64,
    pub wal: u64,
    /// A replica's saved pages for rolling back changes not yet pulled over.
    pub wal_revert: u64,
}

impl FileSizes {
    /// The sizes of `db` and its `-wal` and `-wal-revert` files.
    pub fn of(db: &Path) -> Self {
        let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
        FileSizes {
            database: len(db),
            wal: len(&sidecar(db, "-wal")),
            wal_revert: len(&sidecar(db, "-wal-revert")),
        }
    }

    /// All of them together.
    pub fn total(&self) -> u64 {
        self.database + self.wal + self.wal_revert
    }
}

impl Store {
    /// The WAL's size alone: checked after every write, so one `stat`, not
    /// the three [`Store::file_sizes`] makes.
    fn wal_bytes(&self) -> u64 {
        std::fs::metadata(sidecar(&self.path, "-wal")).map_or(0, |m| m.len())
    }

    /// This database's file sizes.
    pub fn file_sizes(&self) -> FileSizes {
        FileSizes::of(&self.path)
    }

    /// Checkpoints now, whatever the WAL's size (waits for a write or sync
    /// in progress). Returns the sizes before and after.
    #[tracing::instrument(skip_all)]
    pub async fn checkpoint(&self) -> Result<(FileSizes, FileSizes)> {
        let _guard = self.write.lock().await;
        let _sync = self.sync.lock().await;
        let before = self.file_sizes();
        self.checkpoint_locked().await?;
        Ok((before, self.file_sizes()))
    }

    /// Checkpoints when the policy says so (waits for the write lock).
    /// Failures are logged, never returned: a checkpoint that cannot run now
    /// runs after a later write.
    pub async fn checkpoint_if_due(&self) {
        if !due(self.wal_bytes()) {
            return;
        }
        let _guard = self.write.lock().await;
        let _sync = self.sync.lock().await;
        self.checkpoint_due_locked().await;
    }

    /// After a write, with the write lock held: a replica is checkpointed
    /// only when no sync step is in flight (that step checkpoints when it
    /// ends), so a write never waits for the network.
    pub(crate) async fn checkpoint_after_write(&self) {
        if !due(self.wal_bytes()) {
            return;
        }
        match &self.engine {
            Engine::Local(_) => self.checkpoint_due_locked().await,
            Engine::Replica(..) => {
                if let Ok(_sync) = self.sync.try_lock() {
                    self.checkpoint_due_locked().await;
                }
            }
        }
    }

    /// After a sync step, with the sync lock held: checkpoints unless a
    /// write is in progress (the write checkpoints when it commits).
    /// `applied` says the step wrote to the files: only then can the engine
    /// have created one (an idle pull every half second costs no chmods).
    pub(crate) async fn checkpoint_after_sync(&self, applied: bool) {
        // A pull's apply may have created the engine's revert log with the
        // default mode; a long-lived owner never reopens to fix it.
        if applied {
            self.restrict_files();
        }
        if !due(self.wal_bytes()) {
            return;
        }
        if let Ok(_guard) = self.write.try_lock() {
            self.checkpoint_due_locked().await;
        }
    }

    /// Checkpoints when due; the caller holds the write lock and, for a
    /// replica, the sync lock.
    async fn checkpoint_due_locked(&self) {
        let wal = self.wal_bytes();
        if !due(wal) {
            return;
        }
        match self.checkpoint_locked().await {
            Ok(()) => tracing::debug!(wal_before = wal, "checkpointed the WAL"),
            Err(e) => tracing::warn!(wal, "cannot checkpoint the WAL now: {e}"),
        }
    }

    /// Runs the checkpoint; the caller holds the write and sync locks.
    async fn checkpoint_locked(&self) -> Result<()> {
        match &self.engine {
            Engine::Local(_) => {
                let mut rows = self
                    .conn
                    .query("PRAGMA wal_checkpoint(TRUNCATE)", ())
                    .await
                    .db("checkpointing the database")?;
                // One row: busy flag, WAL frames, frames checkpointed.
                let busy = match rows.next().await.db("checkpointing the database")? {
                    Some(r) => super::row::int(&r, 0)?,
                    None => 0,
                };
                while rows
                    .next()
                    .await
                    .db("checkpointing the database")?
                    .is_some()
                {}
                if busy != 0 {
                    return Err(Error::invalid(
                        "the database was busy (a read in progress); the checkpoint will be retried",
                    ));
                }
                Ok(())
            }
            Engine::Replica(db, _) => db
                .checkpoint()
                .await
                .map_err(|source| Error::sync("checkpointing the replica", source)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_only_past_the_limit() {
        assert!(!due(0));
        assert!(!due(WAL_LIMIT));
        assert!(due(WAL_LIMIT + 1));
        const { assert!(WAL_WARN > WAL_LIMIT) };
    }
}
