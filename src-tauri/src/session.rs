//! The app's hold on the database: opened once in the background at start
//! (the window paints at once), reopened when cloud settings change, with the
//! sync engine for a replica. Knows nothing of Tauri: it reports through a
//! callback, so it is tested without a window.

use std::sync::Arc;
use std::time::Duration;

use shark_cli::handoff::{Host, NoStore, OwnerInfo, OwnerKind, SyncFuture};
use shark_core::cloud::{self, ConnectionInfo, MachineState, Mode, SyncEngine, SyncState, token};
use shark_core::config::{Config, Device};
use shark_core::paths::SharkPaths;
use shark_core::secret::SecretToken;
use shark_core::store::changes::DataChange;
use shark_core::store::{DEFAULT_LOCK_TIMEOUT, Store};
use shark_core::time;
use tokio::sync::watch;

use crate::error::{IpcError, IpcResult};
use crate::forward::Forwarders;
pub use crate::forward::{Event, Notify};
use crate::status::{AppStatus, UsageSummary};

/// An open database and what runs with it.
#[derive(Debug)]
pub struct Live {
    pub store: Arc<Store>,
    pub info: ConnectionInfo,
    pub engine: Option<SyncEngine>,
    pub config: Config,
    pub device: Device,
    pub notices: Vec<String>,
    forwarders: Forwarders,
}

/// The state of the database slot.
#[derive(Debug, Clone)]
pub enum Slot {
    Opening,
    Open(Arc<Live>),
    Failed(String),
}

/// The app's session: paths, the open database, and the event callback.
pub struct Session {
    pub paths: SharkPaths,
    slot: watch::Sender<Slot>,
    /// One open, reopen or disconnect at a time.
    reopen: tokio::sync::Mutex<()>,
    notify: Notify,
    /// The latest usage report's warning, for the status and the tray.
    usage: std::sync::Mutex<Option<UsageSummary>>,
    /// Rows the window's lists could not read: epics, features, tasks (as
    /// the last list of each found them), for the status and the tray.
    damaged: std::sync::Mutex<[usize; 3]>,
    /// When the app started (for `shark daemon status`).
    started: time::Timestamp,
    /// The saved settings the status shows, read again only after a change.
    settings: crate::config_cache::ConfigCache,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

/// Longest wait of a command for the database to open.
const OPEN_WAIT: Duration = Duration::from_secs(30);

impl Session {
    pub fn new(paths: SharkPaths, notify: Notify) -> Arc<Self> {
        Arc::new(Session {
            paths,
            slot: watch::Sender::new(Slot::Opening),
            reopen: tokio::sync::Mutex::new(()),
            notify,
            usage: std::sync::Mutex::new(None),
            damaged: std::sync::Mutex::new([0; 3]),
            started: time::now(),
            settings: crate::config_cache::ConfigCache::default(),
        })
    }

    /// Keeps the latest usage report's summary; true when it changed.
    pub fn set_usage(&self, summary: Option<UsageSummary>) -> bool {
        match self.usage.lock() {
            Ok(mut u) if *u != summary => {
                *u = summary;
                true
            }
            _ => false,
        }
    }

    /// Records how many rows a list could not read (`which`: 0 epics,
    /// 1 features, 2 tasks); a change is shown at once (status event).
    pub fn note_damaged(&self, which: usize, n: usize) {
        let changed = match self.damaged.lock() {
            Ok(mut d) if which < 3 && d[which] != n => {
                d[which] = n;
                true
            }
            _ => false,
        };
        if changed {
            self.emit(Event::Status);
        }
    }

    fn damaged_count(&self) -> usize {
        self.damaged.lock().map_or(0, |d| d.iter().sum())
    }

    /// The saved settings, parsed again only after `config.toml` changed.
    pub fn settings(&self) -> Result<Config, String> {
        self.settings.get(&self.paths)
    }

    fn usage_summary(&self) -> Option<UsageSummary> {
        self.usage.lock().ok().and_then(|u| u.clone())
    }

    /// Raises an event (the app's timers refresh the status line this way).
    pub fn emit(&self, event: Event) {
        (self.notify)(event);
    }

