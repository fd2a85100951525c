//! The two ways a Shark database is held: a plain local file, or a synced
//! replica of a Turso database (the `turso` crate's sync engine), and the
//! replica's own steps (push, pull, figures). Every call into the sync
//! engine is serialized by the store's sync lock (the engine holds a
//! blocking lock for a whole operation, network wait included, so two at
//! once would block a thread); none of them takes the write lock: a push
//! does not block writes, and writes that meet a pull's apply get "busy"
//! and are retried (see `Store::write`).

use std::path::Path;
use std::sync::atomic::Ordering;

use serde::Serialize;
use turso::Connection;

use super::Store;
use crate::error::{DbContext, Error, Result};
use crate::secret::SecretToken;

/// Where the data lives.
#[derive(Debug, Clone, Default)]
pub enum Backend {
    /// Only on this machine: the default file, or the one given.
    #[default]
    Local,
    /// Only on this machine, in this file.
    LocalFile(std::path::PathBuf),
    /// A full local replica kept in sync with a Turso database.
    Replica(Remote),
}

/// A Turso database to sync with.
#[derive(Debug, Clone)]
pub struct Remote {
    /// `libsql://`, `turso://`, `https://` or `http://` (loopback development server).
    pub url: String,
    /// `None` for a server that needs no token (a local development server).
    pub token: Option<SecretToken>,
    /// How long the server may hold a pull that finds nothing new (Turso
    /// Cloud answers as soon as a change arrives); `None`: answer at once.
    /// Only a replica's long-lived owner asks for it: a pull in flight holds
    /// the engine, so a one-shot command must not wait on one.
    pub long_poll: Option<std::time::Duration>,
    /// The deadlines of every request to the server (`cloud::relay`).
    pub deadlines: crate::cloud::relay::Deadlines,
}

/// An open engine.
pub(crate) enum Engine {
    Local(turso::Database),
    /// The engine, and the relay its HTTP goes through (`cloud::relay`).
    Replica(turso::sync::Database, crate::cloud::relay::Relay),
}

impl Engine {
    /// Opens `path` (creating it on first use; a new replica is bootstrapped
    /// from the server, which must then be reachable) and connects.
    pub(crate) async fn open(path: &Path, backend: &Backend) -> Result<(Engine, Connection)> {
        let text = path.to_string_lossy();
        match backend {
            Backend::Local | Backend::LocalFile(_) => {
                let db = turso::Builder::new_local(&text)
                    .build()
                    .await
                    .db("opening the database file")?;
                let engine = Engine::Local(db);
                let conn = engine.connect().await?;
                Ok((engine, conn))
            }
            Backend::Replica(remote) => {
                crate::tls::ensure_provider();
                let relay = crate::cloud::relay::Relay::start(
                    &remote.url,
                    remote.long_poll.unwrap_or_default(),
                    remote.deadlines,
                )?;
                let mut builder = turso::sync::Builder::new_remote(&text)
                    .with_remote_url(relay.engine_url())
                    .with_client_name("shark")
                    .bootstrap_if_empty(true);
                if let Some(token) = &remote.token {
                    builder = builder.with_auth_token(token.expose());
                }
                if let Some(wait) = remote.long_poll {
                    builder = builder.with_long_poll_timeout(wait);
                }
                let db = builder
                    .build()
                    .await
                    .map_err(|source| Error::sync("opening the replica", source))?;
                let engine = Engine::Replica(db, relay);
                let conn = engine.connect().await?;
                Ok((engine, conn))
            }
        }
    }

    /// A new connection to the database (the writer, and each of the read
    /// pool's), waiting up to 5 s for a busy database.
    pub(crate) async fn connect(&self) -> Result<Connection> {
        let conn = match self {
            Engine::Local(db) => db.connect().db("connecting to the database")?,
            Engine::Replica(db, _) => db.connect().await.db("connecting to the replica")?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .db("configuring the database connection")?;
        Ok(conn)
    }
}

/// What the sync engine reports about this replica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStats {
    /// Local change records not yet pushed.
    pub pending_changes: i64,
    pub last_push_unix_time: Option<i64>,
    pub last_pull_unix_time: Option<i64>,
    /// Bytes sent and received since this process opened the replica.
    pub network_sent_bytes: u64,
    pub network_received_bytes: u64,
}

