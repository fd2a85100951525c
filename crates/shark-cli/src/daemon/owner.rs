//! The background daemon itself: owns a connected machine's replica when
//! the desktop app does not run. It opens the database as its long-lived
//! owner (live pulls), runs the sync engine (debounced pushes, retries,
//! usage figures, the sync state), serves handed-over commands, and exits
//! when asked (`shark daemon stop`, the app taking over, SIGTERM) or after
//! an idle time with nothing left to push, finishing what is in flight.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use shark_core::cloud::{self, ConnectionInfo, Mode, SyncEngine};
use shark_core::store::Store;
use shark_core::time::{self, Timestamp};
use tokio::sync::watch;

use crate::Ctx;
use crate::handoff::{self, Host, NoStore, OwnerInfo, OwnerKind, SyncFuture};

/// Longest wait for handed-over commands still running when the daemon stops.
const DRAIN: Duration = Duration::from_secs(30);
/// Longest wait for a last push of waiting changes before exiting.
const LAST_PUSH: Duration = Duration::from_secs(5);
/// Idle time of a daemon that could not connect yet (the next one retries).
const FALLBACK_IDLE: Duration = Duration::from_secs(60);
/// How often the idle rule is checked.
const IDLE_CHECK: Duration = Duration::from_millis(500);

/// The running daemon as the hand-off server sees it.
struct DaemonHost {
    store: Arc<Store>,
    info: ConnectionInfo,
    engine: Option<Arc<SyncEngine>>,
    database: String,
    since: Timestamp,
    idle: Option<Duration>,
    last_command: Mutex<Instant>,
    leave: watch::Sender<bool>,
}

impl DaemonHost {
    fn pending(&self) -> u64 {
        self.engine
            .as_ref()
            .map_or(0, |e| e.status().pending_changes.max(0) as u64)
    }

    /// Whether the engine stopped on a failure only the user can end (its
    /// waiting changes cannot leave by themselves).
    fn stopped(&self) -> bool {
        self.engine.as_ref().is_some_and(|e| e.status().stopped)
    }

    /// Idle long enough, and nothing waits to be pushed (or what waits
    /// cannot leave until the user acts).
    fn idle_done(&self) -> bool {
        let Some(idle) = self.idle else {
            return false;
        };
        let quiet = self
            .last_command
            .lock()
            .map(|t| t.elapsed() >= idle)
            .unwrap_or(false);
        quiet && (self.pending() == 0 || self.stopped())
    }
}

impl Host for DaemonHost {
    fn store(&self) -> Result<Arc<Store>, NoStore> {
        Ok(self.store.clone())
    }

    fn connection(&self) -> Option<ConnectionInfo> {
        Some(self.info.clone())
    }

    fn owner(&self) -> OwnerInfo {
        OwnerInfo {
            kind: OwnerKind::Daemon,
            pid: std::process::id(),
            since: Some(self.since),
            database: Some(self.database.clone()),
            idle_exit_secs: self.idle.map(|d| d.as_secs()),
            pending_changes: self.pending(),
        }
    }

    fn sync_now(&self) -> Option<SyncFuture> {
        let engine = self.engine.clone()?;
        Some(Box::pin(async move { engine.sync_now().await }))
    }

    fn leave(&self) -> Result<(), String> {
        self.leave.send_replace(true);
        Ok(())
    }

    fn touch(&self) {
        if let Ok(mut t) = self.last_command.lock() {
            *t = Instant::now();
        }
    }

    fn leaving(&self) -> bool {
        *self.leave.borrow()
    }
}

/// Runs the daemon until it is asked to stop or has been idle `idle`
/// (`None`: never idles out).
#[tracing::instrument(skip_all)]
pub async fn run(ctx: &Ctx, idle: Option<Duration>) -> anyhow::Result<()> {
    let database = super::connected_database(ctx)?;
    let opened = cloud::open_as_owner(
        &ctx.paths,
        ctx.device.clone(),
        &ctx.config,
        ctx.lock_timeout,
        cloud::engine::LONG_POLL,
        // After a failed first connect, the retry pause is kept (each
        // start would otherwise wait for the bootstrap timeout).
        cloud::Attempt::Auto,
    )
    .await
    .context("the daemon cannot open the database")?;
    for n in &opened.notices {
        tracing::info!("{n}");
    }
    let store = Arc::new(opened.store);
    let engine = (opened.info.mode == Mode::Replica).then(|| {
        Arc::new(SyncEngine::for_owner(
            store.clone(),
            ctx.paths.clone(),
            &ctx.config,
        ))
    });
    // Not connected yet (Turso unreachable on the first connect): the
    // daemon serves the local database for a while, then leaves so that a
    // later command's daemon tries to connect again.
    let idle = match opened.info.mode {
        Mode::LocalFallback => Some(idle.map_or(FALLBACK_IDLE, |d| d.min(FALLBACK_IDLE))),
        _ => idle,
    };
    let (leave, mut asked) = watch::channel(false);
    let host = Arc::new(DaemonHost {
        store: store.clone(),
        info: opened.info,
        engine: engine.clone(),
        database,
        since: time::now(),
        idle,
        last_command: Mutex::new(Instant::now()),
        leave,
    });
    let listener = handoff::bind(&ctx.paths).context("the daemon cannot listen on its socket")?;
    let server = handoff::Server::start(listener, host.clone());
    tracing::info!(
        pid = std::process::id(),
        mode = ?host.info.mode,
        idle_secs = idle.map(|d| d.as_secs()),
        "the daemon owns the database"
    );
    let why = wait_for_end(&host, &mut asked).await;
    tracing::info!("the daemon stops: {why}");
    host.leave.send_replace(true);
    server.stop(DRAIN).await;
    if let Some(engine) = &engine
        && host.pending() > 0
    {
        match tokio::time::timeout(LAST_PUSH, engine.sync_now()).await {
            Ok(Ok(_)) => tracing::info!("pushed the last changes"),
            Ok(Err(e)) => tracing::info!("the last changes stay for the next owner: {}", e.message),
            Err(_) => tracing::info!(
                "the last push did not finish in time; the changes stay for the next owner"
            ),
        }
    }
    // The socket goes before the database lock, so no client reaches a
    // listener that is gone while a new owner could already hold the file.
    let _ = std::fs::remove_file(ctx.paths.app_socket());
    drop(engine);
    drop(host);
    drop(store);
    Ok(())
}

async fn wait_for_end(host: &DaemonHost, asked: &mut watch::Receiver<bool>) -> &'static str {
    let stop = super::os::stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = asked.wait_for(|l| *l) => return "asked to leave",
            why = &mut stop => return why,
            () = tokio::time::sleep(IDLE_CHECK) => {
                if host.idle_done() {
                    return "idle, nothing waiting to be pushed";
                }
            }
        }
    }
}
