//! The local database: opening it (one process per file), migrating it, and
//! the write path every change goes through (one transaction at a time,
//! retried whole when it meets a pull being applied, so a write never waits
//! for the network; the WAL is checkpointed on that path when it has grown,
//! see `checkpoint`).

pub mod changes;
mod checkpoint;
pub mod completions;
pub mod damage;
mod engine;
mod epics;
mod features;
mod files;
mod history;
mod import_apply;
mod import_rows;
mod journal;
mod lock;
pub(crate) mod migrations;
pub mod ownership;
mod plan_edits;
mod pool;
mod preflight;
mod renumber;
pub mod repair;
mod rollup;
mod row;
mod task_edits;
mod task_links;
mod task_rows;
mod tasks;
#[cfg(test)]
mod tests;
mod transfer;
mod usage_ledger;
pub mod versions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use turso::Connection;

use crate::config::Device;
use crate::error::{DbContext, Result};
use crate::paths::SharkPaths;
use crate::time;
use engine::Engine;

pub use checkpoint::{FileSizes, WAL_LIMIT, WAL_WARN};
pub use damage::StoredRow;
pub use engine::{Backend, Remote, SyncStats};
pub use epics::NewEpic;
pub use features::NewFeature;
pub use files::database_files;
use files::restrict;
pub(crate) use files::sidecar;
pub use lock::ProcessLock;
pub use migrations::latest_version;
pub use plan_edits::PlanPatch;
pub use pool::{DEFAULT_POOL_IDLE, DEFAULT_POOL_SIZE, PoolConfig, PoolStats};
pub use preflight::check_file;
pub use renumber::Renumbered;
pub use task_edits::{Move, TaskPatch, TransitionRequest, UpdateOutcome};
pub use task_links::{TaskLinks, is_done};
pub use tasks::{NewTask, TaskFilter};
pub use usage_ledger::UsageDay;
pub use versions::NewerShark;

/// A callback run after each committed write.
pub type WriteHook = Box<dyn Fn() + Send + Sync>;

/// How long a write keeps retrying while the database is busy applying a
/// pull (milliseconds as a rule; a huge pull can take seconds).
pub const BUSY_WRITE_FOR: Duration = Duration::from_secs(30);

/// Default time a second process waits for the database before giving up.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// An open Shark database, held exclusively by this process.
pub struct Store {
    /// The writer: every write transaction, serialized with push and pull.
    conn: Connection,
    /// Read connections (see [`Store::reader`]).
    readers: pool::Pool<Connection>,
    engine: Engine,
    device: Device,
    path: PathBuf,
    /// The Shark home (sync figures wait in a file there, see crate::usage).
    paths: SharkPaths,
    /// Bytes sent and received already recorded as sync figures.
    traffic_seen: std::sync::Mutex<(u64, u64)>,
    /// A pull may have applied changes whose key collisions were not
    /// checked yet (it failed or was cut after applying, or the check
    /// failed): the next pass checks them whatever its own pull brings.
    unchecked_news: std::sync::atomic::AtomicBool,
    /// Serializes write transactions (the only users of `conn`).
    write: tokio::sync::Mutex<()>,
    /// Serializes every call into a replica's sync engine (push, pull,
    /// figures, checkpoint, new connections): the engine holds a blocking
    /// lock for a whole operation. Never waited for while holding `write`.
    sync: tokio::sync::Mutex<()>,
    /// The engine's figures as last read, for callers that must not wait
    /// for a sync step in flight (pending changes, displays).
    last_stats: std::sync::Mutex<Option<engine::SyncStats>>,
    /// Called after every committed write (the sync engine schedules a push).
    on_write: std::sync::OnceLock<WriteHook>,
    /// Data version: bumped after every committed write and every pull that
    /// brought changes, so open views can refresh (see [`Store::changes`]).
    version: tokio::sync::watch::Sender<u64>,
    _lock: ProcessLock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// An open that failed, with the lock it held (still held).
#[derive(Debug)]
pub struct NotOpened {
    pub error: crate::error::Error,
    pub lock: ProcessLock,
}

/// Who hears of a committed write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// Open views refresh and the write hook (the sync engine's push) runs.
    Everyone,
    /// Open views refresh; no push is scheduled (the sync's own bookkeeping).
    Views,
    /// Neither (figures no view shows as task data).
    Nobody,
}

impl Store {
    /// Opens (creating on first use) the local database under `paths`,
    /// waiting up to `lock_timeout` if another process has it.
    pub async fn open(paths: &SharkPaths, device: Device, lock_timeout: Duration) -> Result<Self> {
        Self::open_with(paths, device, lock_timeout, &Backend::Local).await
    }

