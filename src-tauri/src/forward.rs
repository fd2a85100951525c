//! The events a session reports, and their forwarding from an open
//! database to the session's callback: data changes, named by comparing
//! fingerprints before and after (see `shark_core::store::changes`), and
//! the sync engine's transitions.

use std::sync::Arc;
use std::time::Duration;

use shark_core::cloud::{self, SyncEngine};
use shark_core::store::Store;
use shark_core::store::changes::{DataChange, Fingerprints};

/// Something the UI and the tray must hear about.
#[derive(Debug, Clone)]
pub enum Event {
    /// The data changed (any write, or a pull that brought changes): what
    /// lists show, named when few rows moved.
    DataChanged(DataChange),
    /// The connection or sync status changed.
    Status,
    /// The engine's status, for notifications.
    Sync(cloud::SyncStatus),
    /// A database was opened (first, or after a settings change): figures
    /// such as usage belong to it and are read again.
    Opened,
}

/// Where events go (the app forwards them to the window and the tray).
pub type Notify = Arc<dyn Fn(Event) + Send + Sync>;

/// How long a burst of writes (a batch, a pull) gathers into one event.
const COALESCE: Duration = Duration::from_millis(50);

/// The tasks forwarding a store's events; stopped when dropped.
#[derive(Debug)]
pub struct Forwarders(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Forwarders {
    fn drop(&mut self) {
        for f in &self.0 {
            f.abort();
        }
    }
}

impl Forwarders {
    /// Starts forwarding. The rows are fingerprinted before this returns,
    /// after subscribing: the window reads everything once the database is
    /// open, so every later change is named against what it read or newer.
    pub async fn start(store: &Arc<Store>, engine: Option<&SyncEngine>, notify: Notify) -> Self {
        let mut tasks = Vec::new();
        let mut changes = store.changes();
        let mut seen = prints(store).await;
        let (store, data_notify) = (store.clone(), notify.clone());
        tasks.push(tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                tokio::time::sleep(COALESCE).await;
                changes.borrow_and_update();
                let now = prints(&store).await;
                let change = match (&now, &seen) {
                    (Some(now), Some(before)) => now.since(before),
                    _ => DataChange::everything(),
                };
                // Unreadable now: the window reads everything, and the next
                // event is named against the last fingerprints (it may name
                // rows the window already has, never miss one).
                if now.is_some() {
                    seen = now;
                }
                // A write the window shows nothing of (usage figures, a
                // device's name) wakes no view.
                if !change.is_empty() {
                    data_notify(Event::DataChanged(change));
                }
            }
        }));
        if let Some(engine) = engine {
            let mut events = engine.subscribe();
            tasks.push(tokio::spawn(async move {
                loop {
                    match events.recv().await {
                        Ok(s) => {
                            notify(Event::Sync(s));
                            notify(Event::Status);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            notify(Event::Status);
                        }
                        Err(_) => return,
                    }
                }
            }));
        }
        Forwarders(tasks)
    }
}

/// The rows' fingerprints, or None (logged) when they cannot be read: the
/// event then says "everything".
async fn prints(store: &Store) -> Option<Fingerprints> {
    match store.fingerprints().await {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::warn!("cannot tell which rows changed: {e}");
            None
        }
    }
}
