//! The two ways a Shark database is held: a plain local file, or a synced
//! replica of a Turso database (the `turso` crate's sync engine). Push and
//! pull run under the store's write lock, so they never overlap a write
//! (the engine's "database is busy" hazard).

use std::path::Path;

use serde::Serialize;
use turso::Connection;

use super::Store;
use crate::error::{DbContext, Error, Result};
use crate::secret::SecretToken;
use crate::usage::counters::{Counters, Unsent};

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
}

/// An open engine.
pub(crate) enum Engine {
    Local(turso::Database),
    Replica(turso::sync::Database),
}

/// Picks the TLS crypto provider for the process once. rustls chooses one by
/// itself only when exactly one is compiled in; the desktop app also links the
/// updater's (`ring`) beside the sync engine's (`aws-lc-rs`), and then every
/// connection would panic. The sync engine's own provider is installed.
pub(crate) fn ensure_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // An error means another provider was installed first: that one is used.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
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
                ensure_tls_provider();
                let mut builder = turso::sync::Builder::new_remote(&text)
                    .with_remote_url(remote.url.clone())
                    .with_client_name("shark")
                    .bootstrap_if_empty(true);
                if let Some(token) = &remote.token {
                    builder = builder.with_auth_token(token.expose());
                }
                let db = builder.build().await.map_err(|source| Error::Sync {
                    action: "opening the replica",
                    source,
                })?;
                let engine = Engine::Replica(db);
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
            Engine::Replica(db) => db.connect().await.db("connecting to the replica")?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .db("configuring the database connection")?;
        Ok(conn)
    }
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Whether the pull brought anything.
    pub pulled: bool,
    /// Keys this device gave up because another machine took them first.
    pub renumbered: Vec<super::Renumbered>,
    /// Change records the push carried (rows written in the cloud).
    pub pushed_changes: i64,
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

impl Store {
    fn replica(&self) -> Result<&turso::sync::Database> {
        match &self.engine {
            Engine::Replica(db) => Ok(db),
            Engine::Local(_) => Err(Error::invalid(
                "this database is local only; connect it to Turso first",
            )),
        }
    }

    /// Whether this store is a synced replica.
    pub fn is_replica(&self) -> bool {
        matches!(self.engine, Engine::Replica(_))
    }

    /// Sends local changes to the server. Waits for any write in progress.
    /// Returns the number of change records sent (each a row written there).
    #[tracing::instrument(skip_all)]
    pub async fn push(&self) -> Result<i64> {
        let db = self.replica()?;
        let _guard = self.write.lock().await;
        let pending = self.pending_changes().await;
        db.push().await.map_err(|source| Error::Sync {
            action: "pushing changes",
            source,
        })?;
        self.checkpoint_due_locked().await;
        Ok(pending)
    }

    /// Applies the server's changes; true when anything arrived.
    #[tracing::instrument(skip_all)]
    pub async fn pull(&self) -> Result<bool> {
        let db = self.replica()?;
        let _guard = self.write.lock().await;
        let pulled = db.pull().await.map_err(|source| Error::Sync {
            action: "pulling changes",
            source,
        })?;
        if pulled {
            self.bump_version();
        }
        // Pulled changes are applied through the WAL too: a machine that
        // only receives changes must keep it bounded as well.
        self.checkpoint_due_locked().await;
        Ok(pulled)
    }

    /// One full sync: pull the server's changes, renumber this device's rows
    /// that lost a key collision, then push. Safe to repeat.
    #[tracing::instrument(skip_all)]
    pub async fn sync_now(&self) -> Result<SyncReport> {
        let mut meter = Counters::default();
        let result = self.sync_metered(&mut meter).await;
        self.record_traffic(meter).await;
        result
    }

    async fn sync_metered(&self, meter: &mut Counters) -> Result<SyncReport> {
        let pulled = self.pull().await?;
        meter.pulls += 1;
        let renumbered = self.resolve_key_collisions().await?;
        self.fold_usage(self.pending_changes().await).await?;
        let pending = self.push().await?;
        meter.pushes += 1;
        meter.rows_written += u64::try_from(pending).unwrap_or(0);
        Ok(SyncReport {
            pulled,
            renumbered,
            pushed_changes: pending,
        })
    }

    /// Records `meter` and the bytes sent and received since the last
    /// record (or since opening) as this machine's unsent sync figures.
    /// Bytes of an attempt cut short by a timeout are counted by the next
    /// record. A failure to record is logged: figures never fail a sync.
    pub(crate) async fn record_traffic(&self, mut meter: Counters) {
        let Ok(Some(s)) = self.sync_stats().await else {
            return;
        };
        if let Ok(mut seen) = self.traffic_seen.lock() {
            meter.bytes_sent += s.network_sent_bytes.saturating_sub(seen.0);
            meter.bytes_received += s.network_received_bytes.saturating_sub(seen.1);
            *seen = (s.network_sent_bytes, s.network_received_bytes);
        }
        if let Err(e) = Unsent::record(&self.paths, crate::time::now(), &meter) {
            tracing::warn!("cannot record sync figures: {e}");
        }
    }

    /// [`Store::sync_now`] with a timeout per attempt and retries (1 s, 2 s,
    /// 4 s apart) for failures that may pass (offline, server error); auth,
    /// quota and rejected changes fail at once.
    #[tracing::instrument(skip_all)]
    pub async fn sync_with_retries(
        &self,
        timeout: std::time::Duration,
        retries: u32,
    ) -> Result<SyncReport> {
        let mut attempt = 0;
        loop {
            let result = match tokio::time::timeout(timeout, self.sync_now()).await {
                Ok(r) => r,
                Err(_) => Err(Error::invalid(format!(
                    "sync timed out after {} s (cannot reach the server?)",
                    timeout.as_secs()
                ))),
            };
            let retry = match &result {
                Ok(_) => false,
                Err(e) => matches!(
                    crate::cloud::Problem::of(&e.to_string()),
                    crate::cloud::Problem::Offline | crate::cloud::Problem::Server
                ),
            };
            if !retry || attempt >= retries {
                return result;
            }
            let wait = std::time::Duration::from_secs(1 << attempt);
            tracing::info!(attempt, wait_s = wait.as_secs(), "sync failed; retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Local changes not yet pushed (0 for a local-only database, or when the
    /// engine cannot say).
    pub async fn pending_changes(&self) -> i64 {
        self.sync_stats()
            .await
            .ok()
            .flatten()
            .map_or(0, |s| s.pending_changes)
    }

    /// The engine's figures, or `None` for a local-only database.
    pub async fn sync_stats(&self) -> Result<Option<SyncStats>> {
        let Engine::Replica(db) = &self.engine else {
            return Ok(None);
        };
        let s = db.stats().await.map_err(|source| Error::Sync {
            action: "reading sync figures",
            source,
        })?;
        Ok(Some(SyncStats {
            pending_changes: s.cdc_operations,
            last_push_unix_time: s.last_push_unix_time,
            last_pull_unix_time: s.last_pull_unix_time,
            network_sent_bytes: s.network_sent_bytes as u64,
            network_received_bytes: s.network_received_bytes as u64,
        }))
    }
}