/// Times a sync step retries at once when it meets the local database busy
/// (another connection mid-write, a checkpoint): the busy window is a
/// transaction's milliseconds.
const BUSY_RETRIES: u32 = 20;

impl Store {
    /// Cuts the replica's connections to the server (requests in flight
    /// fail as offline at once); nothing for a local database.
    pub fn cut_connections(&self) {
        if let Engine::Replica(_, relay) = &self.engine {
            relay.cut();
        }
    }

    /// A local write wants to push: a pull the server holds is answered
    /// now, and pulls stay unheld until a pass that started after this
    /// ends (`Relay::release`); nothing for a local database. Never blocks.
    pub fn release_held_pull(&self) {
        if let Engine::Replica(_, relay) = &self.engine {
            relay.release();
        }
    }

    /// The latest release's mark, read when a pass starts (`Relay::release_mark`).
    pub fn release_mark(&self) -> u64 {
        match &self.engine {
            Engine::Replica(_, relay) => relay.release_mark(),
            Engine::Local(_) => 0,
        }
    }

    /// A pass that started at `mark` ended: pulls may be held again unless
    /// a later release came (`Relay::hold_again`).
    pub fn hold_pulls_again(&self, mark: u64) {
        if let Engine::Replica(_, relay) = &self.engine {
            relay.hold_again(mark);
        }
    }

    /// The server's latest `Retry-After`, taken once.
    pub fn take_retry_after(&self) -> Option<std::time::Duration> {
        match &self.engine {
            Engine::Replica(_, relay) => relay.take_retry_after(),
            Engine::Local(_) => None,
        }
    }

    fn replica(&self) -> Result<&turso::sync::Database> {
        match &self.engine {
            Engine::Replica(db, _) => Ok(db),
            Engine::Local(_) => Err(Error::invalid(
                "this database is local only; connect it to Turso first",
            )),
        }
    }

    /// Whether this store is a synced replica.
    pub fn is_replica(&self) -> bool {
        matches!(self.engine, Engine::Replica(..))
    }

    /// Sends local changes to the server. Writes go on meanwhile (the engine
    /// sends what was committed when it started; later writes wait for the
    /// next push). Returns the number of change records pending when it
    /// started (each a row written there).
    #[tracing::instrument(skip_all)]
    pub async fn push(&self) -> Result<i64> {
        let db = self.replica()?;
        let _sync = self.sync.lock().await;
        let pending = self.stats_locked().await?.map_or(0, |s| s.pending_changes);
        busy_retry(|| db.push(), "pushing changes").await?;
        self.checkpoint_after_sync(true).await;
        self.top_up_readers_locked().await;
        Ok(pending)
    }

    /// Fetches the server's changes and applies them; true when anything
    /// arrived. The wait for the server takes no lock writes need; applying
    /// makes writes that meet it retry for its milliseconds.
    #[tracing::instrument(skip_all)]
    pub async fn pull(&self) -> Result<bool> {
        let db = self.replica()?;
        // A write in progress finishes first (milliseconds): an apply that
        // lands inside a write transaction aborts it, and pulls every second
        // could otherwise starve a long write (a large import) for good. A
        // write that starts during the network wait is aborted at most once.
        drop(self.write.lock().await);
        let _sync = self.sync.lock().await;
        // Marked before: a pull cut after applying (a timeout, an error on
        // the way back) leaves its news to check (`Store::unchecked_news`).
        let before = self.unchecked_news.swap(true, Ordering::SeqCst);
        let pulled = busy_retry(|| db.pull(), "pulling changes").await?;
        if !pulled {
            self.unchecked_news.store(before, Ordering::SeqCst);
        }
        if pulled {
            self.bump_version();
        }
        // Pulled changes are applied through the WAL too: a machine that
        // only receives changes must keep it bounded as well.
        self.checkpoint_after_sync(pulled).await;
        self.top_up_readers_locked().await;
        Ok(pulled)
    }