    /// Opens (or reopens) the database from the saved settings.
    #[tracing::instrument(skip_all)]
    pub async fn open(self: &Arc<Self>) -> IpcResult<Arc<Live>> {
        let _one = self.reopen.lock().await;
        self.open_locked().await
    }

    async fn open_locked(self: &Arc<Self>) -> IpcResult<Arc<Live>> {
        self.close_current().await;
        let result = self.open_fresh().await;
        match &result {
            Ok(live) => self.slot.send_replace(Slot::Open(live.clone())),
            Err(e) => self.slot.send_replace(Slot::Failed(e.message.clone())),
        };
        (self.notify)(Event::Status);
        (self.notify)(Event::DataChanged(DataChange::everything()));
        (self.notify)(Event::Opened);
        result
    }

    /// Marks the slot as opening and waits until the old store is dropped
    /// (commands in flight finish first), so its lock is free.
    async fn close_current(&self) {
        let old = self.slot.send_replace(Slot::Opening);
        // The usage warning belonged to the database being closed.
        self.set_usage(None);
        (self.notify)(Event::Status);
        if let Slot::Open(live) = old {
            let weak = Arc::downgrade(&live.store);
            drop(live);
            for _ in 0..100 {
                if weak.strong_count() == 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            tracing::warn!("the old database is still in use after 5 s; reopening anyway");
        }
    }

    async fn open_fresh(self: &Arc<Self>) -> IpcResult<Arc<Live>> {
        let config = Config::load(&self.paths)?;
        let device = Device::load_or_create(&self.paths, &config)?;
        // A background daemon that owns the file hands it over: it finishes
        // its commands, pushes, releases the lock and exits.
        match shark_cli::daemon::evict(&self.paths).await {
            Ok(Some(d)) => tracing::info!("took the database over from {}", d.describe()),
            Ok(None) => {}
            Err(e) => tracing::warn!("could not ask the daemon to hand the database over: {e:#}"),
        }
        // The app owns the replica: its pulls wait on the server for news.
        let opened = cloud::open_as_owner(
            &self.paths,
            device.clone(),
            &config,
            DEFAULT_LOCK_TIMEOUT,
            cloud::engine::LONG_POLL,
            cloud::Attempt::Now,
        )
        .await
        .map_err(|e| match e {
            shark_core::Error::Locked { .. } => IpcError::new(
                "locked",
                "Another Shark process is using the database (a long shark command?). Shark retries when you press Retry.",
            ),
            _ => IpcError::from(e),
        })?;
        let store = Arc::new(opened.store);
        let engine = (opened.info.mode == Mode::Replica)
            .then(|| SyncEngine::for_owner(store.clone(), self.paths.clone(), &config));
        let forwarders = Forwarders::start(&store, engine.as_ref(), self.notify.clone()).await;
        Ok(Arc::new(Live {
            store,
            info: opened.info,
            engine,
            config,
            device,
            notices: opened.notices,
            forwarders,
        }))
    }

    /// The open database, waiting while it opens.
    pub async fn live(&self) -> IpcResult<Arc<Live>> {
        let mut rx = self.slot.subscribe();
        let slot = tokio::time::timeout(OPEN_WAIT, rx.wait_for(|s| !matches!(s, Slot::Opening)))
            .await
            .map_err(|_| {
                IpcError::new(
                    "busy",
                    "The database is still opening; try again in a moment.",
                )
            })?
            .map_err(|_| IpcError::new("closed", "Shark is closing."))?
            .clone();
        match slot {
            Slot::Open(live) => Ok(live),
            Slot::Failed(why) => Err(IpcError::new("unavailable", why)),
            Slot::Opening => Err(IpcError::new("busy", "The database is still opening.")),
        }
    }

    /// The open store, for the CLI hand-off (`None` while opening).
    pub fn current(&self) -> Option<Arc<Live>> {
        match &*self.slot.borrow() {
            Slot::Open(live) => Some(live.clone()),
            _ => None,
        }
    }

    /// Changes the settings with `edit`, saves them, and reopens. When the
    /// database cannot be opened with the new settings, the old ones are put
    /// back and reopened, and the error is returned: a failed change loses nothing.
    pub async fn reconfigure(
        self: &Arc<Self>,
        edit: impl FnOnce(&mut Config) -> IpcResult<()>,
    ) -> IpcResult<Arc<Live>> {
        let _one = self.reopen.lock().await;
        let before = Config::load(&self.paths)?;
        let mut config = before.clone();
        edit(&mut config)?;
        config.save(&self.paths)?;
        match self.open_locked().await {
            Ok(live) => Ok(live),
            Err(e) => {
                before.save(&self.paths)?;
                let _ = self.open_locked().await;
                Err(e)
            }
        }
    }

    /// Connects to Turso at `url`, saving `token` first. A failed connect
    /// puts everything back: the old settings, and the token saved before
    /// (so a working connection keeps its own token). Returns the opened
    /// database, where the token was saved, and why not in the keyring.
    pub async fn connect(
        self: &Arc<Self>,
        url: &str,
        token: Option<String>,
    ) -> IpcResult<(Arc<Live>, Option<String>, Option<String>)> {
        let mut stored = None;
        let mut why_not = None;
        let previous = token::saved_token(&self.paths)?;
        let previous_host = cloud::token_host::bound_host(&self.paths);
        let new_token = token.map(SecretToken::new).filter(|t| !t.is_empty());
        if let Some(t) = &new_token {
            cloud::check_token(t, time::now())?;
            let (place, why) = token::store_token(&self.paths, t)?;
            // Given with its URL: bound to it at once, never left unbound.
            cloud::token_host::bind_to(&self.paths, url)?;
            stored = Some(place.to_string());
            why_not = why;
        }
        let url = url.trim().to_string();
        match self
            .reconfigure(move |c| {
                c.cloud.url = Some(url);
                Ok(())
            })
            .await
        {
            Ok(live) => Ok((live, stored, why_not)),
            Err(e) => {
                if new_token.is_some() {
                    let restored =
                        token::restore_token(&self.paths, previous.as_ref()).and_then(|()| {
                            cloud::token_host::restore(&self.paths, previous_host.as_deref())
                        });
                    match restored {
                        // The old settings were reopened with the new token:
                        // reopen with the old one too.
                        Ok(()) => {
                            let _ = self.open().await;
                        }
                        Err(r) => tracing::error!("cannot put the previous token back: {r}"),
                    }
                }
                Err(e)
            }
        }
    }

    /// Leaves the cloud: every record goes into the local database, then the
    /// app reopens it. Returns the number of records saved.
    pub async fn disconnect(self: &Arc<Self>) -> IpcResult<usize> {
        let _one = self.reopen.lock().await;
        let old = self.slot.send_replace(Slot::Opening);
        (self.notify)(Event::Status);
        let saved = match self.save_and_leave(old).await {
            Ok(n) => n,
            Err(e) => {
                // Nothing was removed: reopen what was there.
                let _ = self.open_locked().await;
                return Err(e);
            }
        };
        self.open_locked().await?;
        Ok(saved)
    }

    async fn save_and_leave(&self, old: Slot) -> IpcResult<usize> {
        let saved = match old {
            Slot::Open(live) => {
                let Live {
                    store,
                    engine,
                    forwarders,
                    ..
                } = wait_unique(live).await?;
                drop(engine);
                drop(forwarders);
                let (n, lock) = cloud::disconnect(&self.paths, wait_unique(store).await?).await?;
                (n, Some(lock))
            }
            _ => (0, None),
        };
        let (saved, _lock) = saved;
        let mut config = Config::load(&self.paths)?;
        config.cloud.url = None;
        config.save(&self.paths)?;
        Ok(saved)
    }

    /// The status the window and the tray show.
    pub async fn status(&self) -> AppStatus {
        let now = time::now();
        let slot = self.slot.borrow().clone();
        // The saved settings (the app changes them while running), parsed
        // again only after the file changed.
        let config = self.settings();
        let base = |phase: MachineState| AppStatus {
            phase,
            mode: None,
            pending_changes: 0,
            last_success: None,
            last_error: None,
            paused: false,
            url: None,
            token_source: None,
            interval_secs: 0,
            // No database open: the name comes from the device file and settings.
            device_name: config
                .as_ref()
                .ok()
                .and_then(|c| Device::load_or_create(&self.paths, c).ok())
                .map(|d| d.name)
                .unwrap_or_default(),
            line: phase.line(0, None, now),
            offline: false,
            usage: None,
            damaged_rows: 0,
            newer_shark: None,
            now,
        };
        let live = match slot {
            Slot::Opening => return base(MachineState::Opening),
            Slot::Failed(why) => {
                let mut s = base(MachineState::Failed);
                s.line = format!("Cannot open the database: {why}");
                return s;
            }
            Slot::Open(live) => live,
        };
        let config = config.unwrap_or_else(|_| live.config.clone());
        let (phase, pending, last_success, last_error) = match (&live.engine, live.info.mode) {
            (Some(engine), _) => {
                let s = engine.status();
                (
                    MachineState::of_phase(s.phase),
                    s.pending_changes,
                    s.last_success,
                    s.last_error,
                )
            }
            (None, Mode::LocalFallback) => {
                let saved = SyncState::load(&self.paths);
                (
                    MachineState::NotConnected,
                    0,
                    saved.last_success,
                    saved.last_failure,
                )
            }
            (None, _) => (MachineState::Local, 0, None, None),
        };
        AppStatus {
            phase,
            mode: Some(live.info.mode),
            pending_changes: pending,
            last_success,
            last_error,
            paused: config.cloud.paused == Some(true),
            url: live.info.url.clone(),
            token_source: live.info.token_source.as_ref().map(ToString::to_string),
            // 0: live pulls (no interval set).
            interval_secs: config.cloud.sync_interval_secs.unwrap_or(0),
            device_name: live.device.name.clone(),
            line: phase.line(pending, last_success, now),
            offline: phase.is_offline(),
            usage: self.usage_summary(),
            damaged_rows: self.damaged_count(),
            newer_shark: live
                .store
                .newer_shark()
                .await
                .ok()
                .flatten()
                .map(|n| n.message()),
            now,
        }
    }
}

/// Waits until no one else holds `shared` (commands in flight finish, a
/// stopped engine's task is dropped).
async fn wait_unique<T>(mut shared: Arc<T>) -> IpcResult<T> {
    for _ in 0..100 {
        match Arc::try_unwrap(shared) {
            Ok(l) => return Ok(l),
            Err(again) => shared = again,
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(IpcError::new(
        "busy",
        "The database is busy; try again in a moment.",
    ))
}

/// Commands handed over by the `shark` CLI run on the app's store.
#[derive(Debug)]
pub struct HandoffHost(pub Arc<Session>);

impl Host for HandoffHost {
    fn store(&self) -> Result<Arc<Store>, NoStore> {
        match &*self.0.slot.borrow() {
            Slot::Open(live) => Ok(live.store.clone()),
            Slot::Opening => Err(NoStore::Opening),
            Slot::Failed(why) => Err(NoStore::Failed(why.clone())),
        }
    }

    fn owner(&self) -> OwnerInfo {
        let live = self.0.current();
        OwnerInfo {
            kind: OwnerKind::App,
            pid: std::process::id(),
            since: Some(self.0.started),
            database: live.as_ref().and_then(|l| {
                cloud::url::database_identity(&self.0.paths, l.config.cloud.url.as_deref()).ok()
            }),
            idle_exit_secs: None,
            pending_changes: live
                .and_then(|l| {
                    l.engine
                        .as_ref()
                        .map(|e| e.status().pending_changes.max(0) as u64)
                })
                .unwrap_or(0),
        }
    }

    fn sync_now(&self) -> Option<SyncFuture> {
        let live = self.0.current()?;
        live.engine.as_ref()?;
        Some(Box::pin(async move {
            match &live.engine {
                Some(engine) => engine.sync_now().await,
                None => Err(cloud::pipeline::RunError {
                    problem: cloud::Problem::Other,
                    message: "the sync engine stopped".into(),
                    retry_after: None,
                }),
            }
        }))
    }

    fn connection(&self) -> Option<cloud::ConnectionInfo> {
        self.0.current().map(|l| l.info.clone())
    }
}