    /// Opens the database for `backend`: the local file, or the synced replica
    /// (a separate file, so local-only data stays untouched until carried over).
    #[tracing::instrument(skip_all)]
    pub async fn open_with(
        paths: &SharkPaths,
        device: Device,
        lock_timeout: Duration,
        backend: &Backend,
    ) -> Result<Self> {
        let lock = Self::lock_for(paths, backend, lock_timeout).await?;
        Self::open_locked(paths, device, lock, backend, None)
            .await
            .map_err(|n| n.error)
    }

    /// Takes the lock [`Store::open_locked`] needs for `backend`, waiting up
    /// to `lock_timeout` (its message names the holder).
    pub async fn lock_for(
        paths: &SharkPaths,
        backend: &Backend,
        lock_timeout: Duration,
    ) -> Result<ProcessLock> {
        paths.ensure_dirs()?;
        ProcessLock::acquire(&lock::file_for(paths, backend), lock_timeout).await
    }

    /// Opens with the lock already held (taken by [`Store::lock_for`], or
    /// kept from a store closed with [`Store::close_keeping_lock`]), so no
    /// other process can come in between. `engine_within` bounds the
    /// engine's open (a new replica's download) without counting the lock
    /// wait; past it the open fails with [`Error::SyncTimeout`]. On failure
    /// the lock comes back, still held.
    pub async fn open_locked(
        paths: &SharkPaths,
        device: Device,
        lock: ProcessLock,
        backend: &Backend,
        engine_within: Option<Duration>,
    ) -> std::result::Result<Self, NotOpened> {
        match Self::open_parts(paths, backend, engine_within).await {
            Ok((engine, conn, path)) => Self::finish_open(paths, device, lock, engine, conn, path)
                .await
                .map_err(|(error, lock)| NotOpened { error, lock }),
            Err(error) => Err(NotOpened { error, lock }),
        }
    }

    async fn open_parts(
        paths: &SharkPaths,
        backend: &Backend,
        engine_within: Option<Duration>,
    ) -> Result<(Engine, Connection, PathBuf)> {
        let path = match backend {
            Backend::Local => paths.database_file(),
            Backend::LocalFile(p) => p.clone(),
            Backend::Replica(_) => paths.replica_file(),
        };
        preflight::check_file(&path)?;
        // A file or database named by a URL may be another program's: it is
        // checked before anything is created in it (see `ownership`).
        if let Backend::LocalFile(p) = backend {
            ownership::check_file(p).await?;
        }
        let (engine, conn) = match engine_within {
            None => Engine::open(&path, backend).await?,
            Some(within) => tokio::time::timeout(within, Engine::open(&path, backend))
                .await
                .map_err(|_| crate::error::Error::SyncTimeout {
                    secs: within.as_secs(),
                })??,
        };
        if let Backend::Replica(r) = backend {
            ownership::check_replica(&conn, &crate::cloud::redact(&r.url)).await?;
        }
        restrict(&path)?;
        migrations::migrate(&conn, &path).await?;
        Ok((engine, conn, path))
    }

    async fn finish_open(
        paths: &SharkPaths,
        device: Device,
        lock: ProcessLock,
        engine: Engine,
        conn: Connection,
        path: PathBuf,
    ) -> std::result::Result<Self, (crate::error::Error, ProcessLock)> {
        let readers = pool::Pool::new(pool_config(paths));
        readers.start_reaper();
        let store = Store {
            conn,
            readers,
            engine,
            device,
            path,
            paths: paths.clone(),
            traffic_seen: std::sync::Mutex::new((0, 0)),
            unchecked_news: std::sync::atomic::AtomicBool::new(false),
            write: tokio::sync::Mutex::new(()),
            sync: tokio::sync::Mutex::new(()),
            last_stats: std::sync::Mutex::new(None),
            on_write: std::sync::OnceLock::new(),
            version: tokio::sync::watch::Sender::new(0),
            _lock: lock,
        };
        if let Err(e) = store.register_device().await {
            return Err((e, store.close_keeping_lock()));
        }
        // A WAL grown large before this policy existed (or by a crash before a
        // checkpoint) is brought back to size now.
        store.checkpoint_if_due().await;
        Ok(store)
    }

    /// Closes the database but keeps this process's lock on it, so the
    /// caller can move files and save settings before any other `shark`
    /// process opens it (disconnect: no one may open or bootstrap the
    /// replica between its removal and the settings saying local).
    pub fn close_keeping_lock(self) -> ProcessLock {
        let Store {
            conn,
            readers,
            engine,
            _lock,
            ..
        } = self;
        drop(conn);
        drop(readers);
        drop(engine);
        _lock
    }