    /// Whether a pull may have applied changes whose key collisions were
    /// not checked yet ([`Store::resolve_key_collisions`] clears it).
    pub fn unchecked_news(&self) -> bool {
        self.unchecked_news.load(Ordering::SeqCst)
    }

    /// Bytes sent and received since the last call (or since opening): what
    /// a usage meter records. Bytes of an attempt cut short by a timeout are
    /// counted by the next call.
    pub async fn traffic_since_last(&self) -> (u64, u64) {
        let Ok(Some(s)) = self.sync_stats().await else {
            return (0, 0);
        };
        let Ok(mut seen) = self.traffic_seen.lock() else {
            return (0, 0);
        };
        let delta = (
            s.network_sent_bytes.saturating_sub(seen.0),
            s.network_received_bytes.saturating_sub(seen.1),
        );
        *seen = (s.network_sent_bytes, s.network_received_bytes);
        delta
    }

    /// Local changes not yet pushed (0 for a local-only database, or when the
    /// engine cannot say). While a sync step holds the engine, the figure
    /// last read is returned rather than waiting for the network.
    pub async fn pending_changes(&self) -> i64 {
        if !self.is_replica() {
            return 0;
        }
        match self.sync.try_lock() {
            Ok(_sync) => self
                .stats_locked()
                .await
                .ok()
                .flatten()
                .map_or(0, |s| s.pending_changes),
            Err(_) => self.known_stats().map_or(0, |s| s.pending_changes),
        }
    }

    /// The engine's figures, or `None` for a local-only database (waits
    /// for a sync step in progress).
    pub async fn sync_stats(&self) -> Result<Option<SyncStats>> {
        if !self.is_replica() {
            return Ok(None);
        }
        let _sync = self.sync.lock().await;
        self.stats_locked().await
    }

    /// The engine's figures for a display (`cloud status`, usage, doctor):
    /// the latest known ones while a sync step is in flight, which may be
    /// waiting on the network for seconds; fresh ones otherwise.
    pub async fn sync_stats_for_display(&self) -> Result<Option<SyncStats>> {
        if !self.is_replica() {
            return Ok(None);
        }
        if let Ok(_sync) = self.sync.try_lock() {
            return self.stats_locked().await;
        }
        match self.known_stats() {
            Some(s) => Ok(Some(s)),
            None => self.sync_stats().await,
        }
    }

    /// The figures as last read (`None` before the first read).
    fn known_stats(&self) -> Option<SyncStats> {
        self.last_stats.lock().ok().and_then(|s| s.clone())
    }

    /// The engine's figures; the caller holds the sync lock.
    async fn stats_locked(&self) -> Result<Option<SyncStats>> {
        let Engine::Replica(db, _) = &self.engine else {
            return Ok(None);
        };
        let s = db
            .stats()
            .await
            .map_err(|source| Error::sync("reading sync figures", source))?;
        let stats = SyncStats {
            pending_changes: s.cdc_operations,
            last_push_unix_time: s.last_push_unix_time,
            last_pull_unix_time: s.last_pull_unix_time,
            network_sent_bytes: s.network_sent_bytes as u64,
            network_received_bytes: s.network_received_bytes as u64,
        };
        if let Ok(mut known) = self.last_stats.lock() {
            *known = Some(stats.clone());
        }
        Ok(Some(stats))
    }
}

/// Runs one engine step, again at once (a few ms apart) while it meets the
/// local database busy; any other failure is returned, classified.
async fn busy_retry<T, F, Fut>(step: F, action: &'static str) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = turso::Result<T>>,
{
    let mut attempt = 0;
    loop {
        match step().await {
            Ok(v) => return Ok(v),
            Err(source) => {
                let e = Error::sync(action, source);
                if e.problem() != crate::cloud::Problem::Busy || attempt >= BUSY_RETRIES {
                    return Err(e);
                }
                attempt += 1;
                tracing::debug!(attempt, action, "the database was busy; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(attempt))).await;
            }
        }
    }
}