    /// Sets the callback run after each committed write (once; later calls
    /// are ignored and return false).
    pub fn set_write_hook(&self, hook: WriteHook) -> bool {
        self.on_write.set(hook).is_ok()
    }

    /// A receiver that sees a new value whenever the data may have changed:
    /// a local write (from any caller) or a pull that brought changes.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Marks the data as changed for [`Store::changes`] watchers.
    pub(crate) fn bump_version(&self) {
        self.version.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// This machine, as recorded in history.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The Shark home this store was opened in.
    pub fn home(&self) -> &SharkPaths {
        &self.paths
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction: all of it is saved or none of it.
    /// The write hook (the sync engine's push trigger) runs after the commit.
    pub(crate) async fn write<T>(
        &self,
        f: impl AsyncFnOnce(&Connection) -> Result<T> + Clone,
    ) -> Result<T> {
        self.write_inner(f, Audience::Everyone).await
    }

    /// [`Store::write`] for the sync engine's own bookkeeping (renumbering,
    /// the device row): no hook, or every sync would schedule another one.
    pub(crate) async fn write_silently<T>(
        &self,
        f: impl AsyncFnOnce(&Connection) -> Result<T> + Clone,
    ) -> Result<T> {
        self.write_inner(f, Audience::Views).await
    }

    /// [`Store::write_silently`] for rows no view shows as task data (the
    /// sync figures): open views are not told to refresh either.
    pub(crate) async fn write_bookkeeping<T>(
        &self,
        f: impl AsyncFnOnce(&Connection) -> Result<T> + Clone,
    ) -> Result<T> {
        self.write_inner(f, Audience::Nobody).await
    }

    /// One write transaction; `f` runs again, from the start, when the
    /// transaction meets a pull being applied or a checkpoint ("busy"): the
    /// attempt is rolled back and retried a few ms later, for at most
    /// [`BUSY_WRITE_FOR`].
    async fn write_inner<T>(
        &self,
        f: impl AsyncFnOnce(&Connection) -> Result<T> + Clone,
        told: Audience,
    ) -> Result<T> {
        let _guard = self.write.lock().await;
        let start = std::time::Instant::now();
        let mut pause = Duration::from_millis(1);
        let value = loop {
            let result = match self.begin_write().await {
                Ok(()) => match f.clone()(&self.conn).await {
                    Ok(v) => self
                        .conn
                        .execute("COMMIT", ())
                        .await
                        .db("saving")
                        .map(|_| v),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            if result.is_err() && !self.conn.is_autocommit().unwrap_or(true) {
                let _ = self.conn.execute("ROLLBACK", ()).await;
            }
            match result {
                Err(e) if e.problem() == crate::cloud::Problem::Busy => {
                    if start.elapsed() >= BUSY_WRITE_FOR {
                        return Err(e);
                    }
                    tracing::debug!("a write met the database busy; retrying it: {e}");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                other => break other?,
            }
        };
        if told != Audience::Nobody {
            self.bump_version();
        }
        if let Some(hook) = self.on_write.get().filter(|_| told == Audience::Everyone) {
            hook();
        }
        // Still holding the write lock: no write overlaps the checkpoint.
        self.checkpoint_after_write().await;
        Ok(value)
    }

    /// Starts a write transaction (rolling back one left open first).
    async fn begin_write(&self) -> Result<()> {
        // A write whose future was dropped mid-transaction (a timeout around
        // it fired while it wrote) left its transaction open: roll it back,
        // so nothing half-done stays and this write can start.
        if !self.conn.is_autocommit().db("checking the writer")? {
            tracing::warn!("rolling back a write that was cut off");
            self.conn
                .execute("ROLLBACK", ())
                .await
                .db("rolling back a write that was cut off")?;
        }
        self.conn
            .execute("BEGIN IMMEDIATE", ())
            .await
            .db("starting a write")?;
        Ok(())
    }

    /// A read connection from the pool (opened when none is idle), held
    /// until the reader is dropped. Reads never take the writer's locks, so
    /// they do not wait for a write, a push or a pull.
    pub(crate) async fn reader(&self) -> Result<Reader<'_>> {
        let mut checkout = self.readers.checkout().await;
        let conn = match checkout.reused.take() {
            Some(c) => c,
            None => match self.connect_engine().await {
                Ok(c) => {
                    self.readers.opened();
                    c
                }
                Err(e) => {
                    self.readers.give_back(checkout, None);
                    return Err(e);
                }
            },
        };
        Ok(Reader {
            pool: &self.readers,
            checkout: Some(checkout),
            conn: Some(conn),
        })
    }

    /// For a long-lived owner: keeps `n` read connections open and ready
    /// (the reaper leaves them; each sync step replaces any in use), because
    /// a replica's new connection waits for the sync step in flight (the
    /// engine's connect takes the lock its pull holds during the network
    /// wait, a long-poll or a dead network's timeout included).
    pub async fn keep_readers_open(&self, n: usize) {
        self.readers.keep_open(n);
        let _sync = match self.engine {
            Engine::Replica(..) => Some(self.sync.lock().await),
            Engine::Local(_) => None,
        };
        self.top_up_readers_locked().await;
    }

    /// Opens spare read connections up to the number kept; the caller holds
    /// the sync lock (for a replica).
    pub(crate) async fn top_up_readers_locked(&self) {
        while self.readers.spare_needed() {
            match self.engine.connect().await {
                Ok(c) => self.readers.add_idle(c),
                Err(e) => {
                    tracing::warn!("cannot open a spare read connection: {e}");
                    return;
                }
            }
        }
    }

    /// A new connection; a replica's waits for a sync step in flight (the
    /// engine serves one operation at a time).
    async fn connect_engine(&self) -> Result<Connection> {
        let _sync = match self.engine {
            Engine::Replica(..) => Some(self.sync.lock().await),
            Engine::Local(_) => None,
        };
        self.engine.connect().await
    }

    /// The engine's integrity check of the whole file: an empty list when
    /// it is sound, else what it found (at most 20 lines).
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        let reader = self.reader().await?;
        let lines = row::query_all(&reader, "PRAGMA integrity_check(20)", vec![], |r| {
            row::text(r, 0)
        })
        .await?;
        Ok(lines.into_iter().filter(|l| l != "ok").collect())
    }

    /// The read pool's figures.
    pub fn pool_stats(&self) -> PoolStats {
        self.readers.stats()
    }

    /// Records this machine's name so other machines can show it in history.
    /// Writes only when the row is missing or the name changed.
    async fn register_device(&self) -> Result<()> {
        let id = self.device.id.clone();
        // A name nobody can read (another client's value) is written again.
        let known = row::query_opt(
            &*self.reader().await?,
            "SELECT name FROM devices WHERE id = ?1",
            vec![id.clone().into()],
            |r| Ok(row::text(r, 0).ok()),
        )
        .await?;
        if let Err(e) = self.record_version().await {
            tracing::warn!("cannot record which Shark this machine runs: {e}");
        }
        if known.as_ref().and_then(|n| n.as_deref()) == Some(self.device.name.as_str()) {
            return Ok(());
        }
        let name = self.device.name.clone();
        let now = time::to_text(&time::now());
        self.write_silently(async |c: &Connection| {
            if known.is_some() {
                c.execute(
                    "UPDATE devices SET name = ?2, updated_at = ?3 WHERE id = ?1",
                    (id.clone(), name.clone(), now.clone()),
                )
                .await
                .db("renaming this device")?;
            } else {
                c.execute(
                    "INSERT INTO devices (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                    (id.clone(), name.clone(), now.clone()),
                )
                .await
                .db("registering this device")?;
            }
            Ok(())
        })
        .await
    }
}

impl Store {
    /// [`files::restrict`] for the open database; a failure is logged (the next
    /// open reports it).
    pub(crate) fn restrict_files(&self) {
        if let Err(e) = restrict(&self.path) {
            tracing::warn!("cannot make the database files private: {e}");
        }
    }
}

/// The read pool's settings from `config.toml` (defaults when unset or
/// unreadable: a broken config is reported by whoever loads it for real).
fn pool_config(paths: &SharkPaths) -> PoolConfig {
    let db = crate::config::Config::load(paths)
        .unwrap_or_default()
        .database;
    PoolConfig {
        size: db.pool_size.unwrap_or(DEFAULT_POOL_SIZE),
        idle_timeout: db
            .pool_idle_secs
            .map_or(DEFAULT_POOL_IDLE, Duration::from_secs),
    }
}

/// A pooled read connection, returned to the pool on drop.
pub(crate) struct Reader<'a> {
    pool: &'a pool::Pool<Connection>,
    checkout: Option<pool::Checkout<Connection>>,
    conn: Option<Connection>,
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.checkout.take() {
            // A connection left inside a transaction (a read cancelled
            // between BEGIN and COMMIT) would keep its old snapshot: closed.
            let conn = self
                .conn
                .take()
                .filter(|conn| conn.is_autocommit().unwrap_or(false));
            self.pool.give_back(c, conn);
        }
    }
}

/// A fresh UUIDv7 (time ordered) for a new row.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
